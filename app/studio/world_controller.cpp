#include "studio/world_controller.h"

#include <QDockWidget>
#include <QGridLayout>
#include <QKeyEvent>
#include <spdlog/spdlog.h>
#include <vtkAssembly.h>
#include <vtkActor.h>
#include <vtkRenderer.h>

#include "studio/main_window.h"
#include "viz/scene_layers.h"
#include "viz/shape_set_layer.h"
#include "viz/trajectory_overlay.h"
#include "widgets/camera_view.h"
#include "widgets/scene_view.h"
#include "widgets/teleop_panel.h"
#include "core/teleop/gamepad_teleop.h"
#include "core/teleop/spacemouse_teleop.h"

namespace thinkvla::studio {

namespace {
viz::ShapeKind shapeKind(int mujoco_type) {
  switch (mujoco_type) {
    case mjGEOM_SPHERE: return viz::ShapeKind::kSphere;
    case mjGEOM_CAPSULE: return viz::ShapeKind::kCapsule;
    case mjGEOM_ELLIPSOID: return viz::ShapeKind::kEllipsoid;
    case mjGEOM_CYLINDER: return viz::ShapeKind::kCylinder;
    case mjGEOM_MESH: return viz::ShapeKind::kMesh;
    case mjGEOM_PLANE: return viz::ShapeKind::kPlane;
    default: return viz::ShapeKind::kBox;
  }
}

std::optional<core::TeleopKey> teleopKey(int qt_key) {
  switch (qt_key) {
    case Qt::Key_W: return core::TeleopKey::kW;
    case Qt::Key_S: return core::TeleopKey::kS;
    case Qt::Key_A: return core::TeleopKey::kA;
    case Qt::Key_D: return core::TeleopKey::kD;
    case Qt::Key_R: return core::TeleopKey::kR;
    case Qt::Key_F: return core::TeleopKey::kF;
    case Qt::Key_Q: return core::TeleopKey::kQ;
    case Qt::Key_E: return core::TeleopKey::kE;
    case Qt::Key_Z: return core::TeleopKey::kZ;
    case Qt::Key_X: return core::TeleopKey::kX;
    case Qt::Key_C: return core::TeleopKey::kC;
    case Qt::Key_V: return core::TeleopKey::kV;
    case Qt::Key_G: return core::TeleopKey::kG;
    case Qt::Key_Space: return core::TeleopKey::kSpace;
    case Qt::Key_Escape: return core::TeleopKey::kEscape;
    default: return std::nullopt;
  }
}

const char* modeName(core::ControlMode m) {
  switch (m) {
    case core::ControlMode::kHuman: return "human";
    case core::ControlMode::kPolicy: return "policy";
    case core::ControlMode::kShared: return "shared";
  }
  return "?";
}
}  // namespace

WorldController::WorldController(MainWindow* window)
    : QObject(window),
      window_(window),
      frames_(std::make_shared<core::LatestSlot<core::FrameSet>>()),
      safety_(std::make_unique<core::SafetyFilter>()),
      keyboard_(std::make_shared<core::KeyboardTeleop>()) {
  refresh_timer_.setInterval(33);
  connect(&refresh_timer_, &QTimer::timeout, this, &WorldController::refresh);
}

WorldController::~WorldController() { stop(); }

bool WorldController::start(core::sim::Suite suite, int task_index, std::uint64_t seed) {
  stop();
  try {
    core::sim::EnvOptions options;
    options.channels = core::sim::CameraChannels::kRgbDepth;
    session_ = std::make_unique<core::WorldSession>(options, frames_);
    session_->reset(suite, task_index, seed);
  } catch (const std::exception& e) {
    session_.reset();
    const QString message = QString("The built-in world could not start: %1").arg(e.what());
    spdlog::error("{}", message.toStdString());
    window_->showStatus(message, 0);
    return false;
  }

  // The safety filter knows the world's action scale and its workspace box.
  core::SafetyLimits limits;
  limits.metres_per_unit = core::sim::kActionPositionScaleM;
  limits.radians_per_unit = core::sim::kActionRotationScaleRad;
  const auto& box = session_->env().options().workspace;
  limits.workspace_min_m = {box.min_m.x(), box.min_m.y(), box.min_m.z()};
  limits.workspace_max_m = {box.max_m.x(), box.max_m.y(), box.max_m.z()};
  limits.max_translation_per_tick_m = core::sim::kActionPositionScaleM;
  safety_ = std::make_unique<core::SafetyFilter>(limits);

  // 3D view: the world's shapes, the predicted chunk, the targets.
  shapes_layer_ = std::make_unique<viz::ShapeSetLayer>();
  std::vector<viz::ShapeDescription> shapes;
  for (const auto& s : session_->shapes()) {
    shapes.push_back({shapeKind(s.type), s.size, s.rgba, s.mesh_vertices, s.mesh_faces});
  }
  shapes_layer_->setShapes(shapes);
  chunk_layer_ = std::make_unique<viz::PathLayer>();
  target_layer_ = std::make_unique<viz::MarkerLayer>(0.015, 1.0, 0.85, 0.1);
  vtkRenderer* renderer = window_->sceneView()->renderer();
  renderer->AddViewProp(shapes_layer_->prop());
  renderer->AddViewProp(chunk_layer_->prop());
  renderer->AddViewProp(target_layer_->actor());

  buildDocks();
  window_->sceneView()->installEventFilter(this);

  loop_ = std::make_unique<core::ControlLoop>(*session_, *safety_, core::ControlLoop::Options{});
  loop_->setDevice(keyboard_);
  loop_->setMode(core::ControlMode::kHuman);
  if (pending_policy_) startInference();
  loop_->start();
  refresh_timer_.start();
  window_->showStatus(tr("World: %1. Hold Space and use W/S A/D R/F to move the arm, G for the gripper.")
                          .arg(QString::fromStdString(session_->instruction())));
  return true;
}

void WorldController::buildDocks() {
  if (window_->findChild<QDockWidget*>("cameraViewsDock") != nullptr) return;
  // Camera views: one view per camera of the world.
  auto* dock = new QDockWidget(tr("Camera views"), window_);
  dock->setObjectName("cameraViewsDock");
  auto* holder = new QWidget(dock);
  auto* grid = new QGridLayout(holder);
  grid->setContentsMargins(2, 2, 2, 2);
  for (int i = 0; i < 2; ++i) {
    auto* view = new widgets::CameraView(holder);
    view->setFocusPolicy(Qt::ClickFocus);
    view->installEventFilter(this);
    grid->addWidget(view, 0, i);
    camera_views_.push_back(view);
  }
  dock->setWidget(holder);
  window_->addToggleableDock(Qt::RightDockWidgetArea, dock);

  // Teleop: who drives, with what, how fast; the emergency stop.
  auto* teleop_dock = new QDockWidget(tr("Teleop"), window_);
  teleop_dock->setObjectName("teleopDock");
  teleop_panel_ = new widgets::TeleopPanel(teleop_dock);
  teleop_panel_->setDevices({"keyboard", "gamepad", "spacemouse"});
  teleop_dock->setWidget(teleop_panel_);
  window_->addToggleableDock(Qt::RightDockWidgetArea, teleop_dock);
  connect(teleop_panel_, &widgets::TeleopPanel::modeRequested, this, [this](auto m) {
    setMode(m == widgets::TeleopPanel::Mode::kHuman    ? core::ControlMode::kHuman
            : m == widgets::TeleopPanel::Mode::kPolicy ? core::ControlMode::kPolicy
                                                       : core::ControlMode::kShared);
  });
  connect(teleop_panel_, &widgets::TeleopPanel::speedChanged, this,
          [this](double speed) { keyboard_->setSpeed(speed); });
  connect(teleop_panel_, &widgets::TeleopPanel::frameRequested, this, [this](auto f) {
    if (loop_) {
      loop_->setFrame(f == widgets::TeleopPanel::Frame::kBase ? core::TeleopFrame::kBase
                                                              : core::TeleopFrame::kEndEffector);
    }
  });
  connect(teleop_panel_, &widgets::TeleopPanel::deviceRequested, this, &WorldController::selectDevice);
  connect(teleop_panel_, &widgets::TeleopPanel::emergencyStopRequested, this,
          [this] { safety_->triggerStop(); });
  connect(teleop_panel_, &widgets::TeleopPanel::resetStopRequested, this, [this] { safety_->reset(); });
}

void WorldController::selectDevice(const QString& name) {
  if (!loop_) return;
  std::shared_ptr<core::TeleopDevice> device = keyboard_;
  if (name.startsWith("gamepad")) {
    if (!gamepad_) gamepad_ = std::make_shared<core::GamepadTeleop>();
    device = gamepad_;
  } else if (name.startsWith("spacemouse")) {
    if (!spacemouse_) spacemouse_ = std::make_shared<core::SpaceMouseTeleop>();
    device = spacemouse_;
  }
  loop_->setDevice(device);
  spdlog::info("teleop: {} drives", name.toStdString());
}

void WorldController::stop() {
  refresh_timer_.stop();
  if (loop_) loop_->stop();
  if (inference_) inference_->stop();
  loop_.reset();
  executor_.reset();
  inference_.reset();
  if (session_ && window_->sceneView() != nullptr) {
    vtkRenderer* renderer = window_->sceneView()->renderer();
    if (shapes_layer_) renderer->RemoveViewProp(shapes_layer_->prop());
    if (chunk_layer_) renderer->RemoveViewProp(chunk_layer_->prop());
    if (target_layer_) renderer->RemoveViewProp(target_layer_->actor());
  }
  session_.reset();
}

bool WorldController::loadPolicy(const QString& directory) {
  try {
    auto policy = std::make_unique<model::Policy>(model::Policy::load(directory.toStdString()));
    if (policy->config().num_views != 2) {
      throw std::runtime_error("the world has 2 cameras, the policy wants " +
                               std::to_string(policy->config().num_views));
    }
    pending_policy_ = std::move(policy);
  } catch (const std::exception& e) {
    const QString message = QString("Cannot use checkpoint %1: %2").arg(directory, e.what());
    spdlog::error("{}", message.toStdString());
    window_->showStatus(message, 0);
    return false;
  }
  spdlog::info("world: policy from {} ({} preset)", directory.toStdString(),
               pending_policy_->config().preset);
  if (loop_) startInference();
  return true;
}

void WorldController::startInference() {
  if (inference_) inference_->stop();
  loop_->setPolicy(nullptr);
  executor_.reset();
  inference_ = std::make_unique<core::InferenceWorker>(std::move(*pending_policy_), frames_);
  pending_policy_.reset();
  frames_->setNotify([worker = inference_.get()] { worker->notifyFrame(); });
  inference_->setInstruction(session_->instruction());
  executor_ = std::make_unique<core::ChunkExecutor>(inference_->results(),
                                                    inference_->config().chunk_size);
  loop_->setPolicy([executor = executor_.get()] { return executor->next(); });
  loop_->setMode(core::ControlMode::kPolicy);
  inference_->start();
}

void WorldController::setMode(core::ControlMode mode) {
  if (loop_) loop_->setMode(mode);
}

core::ControlMode WorldController::mode() const {
  return loop_ ? loop_->mode() : core::ControlMode::kHuman;
}

void WorldController::resetEpisode(std::uint64_t seed) {
  if (!session_) return;
  const auto suite = session_->env().task().suite;
  const int index = session_->env().task().index;
  loop_->stop();
  session_->reset(suite, index, seed);
  if (executor_) executor_->reset();
  loop_->start();
}

bool WorldController::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::KeyPress || event->type() == QEvent::KeyRelease) {
    auto* key_event = static_cast<QKeyEvent*>(event);
    if (const auto key = teleopKey(key_event->key()); key && !key_event->isAutoRepeat()) {
      keyboard_->setKey(*key, event->type() == QEvent::KeyPress);
      return true;
    }
  } else if (event->type() == QEvent::FocusOut) {
    keyboard_->releaseAll();  // nothing stays held when the view loses the keyboard
  }
  return QObject::eventFilter(watched, event);
}

void WorldController::refresh() {
  if (!session_) return;
  if (auto state = session_->state().take()) last_state_ = std::move(state);
  if (inference_) {
    if (auto result = inference_->display().take()) last_result_ = std::move(result);
    if (last_state_) {
      inference_->setInstruction(last_state_->instruction);
      inference_->setProprio(last_state_->proprio);
    }
  }
  if (!last_state_) return;
  const core::WorldState& state = *last_state_;
  shapes_layer_->setPoses(state.shape_poses);
  target_layer_->update(state.target_positions_m);

  // The predicted chunk as a path in the base frame: the end effector plus the summed deltas.
  std::vector<cv::Vec3d> path;
  std::vector<double> gripper;
  if (last_result_) {
    cv::Vec3d p = state.ee_position_m;
    path.push_back(p);
    gripper.push_back(last_result_->actions.front()[6]);
    for (const auto& a : last_result_->actions) {
      p += core::sim::kActionPositionScaleM * cv::Vec3d(a[0], a[1], a[2]);
      path.push_back(p);
      gripper.push_back(a[6]);
    }
  }
  chunk_layer_->update(path, gripper);

  if (auto frames = session_->displayFrames().take()) {
    for (std::size_t i = 0; i < frames->views.size() && i < camera_views_.size(); ++i) {
      cv::Mat image = frames->views[i].rgb.clone();
      if (!path.empty() && i < state.cameras.size()) {
        std::vector<viz::PathPoint> points;
        for (std::size_t k = 0; k < path.size(); ++k) points.push_back({path[k], gripper[k]});
        viz::CameraModel camera;
        camera.camera_matrix = state.cameras[i].camera_matrix;
        camera.T_base_camera = state.cameras[i].T_base_camera;
        camera.image_size = state.cameras[i].image_size;
        viz::drawPath(image, points, camera, {viz::Colormap::kTurbo, 1, 2});
      }
      camera_views_[i]->setFrame(image);
      camera_views_[i]->setCaption(QString::fromStdString(frames->views[i].camera),
                                   loop_ ? loop_->measuredRateHz() : 0.0, 0);
    }
    ++frames_shown_;
  }

  std::vector<std::pair<std::string, std::string>> hud;
  hud.emplace_back("mode", modeName(mode()));
  hud.emplace_back("control", fmt::format("{:.1f} Hz", loop_ ? loop_->measuredRateHz() : 0.0));
  hud.emplace_back("step", fmt::format("{}{}", state.step, state.success ? "  success" : ""));
  if (last_result_) {
    hud.emplace_back("inference", fmt::format("{:.1f} ms", last_result_->inference_ms));
    hud.emplace_back("camera->action", fmt::format("{:.1f} ms", last_result_->camera_to_action_ms));
  }
  if (safety_->stopped()) hud.emplace_back("E-STOP", "latched (reset in Teleop)");
  if (teleop_panel_ && loop_) {
    const auto tick = loop_->latest().peek();
    teleop_panel_->setStatus(loop_->measuredRateHz(), tick && tick->deadman, safety_->stopped());
    teleop_panel_->setPolicyAvailable(inference_ != nullptr);
    teleop_panel_->setMode(static_cast<widgets::TeleopPanel::Mode>(static_cast<int>(loop_->mode())));
  }
  window_->sceneView()->setHudLines(std::move(hud));
}

}  // namespace thinkvla::studio
