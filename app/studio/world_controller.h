// WorldController: runs the built-in MuJoCo world in the studio. It owns the world session, the
// control loop (20 Hz, its own thread) and, when a checkpoint is loaded, the inference worker and
// the chunk executor; it pulls their latest results on a GUI timer (coalescing notifications) and
// shows them: the world's shapes and the predicted chunk in the 3D view, both cameras (with the
// predicted path drawn in) in the Camera views dock, and rates and latencies in the HUD. Keys typed
// over the 3D view or the camera views drive the arm (keyboard teleop, Space as the dead-man).
// GUI thread only; it never holds a lock across a forward pass or a render.
#pragma once

#include <QObject>
#include <QTimer>
#include <memory>

#include "core/pipeline/chunk_executor.h"
#include "core/pipeline/inference_worker.h"
#include "core/pipeline/world_session.h"
#include "core/teleop/control_loop.h"
#include "core/teleop/keyboard_teleop.h"

namespace thinkvla::viz {
class MarkerLayer;
class PathLayer;
class ShapeSetLayer;
}  // namespace thinkvla::viz

namespace thinkvla::widgets {
class CameraView;
class TeleopPanel;
}  // namespace thinkvla::widgets

namespace thinkvla::studio {

class MainWindow;

class WorldController : public QObject {
  Q_OBJECT

 public:
  explicit WorldController(MainWindow* window);
  ~WorldController() override;

  // Builds the world (needs an X display for the offscreen renderer) and starts the control loop.
  // Returns false and reports in the status bar and log when the world cannot be made.
  bool start(core::sim::Suite suite = core::sim::Suite::kSpatial, int task_index = 0,
             std::uint64_t seed = 0);
  void stop();
  bool running() const { return session_ != nullptr; }

  // Loads a checkpoint and lets it drive (policy mode). False with an error shown when it fails.
  bool loadPolicy(const QString& checkpoint_directory);
  void setMode(core::ControlMode mode);
  core::ControlMode mode() const;
  void resetEpisode(std::uint64_t seed);

  const std::vector<widgets::CameraView*>& cameraViews() const { return camera_views_; }
  std::uint64_t framesShown() const { return frames_shown_; }
  std::uint64_t inferences() const { return inference_ ? inference_->inferences() : 0; }
  const std::optional<core::WorldState>& lastState() const { return last_state_; }
  std::uint64_t controlTicks() const { return loop_ ? loop_->tickCount() : 0; }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void refresh();  // the GUI timer: pull the latest results and draw them
  void startInference();
  void buildDocks();
  void selectDevice(const QString& name);

  MainWindow* window_;
  std::shared_ptr<core::LatestSlot<core::FrameSet>> frames_;
  std::unique_ptr<core::WorldSession> session_;
  std::unique_ptr<core::SafetyFilter> safety_;
  std::unique_ptr<core::ControlLoop> loop_;
  std::shared_ptr<core::KeyboardTeleop> keyboard_;
  std::unique_ptr<core::InferenceWorker> inference_;
  std::unique_ptr<core::ChunkExecutor> executor_;
  std::unique_ptr<model::Policy> pending_policy_;

  std::unique_ptr<viz::ShapeSetLayer> shapes_layer_;
  std::unique_ptr<viz::PathLayer> chunk_layer_;
  std::unique_ptr<viz::MarkerLayer> target_layer_;
  std::vector<widgets::CameraView*> camera_views_;
  widgets::TeleopPanel* teleop_panel_ = nullptr;
  std::shared_ptr<core::TeleopDevice> gamepad_;
  std::shared_ptr<core::TeleopDevice> spacemouse_;
  QTimer refresh_timer_;
  std::optional<core::WorldState> last_state_;
  std::optional<core::InferenceResult> last_result_;
  std::uint64_t frames_shown_ = 0;
};

}  // namespace thinkvla::studio
