// StudioController: acts on the main window's intents. It owns the active source (the built-in
// world through WorldController, or a camera, file, folder or stream through LiveController:
// switching stops the previous one and joins its threads), the Sources and Model docks, the loaded
// checkpoint (config, parameter counts and tokenizer in the Model dock; a bad one is refused with
// its error), the instruction and run/pause/step/reset, exporting the views as PNG and recording
// the composed camera views as a video. Opening a checkpoint or a dataset also checks the files,
// reports what they hold in the status bar and the log, and remembers them in the recent files.
// GUI thread only. Loading a checkpoint reads its weights on the GUI thread (a few MB at the
// presets the studio runs).
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <memory>
#include <optional>

#include "studio/rollout_recorder.h"

namespace thinkvla::model {
class Policy;
}

namespace thinkvla::widgets {
class ModelPanel;
class SourcesPanel;
}  // namespace thinkvla::widgets

namespace thinkvla::studio {

class CameraDock;
class EpisodesController;
class LiveController;
class TrainingController;
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
  LiveController* live() const { return live_.get(); }

  // Switches to a source: sim:SUITE/TASK[@SEED][?DIM:LEVEL,...], camera:N, file:PATH,
  // folder:PATH, url:... The previous source stops first (its threads joined); the loaded
  // checkpoint follows to the new one. False (error in the status bar, log and camera view) when
  // it cannot start; a source that fails later reports the same way.
  bool openSource(const QString& spec);
  QString activeSource() const { return active_source_; }
  QString sourceError() const;
  // Loads a checkpoint for the active (and any later) source. False with the error shown.
  bool loadCheckpoint(const QString& directory);
  QString checkpointDirectory() const { return checkpoint_dir_; }
  bool setCalibration(const QString& path);  // live sources; empty clears
  void setInstruction(const QString& instruction);
  // How the world executes the policy's chunks (the Model dock's controls, which it updates):
  // `execute_steps` actions of each (0: all K), temporal ensembling with `ensemble_decay`.
  // False with the error shown for a negative or non-finite decay.
  bool setExecution(int execute_steps, std::optional<double> ensemble_decay);
  // Cameras on this machine as camera:N (from /dev/video*).
  static QStringList findCameras();

  // Writes each camera view as composed (camera_<name>.png) and the 3D view (scene.png) into
  // `directory`; returns the files written (empty with the error shown when it cannot).
  QStringList exportViews(const QString& directory);
  bool startRecording(const QString& file);
  int stopRecording();  // frames written
  bool recording() const { return recorder_.recording(); }

  // What the views measured so far (for --bench-json): fps, latencies, control rate.
  QJsonObject benchSnapshot() const;

  CameraDock* cameraDock() const { return camera_dock_; }
  widgets::SourcesPanel* sourcesPanel() const { return sources_panel_; }
  widgets::ModelPanel* modelPanel() const { return model_panel_; }
  EpisodesController* episodes() const { return episodes_.get(); }
  TrainingController* training() const { return training_.get(); }

 public Q_SLOTS:
  void openCheckpoint(const QString& directory);
  void openDataset(const QString& path);

 private:
  void stopSources();
  std::unique_ptr<model::Policy> makePolicy(QString* error) const;
  void updatePanels();  // the Sources and Model docks' status, on a timer
  void applyExecution();  // the Model dock's chunk execution, to the world (kept for later policies)
  void onFramePresented();

  MainWindow* window_;
  std::unique_ptr<WorldController> world_;
  std::unique_ptr<LiveController> live_;
  CameraDock* camera_dock_ = nullptr;
  widgets::SourcesPanel* sources_panel_ = nullptr;
  widgets::ModelPanel* model_panel_ = nullptr;
  QString active_source_;
  QString checkpoint_dir_;
  QString calibration_path_;
  QString instruction_;  // the user's; empty: the task's own
  RolloutRecorder recorder_;
  QTimer panel_timer_;
  // Last, so they go first: they use the world while they shut down.
  std::unique_ptr<EpisodesController> episodes_;
  std::unique_ptr<TrainingController> training_;
};

}  // namespace thinkvla::studio
