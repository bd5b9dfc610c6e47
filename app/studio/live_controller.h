// LiveController: runs a camera, video file, image folder or network stream in the studio (every
// source but the built-in world, which WorldController runs). It owns the capture thread and, when
// a checkpoint is loaded, the inference worker: capture -> (latest frame) -> inference, and the
// camera views pull the newest frame on a GUI timer and draw it with the chosen overlays (the
// predicted path needs a calibration: an OpenCV YAML with the camera matrix and T_base_camera).
// In the 3D view it shows the predicted chunk and the depth probe's points when calibrated. A
// source that fails (a damaged file, an unplugged or missing camera) shows its error in the
// camera view, the status bar and the log; the studio carries on.
//
// Without a robot the predicted path starts at the base frame's origin (no end-effector position
// is known). A single camera feeds every view of a policy trained with several.
//
// Ownership: the controller owns its threads and joins them in stop() and its destructor.
// GUI thread only; it never holds a lock across a forward pass or a render.
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>
#include <optional>

#include "core/pipeline/capture_thread.h"
#include "core/pipeline/inference_worker.h"
#include "core/sources/camera_calibration.h"
#include "studio/view_metrics.h"
#include "studio/worker_wake.h"
#include "widgets/sources_panel.h"

namespace thinkvla::viz {
class PathLayer;
class PointCloudLayer;
}  // namespace thinkvla::viz

namespace thinkvla::studio {

class CameraDock;
class MainWindow;

class LiveController : public QObject {
  Q_OBJECT

 public:
  explicit LiveController(MainWindow* window);
  ~LiveController() override;

  // Makes the source from its spec (camera:N, file:PATH, folder:PATH, url:...) and starts the
  // capture thread; the source opens there, and its failure arrives later through failed().
  // False (error shown) for a malformed spec.
  bool start(const QString& spec);
  void stop();  // joins the capture and inference threads
  bool running() const { return capture_ != nullptr; }
  QString spec() const { return spec_; }

  // The policy that runs on the frames (null: none). False with `error` when it cannot.
  bool setPolicy(std::unique_ptr<model::Policy> policy, QString* error = nullptr);
  bool hasPolicy() const { return inference_ != nullptr; }
  // An OpenCV YAML calibration for the path overlay and the probe cloud; empty clears it.
  bool setCalibration(const QString& path, QString* error = nullptr);
  bool hasCalibration() const { return calibration_.has_value(); }
  void setInstruction(const QString& instruction);  // from the next inference on
  QString instruction() const { return QString::fromStdString(instruction_); }

  widgets::SourceStatus status() const;
  QString error() const { return error_; }
  std::uint64_t framesShown() const { return frames_shown_; }
  std::uint64_t inferences() const { return inference_ ? inference_->inferences() : 0; }
  const LatencyStats& cameraToAction() const { return camera_to_action_; }
  const LatencyStats& inferenceMs() const { return inference_ms_; }
  long chunkPathPoints() const { return last_path_points_; }
  // Where the last predicted path started, base frame (the calibration's tool position or 0).
  cv::Vec3d chunkPathStart() const { return last_path_start_; }
  long probeCloudPoints() const;

 Q_SIGNALS:
  void failed(const QString& message);  // the source failed (GUI thread)

 private:
  void refresh();
  void draw(bool new_frames, bool redraw);
  void onFailed(const QString& message);
  void applySettings();

  MainWindow* window_;
  CameraDock* dock_ = nullptr;
  QString spec_;
  std::shared_ptr<core::LatestSlot<core::FrameSet>> capture_slot_;
  std::shared_ptr<core::LatestSlot<core::FrameSet>> display_slot_;
  std::shared_ptr<core::LatestSlot<core::FrameSet>> inference_slot_;
  std::shared_ptr<WorkerWake> wake_ = std::make_shared<WorkerWake>();
  std::unique_ptr<core::CaptureThread> capture_;
  std::unique_ptr<core::InferenceWorker> inference_;
  std::optional<core::CameraCalibration> calibration_;
  QString calibration_path_;
  std::string instruction_;
  QString error_;

  std::unique_ptr<viz::PathLayer> chunk_layer_;
  std::unique_ptr<viz::PointCloudLayer> probe_layer_;
  QTimer refresh_timer_;
  std::optional<core::FrameSet> last_frames_;
  std::optional<core::InferenceResult> last_result_;
  std::uint64_t frames_shown_ = 0;
  long last_path_points_ = 0;
  cv::Vec3d last_path_start_{0, 0, 0};
  LatencyStats camera_to_action_;
  LatencyStats inference_ms_;
};

}  // namespace thinkvla::studio
