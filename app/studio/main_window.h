// MainWindow: the studio's frame. The 3D view in the centre, docks around it (the Log dock now;
// Sources, Camera views, Model, Training, Teleop and Episodes come with their capabilities), the
// menus, the status bar, and the window geometry, dock layout and recent files kept in QSettings.
// It emits the user's intents (open a checkpoint, open a dataset); StudioController acts on them.
// GUI thread only.
#pragma once

#include <QDockWidget>
#include <QMainWindow>
#include <QPointer>
#include <QStringList>

#include <utility>
#include <vector>

class QMenu;

namespace thinkvla::widgets {
class LogView;
class SceneView;
}  // namespace thinkvla::widgets

namespace thinkvla::studio {

enum class RecentKind { kCheckpoint, kDataset };

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  widgets::SceneView* sceneView() const { return scene_view_; }
  widgets::LogView* logView() const { return log_view_; }
  QDockWidget* logDock() const { return log_dock_; }

  // Call once every dock exists (the controllers add theirs after construction): gives the docks
  // their default sizes, remembers that layout for View > Reset layout, then restores the
  // layout the user left (saved by this layout version), if any.
  void finishLayout();

  // Adds a dock that the View menu can toggle and the layout remembers (objectName must be set).
  // With kScroll its panel sits in a scroll area, so that a tall panel (a form, a chart) never
  // makes the window taller than the screen; views that draw themselves use kFixed.
  enum class DockContent { kScroll, kFixed };
  void addToggleableDock(Qt::DockWidgetArea area, QDockWidget* dock,
                         DockContent content = DockContent::kScroll);
  // Puts `second` in a tab group with `first` (docked in the same area). Docks added and grouped
  // after finishLayout (the world's Teleop dock) are not in the remembered default layout, so
  // their place and grouping are recorded here and redone by resetLayout.
  void tabifyDocks(QDockWidget* first, QDockWidget* second);

  // Most recent first, at most kMaxRecent, kept across runs.
  static constexpr int kMaxRecent = 8;
  void noteRecentFile(RecentKind kind, const QString& path);
  QStringList recentFiles() const;  // entries "checkpoint:PATH" / "dataset:PATH"

  void showStatus(const QString& message, int timeout_ms = 8000);
  void resetLayout();
  // File > Record rollout MP4 is a toggle: reflects whether a recording runs (no signal).
  void setRecordingChecked(bool recording);

 Q_SIGNALS:
  void openCheckpointRequested(const QString& directory);
  void openDatasetRequested(const QString& file);
  void exportViewsRequested(const QString& directory);  // File > Export views as PNG
  void recordRolloutRequested(const QString& file);     // File > Record rollout MP4 (start)
  void stopRecordingRequested();                         // ... (stop)

 protected:
  void closeEvent(QCloseEvent* event) override;
  // A checkpoint directory dropped on the window opens it.
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildMenus();
  void rebuildRecentMenu();
  void restoreSettings();
  void saveSettings() const;

  widgets::SceneView* scene_view_ = nullptr;
  widgets::LogView* log_view_ = nullptr;
  QDockWidget* log_dock_ = nullptr;
  QMenu* view_menu_ = nullptr;
  QMenu* docks_menu_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QAction* record_action_ = nullptr;
  QByteArray default_state_;
  QByteArray default_geometry_;
  bool layout_finished_ = false;
  // Docks added after finishLayout, with their area, and the tab groups made with them.
  std::vector<std::pair<QPointer<QDockWidget>, Qt::DockWidgetArea>> late_docks_;
  std::vector<std::pair<QPointer<QDockWidget>, QPointer<QDockWidget>>> late_tabs_;
};

}  // namespace thinkvla::studio
