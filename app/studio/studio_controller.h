// StudioController: acts on the main window's intents. Opening a checkpoint or a dataset checks
// the files, reports what they hold in the status bar and the log, and remembers them in the recent
// files; the Model and Episodes docks that load them for real come with their capabilities.
// GUI thread only; it never blocks on long work (none is done yet).
#pragma once

#include <QObject>
#include <QString>

namespace thinkvla::studio {

class MainWindow;

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

 public Q_SLOTS:
  void openCheckpoint(const QString& directory);
  void openDataset(const QString& path);

 private:
  MainWindow* window_;
};

}  // namespace thinkvla::studio
