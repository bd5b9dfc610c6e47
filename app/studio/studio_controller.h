// StudioController: acts on the main window's intents. Opening a checkpoint or a dataset checks
// the files, reports what they hold in the status bar and the log, and remembers them in the recent
// files; the Model and Episodes docks that load them for real come with their capabilities.
// GUI thread only; it never blocks on long work (none is done yet).
#pragma once

#include <QObject>
#include <QString>
#include <memory>

namespace thinkvla::studio {

class MainWindow;
class WorldController;

// What a look at a checkpoint directory or an episode file found. `ok` false: `summary` says
// what is wrong, naming the file.
struct FileCheck {
  bool ok = false;
  QString summary;
};
FileCheck checkCheckpointDirectory(const QString& directory);
FileCheck checkEpisodeFile(const QString& path);

class StudioController : public QObject {
  Q_OBJECT

 public:
  explicit StudioController(MainWindow* window);
  ~StudioController() override;

  // Starts the built-in MuJoCo world in the 3D view and the Camera views dock; a checkpoint opened
  // afterwards (or `checkpoint`, when it is a checkpoint directory) drives the arm.
  bool startWorld(const QString& checkpoint = QString());
  WorldController* world() const { return world_.get(); }

 public Q_SLOTS:
  void openCheckpoint(const QString& directory);
  void openDataset(const QString& path);

 private:
  MainWindow* window_;
  std::unique_ptr<WorldController> world_;
};

}  // namespace thinkvla::studio
