#include "widgets/model_panel.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkvla::widgets {

QString formatCount(qint64 count) {
  if (count >= 1000000) return QString("%1 M").arg(static_cast<double>(count) / 1e6, 0, 'f', 2);
  if (count >= 1000) return QString("%1 k").arg(static_cast<double>(count) / 1e3, 0, 'f', 1);
  return QString::number(count);
}

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
  setObjectName("modelPanel");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);

  auto* open_row = new QHBoxLayout;
  auto* open = new QPushButton(tr("Open checkpoint..."), this);
  open->setObjectName("openCheckpoint");
  open_row->addWidget(open);
  open_row->addStretch(1);
  layout->addLayout(open_row);
  connect(open, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open checkpoint directory"));
    if (!dir.isEmpty()) Q_EMIT openCheckpointRequested(dir);
  });

  header_ = new QLabel(tr("No checkpoint loaded. Open one, or drop its directory on the window."), this);
  header_->setObjectName("modelHeader");
  header_->setWordWrap(true);
  header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(header_);
  error_ = new QLabel(this);
  error_->setObjectName("modelError");
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #e05050;");
  error_->hide();
  layout->addWidget(error_);

  config_ = new QTreeWidget(this);
  config_->setObjectName("modelConfig");
  config_->setColumnCount(2);
  config_->setHeaderLabels({tr("Config"), tr("Value")});
  config_->setRootIsDecorated(false);
  config_->setAlternatingRowColors(true);
  config_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  layout->addWidget(config_, 1);

  auto* run_box = new QGroupBox(tr("Policy"), this);
  auto* run_layout = new QVBoxLayout(run_box);
  auto* instr_row = new QHBoxLayout;
  instruction_ = new QLineEdit(run_box);
  instruction_->setObjectName("instruction");
  instruction_->setPlaceholderText(tr("instruction (takes effect on the next inference)"));
  auto* apply = new QPushButton(tr("Apply"), run_box);
  apply->setObjectName("applyInstruction");
  instr_row->addWidget(instruction_, 1);
  instr_row->addWidget(apply);
  run_layout->addLayout(instr_row);
  const auto submit = [this] { Q_EMIT instructionSubmitted(instruction_->text().trimmed()); };
  connect(apply, &QPushButton::clicked, this, submit);
  connect(instruction_, &QLineEdit::returnPressed, this, submit);

  // Two rows of two: the dock's default width holds them without a scroll bar.
  auto* buttons = new QGridLayout;
  run_ = new QPushButton(tr("Run"), run_box);
  run_->setObjectName("run");
  pause_ = new QPushButton(tr("Pause"), run_box);
  pause_->setObjectName("pause");
  step_ = new QPushButton(tr("Step"), run_box);
  step_->setObjectName("step");
  step_->setToolTip(tr("One control tick (while paused)"));
  reset_ = new QPushButton(tr("Reset"), run_box);
  reset_->setObjectName("reset");
  buttons->addWidget(run_, 0, 0);
  buttons->addWidget(pause_, 0, 1);
  buttons->addWidget(step_, 1, 0);
  buttons->addWidget(reset_, 1, 1);
  run_layout->addLayout(buttons);

  auto* execute_row = new QHBoxLayout;
  execute_row->addWidget(new QLabel(tr("Execute"), run_box));
  execute_ = new QSpinBox(run_box);
  execute_->setObjectName("executeSteps");
  execute_->setKeyboardTracking(false);
  execute_->setRange(1, 1);
  execute_->setToolTip(tr("Actions of each predicted chunk executed open loop before the next "
                          "chunk (with ensembling: re-plan every this many control ticks)"));
  execute_row->addWidget(execute_);
  execute_of_ = new QLabel(run_box);
  execute_of_->setObjectName("executeOf");
  execute_row->addWidget(execute_of_, 1);
  run_layout->addLayout(execute_row);
  auto* ensemble_row = new QHBoxLayout;
  ensemble_ = new QCheckBox(tr("Temporal ensembling, decay"), run_box);
  ensemble_->setObjectName("ensemble");
  ensemble_->setToolTip(tr("Execute the weighted mean of every chunk's prediction for the "
                           "current tick, the i-th oldest weighted exp(-decay i) (as ACT)"));
  decay_ = new QDoubleSpinBox(run_box);
  decay_->setObjectName("ensembleDecay");
  decay_->setKeyboardTracking(false);
  decay_->setDecimals(3);
  decay_->setRange(0.0, 5.0);
  decay_->setSingleStep(0.01);
  decay_->setValue(0.01);
  ensemble_row->addWidget(ensemble_);
  ensemble_row->addWidget(decay_);
  ensemble_row->addStretch(1);
  run_layout->addLayout(ensemble_row);
  connect(execute_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int steps) {
    requested_steps_ = chunk_size_ > 0 && steps >= chunk_size_ ? 0 : steps;
    Q_EMIT executionChanged();
  });
  connect(ensemble_, &QCheckBox::toggled, this, [this] {
    setRunControls(world_available_, world_paused_);
    Q_EMIT executionChanged();
  });
  connect(decay_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this] {
    if (ensemble_->isChecked()) Q_EMIT executionChanged();
  });
  showExecuteSteps();
  layout->addWidget(run_box);
  connect(run_, &QPushButton::clicked, this, &ModelPanel::runRequested);
  connect(pause_, &QPushButton::clicked, this, &ModelPanel::pauseRequested);
  connect(step_, &QPushButton::clicked, this, &ModelPanel::stepRequested);
  connect(reset_, &QPushButton::clicked, this, &ModelPanel::resetRequested);
  setRunControls(false, false);
}

void ModelPanel::setSummary(const ModelSummary& s) {
  QStringList lines;
  lines << tr("<b>%1</b>").arg(s.directory.toHtmlEscaped());
  lines << tr("preset %1, %2").arg(s.preset, s.deployed ? tr("deployed (exported)") : tr("full (training)"));
  lines << tr("parameters: %1 full, %2 deployed")
               .arg(formatCount(s.parameters_full), formatCount(s.parameters_deployed));
  lines << tr("tokenizer: %1 pieces%2")
               .arg(s.vocab_size)
               .arg(s.tokenizer.isEmpty() ? QString() : ", " + s.tokenizer.toHtmlEscaped());
  header_->setText(lines.join("<br>"));
  config_->clear();
  for (const auto& [key, value] : s.config) {
    config_->addTopLevelItem(new QTreeWidgetItem(QStringList{key, value}));
  }
  for (const auto& [name, count] : s.components) {
    auto* item = new QTreeWidgetItem(QStringList{tr("parameters: %1").arg(name), formatCount(count)});
    config_->addTopLevelItem(item);
  }
  error_->clear();
  error_->hide();
}

void ModelPanel::setError(const QString& message) {
  error_->setText(message);
  error_->setVisible(!message.isEmpty());
}

void ModelPanel::clear() {
  header_->setText(tr("No checkpoint loaded."));
  config_->clear();
  setError({});
}

QString ModelPanel::summaryText() const { return header_->text(); }
QString ModelPanel::errorText() const { return error_->text(); }

void ModelPanel::setInstruction(const QString& instruction) {
  if (!instruction_->hasFocus()) instruction_->setText(instruction);
}

QString ModelPanel::instruction() const { return instruction_->text(); }

void ModelPanel::setRunControls(bool available, bool paused) {
  world_available_ = available;
  world_paused_ = paused;
  run_->setEnabled(available && paused);
  pause_->setEnabled(available && !paused);
  step_->setEnabled(available && paused);
  reset_->setEnabled(available);
  const bool executes = available && chunk_size_ > 0;
  execute_->setEnabled(executes);
  ensemble_->setEnabled(executes);
  decay_->setEnabled(executes && ensemble_->isChecked());
}

void ModelPanel::setChunkSize(int chunk_size) {
  chunk_size = std::max(0, chunk_size);
  if (chunk_size == chunk_size_) return;  // called on every panel refresh
  chunk_size_ = chunk_size;
  showExecuteSteps();
}

void ModelPanel::showExecuteSteps() {
  const QSignalBlocker block(execute_);  // follows the policy or a request: not the user's change
  const int k = std::max(1, chunk_size_);
  execute_->setRange(1, requested_steps_ > 0 && chunk_size_ == 0 ? requested_steps_ : k);
  execute_->setValue(requested_steps_ > 0 ? std::min(requested_steps_, execute_->maximum()) : k);
  execute_of_->setText(chunk_size_ > 0 ? tr("of %1 actions per chunk").arg(chunk_size_)
                                       : tr("actions per chunk (no policy)"));
  setRunControls(world_available_, world_paused_);
}

ChunkExecution ModelPanel::execution() const {
  ChunkExecution e;
  e.execute_steps = requested_steps_;
  e.ensemble = ensemble_->isChecked();
  e.decay = decay_->value();
  return e;
}

void ModelPanel::setExecution(const ChunkExecution& e) {
  const QSignalBlocker block_steps(execute_);
  const QSignalBlocker block_ensemble(ensemble_);
  const QSignalBlocker block_decay(decay_);
  requested_steps_ = std::max(0, e.execute_steps);
  decay_->setValue(e.decay);
  ensemble_->setChecked(e.ensemble);
  showExecuteSteps();
}

}  // namespace thinkvla::widgets
