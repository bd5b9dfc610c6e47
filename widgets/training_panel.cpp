#include "widgets/training_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "widgets/loss_chart.h"

namespace thinkvla::widgets {

namespace {
constexpr int kPathRole = Qt::UserRole + 1;

QString duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return QString("%1h%2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QChar('0'));
  if (s >= 60) return QString("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
  return QString("%1s").arg(s);
}
}  // namespace

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);

  // Data and starting point.
  auto* data_box = new QGroupBox(tr("Run"), this);
  auto* form = new QFormLayout(data_box);
  auto* files_row = new QWidget(data_box);
  auto* files_layout = new QHBoxLayout(files_row);
  files_layout->setContentsMargins(0, 0, 0, 0);
  files_ = new QListWidget(files_row);
  files_->setObjectName("trainingFiles");
  files_->setMaximumHeight(64);
  files_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  auto* file_buttons = new QVBoxLayout();
  auto* add = new QPushButton(tr("Add..."), files_row);
  auto* remove = new QPushButton(tr("Remove"), files_row);
  file_buttons->addWidget(add);
  file_buttons->addWidget(remove);
  file_buttons->addStretch();
  files_layout->addWidget(files_, 1);
  files_layout->addLayout(file_buttons);
  form->addRow(tr("Episode files"), files_row);
  connect(add, &QPushButton::clicked, this, [this] {
    const QStringList picked = QFileDialog::getOpenFileNames(
        this, tr("Episode files"), QString(), tr("HDF5 episode files (*.hdf5 *.h5)"));
    for (const QString& f : picked) addEpisodeFile(f);
  });
  connect(remove, &QPushButton::clicked, this, [this] {
    qDeleteAll(files_->selectedItems());
    updateButtons();
  });

  start_from_ = new QComboBox(data_box);
  start_from_->setObjectName("trainingStartFrom");
  form->addRow(tr("Start from"), start_from_);
  setLoadedCheckpoint(QString());

  auto* hyper = new QWidget(data_box);
  auto* hyper_layout = new QHBoxLayout(hyper);
  hyper_layout->setContentsMargins(0, 0, 0, 0);
  steps_ = new QSpinBox(hyper);
  steps_->setRange(1, 10000000);
  steps_->setValue(200);
  steps_->setPrefix(tr("steps "));
  batch_ = new QSpinBox(hyper);
  batch_->setRange(1, 4096);
  batch_->setValue(4);
  batch_->setPrefix(tr("batch "));
  lr_ = new QDoubleSpinBox(hyper);
  lr_->setDecimals(6);
  lr_->setRange(1e-6, 1.0);
  lr_->setSingleStep(1e-5);
  lr_->setValue(1e-4);
  lr_->setPrefix(tr("lr "));
  hyper_layout->addWidget(steps_);
  hyper_layout->addWidget(batch_);
  hyper_layout->addWidget(lr_);
  form->addRow(tr("Hyperparameters"), hyper);

  auto* out_row = new QWidget(data_box);
  auto* out_layout = new QHBoxLayout(out_row);
  out_layout->setContentsMargins(0, 0, 0, 0);
  out_dir_ = new QLineEdit(out_row);
  out_dir_->setObjectName("trainingOutDir");
  auto* browse = new QPushButton(tr("..."), out_row);
  browse->setMaximumWidth(32);
  out_layout->addWidget(out_dir_, 1);
  out_layout->addWidget(browse);
  form->addRow(tr("Output"), out_row);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Output directory"), out_dir_->text());
    if (!dir.isEmpty()) out_dir_->setText(dir);
  });
  layout->addWidget(data_box);

  // Run controls and progress.
  auto* buttons = new QHBoxLayout();
  start_ = new QPushButton(tr("Start"), this);
  start_->setObjectName("trainingStart");
  pause_ = new QPushButton(tr("Pause"), this);
  pause_->setObjectName("trainingPause");
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName("trainingCancel");
  buttons->addWidget(start_);
  buttons->addWidget(pause_);
  buttons->addWidget(cancel_);
  layout->addLayout(buttons);
  connect(start_, &QPushButton::clicked, this, [this] { Q_EMIT startRequested(request()); });
  connect(pause_, &QPushButton::clicked, this, [this] {
    if (state_ == RunState::kPaused)
      Q_EMIT resumeRequested();
    else
      Q_EMIT pauseRequested();
  });
  connect(cancel_, &QPushButton::clicked, this, &TrainingPanel::cancelRequested);

  auto* progress_row = new QHBoxLayout();
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setTextVisible(true);
  progress_->setFormat("%p%");
  eta_ = new QLabel(tr("ETA --"), this);
  eta_->setMinimumWidth(110);
  progress_row->addWidget(progress_, 1);
  progress_row->addWidget(eta_);
  layout->addLayout(progress_row);
  status_ = new QLabel(tr("No run"), this);
  status_->setWordWrap(true);
  layout->addWidget(status_);

  chart_ = new LossChart(this);
  chart_->setMinimumHeight(180);
  layout->addWidget(chart_, 1);

  // Checkpoints written, and what to do with them.
  auto* ckpt_box = new QGroupBox(tr("Checkpoints written"), this);
  auto* ckpt_layout = new QVBoxLayout(ckpt_box);
  checkpoints_ = new QListWidget(ckpt_box);
  checkpoints_->setObjectName("trainingCheckpoints");
  checkpoints_->setMaximumHeight(90);
  ckpt_layout->addWidget(checkpoints_);
  auto* ckpt_buttons = new QHBoxLayout();
  load_ = new QPushButton(tr("Load into live view"), ckpt_box);
  load_->setObjectName("trainingLoad");
  evaluate_ = new QPushButton(tr("Evaluate"), ckpt_box);
  evaluate_->setObjectName("trainingEvaluate");
  eval_episodes_ = new QSpinBox(ckpt_box);
  eval_episodes_->setRange(1, 100);
  eval_episodes_->setValue(2);
  eval_episodes_->setSuffix(tr(" per task"));
  ckpt_buttons->addWidget(load_);
  ckpt_buttons->addWidget(evaluate_);
  ckpt_buttons->addWidget(eval_episodes_);
  ckpt_layout->addLayout(ckpt_buttons);
  eval_table_ = new QTableWidget(0, 4, ckpt_box);
  eval_table_->setHorizontalHeaderLabels({tr("Task"), tr("Episodes"), tr("Success"), tr("Steps")});
  eval_table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  eval_table_->verticalHeader()->hide();
  eval_table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  eval_table_->setMaximumHeight(120);
  eval_table_->hide();
  ckpt_layout->addWidget(eval_table_);
  layout->addWidget(ckpt_box);
  connect(load_, &QPushButton::clicked, this, [this] {
    const QString dir = selectedCheckpoint();
    if (!dir.isEmpty()) Q_EMIT loadCheckpointRequested(dir);
  });
  connect(checkpoints_, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
    Q_EMIT loadCheckpointRequested(item->data(kPathRole).toString());
  });
  connect(evaluate_, &QPushButton::clicked, this, [this] {
    const QString dir = selectedCheckpoint();
    if (!dir.isEmpty()) Q_EMIT evaluateRequested(dir, eval_episodes_->value());
  });
  connect(checkpoints_, &QListWidget::currentRowChanged, this, [this] { updateButtons(); });
  updateButtons();
}

void TrainingPanel::setLoadedCheckpoint(const QString& directory) {
  loaded_checkpoint_ = directory;
  const QString current = start_from_->currentData().toString();
  start_from_->clear();
  if (!directory.isEmpty()) {
    start_from_->addItem(tr("Loaded checkpoint: %1").arg(QFileInfo(directory).fileName()),
                         "checkpoint:" + directory);
    start_from_->setItemData(0, directory, Qt::ToolTipRole);
  }
  for (const char* preset : {"tiny", "small", "base"}) {
    start_from_->addItem(tr("Fresh network: %1 preset").arg(preset), QString("preset:") + preset);
  }
  const int keep = start_from_->findData(current);
  // A newly loaded checkpoint becomes the default starting point.
  start_from_->setCurrentIndex(!directory.isEmpty() ? 0 : std::max(0, keep));
}

void TrainingPanel::setEpisodeFiles(const QStringList& files) {
  files_->clear();
  for (const QString& f : files) addEpisodeFile(f);
}

void TrainingPanel::addEpisodeFile(const QString& file) {
  const QString path = QFileInfo(file).absoluteFilePath();
  for (int i = 0; i < files_->count(); ++i) {
    if (files_->item(i)->data(kPathRole).toString() == path) return;
  }
  auto* item = new QListWidgetItem(QFileInfo(path).fileName(), files_);
  item->setData(kPathRole, path);
  item->setToolTip(path);
  updateButtons();
}

void TrainingPanel::setOutputDirectory(const QString& directory) { out_dir_->setText(directory); }

void TrainingPanel::setHyperparameters(int steps, int batch_size, double lr) {
  steps_->setValue(steps);
  batch_->setValue(batch_size);
  lr_->setValue(lr);
}

void TrainingPanel::setStartFrom(const QString& checkpoint_or_empty, const QString& preset) {
  const int i = start_from_->findData(
      checkpoint_or_empty.isEmpty() ? "preset:" + preset : "checkpoint:" + checkpoint_or_empty);
  if (i >= 0) start_from_->setCurrentIndex(i);
}

TrainingRequest TrainingPanel::request() const {
  TrainingRequest r;
  for (int i = 0; i < files_->count(); ++i)
    r.episode_files << files_->item(i)->data(kPathRole).toString();
  const QString from = start_from_->currentData().toString();
  if (from.startsWith("checkpoint:"))
    r.init_checkpoint = from.mid(11);
  else
    r.preset = from.mid(7);
  r.steps = steps_->value();
  r.batch_size = batch_->value();
  r.lr = lr_->value();
  r.out_dir = out_dir_->text().trimmed();
  return r;
}

void TrainingPanel::setRunState(RunState state) {
  state_ = state;
  updateButtons();
}

void TrainingPanel::updateButtons() {
  const bool busy = state_ != RunState::kIdle;
  start_->setEnabled(!busy && files_->count() > 0);
  pause_->setEnabled(state_ == RunState::kRunning || state_ == RunState::kPaused);
  pause_->setText(state_ == RunState::kPaused ? tr("Resume") : tr("Pause"));
  cancel_->setEnabled(state_ == RunState::kRunning || state_ == RunState::kPaused);
  files_->setEnabled(!busy);
  start_from_->setEnabled(!busy);
  steps_->setEnabled(!busy);
  batch_->setEnabled(!busy);
  lr_->setEnabled(!busy);
  out_dir_->setEnabled(!busy);
  const bool has_ckpt = checkpoints_->currentRow() >= 0;
  load_->setEnabled(has_ckpt);
  evaluate_->setEnabled(has_ckpt && !evaluating_);
}

void TrainingPanel::setProgress(long step, long total_steps, double eta_s, double samples_per_s) {
  const int value =
      total_steps > 0
          ? static_cast<int>(1000.0 * static_cast<double>(step) / static_cast<double>(total_steps))
          : 0;
  progress_->setValue(std::clamp(value, 0, 1000));
  progress_->setFormat(QString("%1 / %2").arg(step).arg(total_steps));
  eta_->setText(tr("ETA %1 (%2/s)").arg(duration(eta_s)).arg(samples_per_s, 0, 'f', 1));
}

void TrainingPanel::setStatus(const QString& text) { status_->setText(text); }
QString TrainingPanel::statusText() const { return status_->text(); }
int TrainingPanel::progressValue() const { return progress_->value(); }
QString TrainingPanel::etaText() const { return eta_->text(); }

void TrainingPanel::addCheckpoint(const QString& label, const QString& directory) {
  auto* item = new QListWidgetItem(label, checkpoints_);
  item->setData(kPathRole, directory);
  item->setToolTip(directory);
  checkpoints_->setCurrentItem(item);
  updateButtons();
}

void TrainingPanel::clearCheckpoints() {
  checkpoints_->clear();
  updateButtons();
}

QStringList TrainingPanel::checkpointDirectories() const {
  QStringList out;
  for (int i = 0; i < checkpoints_->count(); ++i)
    out << checkpoints_->item(i)->data(kPathRole).toString();
  return out;
}

void TrainingPanel::selectCheckpoint(int row) { checkpoints_->setCurrentRow(row); }

QString TrainingPanel::selectedCheckpoint() const {
  const QListWidgetItem* item = checkpoints_->currentItem();
  return item ? item->data(kPathRole).toString() : QString();
}

void TrainingPanel::setEvaluationRunning(bool running) {
  evaluating_ = running;
  evaluate_->setText(running ? tr("Evaluating...") : tr("Evaluate"));
  updateButtons();
}

void TrainingPanel::setEvaluation(const std::vector<EvalRow>& rows) {
  eval_table_->setRowCount(static_cast<int>(rows.size()));
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    const EvalRow& row = rows[static_cast<std::size_t>(r)];
    const double rate = row.episodes > 0 ? 100.0 * row.successes / row.episodes : 0.0;
    eval_table_->setItem(r, 0, new QTableWidgetItem(row.task));
    eval_table_->setItem(r, 1, new QTableWidgetItem(QString::number(row.episodes)));
    eval_table_->setItem(
        r, 2,
        new QTableWidgetItem(
            QString("%1/%2 (%3%)").arg(row.successes).arg(row.episodes).arg(rate, 0, 'f', 0)));
    eval_table_->setItem(r, 3, new QTableWidgetItem(QString::number(row.mean_steps, 'f', 0)));
  }
  eval_table_->setVisible(!rows.empty());
}

int TrainingPanel::evaluationRows() const { return eval_table_->rowCount(); }

}  // namespace thinkvla::widgets
