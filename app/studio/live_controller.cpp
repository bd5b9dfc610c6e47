#include "studio/live_controller.h"

#include <spdlog/spdlog.h>
#include <vtkActor.h>
#include <vtkAssembly.h>
#include <vtkRenderer.h>

#include "core/sim/tabletop_env.h"
#include "core/sim/tasks.h"
#include "studio/camera_dock.h"
#include "studio/main_window.h"
#include "viz/camera_overlays.h"
#include "viz/scene_layers.h"
#include "viz/trajectory_overlay.h"
#include "widgets/camera_view.h"
#include "widgets/scene_view.h"

namespace thinkvla::studio {

namespace {
viz::CameraModel cameraModel(const core::CameraCalibration& c, cv::Size image_size) {
  viz::CameraModel camera;
  camera.camera_matrix = c.camera_matrix;
  camera.distortion_coefficients = c.distortion_coefficients;
  camera.T_base_camera = c.T_base_camera;
  camera.image_size = c.image_size.area() > 0 ? c.image_size : image_size;
  return camera;
}
}  // namespace

LiveController::LiveController(MainWindow* window)
    : QObject(window),
      window_(window),
      capture_slot_(std::make_shared<core::LatestSlot<core::FrameSet>>()),
      display_slot_(std::make_shared<core::LatestSlot<core::FrameSet>>()),
      inference_slot_(std::make_shared<core::LatestSlot<core::FrameSet>>()),
      instruction_(core::sim::task(core::sim::Suite::kSpatial, 0).instruction) {
  // Fan-out on the capture thread: each frame goes to the views' slot and the inference's slot
  // (each keeps only the newest), so the views and the policy each skip what they cannot keep up
  // with. The lambda holds the slots, not the controller.
  capture_slot_->setNotify([capture = std::weak_ptr(capture_slot_), display = display_slot_,
                            inference = inference_slot_, wake = wake_] {
    const auto slot = capture.lock();
    if (!slot) return;
    auto frames = slot->take();
    if (!frames) return;
    display->publish(*frames);  // the images are shared, not copied
    inference->publish(std::move(*frames));
  });
  inference_slot_->setNotify([wake = wake_] { wake->notify(); });
  refresh_timer_.setInterval(15);
  connect(&refresh_timer_, &QTimer::timeout, this, &LiveController::refresh);
}

LiveController::~LiveController() {
  stop();
  // Free the worker last: the inference thread is joined in its destructor.
  wake_->set(nullptr);
  inference_.reset();
}

bool LiveController::start(const QString& spec) {
  stop();
  std::unique_ptr<core::FrameSource> source;
  try {
    source = core::makeFrameSource(spec.toStdString());
  } catch (const std::exception& e) {
    onFailed(QString::fromStdString(e.what()));
    return false;
  }
  spec_ = spec;
  error_.clear();
  if (dock_ == nullptr) {
    dock_ = CameraDock::ensure(window_);
    connect(dock_, &CameraDock::settingsChanged, this, [this] {
      if (!running()) return;
      applySettings();
      draw(false, true);
    });
  }
  dock_->clear();
  dock_->setViewCount(source->viewCount());

  vtkRenderer* renderer = window_->sceneView()->renderer();
  chunk_layer_ = std::make_unique<viz::PathLayer>(viz::Colormap::kTurbo, 4.0f);
  probe_layer_ = std::make_unique<viz::PointCloudLayer>(7.0f);
  probe_layer_->setColour(1.0, 0.45, 0.05);
  renderer->AddViewProp(chunk_layer_->prop());
  renderer->AddViewProp(probe_layer_->actor());

  const bool recorded = spec.startsWith("file:") || spec.startsWith("folder:");
  capture_ = std::make_unique<core::CaptureThread>(
      std::move(source), capture_slot_,
      recorded ? core::CaptureThread::AtEnd::kLoop : core::CaptureThread::AtEnd::kStop);
  capture_->setErrorCallback([this](const std::string& message) {
    // Capture thread: hand the message to the GUI thread (dropped if this is gone by then).
    QMetaObject::invokeMethod(
        this, [this, m = QString::fromStdString(message)] { onFailed(m); }, Qt::QueuedConnection);
  });
  capture_->start();
  if (inference_) inference_->start();
  applySettings();
  refresh_timer_.start();
  spdlog::info("live: source {}", spec.toStdString());
  window_->showStatus(tr("Source %1").arg(spec));
  return true;
}

void LiveController::stop() {
  refresh_timer_.stop();
  if (capture_) capture_->stop();
  capture_.reset();
  if (inference_) inference_->stop();  // joined; the policy stays for the next source
  if (chunk_layer_ || probe_layer_) {
    vtkRenderer* renderer = window_->sceneView()->renderer();
    if (chunk_layer_) renderer->RemoveViewProp(chunk_layer_->prop());
    if (probe_layer_) renderer->RemoveViewProp(probe_layer_->actor());
    window_->sceneView()->setHudLines({});
  }
  chunk_layer_.reset();
  probe_layer_.reset();
  last_frames_.reset();
  last_result_.reset();
  // Frames of the old source must not reach the next one's views or policy.
  capture_slot_->take();
  display_slot_->take();
  inference_slot_->take();
}

bool LiveController::setPolicy(std::unique_ptr<model::Policy> policy, QString* error) {
  (void)error;  // any view count works: a single camera fills every view the policy takes
  wake_->set(nullptr);
  if (inference_) inference_->stop();
  inference_.reset();
  last_result_.reset();
  camera_to_action_.clear();
  inference_ms_.clear();
  if (!policy) return true;
  inference_ = std::make_unique<core::InferenceWorker>(std::move(*policy), inference_slot_);
  inference_->setViewFill(core::InferenceWorker::ViewFill::kRepeatSingleView);
  inference_->setInstruction(instruction_);
  if (dock_ != nullptr) inference_->setIntrospection(dock_->settings().needsIntrospection());
  wake_->set(inference_.get());
  if (running()) inference_->start();
  return true;
}

bool LiveController::setCalibration(const QString& path, QString* error) {
  if (path.isEmpty()) {
    calibration_.reset();
    calibration_path_.clear();
    return true;
  }
  try {
    calibration_ = core::loadCameraCalibration(path.toStdString());
    calibration_path_ = path;
    spdlog::info("live: calibration {}", path.toStdString());
    return true;
  } catch (const std::exception& e) {
    if (error != nullptr) *error = QString::fromStdString(e.what());
    return false;
  }
}

void LiveController::setInstruction(const QString& instruction) {
  if (instruction.trimmed().isEmpty()) return;
  instruction_ = instruction.trimmed().toStdString();
  if (inference_) inference_->setInstruction(instruction_);
  spdlog::info("live: instruction \"{}\"", instruction_);
}

widgets::SourceStatus LiveController::status() const {
  widgets::SourceStatus s;
  s.spec = spec_;
  if (capture_) {
    const auto stats = capture_->stats();
    s.width = stats.resolution.width;
    s.height = stats.resolution.height;
    s.measured_fps = stats.running ? stats.measured_fps : 0.0;
    s.frames = stats.frames;
    s.error = QString::fromStdString(stats.error);
  }
  s.dropped = display_slot_->dropped();
  if (s.error.isEmpty()) s.error = error_;
  return s;
}

long LiveController::probeCloudPoints() const {
  return probe_layer_ ? static_cast<long>(probe_layer_->pointCount()) : 0;
}

void LiveController::onFailed(const QString& message) {
  error_ = message;
  if (dock_ != nullptr) dock_->setError(message);
  window_->showStatus(message, 0);
  spdlog::error("source: {}", message.toStdString());
  Q_EMIT failed(message);
}

void LiveController::applySettings() {
  if (dock_ == nullptr) return;
  const auto s = dock_->settings();
  if (inference_) inference_->setIntrospection(s.needsIntrospection());
  if (probe_layer_) probe_layer_->actor()->SetVisibility(s.probe_cloud);
}

void LiveController::refresh() {
  if (inference_) {
    if (auto result = inference_->display().take()) {
      last_result_ = std::move(result);
      camera_to_action_.add(last_result_->camera_to_action_ms);
      inference_ms_.add(last_result_->inference_ms);
      draw(false, false);
    }
  }
  if (auto frames = display_slot_->take()) {
    last_frames_ = std::move(frames);
    draw(true, false);
  }
}

void LiveController::draw(bool new_frames, bool redraw) {
  if (dock_ == nullptr || !chunk_layer_) return;
  const auto settings = dock_->settings();
  const cv::Size image_size =
      last_frames_ && !last_frames_->views.empty() ? last_frames_->views.front().rgb.size() : cv::Size();

  // The predicted chunk in the base frame. A camera or a file carries no robot state: the path
  // starts where the calibration says the tool is, else at the base origin.
  last_path_start_ = calibration_ && calibration_->tool_position_base
                         ? *calibration_->tool_position_base
                         : cv::Vec3d(0, 0, 0);
  std::vector<cv::Vec3d> path;
  std::vector<double> gripper;
  if (last_result_) {
    for (const auto& point : viz::chunkPath(last_path_start_, last_result_->actions,
                                            core::sim::kActionPositionScaleM)) {
      path.push_back(point.position_m);
      gripper.push_back(point.gripper);
    }
  }
  chunk_layer_->update(path, gripper);
  last_path_points_ = static_cast<long>(path.size());

  if (!new_frames) {
    std::vector<cv::Vec3f> points;
    if (settings.probe_cloud && calibration_ && last_result_ && last_result_->has_introspection &&
        !last_result_->introspection.depth_m.empty() && image_size.area() > 0) {
      points = viz::depthGridToPoints(last_result_->introspection.depth_m.front(),
                                      cameraModel(*calibration_, image_size));
    }
    probe_layer_->update(points);
  }

  if (last_frames_ && (new_frames || redraw)) {
    std::vector<viz::PathPoint> points;
    for (std::size_t k = 0; k < path.size(); ++k) points.push_back({path[k], gripper[k]});
    std::vector<std::optional<viz::CameraModel>> cameras;
    if (calibration_) cameras.emplace_back(cameraModel(*calibration_, image_size));
    const auto s = status();
    dock_->present(*last_frames_, last_result_ ? &*last_result_ : nullptr, cameras, points,
                   s.measured_fps, s.dropped,
                   redraw ? CameraDock::Timing::kRedraw : CameraDock::Timing::kLive);
    if (new_frames) ++frames_shown_;
  }

  std::vector<std::pair<std::string, std::string>> hud;
  hud.emplace_back("source", spec_.toStdString());
  const auto s = status();
  hud.emplace_back("capture", fmt::format("{:.1f} fps, {} dropped", s.measured_fps, s.dropped));
  hud.emplace_back("camera views", fmt::format("{:.1f} fps", dock_->viewFps()));
  if (inference_) {
    hud.emplace_back("inference", fmt::format("{:.1f} ms", inference_ms_.recentMedianMs()));
    hud.emplace_back("camera->action", fmt::format("{:.1f} ms", camera_to_action_.recentMedianMs()));
    if (!inference_->lastError().empty()) hud.emplace_back("policy error", inference_->lastError());
  } else {
    hud.emplace_back("policy", "none loaded");
  }
  hud.emplace_back("camera->pixels", fmt::format("{:.1f} ms", dock_->cameraToPixels().recentMedianMs()));
  if (!calibration_) {
    hud.emplace_back("path", "needs a calibration (Sources dock)");
  } else if (!calibration_->tool_position_base) {
    hud.emplace_back("path", "from the base origin (no tool_position_base in the calibration)");
  }
  window_->sceneView()->setHudLines(std::move(hud));
}

}  // namespace thinkvla::studio
