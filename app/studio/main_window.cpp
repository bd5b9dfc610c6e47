#include "studio/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>

#include "studio/versions.h"
#include "widgets/log_view.h"
#include "widgets/scene_view.h"

namespace thinkvla::studio {

namespace {
constexpr const char* kGeometryKey = "mainWindow/geometry";
constexpr const char* kStateKey = "mainWindow/state";
constexpr const char* kRecentKey = "recentFiles";
constexpr int kLayoutVersion = 3;  // bump when the set of docks changes shape

QString prefix(RecentKind kind) { return kind == RecentKind::kCheckpoint ? "checkpoint:" : "dataset:"; }
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setObjectName("mainWindow");
  setWindowTitle("ThinkVLA Studio");
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks |
                 QMainWindow::AllowTabbedDocks);
  setAcceptDrops(true);

  scene_view_ = new widgets::SceneView(this);
  setCentralWidget(scene_view_);

  log_dock_ = new QDockWidget(tr("Log"), this);
  log_dock_->setObjectName("logDock");
  log_view_ = new widgets::LogView(log_dock_);
  log_dock_->setWidget(log_view_);

  buildMenus();
  addToggleableDock(Qt::BottomDockWidgetArea, log_dock_, DockContent::kFixed);
  statusBar()->showMessage(tr("Ready"));

  resize(1280, 800);
  default_state_ = saveState(kLayoutVersion);
  default_geometry_ = saveGeometry();
  restoreSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open_checkpoint = file->addAction(tr("Open &checkpoint..."));
  open_checkpoint->setShortcut(QKeySequence::Open);
  connect(open_checkpoint, &QAction::triggered, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open checkpoint directory"));
    if (!dir.isEmpty()) Q_EMIT openCheckpointRequested(dir);
  });
  QAction* open_dataset = file->addAction(tr("Open &dataset..."));
  connect(open_dataset, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open episode file"), QString(),
                                                      tr("HDF5 episode files (*.hdf5 *.h5)"));
    if (!path.isEmpty()) Q_EMIT openDatasetRequested(path);
  });
  recent_menu_ = file->addMenu(tr("&Recent files"));
  rebuildRecentMenu();
  file->addSeparator();
  QAction* export_views = file->addAction(tr("&Export views as PNG..."));
  connect(export_views, &QAction::triggered, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the views into"));
    if (!dir.isEmpty()) Q_EMIT exportViewsRequested(dir);
  });
  record_action_ = file->addAction(tr("Record rollout &MP4..."));
  record_action_->setCheckable(true);
  connect(record_action_, &QAction::triggered, this, [this](bool start) {
    if (!start) {
      Q_EMIT stopRecordingRequested();
      return;
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Record the camera views to"),
                                                      "rollout.mp4", tr("MP4 video (*.mp4)"));
    if (path.isEmpty()) {
      record_action_->setChecked(false);
      return;
    }
    Q_EMIT recordRolloutRequested(path);
  });
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"));
  quit->setShortcut(QKeySequence::Quit);
  connect(quit, &QAction::triggered, this, &QWidget::close);

  view_menu_ = menuBar()->addMenu(tr("&View"));
  docks_menu_ = view_menu_->addMenu(tr("&Docks"));
  QAction* hud = view_menu_->addAction(tr("&HUD"));
  hud->setCheckable(true);
  hud->setChecked(true);
  connect(hud, &QAction::toggled, scene_view_, &widgets::SceneView::setHudVisible);
  QAction* reset_camera = view_menu_->addAction(tr("Reset &camera"));
  connect(reset_camera, &QAction::triggered, scene_view_, &widgets::SceneView::resetCamera);
  view_menu_->addSeparator();
  QAction* reset_layout = view_menu_->addAction(tr("&Reset layout"));
  connect(reset_layout, &QAction::triggered, this, &MainWindow::resetLayout);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* about = help->addAction(tr("&About ThinkVLA Studio"));
  connect(about, &QAction::triggered, this,
          [this] { QMessageBox::about(this, tr("About ThinkVLA Studio"), aboutText()); });
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::addToggleableDock(Qt::DockWidgetArea area, QDockWidget* dock,
                                   DockContent content) {
  Q_ASSERT(!dock->objectName().isEmpty());
  if (content == DockContent::kScroll && dock->widget() != nullptr) {
    auto* scroll = new QScrollArea(dock);
    scroll->setObjectName(dock->objectName() + "Scroll");
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);  // the panel fills the dock; scroll bars only below its minimum
    scroll->setWidget(dock->widget());
    dock->setWidget(scroll);
  }
  addDockWidget(area, dock);
  docks_menu_->addAction(dock->toggleViewAction());
  if (layout_finished_) late_docks_.emplace_back(dock, area);
}

void MainWindow::tabifyDocks(QDockWidget* first, QDockWidget* second) {
  tabifyDockWidget(first, second);
  if (layout_finished_) late_tabs_.emplace_back(first, second);
}

void MainWindow::noteRecentFile(RecentKind kind, const QString& path) {
  QSettings settings;
  QStringList recent = settings.value(kRecentKey).toStringList();
  const QString entry = prefix(kind) + QFileInfo(path).absoluteFilePath();
  recent.removeAll(entry);
  recent.prepend(entry);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue(kRecentKey, recent);
  rebuildRecentMenu();
}

QStringList MainWindow::recentFiles() const { return QSettings().value(kRecentKey).toStringList(); }

void MainWindow::rebuildRecentMenu() {
  recent_menu_->clear();
  const QStringList recent = recentFiles();
  for (const QString& entry : recent) {
    const bool checkpoint = entry.startsWith(prefix(RecentKind::kCheckpoint));
    const QString path = entry.mid(entry.indexOf(':') + 1);
    QAction* action = recent_menu_->addAction(
        (checkpoint ? tr("Checkpoint: %1") : tr("Dataset: %1")).arg(path));
    connect(action, &QAction::triggered, this, [this, checkpoint, path] {
      checkpoint ? Q_EMIT openCheckpointRequested(path) : Q_EMIT openDatasetRequested(path);
    });
  }
  if (!recent.isEmpty()) recent_menu_->addSeparator();
  QAction* clear = recent_menu_->addAction(tr("Clear list"));
  clear->setEnabled(!recent.isEmpty());
  connect(clear, &QAction::triggered, this, [this] {
    QSettings().remove(kRecentKey);
    rebuildRecentMenu();
  });
}

void MainWindow::showStatus(const QString& message, int timeout_ms) {
  statusBar()->showMessage(message, timeout_ms);
}

void MainWindow::setRecordingChecked(bool recording) {
  if (record_action_ != nullptr) record_action_->setChecked(recording);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (urls.size() == 1 && urls.front().isLocalFile() && QFileInfo(urls.front().toLocalFile()).isDir()) {
    event->acceptProposedAction();
  }
}

void MainWindow::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (urls.size() != 1 || !urls.front().isLocalFile()) return;
  const QString path = urls.front().toLocalFile();
  if (!QFileInfo(path).isDir()) return;
  event->acceptProposedAction();
  Q_EMIT openCheckpointRequested(path);
}

void MainWindow::finishLayout() {
  // The 3D view in the middle keeps the widest share; the log is a strip under it.
  QList<QDockWidget*> left, right, bottom;
  for (QDockWidget* dock : findChildren<QDockWidget*>()) {
    if (dock->isFloating() || !dock->isVisibleTo(this)) continue;
    switch (dockWidgetArea(dock)) {
      case Qt::LeftDockWidgetArea: left << dock; break;
      case Qt::RightDockWidgetArea: right << dock; break;
      case Qt::BottomDockWidgetArea: bottom << dock; break;
      default: break;
    }
  }
  if (!left.isEmpty()) resizeDocks({left.front()}, {width() / 4}, Qt::Horizontal);
  if (!right.isEmpty()) resizeDocks({right.front()}, {width() * 2 / 5}, Qt::Horizontal);
  if (!bottom.isEmpty()) resizeDocks({bottom.front()}, {height() / 5}, Qt::Vertical);
  default_state_ = saveState(kLayoutVersion);
  layout_finished_ = true;
  restoreSettings();
}

void MainWindow::resetLayout() {
  restoreState(default_state_, kLayoutVersion);
  for (const auto& [dock, area] : late_docks_) {
    if (dock) addDockWidget(area, dock);
  }
  for (const auto& [first, second] : late_tabs_) {
    if (first && second) tabifyDockWidget(first, second);
  }
  for (QDockWidget* dock : findChildren<QDockWidget*>()) {
    if (dock->isFloating()) dock->setFloating(false);
  }
  showStatus(tr("Layout reset"));
}

void MainWindow::restoreSettings() {
  QSettings settings;
  const QByteArray geometry = settings.value(kGeometryKey).toByteArray();
  if (!geometry.isEmpty()) restoreGeometry(geometry);
  const QByteArray state = settings.value(kStateKey).toByteArray();
  // restoreState ignores a state saved by another layout version: the defaults stay.
  if (!state.isEmpty()) restoreState(state, kLayoutVersion);
}

void MainWindow::saveSettings() const {
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  settings.setValue(kStateKey, saveState(kLayoutVersion));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveSettings();
  QMainWindow::closeEvent(event);
}

}  // namespace thinkvla::studio
