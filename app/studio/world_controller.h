// WorldController: runs the built-in MuJoCo world in the studio. It owns the world session, the
// control loop (20 Hz, its own thread) and, when a checkpoint is loaded, the inference worker and
// the chunk executor; it pulls their latest results on a GUI timer (coalescing notifications) and
// shows them: the world's shapes, the predicted chunk (coloured by time, gripper marks), the
// executed trail, the targets and the point clouds (what the policy's depth probe perceives and
// the true rendered depth) in the 3D view; both cameras with the chosen overlays in the Camera
// views dock (CameraDock); rates and latencies in the HUD. Run, pause, single step and reset act
// on the control loop; an instruction typed by the user takes effect on the next inference. Keys
// typed over the 3D view or the camera views drive the arm (keyboard teleop, Space as the
// dead-man).
// GUI thread only; it never holds a lock across a forward pass or a render.
#pragma once

#include <QObject>
#include <QTimer>
#include <deque>
#include <map>
#include <memory>

#include "core/pipeline/chunk_executor.h"
#include "core/pipeline/inference_worker.h"
#include "core/pipeline/world_session.h"
#include "core/sim/perturbation.h"
#include "core/teleop/control_loop.h"
#include "core/teleop/keyboard_teleop.h"
#include "studio/view_metrics.h"
#include "studio/worker_wake.h"

class vtkProp;

namespace thinkvla::viz {
class MarkerLayer;
class PathLayer;
class PointCloudLayer;
class ShapeSetLayer;
}  // namespace thinkvla::viz

namespace thinkvla::widgets {
class CameraView;
class TeleopPanel;
}  // namespace thinkvla::widgets

namespace thinkvla::studio {

class CameraDock;
class MainWindow;

// A world source: sim:SUITE/TASK[@SEED][?DIMENSION:LEVEL,...] (TASK an index or a task name).
struct WorldSpec {
  core::sim::Suite suite = core::sim::Suite::kSpatial;
  int task_index = 0;
  std::uint64_t seed = 0;
  core::sim::PerturbationSpec perturbation;
};
// Empty with `error` naming what is wrong.
std::optional<WorldSpec> parseWorldSpec(const std::string& spec, std::string* error);

class WorldController : public QObject {
  Q_OBJECT

 public:
  explicit WorldController(MainWindow* window);
  ~WorldController() override;

  // Builds the world (needs an X display for the offscreen renderer) and starts the control loop.
  // Returns false and reports in the status bar and log when the world cannot be made.
  bool start(core::sim::Suite suite = core::sim::Suite::kSpatial, int task_index = 0,
             std::uint64_t seed = 0, const core::sim::PerturbationSpec& perturbation = {});
  bool start(const WorldSpec& spec) {
    return start(spec.suite, spec.task_index, spec.seed, spec.perturbation);
  }
  void stop();  // joins the control and inference threads
  bool running() const { return session_ != nullptr; }

  // Loads a checkpoint and lets it drive (policy mode). False with an error shown when it fails.
  bool loadPolicy(const QString& checkpoint_directory);
  bool setPolicy(std::unique_ptr<model::Policy> policy, QString* error = nullptr);
  bool hasPolicy() const { return inference_ != nullptr || pending_policy_ != nullptr; }
  void setMode(core::ControlMode mode);
  core::ControlMode mode() const;
  // How the policy's chunks are executed: `execute_steps` actions of each (0 or more than K: all
  // K) before the next chunk; with an ensemble decay, temporal ensembling re-planning every
  // `execute_steps` (core::ChunkExecutor). Kept for every policy loaded later; takes effect at once
  // (the control loop stops while it changes). False with `error` for a negative or non-finite
  // decay, and nothing changes.
  bool setExecution(int execute_steps, std::optional<double> ensemble_decay,
                    QString* error = nullptr);
  int executeSteps() const;  // in force: K for whole chunks; 0 without a policy
  std::optional<double> ensembleDecay() const { return ensemble_decay_; }
  int chunkSize() const;     // the driving policy's K; 0 without one
  std::uint64_t chunksUsed() const { return executor_ ? executor_->chunksUsed() : 0; }
  void resetEpisode(std::uint64_t seed);

  // Run / pause / single step / reset of the control loop (pause stops the loop's thread; a step
  // runs one control tick on the GUI thread while paused).
  void run();
  void pause();
  bool paused() const { return paused_; }
  void stepOnce();
  void reset();  // the same task, seed and perturbation, from the start
  // The instruction the policy follows from its next inference on; empty: the task's own.
  void setInstruction(const QString& instruction);
  QString instruction() const;

  const std::vector<widgets::CameraView*>& cameraViews() const;
  std::uint64_t framesShown() const { return frames_shown_; }
  std::uint64_t inferences() const { return inference_ ? inference_->inferences() : 0; }
  const std::optional<core::WorldState>& lastState() const { return last_state_; }
  const std::optional<core::InferenceResult>& lastResult() const { return last_result_; }
  std::uint64_t controlTicks() const { return loop_ ? loop_->tickCount() : 0; }
  const WorldSpec& spec() const { return spec_; }
  double controlRateHz() const { return loop_ && !paused_ ? loop_->measuredRateHz() : 0.0; }
  const LatencyStats& cameraToAction() const { return camera_to_action_; }
  const LatencyStats& inferenceMs() const { return inference_ms_; }
  std::uint64_t framesDropped() const;

  // 3D view layers, for tests and export: points in the probe and true clouds, trail length.
  long probeCloudPoints() const;
  long trueCloudPoints() const;
  long trailPoints() const { return static_cast<long>(trail_.size()); }
  long chunkPathPoints() const { return last_path_points_; }
  bool probeCloudShown() const;
  bool trueCloudShown() const;
  bool chunkPathShown() const;  // each: in the 3D view's renderer, visible, with points

 Q_SIGNALS:
  void started();   // the world runs (a new session and control loop)
  void stopping();  // about to stop: the session and loop are still there

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void refresh();  // the GUI timer: pull the latest results and draw them
  void redraw();   // the last frames and results again (overlay settings changed)
  enum class Draw { kNewFrames, kSameFrames, kRedraw };
  void draw(Draw what);
  void startInference();
  void stopInference();
  void buildDocks();
  void selectDevice(const QString& name);
  void applySettings();
  bool inScene(vtkProp* prop) const;

  MainWindow* window_;
  CameraDock* dock_ = nullptr;
  WorldSpec spec_;
  std::shared_ptr<core::LatestSlot<core::FrameSet>> frames_;
  std::unique_ptr<core::WorldSession> session_;
  std::unique_ptr<core::SafetyFilter> safety_;
  std::unique_ptr<core::ControlLoop> loop_;
  std::shared_ptr<core::KeyboardTeleop> keyboard_;
  std::unique_ptr<core::InferenceWorker> inference_;
  std::unique_ptr<core::ChunkExecutor> executor_;
  std::unique_ptr<model::Policy> pending_policy_;
  std::shared_ptr<WorkerWake> wake_ = std::make_shared<WorkerWake>();
  bool paused_ = false;
  int execute_steps_ = 0;  // 0: whole chunks
  std::optional<double> ensemble_decay_;

  std::unique_ptr<viz::ShapeSetLayer> shapes_layer_;
  std::unique_ptr<viz::PathLayer> chunk_layer_;
  std::unique_ptr<viz::PathLayer> trail_layer_;
  std::unique_ptr<viz::MarkerLayer> target_layer_;
  std::unique_ptr<viz::PointCloudLayer> probe_layer_;
  std::unique_ptr<viz::PointCloudLayer> true_layer_;
  widgets::TeleopPanel* teleop_panel_ = nullptr;
  std::shared_ptr<core::TeleopDevice> gamepad_;
  std::shared_ptr<core::TeleopDevice> spacemouse_;
  QTimer refresh_timer_;
  std::optional<core::WorldState> last_state_;
  std::optional<core::InferenceResult> last_result_;
  std::optional<core::FrameSet> last_frames_;
  std::map<int, std::vector<core::CameraGeometry>> cameras_by_step_;  // recent steps' cameras
  std::deque<cv::Vec3d> trail_;
  int trail_step_ = -1;
  long last_path_points_ = 0;
  std::uint64_t frames_shown_ = 0;
  std::uint64_t last_result_sequence_ = 0;
  bool has_result_sequence_ = false;
  LatencyStats camera_to_action_;
  LatencyStats inference_ms_;

 public:
  // For the Episodes dock's recorder and replay (GUI thread; null when the world is not running).
  // The loop's tick callback may be replaced only while the loop is stopped.
  core::WorldSession* session() const { return session_.get(); }
  core::ControlLoop* controlLoop() const { return loop_.get(); }
};

}  // namespace thinkvla::studio
