#include "widgets/recording_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkvla::widgets {

RecordingPanel::RecordingPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* form = new QFormLayout();
  auto* file_row = new QHBoxLayout();
  file_ = new QLabel(this);
  file_->setWordWrap(true);
  auto* new_file = new QPushButton(tr("New file..."), this);
  file_row->addWidget(file_, 1);
  file_row->addWidget(new_file);
  form->addRow(tr("Record into"), file_row);
  connect(new_file, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("New episode file"), QString(),
                                                      tr("HDF5 episode files (*.hdf5)"));
    if (!path.isEmpty())
      Q_EMIT newFileRequested(path.endsWith(".hdf5") || path.endsWith(".h5") ? path
                                                                             : path + ".hdf5");
  });

  task_ = new QComboBox(this);
  task_->setObjectName("recordingTask");
  form->addRow(tr("Task"), task_);
  instruction_ = new QLineEdit(this);
  instruction_->setObjectName("recordingInstruction");
  form->addRow(tr("Instruction"), instruction_);
  auto* numbers = new QHBoxLayout();
  seed_ = new QSpinBox(this);
  seed_->setObjectName("recordingSeed");
  seed_->setRange(0, 1000000);
  seed_->setPrefix(tr("seed "));
  reset_s_ = new QSpinBox(this);
  reset_s_->setRange(0, 120);
  reset_s_->setValue(3);
  reset_s_->setPrefix(tr("reset "));
  reset_s_->setSuffix(tr(" s"));
  reset_s_->setToolTip(
      tr("Reset phase between episodes: the world is reset to the next seed, "
         "recording resumes after this many seconds (0: wait for Record or Right)"));
  end_on_done_ = new QCheckBox(tr("End on success/limit"), this);
  end_on_done_->setChecked(true);
  numbers->addWidget(seed_);
  numbers->addWidget(reset_s_);
  numbers->addWidget(end_on_done_);
  form->addRow(QString(), numbers);
  layout->addLayout(form);
  connect(task_, &QComboBox::currentIndexChanged, this, [this](int i) {
    if (i >= 0 && i < static_cast<int>(tasks_.size())) {
      instruction_->setText(tasks_[static_cast<std::size_t>(i)].instruction);
    }
  });

  auto* buttons = new QHBoxLayout();
  record_ = new QPushButton(tr("\u25CF Record"), this);
  record_->setObjectName("recordingRecord");
  end_ = new QPushButton(tr("End && save \u2192"), this);
  end_->setObjectName("recordingEnd");
  rerecord_ = new QPushButton(tr("\u2190 Re-record"), this);
  rerecord_->setObjectName("recordingRerecord");
  discard_ = new QPushButton(tr("Discard"), this);
  discard_->setObjectName("recordingDiscard");
  buttons->addWidget(record_);
  buttons->addWidget(end_);
  buttons->addWidget(rerecord_);
  buttons->addWidget(discard_);
  layout->addLayout(buttons);
  connect(record_, &QPushButton::clicked, this, &RecordingPanel::recordRequested);
  connect(end_, &QPushButton::clicked, this, &RecordingPanel::endRequested);
  connect(rerecord_, &QPushButton::clicked, this, &RecordingPanel::rerecordRequested);
  connect(discard_, &QPushButton::clicked, this, &RecordingPanel::discardRequested);

  status_ = new QLabel(this);
  status_->setObjectName("recordingStatus");
  status_->setWordWrap(true);
  recorder_ = new QLabel(this);
  recorder_->setWordWrap(true);
  recorder_->setStyleSheet("color: gray");
  layout->addWidget(status_);
  layout->addWidget(recorder_);
  setTargetFile(QString());
  setState(State::kIdle);
}

void RecordingPanel::setTargetFile(const QString& path) {
  file_->setText(path.isEmpty() ? tr("(a new file in the recordings folder)")
                                : QFileInfo(path).fileName());
  file_->setToolTip(path);
}

void RecordingPanel::setTasks(const std::vector<RecordingTask>& tasks) {
  tasks_ = tasks;
  const QSignalBlocker block(task_);
  task_->clear();
  for (const auto& t : tasks_) task_->addItem(t.label, t.id);
  if (!tasks_.empty()) {
    task_->setCurrentIndex(0);
    instruction_->setText(tasks_.front().instruction);
  }
}

void RecordingPanel::setTask(const QString& id) {
  const int i = task_->findData(id);
  if (i < 0) return;
  const QSignalBlocker block(task_);
  task_->setCurrentIndex(i);
  instruction_->setText(tasks_[static_cast<std::size_t>(i)].instruction);
}

QString RecordingPanel::taskId() const { return task_->currentData().toString(); }
void RecordingPanel::setInstruction(const QString& text) { instruction_->setText(text); }
QString RecordingPanel::instruction() const { return instruction_->text().trimmed(); }
void RecordingPanel::setSeed(int seed) { seed_->setValue(seed); }
int RecordingPanel::seed() const { return seed_->value(); }
void RecordingPanel::setResetSeconds(int seconds) { reset_s_->setValue(seconds); }
int RecordingPanel::resetSeconds() const { return reset_s_->value(); }
void RecordingPanel::setEndOnDone(bool on) { end_on_done_->setChecked(on); }
bool RecordingPanel::endOnDone() const { return end_on_done_->isChecked(); }

void RecordingPanel::setState(State state) {
  state_ = state;
  const bool idle = state == State::kIdle;
  record_->setEnabled(state != State::kRecording);
  record_->setText(state == State::kResetting ? tr("\u25CF Record next") : tr("\u25CF Record"));
  end_->setEnabled(state == State::kRecording);
  rerecord_->setEnabled(state == State::kRecording);
  discard_->setEnabled(!idle);
  task_->setEnabled(state != State::kRecording);
  instruction_->setEnabled(state != State::kRecording);
  seed_->setEnabled(state != State::kRecording);
}

void RecordingPanel::setStatus(const QString& text) { status_->setText(text); }
void RecordingPanel::setRecorderStatus(const QString& text) { recorder_->setText(text); }
QString RecordingPanel::statusText() const { return status_->text(); }
QString RecordingPanel::recorderStatusText() const { return recorder_->text(); }

}  // namespace thinkvla::widgets
