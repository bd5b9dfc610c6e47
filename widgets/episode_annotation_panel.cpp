#include "widgets/episode_annotation_panel.h"

#include <QCheckBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QUndoCommand>
#include <QVBoxLayout>

#include "widgets/camera_view.h"

namespace thinkvla::widgets {

// One undoable edit of the episode's success flag, instruction and notes.
class MetaEditCommand : public QUndoCommand {
 public:
  MetaEditCommand(EpisodeAnnotationPanel* panel, EpisodeMeta before, EpisodeMeta after,
                  const QString& text)
      : QUndoCommand(text), panel_(panel), before_(std::move(before)), after_(std::move(after)) {}
  void undo() override { panel_->applyMeta(before_); }
  void redo() override { panel_->applyMeta(after_); }

 private:
  EpisodeAnnotationPanel* panel_;
  EpisodeMeta before_;
  EpisodeMeta after_;
};

namespace {
const char* const kAxes[7] = {"dx", "dy", "dz", "drx", "dry", "drz", "grip"};
}

EpisodeAnnotationPanel::EpisodeAnnotationPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  title_ = new QLabel(tr("No episode selected"), this);
  layout->addWidget(title_);

  // Both cameras at the scrubbed step, the episode's fields beside them.
  auto* top = new QHBoxLayout();
  agent_view_ = new CameraView(this);
  wrist_view_ = new CameraView(this);
  agent_view_->setCaption("agentview", 0, 0);
  wrist_view_->setCaption("eye_in_hand", 0, 0);
  agent_view_->setMinimumSize(150, 120);
  wrist_view_->setMinimumSize(150, 120);
  top->addWidget(agent_view_, 2);
  top->addWidget(wrist_view_, 2);
  auto* form = new QFormLayout();
  top->addLayout(form, 3);
  layout->addLayout(top, 1);

  actions_ = new QTableWidget(2, 7, this);
  actions_->setObjectName("annotationActions");
  QStringList axes;
  for (const char* a : kAxes) axes << a;
  actions_->setHorizontalHeaderLabels(axes);
  actions_->setVerticalHeaderLabels({tr("recorded"), tr("policy")});
  actions_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  actions_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  actions_->setFocusPolicy(Qt::NoFocus);
  actions_->setFixedHeight(actions_->horizontalHeader()->sizeHint().height() +
                           2 * actions_->verticalHeader()->defaultSectionSize() + 4);
  layout->addWidget(actions_);
  prediction_note_ = new QLabel(this);
  prediction_note_->setStyleSheet("color: gray");
  layout->addWidget(prediction_note_);

  timeline_ = new AnnotationTimeline(this);
  timeline_->setObjectName("annotationTimeline");
  layout->addWidget(timeline_);
  connect(timeline_, &AnnotationTimeline::currentStepChanged, this,
          &EpisodeAnnotationPanel::currentStepChanged);

  success_ = new QCheckBox(tr("Successful"), this);
  success_->setObjectName("annotationSuccess");
  form->addRow(tr("Outcome"), success_);
  instruction_ = new QLineEdit(this);
  instruction_->setObjectName("annotationInstruction");
  form->addRow(tr("Instruction"), instruction_);
  notes_ = new QPlainTextEdit(this);
  notes_->setObjectName("annotationNotes");
  notes_->setMinimumHeight(40);
  notes_->installEventFilter(this);
  form->addRow(tr("Notes"), notes_);
  connect(success_, &QCheckBox::toggled, this, [this] { commitFields(); });
  connect(instruction_, &QLineEdit::editingFinished, this, [this] { commitFields(); });

  auto* buttons = new QHBoxLayout();
  undo_ = new QPushButton(tr("Undo"), this);
  redo_ = new QPushButton(tr("Redo"), this);
  save_ = new QPushButton(tr("Save"), this);
  save_->setObjectName("annotationSave");
  replay_ = new QPushButton(tr("Replay in world"), this);
  replay_->setObjectName("annotationReplay");
  stop_ = new QPushButton(tr("Stop replay"), this);
  buttons->addWidget(undo_);
  buttons->addWidget(redo_);
  buttons->addWidget(save_);
  buttons->addStretch();
  buttons->addWidget(replay_);
  buttons->addWidget(stop_);
  layout->addLayout(buttons);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  layout->addWidget(status_);

  QUndoStack* stack = timeline_->undoStack();
  connect(undo_, &QPushButton::clicked, this, [this, stack] {
    commitFields();
    stack->undo();
  });
  connect(redo_, &QPushButton::clicked, stack, &QUndoStack::redo);
  connect(save_, &QPushButton::clicked, this, [this] {
    commitFields();
    Q_EMIT saveRequested();
  });
  connect(replay_, &QPushButton::clicked, this, &EpisodeAnnotationPanel::replayRequested);
  connect(stop_, &QPushButton::clicked, this, &EpisodeAnnotationPanel::stopReplayRequested);
  connect(stack, &QUndoStack::indexChanged, this, [this] { updateButtons(); });
  connect(stack, &QUndoStack::cleanChanged, this, [this] { updateButtons(); });
  clearEpisode();
}

void EpisodeAnnotationPanel::setEpisode(const QString& title, int length_steps,
                                        const TimelineAnnotations& annotations,
                                        const std::vector<bool>& interventions,
                                        const EpisodeMeta& meta) {
  title_->setText(title);
  timeline_->setEpisode(length_steps, annotations, interventions);  // clears the stack
  applyMeta(meta);
  timeline_->undoStack()->setClean();
  updateButtons();
}

void EpisodeAnnotationPanel::clearEpisode() {
  title_->setText(tr("No episode selected: pick one in the Episodes dock"));
  timeline_->setEpisode(0, {}, {});
  applyMeta({});
  agent_view_->setFrame(cv::Mat());
  wrist_view_->setFrame(cv::Mat());
  setStepActions({}, {}, QString());
  timeline_->undoStack()->setClean();
  updateButtons();
}

void EpisodeAnnotationPanel::applyMeta(const EpisodeMeta& meta) {
  applying_ = true;
  meta_ = meta;
  success_->setChecked(meta.success);
  instruction_->setText(meta.instruction);
  if (notes_->toPlainText() != meta.notes) notes_->setPlainText(meta.notes);
  applying_ = false;
  Q_EMIT metaEdited(meta_);
}

void EpisodeAnnotationPanel::editMeta(const EpisodeMeta& after) {
  if (after == meta_) return;
  QString what = tr("Edit notes");
  if (after.success != meta_.success)
    what = tr("Set success");
  else if (after.instruction != meta_.instruction)
    what = tr("Edit instruction");
  timeline_->undoStack()->push(new MetaEditCommand(this, meta_, after, what));
}

void EpisodeAnnotationPanel::commitFields() {
  if (applying_ || !hasEpisode()) return;
  EpisodeMeta after;
  after.success = success_->isChecked();
  after.instruction = instruction_->text().trimmed();
  after.notes = notes_->toPlainText();
  editMeta(after);
}

bool EpisodeAnnotationPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == notes_ && event->type() == QEvent::FocusOut) commitFields();
  return QWidget::eventFilter(watched, event);
}

bool EpisodeAnnotationPanel::dirty() const { return !timeline_->undoStack()->isClean(); }

void EpisodeAnnotationPanel::markSaved() {
  timeline_->undoStack()->setClean();
  updateButtons();
}

void EpisodeAnnotationPanel::updateButtons() {
  const bool has = hasEpisode();
  QUndoStack* stack = timeline_->undoStack();
  undo_->setEnabled(has && stack->canUndo());
  redo_->setEnabled(has && stack->canRedo());
  save_->setEnabled(has && !stack->isClean());
  save_->setText(has && !stack->isClean() ? tr("Save*") : tr("Save"));
  replay_->setEnabled(has && !replaying_);
  stop_->setEnabled(replaying_);
  success_->setEnabled(has);
  instruction_->setEnabled(has);
  notes_->setEnabled(has);
}

void EpisodeAnnotationPanel::setStepFrames(const cv::Mat& agentview_rgb, const cv::Mat& wrist_rgb) {
  agent_view_->setFrame(agentview_rgb);
  wrist_view_->setFrame(wrist_rgb);
}

void EpisodeAnnotationPanel::setStepActions(const std::vector<double>& recorded,
                                            const std::vector<double>& predicted,
                                            const QString& note) {
  for (int row = 0; row < 2; ++row) {
    const std::vector<double>& v = row == 0 ? recorded : predicted;
    for (int c = 0; c < 7; ++c) {
      const QString text = c < static_cast<int>(v.size())
                               ? QString::number(v[static_cast<std::size_t>(c)], 'f', 3)
                               : QString("-");
      auto* item = actions_->item(row, c);
      if (item == nullptr) {
        item = new QTableWidgetItem();
        item->setTextAlignment(Qt::AlignCenter);
        actions_->setItem(row, c, item);
      }
      item->setText(text);
    }
  }
  prediction_note_->setText(note);
}

QString EpisodeAnnotationPanel::predictionText() const {
  QStringList cells;
  for (int c = 0; c < 7; ++c) cells << (actions_->item(1, c) ? actions_->item(1, c)->text() : "-");
  return cells.join(' ');
}

void EpisodeAnnotationPanel::setReplaying(bool replaying) {
  replaying_ = replaying;
  updateButtons();
}

void EpisodeAnnotationPanel::setStatus(const QString& text) { status_->setText(text); }
QString EpisodeAnnotationPanel::statusText() const { return status_->text(); }

}  // namespace thinkvla::widgets
