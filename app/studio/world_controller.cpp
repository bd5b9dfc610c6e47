#include "studio/world_controller.h"

#include <QDockWidget>
#include <QKeyEvent>
#include <spdlog/spdlog.h>
#include <vtkActor.h>
#include <vtkAssembly.h>
#include <vtkPropCollection.h>
#include <vtkRenderer.h>

#include <algorithm>
#include <charconv>

#include "core/teleop/gamepad_teleop.h"
#include "core/teleop/spacemouse_teleop.h"
#include "studio/camera_dock.h"
#include "studio/main_window.h"
#include "viz/camera_overlays.h"
#include "viz/scene_layers.h"
#include "viz/trajectory_overlay.h"
#include "viz/shape_set_layer.h"
#include "widgets/camera_view.h"
#include "widgets/scene_view.h"
#include "widgets/teleop_panel.h"

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

viz::CameraModel cameraModel(const core::CameraGeometry& g) {
  viz::CameraModel camera;
  camera.camera_matrix = g.camera_matrix;
  camera.T_base_camera = g.T_base_camera;
  camera.image_size = g.image_size;
  return camera;
}

constexpr std::size_t kTrailCapacity = 600;     // 30 s at 20 Hz
constexpr std::size_t kCameraHistorySteps = 64;  // steps whose camera poses are kept
constexpr int kTrueCloudStride = 4;             // every 4th pixel of the rendered depth
}  // namespace

std::optional<WorldSpec> parseWorldSpec(const std::string& spec, std::string* error) {
  const auto fail = [&](const std::string& why) -> std::optional<WorldSpec> {
    if (error != nullptr) *error = "source '" + spec + "': " + why;
    return std::nullopt;
  };
  if (spec.rfind("sim:", 0) != 0) return fail("a world source starts with sim:");
  std::string rest = spec.substr(4);
  WorldSpec out;
  if (const auto q = rest.find('?'); q != std::string::npos) {
    try {
      out.perturbation = core::sim::PerturbationSpec::parse(rest.substr(q + 1));
    } catch (const std::exception& e) {
      return fail(std::string("bad perturbation: ") + e.what());
    }
    rest = rest.substr(0, q);
  }
  if (const auto at = rest.find('@'); at != std::string::npos) {
    const std::string seed = rest.substr(at + 1);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(seed.data(), seed.data() + seed.size(), value);
    if (seed.empty() || ec != std::errc() || end != seed.data() + seed.size()) {
      return fail("the seed after @ must be a non-negative integer, got '" + seed + "'");
    }
    out.seed = value;
    rest = rest.substr(0, at);
  }
  const auto slash = rest.find('/');
  const std::string suite_text = rest.substr(0, slash);
  const auto suite = core::sim::parseSuite(suite_text);
  if (!suite) return fail("unknown suite '" + suite_text + "' (spatial, object, goal, long)");
  out.suite = *suite;
  if (slash != std::string::npos) {
    const std::string task = rest.substr(slash + 1);
    const auto& tasks = core::sim::suiteTasks(out.suite);
    int index = -1;
    const auto [end, ec] = std::from_chars(task.data(), task.data() + task.size(), index);
    if (task.empty() || ec != std::errc() || end != task.data() + task.size()) {
      index = -1;
      for (const auto& t : tasks) {
        if (t.name == task) index = t.index;
      }
      if (index < 0) return fail("suite " + suite_text + " has no task named '" + task + "'");
    } else if (index < 0 || index >= static_cast<int>(tasks.size())) {
      return fail("suite " + suite_text + " has tasks 0.." + std::to_string(tasks.size() - 1) +
                  ", not " + task);
    }
    out.task_index = index;
  }
  return out;
}

WorldController::WorldController(MainWindow* window)
    : QObject(window),
      window_(window),
      frames_(std::make_shared<core::LatestSlot<core::FrameSet>>()),
      safety_(std::make_unique<core::SafetyFilter>()),
      keyboard_(std::make_shared<core::KeyboardTeleop>()) {
  refresh_timer_.setInterval(33);
  connect(&refresh_timer_, &QTimer::timeout, this, &WorldController::refresh);
  frames_->setNotify([wake = wake_] { wake->notify(); });
}

WorldController::~WorldController() { stop(); }

bool WorldController::start(core::sim::Suite suite, int task_index, std::uint64_t seed,
                            const core::sim::PerturbationSpec& perturbation) {
  stop();
  spec_ = {suite, task_index, seed, perturbation};
  try {
    core::sim::EnvOptions options;
    options.channels = core::sim::CameraChannels::kRgbDepth;
    session_ = std::make_unique<core::WorldSession>(options, frames_);
    session_->reset(suite, task_index, seed, perturbation);
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

  // 3D view: the world's shapes, the predicted chunk, the executed trail, the targets, the
  // depth probe's points (orange) and the true depth's (light blue).
  shapes_layer_ = std::make_unique<viz::ShapeSetLayer>();
  std::vector<viz::ShapeDescription> shapes;
  for (const auto& s : session_->shapes()) {
    shapes.push_back({shapeKind(s.type), s.size, s.rgba, s.mesh_vertices, s.mesh_faces});
  }
  shapes_layer_->setShapes(shapes);
  chunk_layer_ = std::make_unique<viz::PathLayer>(viz::Colormap::kTurbo, 4.0f);
  trail_layer_ = std::make_unique<viz::PathLayer>(viz::Colormap::kViridis, 2.0f);
  target_layer_ = std::make_unique<viz::MarkerLayer>(0.015, 1.0, 0.85, 0.1);
  probe_layer_ = std::make_unique<viz::PointCloudLayer>(7.0f);
  probe_layer_->setColour(1.0, 0.45, 0.05);
  true_layer_ = std::make_unique<viz::PointCloudLayer>(3.0f);
  true_layer_->setColour(0.35, 0.75, 1.0);
  vtkRenderer* renderer = window_->sceneView()->renderer();
  renderer->AddViewProp(shapes_layer_->prop());
  renderer->AddViewProp(chunk_layer_->prop());
  renderer->AddViewProp(trail_layer_->prop());
  renderer->AddViewProp(target_layer_->actor());
  renderer->AddViewProp(probe_layer_->actor());
  renderer->AddViewProp(true_layer_->actor());
  trail_.clear();
  trail_step_ = -1;
  cameras_by_step_.clear();
  last_state_.reset();
  last_result_.reset();
  last_frames_.reset();
  has_result_sequence_ = false;

  buildDocks();
  window_->sceneView()->installEventFilter(this);

  loop_ = std::make_unique<core::ControlLoop>(*session_, *safety_, core::ControlLoop::Options{});
  loop_->setDevice(keyboard_);
  loop_->setMode(core::ControlMode::kHuman);
  paused_ = false;
  if (pending_policy_) startInference();
  applySettings();
  loop_->start();
  refresh_timer_.start();
  window_->showStatus(tr("World: %1. Hold Space and use W/S A/D R/F to move the arm, G for the gripper.")
                          .arg(QString::fromStdString(session_->instruction())));
  Q_EMIT started();
  return true;
}

void WorldController::buildDocks() {
  if (dock_ == nullptr) {
    dock_ = CameraDock::ensure(window_);
    connect(dock_, &CameraDock::settingsChanged, this, [this] {
      applySettings();
      redraw();
    });
  }
  dock_->setViewCount(2);
  dock_->setError({});
  for (widgets::CameraView* view : dock_->views()) view->installEventFilter(this);
  if (teleop_panel_ != nullptr) return;

  // Teleop: who drives, with what, how fast; the emergency stop. One dock per window.
  auto* teleop_dock = window_->findChild<QDockWidget*>("teleopDock");
  if (teleop_dock == nullptr) {
    teleop_dock = new QDockWidget(tr("Teleop"), window_);
    teleop_dock->setObjectName("teleopDock");
    auto* panel = new widgets::TeleopPanel(teleop_dock);
    panel->setDevices({"keyboard", "gamepad", "spacemouse"});
    teleop_dock->setWidget(panel);
    window_->addToggleableDock(Qt::RightDockWidgetArea, teleop_dock);
    // Under the camera views, Teleop shares a tab group with Training (when there is one), so
    // the camera views keep their height.
    if (auto* training = window_->findChild<QDockWidget*>("trainingDock");
        training != nullptr && window_->dockWidgetArea(training) == Qt::RightDockWidgetArea) {
      window_->tabifyDocks(training, teleop_dock);
      teleop_dock->raise();
    }
    window_->resizeDocks({dock_}, {460}, Qt::Vertical);
  }
  teleop_panel_ = teleop_dock->findChild<widgets::TeleopPanel*>();
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

const std::vector<widgets::CameraView*>& WorldController::cameraViews() const {
  static const std::vector<widgets::CameraView*> kNone;
  return dock_ != nullptr ? dock_->views() : kNone;
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
  if (session_) Q_EMIT stopping();
  refresh_timer_.stop();
  if (loop_) loop_->stop();
  paused_ = true;  // so stopInference() leaves the loop stopped
  stopInference();
  loop_.reset();
  if (session_ && window_->sceneView() != nullptr) {
    vtkRenderer* renderer = window_->sceneView()->renderer();
    if (shapes_layer_) renderer->RemoveViewProp(shapes_layer_->prop());
    if (chunk_layer_) renderer->RemoveViewProp(chunk_layer_->prop());
    if (trail_layer_) renderer->RemoveViewProp(trail_layer_->prop());
    if (target_layer_) renderer->RemoveViewProp(target_layer_->actor());
    if (probe_layer_) renderer->RemoveViewProp(probe_layer_->actor());
    if (true_layer_) renderer->RemoveViewProp(true_layer_->actor());
    window_->sceneView()->removeEventFilter(this);
    window_->sceneView()->setHudLines({});
  }
  session_.reset();
  paused_ = false;
}

bool WorldController::loadPolicy(const QString& directory) {
  std::unique_ptr<model::Policy> policy;
  try {
    policy = std::make_unique<model::Policy>(model::Policy::load(directory.toStdString()));
  } catch (const std::exception& e) {
    const QString message = QString("Cannot use checkpoint %1: %2").arg(directory, e.what());
    spdlog::error("{}", message.toStdString());
    window_->showStatus(message, 0);
    return false;
  }
  QString error;
  if (!setPolicy(std::move(policy), &error)) {
    const QString message = QString("Cannot use checkpoint %1: %2").arg(directory, error);
    spdlog::error("{}", message.toStdString());
    window_->showStatus(message, 0);
    return false;
  }
  spdlog::info("world: policy from {} ({} preset)", directory.toStdString(),
               pending_policy_ ? pending_policy_->config().preset : inference_->config().preset);
  return true;
}

bool WorldController::setPolicy(std::unique_ptr<model::Policy> policy, QString* error) {
  if (!policy) {
    stopInference();
    return true;
  }
  if (policy->config().num_views != 2) {
    if (error != nullptr) {
      *error = QString("the world has 2 cameras, the policy takes %1").arg(policy->config().num_views);
    }
    return false;
  }
  pending_policy_ = std::move(policy);
  if (loop_) startInference();
  return true;
}

void WorldController::stopInference() {
  if (!inference_ && !executor_) return;
  // The control thread calls the executor: stop it while the executor and worker go.
  const bool restart = loop_ && !paused_;
  if (loop_) {
    loop_->stop();
    loop_->setPolicy(nullptr);
  }
  executor_.reset();
  wake_->set(nullptr);
  if (inference_) inference_->stop();
  inference_.reset();
  last_result_.reset();
  has_result_sequence_ = false;
  if (loop_) loop_->setMode(core::ControlMode::kHuman);
  if (restart) loop_->start();
}

void WorldController::startInference() {
  stopInference();
  const bool restart = !paused_;
  loop_->stop();
  inference_ = std::make_unique<core::InferenceWorker>(std::move(*pending_policy_), frames_);
  pending_policy_.reset();
  inference_->setInstruction(session_->instruction());
  inference_->setNormStatsTask(session_->taskInstruction());
  if (last_state_ && !last_state_->proprio.empty()) {
    inference_->setProprio(last_state_->proprio);
    inference_->setGripperReleases(last_state_->gripper_releases);
  }
  if (dock_ != nullptr) inference_->setIntrospection(dock_->settings().needsIntrospection());
  const int chunk = inference_->config().chunk_size;
  executor_ = std::make_unique<core::ChunkExecutor>(
      inference_->results(), execute_steps_ > 0 ? std::min(execute_steps_, chunk) : chunk,
      ensemble_decay_);
  loop_->setPolicy([executor = executor_.get()] { return executor->next(); });
  loop_->setMode(core::ControlMode::kPolicy);
  wake_->set(inference_.get());
  inference_->start();
  camera_to_action_.clear();
  inference_ms_.clear();
  if (restart) loop_->start();
}

void WorldController::setMode(core::ControlMode mode) {
  if (loop_) loop_->setMode(mode);
}

core::ControlMode WorldController::mode() const {
  return loop_ ? loop_->mode() : core::ControlMode::kHuman;
}

bool WorldController::setExecution(int execute_steps, std::optional<double> ensemble_decay,
                                   QString* error) {
  if (ensemble_decay && !core::TemporalEnsemble::validDecay(*ensemble_decay)) {
    if (error != nullptr) {
      *error = QString("the ensemble decay must be >= 0, not %1").arg(*ensemble_decay);
    }
    return false;
  }
  execute_steps_ = std::max(0, execute_steps);
  ensemble_decay_ = ensemble_decay;
  if (executor_) {
    const bool restart = loop_ && !paused_;
    if (loop_) loop_->stop();  // the executor is the control thread's while the loop runs
    const int chunk = inference_->config().chunk_size;
    executor_->setExecuteSteps(execute_steps_ > 0 ? std::min(execute_steps_, chunk) : chunk);
    executor_->setEnsembleDecay(ensemble_decay_);
    if (restart) loop_->start();
  }
  spdlog::info("world: execute {} of each chunk{}",
               execute_steps_ > 0 ? std::to_string(execute_steps_) : std::string("all"),
               ensemble_decay_ ? fmt::format(", temporally ensembled (decay {})", *ensemble_decay_)
                               : std::string());
  return true;
}

int WorldController::executeSteps() const { return executor_ ? executor_->executeSteps() : 0; }

int WorldController::chunkSize() const {
  return inference_ ? inference_->config().chunk_size : 0;
}

void WorldController::resetEpisode(std::uint64_t seed) {
  spec_.seed = seed;
  reset();
}

void WorldController::reset() {
  if (!session_) return;
  loop_->stop();
  session_->reset(spec_.suite, spec_.task_index, spec_.seed, spec_.perturbation);
  if (executor_) executor_->reset();
  if (inference_) {
    inference_->setInstruction(session_->instruction());
    inference_->setNormStatsTask(session_->taskInstruction());
  }
  trail_.clear();
  trail_step_ = -1;
  if (!paused_) loop_->start();
}

void WorldController::run() {
  if (!loop_ || !paused_) return;
  paused_ = false;
  loop_->start();
  spdlog::info("world: running");
  redraw();
}

void WorldController::pause() {
  if (!loop_ || paused_) return;
  loop_->stop();
  paused_ = true;
  spdlog::info("world: paused at step {}", last_state_ ? last_state_->step : 0);
  redraw();
}

void WorldController::stepOnce() {
  if (!loop_ || !paused_) return;
  loop_->stepOnce();  // the loop's thread is stopped: the tick runs here
}

void WorldController::setInstruction(const QString& instruction) {
  if (!session_) return;
  const bool restart = loop_ && !paused_;
  if (loop_) loop_->stop();  // the session is the loop thread's while it runs
  session_->setInstruction(instruction.trimmed().toStdString());
  const std::string now = session_->instruction();
  if (inference_) inference_->setInstruction(now);
  if (restart) loop_->start();
  spdlog::info("world: instruction \"{}\"", now);
}

QString WorldController::instruction() const {
  if (last_state_) return QString::fromStdString(last_state_->instruction);
  return {};
}

std::uint64_t WorldController::framesDropped() const {
  return session_ ? session_->displayFrames().dropped() : 0;
}

long WorldController::probeCloudPoints() const { return probe_layer_ ? static_cast<long>(probe_layer_->pointCount()) : 0; }
long WorldController::trueCloudPoints() const { return true_layer_ ? static_cast<long>(true_layer_->pointCount()) : 0; }
bool WorldController::inScene(vtkProp* prop) const {
  return prop != nullptr && prop->GetVisibility() &&
         window_->sceneView()->renderer()->GetViewProps()->IsItemPresent(prop) != 0;
}
bool WorldController::probeCloudShown() const {
  return probe_layer_ && inScene(probe_layer_->actor()) && probe_layer_->pointCount() > 0;
}
bool WorldController::trueCloudShown() const {
  return true_layer_ && inScene(true_layer_->actor()) && true_layer_->pointCount() > 0;
}
bool WorldController::chunkPathShown() const {
  return chunk_layer_ && inScene(chunk_layer_->prop()) && last_path_points_ > 1;
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

void WorldController::applySettings() {
  if (dock_ == nullptr) return;
  const widgets::OverlaySettings s = dock_->settings();
  if (inference_) inference_->setIntrospection(s.needsIntrospection());
  if (probe_layer_) probe_layer_->actor()->SetVisibility(s.probe_cloud);
  if (true_layer_) true_layer_->actor()->SetVisibility(s.true_cloud);
  if (trail_layer_) trail_layer_->prop()->SetVisibility(s.trail);
  has_result_sequence_ = false;  // the clouds are rebuilt on the next draw
}

void WorldController::refresh() {
  if (!session_) return;
  bool new_state = false;
  bool new_result = false;
  if (auto state = session_->state().take()) {
    new_state = true;
    last_state_ = std::move(state);
    cameras_by_step_[last_state_->step] = last_state_->cameras;
    while (cameras_by_step_.size() > kCameraHistorySteps) cameras_by_step_.erase(cameras_by_step_.begin());
    if (last_state_->step < trail_step_) trail_.clear();  // a new episode
    if (last_state_->step != trail_step_) {
      trail_.push_back(last_state_->ee_position_m);
      while (trail_.size() > kTrailCapacity) trail_.pop_front();
      trail_step_ = last_state_->step;
    }
  }
  if (inference_) {
    if (auto result = inference_->display().take()) {
      new_result = true;
      last_result_ = std::move(result);
      camera_to_action_.add(last_result_->camera_to_action_ms);
      inference_ms_.add(last_result_->inference_ms);
    }
    if (last_state_ && !last_state_->proprio.empty()) {
      inference_->setProprio(last_state_->proprio);
      inference_->setGripperReleases(last_state_->gripper_releases);
    }
  }
  auto frames = session_->displayFrames().take();
  const bool new_frames = frames.has_value();
  if (new_frames) last_frames_ = std::move(frames);
  // Nothing new (a paused world): leave the views as they are.
  if (!new_state && !new_result && !new_frames) return;
  draw(new_frames ? Draw::kNewFrames : Draw::kSameFrames);
}

void WorldController::redraw() {
  if (session_) draw(Draw::kRedraw);
}

void WorldController::draw(Draw what) {
  const bool new_frames = what != Draw::kSameFrames;
  if (!last_state_) return;
  const core::WorldState& state = *last_state_;
  const widgets::OverlaySettings settings = dock_->settings();
  shapes_layer_->setPoses(state.shape_poses);
  target_layer_->update(state.target_positions_m);
  const auto camerasAt = [&](double source_time_s) -> const std::vector<core::CameraGeometry>& {
    const int step = static_cast<int>(std::lround(source_time_s / core::sim::kControlDtS));
    const auto it = cameras_by_step_.find(step);
    return it != cameras_by_step_.end() ? it->second : state.cameras;
  };

  // The predicted chunk as a path in the base frame: the end effector plus the summed deltas.
  std::vector<cv::Vec3d> path;
  std::vector<double> gripper;
  if (last_result_) {
    for (const auto& point : viz::chunkPath(state.ee_position_m, last_result_->actions,
                                            core::sim::kActionPositionScaleM)) {
      path.push_back(point.position_m);
      gripper.push_back(point.gripper);
    }
  }
  chunk_layer_->update(path, gripper);
  last_path_points_ = static_cast<long>(path.size());
  if (settings.trail) trail_layer_->update(std::vector<cv::Vec3d>(trail_.begin(), trail_.end()));

  // The depth probe's points, from the cameras as they were for the frames the policy saw.
  const bool fresh_result =
      last_result_ && (!has_result_sequence_ || last_result_->frame_sequence != last_result_sequence_);
  if (fresh_result) {
    last_result_sequence_ = last_result_->frame_sequence;
    has_result_sequence_ = true;
    std::vector<cv::Vec3f> points;
    if (settings.probe_cloud && last_result_->has_introspection) {
      const auto& cams = camerasAt(last_result_->frames.source_time_s);
      const auto& depth = last_result_->introspection.depth_m;
      for (std::size_t v = 0; v < depth.size() && v < cams.size(); ++v) {
        const auto p = viz::depthGridToPoints(depth[v], cameraModel(cams[v]));
        points.insert(points.end(), p.begin(), p.end());
      }
    }
    probe_layer_->update(points);
  }
  if (!last_result_ && probe_layer_->pointCount() > 0) probe_layer_->update({});

  if (last_frames_ && (new_frames || settings.true_cloud != (true_layer_->pointCount() > 0))) {
    std::vector<cv::Vec3f> points;
    if (settings.true_cloud) {
      const auto& cams = camerasAt(last_frames_->source_time_s);
      for (std::size_t v = 0; v < last_frames_->views.size() && v < cams.size(); ++v) {
        const auto p = viz::depthImageToPoints(last_frames_->views[v].depth_m, cameraModel(cams[v]),
                                               kTrueCloudStride);
        points.insert(points.end(), p.begin(), p.end());
      }
    }
    true_layer_->update(points);
  }

  if (last_frames_ && new_frames) {
    std::vector<viz::PathPoint> points;
    for (std::size_t k = 0; k < path.size(); ++k) points.push_back({path[k], gripper[k]});
    std::vector<std::optional<viz::CameraModel>> cameras;
    for (const auto& g : camerasAt(last_frames_->source_time_s)) cameras.emplace_back(cameraModel(g));
    dock_->present(*last_frames_, last_result_ ? &*last_result_ : nullptr, cameras, points,
                   controlRateHz(), framesDropped(),
                   what == Draw::kRedraw ? CameraDock::Timing::kRedraw : CameraDock::Timing::kLive);
    if (what == Draw::kNewFrames) ++frames_shown_;
  }

  std::vector<std::pair<std::string, std::string>> hud;
  hud.emplace_back("mode", std::string(modeName(mode())) + (paused_ ? "  (paused)" : ""));
  hud.emplace_back("control", fmt::format("{:.1f} Hz", controlRateHz()));
  hud.emplace_back("step", fmt::format("{}{}", state.step, state.success ? "  success" : ""));
  hud.emplace_back("camera views", fmt::format("{:.1f} fps", dock_->viewFps()));
  if (inference_ && executor_) {
    const int k = inference_->config().chunk_size;
    if (executor_->ensembleDecay()) {
      hud.emplace_back("execution",
                       fmt::format("re-plan every {} of {}, ensemble of {} (decay {})",
                                   executor_->executeSteps(), k, executor_->chunksBlended(),
                                   *executor_->ensembleDecay()));
    } else {
      hud.emplace_back("execution", fmt::format("{} of {} open loop", executor_->executeSteps(), k));
    }
  }
  if (inference_) {
    hud.emplace_back("inference", fmt::format("{:.1f} ms", inference_ms_.recentMedianMs()));
    hud.emplace_back("camera->action", fmt::format("{:.1f} ms", camera_to_action_.recentMedianMs()));
  }
  hud.emplace_back("camera->pixels", fmt::format("{:.1f} ms", dock_->cameraToPixels().recentMedianMs()));
  if (inference_ && !inference_->lastError().empty()) hud.emplace_back("policy error", inference_->lastError());
  if (safety_->stopped()) hud.emplace_back("E-STOP", "latched (reset in Teleop)");
  if (teleop_panel_ && loop_) {
    const auto tick = loop_->latest().peek();
    teleop_panel_->setStatus(controlRateHz(), tick && tick->deadman, safety_->stopped());
    teleop_panel_->setPolicyAvailable(inference_ != nullptr);
    teleop_panel_->setMode(static_cast<widgets::TeleopPanel::Mode>(static_cast<int>(loop_->mode())));
  }
  window_->sceneView()->setHudLines(std::move(hud));
}

}  // namespace thinkvla::studio
