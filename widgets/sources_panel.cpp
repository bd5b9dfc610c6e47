#include "widgets/sources_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkvla::widgets {

SourcesPanel::SourcesPanel(QWidget* parent) : QWidget(parent) {
  setObjectName("sourcesPanel");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);

  // The built-in world: task, perturbation, seed.
  auto* world = new QGroupBox(tr("Built-in world"), this);
  auto* world_form = new QFormLayout(world);
  suite_ = new QComboBox(world);
  suite_->setObjectName("suite");
  task_ = new QComboBox(world);
  task_->setObjectName("task");
  task_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  task_->setMinimumContentsLength(16);
  dimension_ = new QComboBox(world);
  dimension_->setObjectName("perturbDimension");
  level_ = new QSpinBox(world);
  level_->setObjectName("perturbLevel");
  level_->setRange(0, 4);
  seed_ = new QSpinBox(world);
  seed_->setObjectName("seed");
  seed_->setRange(0, 1000000);
  auto* perturb_row = new QHBoxLayout;
  perturb_row->addWidget(dimension_, 1);
  perturb_row->addWidget(new QLabel(tr("level"), world));
  perturb_row->addWidget(level_);
  auto* start_world = new QPushButton(tr("Start world"), world);
  start_world->setObjectName("startWorld");
  world_form->addRow(tr("Suite"), suite_);
  world_form->addRow(tr("Task"), task_);
  world_form->addRow(tr("Perturbation"), perturb_row);
  world_form->addRow(tr("Seed"), seed_);
  world_form->addRow(start_world);
  layout->addWidget(world);
  connect(suite_, qOverload<int>(&QComboBox::currentIndexChanged), this, &SourcesPanel::fillTasks);
  connect(start_world, &QPushButton::clicked, this, [this] { Q_EMIT sourceRequested(worldSpec()); });

  // Cameras, files, folders, streams.
  auto* live = new QGroupBox(tr("Cameras, files, streams"), this);
  auto* live_layout = new QVBoxLayout(live);
  cameras_ = new QListWidget(live);
  cameras_->setObjectName("cameras");
  cameras_->setMaximumHeight(72);
  live_layout->addWidget(cameras_);
  auto* camera_row = new QHBoxLayout;
  auto* open_camera = new QPushButton(tr("Open camera"), live);
  auto* rescan = new QPushButton(tr("Rescan"), live);
  camera_row->addWidget(open_camera);
  camera_row->addWidget(rescan);
  live_layout->addLayout(camera_row);
  connect(open_camera, &QPushButton::clicked, this, [this] {
    if (QListWidgetItem* item = cameras_->currentItem()) Q_EMIT sourceRequested(item->text());
  });
  connect(cameras_, &QListWidget::itemDoubleClicked, this,
          [this](QListWidgetItem* item) { Q_EMIT sourceRequested(item->text()); });
  connect(rescan, &QPushButton::clicked, this, &SourcesPanel::rescanRequested);

  auto* file_row = new QHBoxLayout;
  auto* open_file = new QPushButton(tr("Video file..."), live);
  auto* open_folder = new QPushButton(tr("Image folder..."), live);
  file_row->addWidget(open_file);
  file_row->addWidget(open_folder);
  live_layout->addLayout(file_row);
  connect(open_file, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open video file"), QString(),
        tr("Videos (*.mp4 *.avi *.mkv *.mov *.webm);;All files (*)"));
    if (!path.isEmpty()) Q_EMIT sourceRequested("file:" + path);
  });
  connect(open_folder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open image folder"));
    if (!dir.isEmpty()) Q_EMIT sourceRequested("folder:" + dir);
  });
  auto* url_row = new QHBoxLayout;
  url_ = new QLineEdit(live);
  url_->setObjectName("url");
  url_->setPlaceholderText("rtsp://host/stream");
  auto* connect_url = new QPushButton(tr("Connect"), live);
  url_row->addWidget(url_, 1);
  url_row->addWidget(connect_url);
  live_layout->addLayout(url_row);
  const auto open_url = [this] {
    const QString url = url_->text().trimmed();
    if (!url.isEmpty()) Q_EMIT sourceRequested(url.startsWith("url:") ? url : "url:" + url);
  };
  connect(connect_url, &QPushButton::clicked, this, open_url);
  connect(url_, &QLineEdit::returnPressed, this, open_url);
  layout->addWidget(live);

  // The active source and its calibration.
  auto* status = new QGroupBox(tr("Active source"), this);
  auto* status_layout = new QVBoxLayout(status);
  active_ = new QLabel(tr("none"), status);
  active_->setObjectName("activeSource");
  active_->setWordWrap(true);
  active_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  stats_ = new QLabel(status);
  stats_->setObjectName("sourceStats");
  error_ = new QLabel(status);
  error_->setObjectName("sourceError");
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #e05050;");
  error_->hide();
  status_layout->addWidget(active_);
  status_layout->addWidget(stats_);
  status_layout->addWidget(error_);
  auto* calib_row = new QHBoxLayout;
  calibration_ = new QLabel(tr("calibration: none"), status);
  calibration_->setObjectName("calibration");
  calibration_->setWordWrap(true);
  auto* load_calib = new QPushButton(tr("Calibration..."), status);
  auto* clear_calib = new QPushButton(tr("Clear"), status);
  calib_row->addWidget(calibration_, 1);
  calib_row->addWidget(load_calib);
  calib_row->addWidget(clear_calib);
  status_layout->addLayout(calib_row);
  connect(load_calib, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open camera calibration"), QString(),
                                                      tr("OpenCV YAML (*.yaml *.yml *.xml)"));
    if (!path.isEmpty()) Q_EMIT calibrationRequested(path);
  });
  connect(clear_calib, &QPushButton::clicked, this, [this] { Q_EMIT calibrationRequested(QString()); });
  layout->addWidget(status);
  layout->addStretch(1);
}

void SourcesPanel::setCameras(const QStringList& specs) {
  cameras_->clear();
  cameras_->addItems(specs);
  if (!specs.isEmpty()) cameras_->setCurrentRow(0);
}

QStringList SourcesPanel::cameras() const {
  QStringList out;
  for (int i = 0; i < cameras_->count(); ++i) out << cameras_->item(i)->text();
  return out;
}

void SourcesPanel::setWorldCatalogue(const QList<WorldSuite>& suites, const QStringList& dimensions) {
  suites_ = suites;
  {
    const QSignalBlocker block(suite_);
    suite_->clear();
    for (const WorldSuite& s : suites_) suite_->addItem(s.name);
  }
  dimension_->clear();
  dimension_->addItem(tr("none"), QString());
  for (const QString& d : dimensions) dimension_->addItem(d, d);
  fillTasks();
}

void SourcesPanel::fillTasks() {
  task_->clear();
  const int s = suite_->currentIndex();
  if (s < 0 || s >= suites_.size()) return;
  const QStringList& tasks = suites_[s].tasks;
  for (int i = 0; i < tasks.size(); ++i) task_->addItem(QString("%1: %2").arg(i).arg(tasks[i]), i);
}

QString SourcesPanel::worldSpec() const {
  QString spec = QString("sim:%1/%2@%3")
                     .arg(suite_->currentText())
                     .arg(std::max(0, task_->currentData().toInt()))
                     .arg(seed_->value());
  const QString dimension = dimension_->currentData().toString();
  if (!dimension.isEmpty() && level_->value() > 0) {
    spec += QString("?%1:%2").arg(dimension).arg(level_->value());
  }
  return spec;
}

void SourcesPanel::showSpec(const QString& spec) {
  if (spec.startsWith("camera:")) {
    const auto found = cameras_->findItems(spec, Qt::MatchExactly);
    if (!found.isEmpty()) cameras_->setCurrentItem(found.front());
    return;
  }
  if (spec.startsWith("url:")) {
    url_->setText(spec.mid(4));
    return;
  }
  static const QRegularExpression world(R"(^sim:([^/]+)/([^@?]+)(?:@(\d+))?(?:\?(.*))?$)");
  const QRegularExpressionMatch m = world.match(spec);
  if (!m.hasMatch()) return;
  const int suite = suite_->findText(m.captured(1));
  if (suite < 0) return;
  suite_->setCurrentIndex(suite);  // refills the tasks
  bool is_index = false;
  const int index = m.captured(2).toInt(&is_index);
  const int task = is_index ? task_->findData(index)
                            : suites_[suite].tasks.indexOf(m.captured(2));
  if (task >= 0) task_->setCurrentIndex(task);
  seed_->setValue(m.captured(3).isEmpty() ? 0 : m.captured(3).toInt());
  // The pickers hold one perturbation: the first of the spec's.
  const QStringList first = m.captured(4).split(',').front().split(':');
  const int dimension = first.size() == 2 ? dimension_->findData(first[0]) : -1;
  dimension_->setCurrentIndex(std::max(0, dimension));
  level_->setValue(dimension > 0 ? first[1].toInt() : 0);
}

void SourcesPanel::setStatus(const SourceStatus& status) {
  if (status.spec != active_spec_) {
    active_spec_ = status.spec;
    showSpec(status.spec);
  }
  active_->setText(status.spec.isEmpty() ? tr("none") : status.spec);
  QString stats;
  if (status.width > 0) stats += QString("%1x%2").arg(status.width).arg(status.height);
  stats += QString("  %1 fps measured  %2 frames  %3 dropped")
               .arg(status.measured_fps, 0, 'f', 1)
               .arg(status.frames)
               .arg(status.dropped);
  stats_->setText(stats.trimmed());
  error_->setText(status.error);
  error_->setVisible(!status.error.isEmpty());
}

QString SourcesPanel::statusText() const { return active_->text() + "\n" + stats_->text(); }
QString SourcesPanel::errorText() const { return error_->text(); }

void SourcesPanel::setCalibrationPath(const QString& path) {
  calibration_->setText(path.isEmpty() ? tr("calibration: none") : tr("calibration: %1").arg(path));
}

}  // namespace thinkvla::widgets
