// EpisodesController: the studio's data side. It owns two docks:
//   Episodes    the episodes of the open HDF5 file (EpisodeBrowser: thumbnails, instruction,
//               length, success, interventions, filters; delete) and the recorder's controls
//               (RecordingPanel: task, instruction, seed; record, end and save = Right arrow,
//               re-record = Left arrow, discard; a reset phase between episodes, in which the world
//               is reset to the next seed).
//   Annotation  the selected episode (EpisodeAnnotationPanel): both cameras and the actions at the
//               scrubbed step beside the loaded policy's prediction there, the timeline (segments,
//               keyframes, interventions), success, instruction, notes, undo/redo, Save; replay in
//               the world with the recorded path and the predicted chunk drawn in the 3D view.
//
// Recording goes to the crash-safe core::EpisodeRecorder through a RecordingTap on the world's
// control loop: one step per 20 Hz tick, with the tick's intervention flag. Every file access
// (listing, loading an episode, saving annotations through a transaction, deleting) runs on one
// worker thread, in order; no HDF5 handle stays open between jobs, so the recorder's commits are
// never locked out for long. Policy predictions run on a PredictionWorker thread.
//
// Ownership: made by StudioController, which it asks for the world and the loaded checkpoint; the
// docks are the main window's children. GUI thread only (the workers post their results back).
#pragma once

#include <QAction>
#include <QObject>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

#include "core/episodes/episode_recorder.h"
#include "studio/prediction_worker.h"
#include "studio/recording_tap.h"

class QDockWidget;

namespace thinkvla::viz {
class PathLayer;
}

namespace thinkvla::widgets {
class EpisodeAnnotationPanel;
class EpisodeBrowser;
class RecordingPanel;
class SceneView;
}  // namespace thinkvla::widgets

namespace thinkvla::studio {

class EpisodeReplay;
class MainWindow;
class StudioController;
class WorldController;

class EpisodesController : public QObject {
  Q_OBJECT

 public:
  enum class RecordState { kIdle, kRecording, kResetting };
  enum class UnsavedEdits { kAsk, kDiscard };

  EpisodesController(MainWindow* window, StudioController* studio);
  ~EpisodesController() override;

  // Files. openFile lists the file's episodes in the background (false, with the error shown,
  // when it cannot be used now); createFile makes a new empty episode file and opens it.
  bool openFile(const QString& path);
  bool createFile(const QString& path);
  void rescan();
  QString file() const { return file_; }
  int pendingJobs() const { return pending_jobs_; }

  // The annotation side.
  void selectEpisode(const QString& name);  // loads it in the background
  QString loadedEpisode() const;            // shown in the Annotation dock ("" when none)
  void saveAnnotations();
  void deleteEpisodes(const QStringList& names);
  void setUnsavedEditsPolicy(UnsavedEdits policy) { unsaved_policy_ = policy; }
  // The last prediction shown for the scrubbed step (empty before the first).
  std::optional<PredictionResult> lastPrediction() const { return last_prediction_; }
  PredictionWorker* predictions() const { return predictions_; }
  std::size_t recordedPathPoints() const { return recorded_path_points_; }
  std::size_t predictedPathPoints() const { return predicted_path_points_; }
  // The 3D view's layers: the recorded end-effector path, the predicted chunk at the scrubbed step.
  viz::PathLayer* recordedPathLayer() const { return recorded_layer_.get(); }
  viz::PathLayer* predictedPathLayer() const { return predicted_layer_.get(); }

  // Recording, with LeRobot's habits.
  bool startRecording();  // Record (also: begin the next episode during the reset phase)
  void endEpisode();      // Right arrow: end and save, then the reset phase
  void rerecord();        // Left arrow: discard, reset to the same seed, record again
  void discard();         // drop the episode and stop
  RecordState recordState() const { return state_; }
  const RecordingTap& tap() const { return *tap_; }
  std::shared_ptr<core::EpisodeRecorder> recorder() const { return recorder_; }
  QAction* endAction() const { return end_action_; }
  QAction* rerecordAction() const { return rerecord_action_; }

  // Replay of the loaded episode in the world.
  bool startReplay();
  void stopReplay();
  bool replaying() const;
  const EpisodeReplay* replay() const { return replay_.get(); }
  // The last finished replay: actions sent, and the largest distance (mm) between the replayed
  // and the recorded end-effector positions (-1 before any).
  int lastReplaySteps() const { return last_replay_steps_; }
  double lastReplayMaxErrorMm() const { return last_replay_error_mm_; }

  widgets::EpisodeBrowser* browser() const { return browser_; }
  widgets::RecordingPanel* recordingPanel() const { return recording_panel_; }
  widgets::EpisodeAnnotationPanel* annotationPanel() const { return annotation_; }
  QDockWidget* episodesDock() const { return episodes_dock_; }
  QDockWidget* annotationDock() const { return annotation_dock_; }

 Q_SIGNALS:
  void fileOpened(const QString& path);
  void episodesListed(int count);
  void episodeLoaded(const QString& name);
  void annotationsSaved(const QString& name);
  void episodesDeleted(const QStringList& names);
  void episodeCommitted(const QString& name);
  void predictionShown(int step);
  void replayFinished();

 private:
  struct LoadedEpisode;

  void buildDocks();
  void attachWorld();  // follows the studio's WorldController (made on the first sim source)
  // Runs `job` on the file worker; the function it returns runs on the GUI thread afterwards.
  void submit(std::function<std::function<void()>()> job);
  void reportError(const QString& message);
  void showStatus(const QString& message);
  bool ensureRecorder();
  bool beginEpisodeNow();
  void enterResetPhase(int seed);
  void resetWorld(int seed);
  void setState(RecordState state);
  void poll();  // the GUI timer: recorder stats, auto end, replay progress
  void showStep(int step);
  void onPrediction(const PredictionResult& result);
  void onEpisodeRead(std::shared_ptr<LoadedEpisode> episode);
  bool confirmUnsaved();
  void clearPaths();

  MainWindow* window_;
  StudioController* studio_;
  QPointer<widgets::SceneView> scene_view_;
  QDockWidget* episodes_dock_ = nullptr;
  QDockWidget* annotation_dock_ = nullptr;
  widgets::EpisodeBrowser* browser_ = nullptr;
  widgets::RecordingPanel* recording_panel_ = nullptr;
  widgets::EpisodeAnnotationPanel* annotation_ = nullptr;
  QAction* end_action_ = nullptr;
  QAction* rerecord_action_ = nullptr;

  QString file_;
  QThreadPool pool_;  // one thread: file jobs run one at a time, in order
  int pending_jobs_ = 0;

  std::shared_ptr<RecordingTap> tap_;
  std::shared_ptr<core::EpisodeRecorder> recorder_;
  QString recorder_file_;
  QPointer<WorldController> world_;
  const void* installed_loop_ = nullptr;  // the control loop the tap is installed on
  RecordState state_ = RecordState::kIdle;
  int reset_remaining_s_ = 0;
  int next_seed_ = 0;
  QTimer reset_timer_;
  QTimer poll_timer_;
  std::uint64_t commits_seen_ = 0;
  std::string last_recorder_error_;

  std::shared_ptr<LoadedEpisode> loaded_;
  QString requested_episode_;
  UnsavedEdits unsaved_policy_ = UnsavedEdits::kAsk;
  PredictionWorker* predictions_ = nullptr;
  QString prediction_checkpoint_;
  std::uint64_t prediction_serial_ = 0;
  int prediction_step_ = -1;
  std::optional<PredictionResult> last_prediction_;
  std::unique_ptr<viz::PathLayer> recorded_layer_;
  std::unique_ptr<viz::PathLayer> predicted_layer_;
  std::size_t recorded_path_points_ = 0;
  std::size_t predicted_path_points_ = 0;
  std::unique_ptr<EpisodeReplay> replay_;
  int last_replay_steps_ = 0;
  double last_replay_error_mm_ = -1.0;
};

}  // namespace thinkvla::studio
