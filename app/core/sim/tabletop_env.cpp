#include "core/sim/tabletop_env.h"

#include <spdlog/spdlog.h>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>

#include "core/offscreen_gl.h"
#include "core/sim/resource_paths.h"
#include "core/sim/scene_catalog.h"

namespace thinkvla::core::sim {

namespace {
constexpr const char* kArmJointNames[kArmJoints] = {"joint1", "joint2", "joint3", "joint4",
                                                    "joint5", "joint6", "joint7"};
constexpr const char* kCameraNames[2] = {"agentview", "wrist"};
// Where the cabinet goes when a task does not use it: behind the back wall, out of sight.
constexpr double kParkedCabinetX = -1.4;
constexpr double kParkedCabinetY = 1.2;
constexpr double kSettleTimeS = 0.3;
constexpr double kRampFraction = 0.4;
constexpr double kIkRotationWeight = 0.5;
constexpr double kIkFallbackRotationWeight = 0.02;
constexpr double kIkFallbackErrorM = 0.005;
// Franka's joint velocity limits (rad/s): a control step never asks a joint for more.
constexpr double kJointSpeedLimits[kArmJoints] = {2.175, 2.175, 2.175, 2.175, 2.61, 2.61, 2.61};
// Targets stay this far inside the workspace box's sides and top, so that the servos' tracking
// error keeps the tool itself inside the box; the bottom face (the table) keeps its full reach.
constexpr double kTrackingMarginM = 0.02;
// The tool points straight down, fingers closing along the base y axis.
const Eigen::Quaterniond kDownQuat(0.0, 1.0, 0.0, 0.0);
const Eigen::Vector3d kHomeEePos(0.42, 0.0, 0.30);
// Franka's usual ready pose, the start of the home pose's inverse kinematics.
constexpr double kReadyJoints[kArmJoints] = {0.0, -0.785, 0.0, -2.356, 0.0, 1.571, 0.785};

// MuJoCo's own warning handler prints to stdout and appends to MUJOCO_LOG.TXT in the working
// directory. Its warnings reach the user through StepResult::physics_warnings and the log instead.
void mujocoWarning(const char* message) { spdlog::debug("mujoco: {}", message); }

Eigen::Vector3d quatToAxisAngle(Eigen::Quaterniond q) {
  if (q.w() < 0) q.coeffs() = -q.coeffs();
  const Eigen::AngleAxisd aa(q.normalized());
  return aa.axis() * aa.angle();
}

Eigen::Quaterniond axisAngleToQuat(const Eigen::Vector3d& v) {
  const double angle = v.norm();
  if (angle < 1e-12) return Eigen::Quaterniond::Identity();
  return Eigen::Quaterniond(Eigen::AngleAxisd(angle, v / angle));
}

int requireId(const mjModel* m, mjtObj type, const char* name) {
  const int id = mj_name2id(m, type, name);
  if (id < 0) throw std::runtime_error(std::string("scene has no '") + name + "'");
  return id;
}
}  // namespace

bool WorkspaceBox::contains(const Eigen::Vector3d& p, double margin_m) const {
  return (p.array() >= min_m.array() - margin_m).all() &&
         (p.array() <= max_m.array() + margin_m).all();
}

Eigen::Vector3d WorkspaceBox::clamp(const Eigen::Vector3d& p) const {
  return p.cwiseMax(min_m).cwiseMin(max_m);
}

cv::Mat pointMap(const CameraFrame& frame) {
  const auto& k = frame.intrinsics;
  cv::Mat points(frame.depth_m.rows, frame.depth_m.cols, CV_32FC3);
  for (int v = 0; v < frame.depth_m.rows; ++v) {
    const float* depth = frame.depth_m.ptr<float>(v);
    auto* out = points.ptr<cv::Vec3f>(v);
    for (int u = 0; u < frame.depth_m.cols; ++u) {
      const double z = depth[u];
      out[u] = cv::Vec3f(static_cast<float>((u - k.cx) / k.fx * z),
                         static_cast<float>((v - k.cy) / k.fy * z), static_cast<float>(z));
    }
  }
  return points;
}

// MuJoCo's renderer in the environment's own offscreen context.
struct TabletopEnv::Renderer {
  OffscreenGlContext gl;
  mjvScene scene;
  mjrContext context;
  mjvOption option;
  mjvCamera camera;
  std::vector<unsigned char> rgb;
  std::vector<float> depth;

  Renderer(mjModel* m, int width, int height) : gl(width, height) {
    gl.makeCurrent();
    // The offscreen framebuffer is exactly the camera image: a larger one (the scene file asks
    // 640x480) costs llvmpipe its clearing and resolving on every render.
    m->vis.global.offwidth = width;
    m->vis.global.offheight = height;
    mjv_defaultScene(&scene);
    mjr_defaultContext(&context);
    mjv_defaultOption(&option);
    mjv_defaultCamera(&camera);
    mjv_makeScene(m, &scene, 2000);
    mjr_makeContext(m, &context, mjFONTSCALE_100);
    mjr_setBuffer(mjFB_OFFSCREEN, &context);
    if (context.currentBuffer != mjFB_OFFSCREEN) {
      mjr_freeContext(&context);
      mjv_freeScene(&scene);
      throw std::runtime_error("MuJoCo's offscreen framebuffer is not available");
    }
    rgb.resize(static_cast<std::size_t>(width) * height * 3);
    depth.resize(static_cast<std::size_t>(width) * height);
    // Never leave the context current: the instance may be used next from another thread (the
    // studio makes it on the GUI thread and steps it on the control thread), and a GLX context
    // current in two threads at once crashes.
    gl.doneCurrent();
  }
  ~Renderer() {
    gl.makeCurrent();
    mjr_freeContext(&context);
    mjv_freeScene(&scene);
    gl.doneCurrent();
  }
};

TabletopEnv::TabletopEnv(EnvOptions options) : options_(std::move(options)) {
  mju_user_warning = mujocoWarning;
  if (options_.scene_file.empty()) options_.scene_file = findResource("scenes/tabletop.xml");
  char error[1024] = "";
  model_ = mj_loadXML(options_.scene_file.c_str(), nullptr, error, sizeof(error));
  if (model_ == nullptr) {
    throw std::runtime_error("cannot load scene " + options_.scene_file.string() + ": " + error);
  }
  original_ = mj_copyModel(nullptr, model_);
  data_ = mj_makeData(model_);
  scratch_ = mj_makeData(model_);
  substeps_ = static_cast<int>(std::lround(kControlDtS / model_->opt.timestep));

  for (int i = 0; i < kArmJoints; ++i) {
    const int j = requireId(model_, mjOBJ_JOINT, kArmJointNames[i]);
    arm_qpos_[i] = model_->jnt_qposadr[j];
    arm_dof_[i] = model_->jnt_dofadr[j];
    joint_min_[i] = model_->jnt_range[2 * j];
    joint_max_[i] = model_->jnt_range[2 * j + 1];
    arm_act_[i] = requireId(model_, mjOBJ_ACTUATOR, (std::string("act_") + kArmJointNames[i]).c_str());
  }
  for (int f = 0; f < 2; ++f) {
    const std::string joint = "finger_joint" + std::to_string(f + 1);
    finger_qpos_[f] = model_->jnt_qposadr[requireId(model_, mjOBJ_JOINT, joint.c_str())];
    finger_act_[f] = requireId(model_, mjOBJ_ACTUATOR, ("act_finger" + std::to_string(f + 1)).c_str());
  }
  grip_site_ = requireId(model_, mjOBJ_SITE, "grip_site");
  drawer_qpos_ = model_->jnt_qposadr[requireId(model_, mjOBJ_JOINT, kDrawerJoint)];
  for (const char* name : kCameraNames) cameras_.push_back(requireId(model_, mjOBJ_CAMERA, name));
  for (const auto& o : sceneObjects()) requireId(model_, mjOBJ_BODY, o.name.c_str());

  // Segments: 0 background (world geoms), then one per body attached to the world.
  segment_names_ = {"background"};
  std::map<int, int> root_segment;
  for (int b = 1; b < model_->nbody; ++b) {
    if (model_->body_parentid[b] == 0) {
      const char* name = mj_id2name(model_, mjOBJ_BODY, b);
      std::string label = name != nullptr ? name : "body" + std::to_string(b);
      if (label == "link0") label = "robot";
      root_segment[b] = static_cast<int>(segment_names_.size());
      segment_names_.push_back(label);
    }
  }
  geom_segment_.resize(model_->ngeom, 0);
  for (int g = 0; g < model_->ngeom; ++g) {
    const int root = model_->body_rootid[model_->geom_bodyid[g]];
    geom_segment_[g] = root == 0 ? 0 : root_segment[root];
  }

  // Home: the tool 0.3 m above the table, pointing down, solved once from the ready pose.
  mj_resetData(model_, data_);
  for (int i = 0; i < kArmJoints; ++i) data_->qpos[arm_qpos_[i]] = kReadyJoints[i];
  mj_forward(model_, data_);
  const auto home = solveIk(kHomeEePos, kDownQuat, kIkRotationWeight, nullptr);
  for (int i = 0; i < kArmJoints; ++i) home_joints_[i] = home[i];
  home_solved_ = true;

  if (options_.channels != CameraChannels::kNone) {
    renderer_ = std::make_unique<Renderer>(model_, options_.image_width, options_.image_height);
  }
  reset(suiteTasks(Suite::kGoal).front(), 0);
}

TabletopEnv::~TabletopEnv() {
  renderer_.reset();
  mj_deleteData(scratch_);
  mj_deleteData(data_);
  mj_deleteModel(original_);
  mj_deleteModel(model_);
}

void TabletopEnv::restoreVisuals() {
  const mjModel* o = original_;
  mjModel* m = model_;
  std::memcpy(m->cam_pos, o->cam_pos, sizeof(mjtNum) * 3 * m->ncam);
  std::memcpy(m->cam_quat, o->cam_quat, sizeof(mjtNum) * 4 * m->ncam);
  std::memcpy(m->cam_fovy, o->cam_fovy, sizeof(mjtNum) * m->ncam);
  std::memcpy(m->light_pos, o->light_pos, sizeof(mjtNum) * 3 * m->nlight);
  std::memcpy(m->light_dir, o->light_dir, sizeof(mjtNum) * 3 * m->nlight);
  std::memcpy(m->light_diffuse, o->light_diffuse, sizeof(float) * 3 * m->nlight);
  std::memcpy(m->light_ambient, o->light_ambient, sizeof(float) * 3 * m->nlight);
  std::memcpy(m->light_specular, o->light_specular, sizeof(float) * 3 * m->nlight);
  std::memcpy(m->light_castshadow, o->light_castshadow, sizeof(mjtByte) * m->nlight);
  std::memcpy(m->mat_rgba, o->mat_rgba, sizeof(float) * 4 * m->nmat);
  std::memcpy(m->mat_texid, o->mat_texid, sizeof(int) * m->nmat);
  std::memcpy(m->geom_rgba, o->geom_rgba, sizeof(float) * 4 * m->ngeom);
  std::memcpy(m->body_pos, o->body_pos, sizeof(mjtNum) * 3 * m->nbody);
  std::memcpy(m->geom_contype, o->geom_contype, sizeof(int) * m->ngeom);
  std::memcpy(m->geom_conaffinity, o->geom_conaffinity, sizeof(int) * m->ngeom);
  std::memcpy(m->vis.headlight.ambient, o->vis.headlight.ambient, sizeof(float) * 3);
  std::memcpy(m->vis.headlight.diffuse, o->vis.headlight.diffuse, sizeof(float) * 3);
}

void TabletopEnv::reset(const TaskSpec& task, std::uint64_t seed,
                        const PerturbationSpec& perturbation) {
  task_ = task;
  seed_ = seed;
  perturbation_ = perturbation;
  steps_ = 0;
  restoreVisuals();
  mj_resetData(model_, data_);

  const int cabinet = bodyId(kCabinetBody);
  model_->body_pos[3 * cabinet + 0] = task.cabinet ? task.cabinet_x_m : kParkedCabinetX;
  model_->body_pos[3 * cabinet + 1] = task.cabinet ? task.cabinet_y_m : kParkedCabinetY;

  // Visual dimensions, each from its own stream.
  using D = PerturbDimension;
  if (perturbation.level(D::kCamera) > 0) {
    auto rng = perturbRng(seed, D::kCamera);
    perturbCamera(model_, cameras_[0], perturbation.level(D::kCamera), rng);
  }
  if (perturbation.level(D::kLight) > 0) {
    auto rng = perturbRng(seed, D::kLight);
    perturbLights(model_, perturbation.level(D::kLight), rng);
  }
  if (perturbation.level(D::kBackground) > 0) {
    auto rng = perturbRng(seed, D::kBackground);
    perturbBackground(model_, perturbation.level(D::kBackground), rng);
  }
  instruction_ = task.instruction;
  if (perturbation.level(D::kLanguage) > 0) {
    auto rng = perturbRng(seed, D::kLanguage);
    instruction_ = perturbInstruction(task.instruction, perturbation.level(D::kLanguage), rng);
  }

  // Robot.
  std::array<double, kArmJoints> joints = home_joints_;
  if (perturbation.level(D::kRobotInit) > 0) {
    auto rng = perturbRng(seed, D::kRobotInit);
    joints = perturbRobotInit(joints, perturbation.level(D::kRobotInit), rng);
  }
  for (int i = 0; i < kArmJoints; ++i) {
    joints[i] = std::clamp(joints[i], joint_min_[i] + 0.02, joint_max_[i] - 0.02);
    data_->qpos[arm_qpos_[i]] = joints[i];
    data_->ctrl[arm_act_[i]] = joints[i];
  }
  for (int f = 0; f < 2; ++f) {
    data_->qpos[finger_qpos_[f]] = kGripperMaxOpeningM;
    data_->ctrl[finger_act_[f]] = kGripperMaxOpeningM;
  }

  // Objects.
  std::vector<Placement> placements = task.placements;
  if (perturbation.level(D::kLayout) > 0) {
    auto rng = perturbRng(seed, D::kLayout);
    placements = perturbLayout(task, perturbation.level(D::kLayout), rng);
  }
  placeObjects(placements, seed);
  mj_forward(model_, data_);
  std::vector<std::string> warnings;
  simulate(static_cast<int>(std::lround(kSettleTimeS / model_->opt.timestep)), &warnings);
  for (const auto& w : warnings) {
    spdlog::warn("sim: physics warning while settling {} (seed {}): {}", task.name, seed, w);
  }
  data_->time = 0.0;

  initial_positions_.clear();
  for (const auto& o : sceneObjects()) initial_positions_[o.name] = bodyPosition(o.name);
  initial_positions_[kDrawerBody] = bodyPosition(kDrawerBody);
}

void TabletopEnv::placeObjects(const std::vector<Placement>& placements, std::uint64_t seed) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  on_table_.clear();
  for (const auto& p : placements) {
    const auto& info = objectInfo(p.object);
    const int joint = mj_name2id(model_, mjOBJ_JOINT, (p.object + "_joint").c_str());
    const int adr = model_->jnt_qposadr[joint];
    const double dx = unit(rng) * p.jitter_m;
    const double dy = unit(rng) * p.jitter_m;
    data_->qpos[adr + 0] = p.x_m + dx;
    data_->qpos[adr + 1] = p.y_m + dy;
    data_->qpos[adr + 2] = info.origin_height_m + 0.001;
    const Eigen::Quaterniond q(Eigen::AngleAxisd(p.yaw_rad, Eigen::Vector3d::UnitZ()));
    data_->qpos[adr + 3] = q.w();
    data_->qpos[adr + 4] = q.x();
    data_->qpos[adr + 5] = q.y();
    data_->qpos[adr + 6] = q.z();
    on_table_.push_back(p.object);
  }
  // Parked objects float where the scene file puts them, with no contacts and their weight
  // carried by an applied force: they cost the solver nothing.
  mju_zero(data_->xfrc_applied, 6 * model_->nbody);
  for (const auto& o : sceneObjects()) {
    if (onTable(o.name)) continue;
    const int body = bodyId(o.name);
    for (int g = 0; g < model_->ngeom; ++g) {
      if (model_->geom_bodyid[g] == body) {
        model_->geom_contype[g] = 0;
        model_->geom_conaffinity[g] = 0;
      }
    }
    data_->xfrc_applied[6 * body + 2] = -model_->opt.gravity[2] * model_->body_mass[body];
  }
}

void TabletopEnv::simulate(int substeps, std::vector<std::string>* warnings) {
  for (int s = 0; s < substeps; ++s) {
    // Gravity and Coriolis compensation of the arm, from the last forward pass.
    for (int i = 0; i < kArmJoints; ++i) {
      data_->qfrc_applied[arm_dof_[i]] = data_->qfrc_bias[arm_dof_[i]];
    }
    mj_step(model_, data_);
    // Read and clear MuJoCo's warning counters after every step: on an unstable acceleration it
    // resets the whole of mjData, counters included, so a running total could hide a new one.
    for (int w = 0; w < mjNWARNING; ++w) {
      if (data_->warning[w].number == 0) continue;
      std::string text = mju_warningText(w, static_cast<std::size_t>(data_->warning[w].lastinfo));
      if (w == mjWARN_BADQPOS || w == mjWARN_BADQVEL || w == mjWARN_BADQACC) {
        text += " MuJoCo reset the physics state.";
      }
      data_->warning[w].number = 0;
      if (warnings != nullptr &&
          std::find(warnings->begin(), warnings->end(), text) == warnings->end()) {
        warnings->push_back(std::move(text));
      }
    }
  }
}

Eigen::Matrix<double, kArmJoints, 1> TabletopEnv::solveIk(const Eigen::Vector3d& target_pos,
                                                          const Eigen::Quaterniond& target_quat,
                                                          double rotation_weight,
                                                          double* position_error_m) {
  constexpr int kIterations = 20;
  constexpr double kDamping = 0.05;
  constexpr double kNullGain = 0.05;
  const double kRotationWeight = rotation_weight;
  mju_copy(scratch_->qpos, data_->qpos, model_->nq);
  Eigen::Matrix<double, kArmJoints, 1> q;
  for (int i = 0; i < kArmJoints; ++i) q[i] = scratch_->qpos[arm_qpos_[i]];
  std::vector<mjtNum> jacp(3 * model_->nv), jacr(3 * model_->nv);
  Eigen::Matrix<double, 6, kArmJoints> jac;
  for (int it = 0; it < kIterations; ++it) {
    for (int i = 0; i < kArmJoints; ++i) scratch_->qpos[arm_qpos_[i]] = q[i];
    mj_kinematics(model_, scratch_);
    mj_comPos(model_, scratch_);
    const Eigen::Vector3d pos(scratch_->site_xpos + 3 * grip_site_);
    Eigen::Matrix3d rot;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) rot(r, c) = scratch_->site_xmat[9 * grip_site_ + 3 * r + c];
    Eigen::Matrix<double, 6, 1> err;
    err.head<3>() = target_pos - pos;
    // Position first: near the edges of the reachable space the rotation gives way.
    err.tail<3>() = kRotationWeight *
                    quatToAxisAngle(target_quat * Eigen::Quaterniond(rot).inverse());
    if (position_error_m != nullptr) *position_error_m = err.head<3>().norm();
    if (err.norm() < 1e-5) break;
    mj_jacSite(model_, scratch_, jacp.data(), jacr.data(), grip_site_);
    for (int i = 0; i < kArmJoints; ++i) {
      for (int r = 0; r < 3; ++r) {
        jac(r, i) = jacp[r * model_->nv + arm_dof_[i]];
        jac(3 + r, i) = kRotationWeight * jacr[r * model_->nv + arm_dof_[i]];
      }
    }
    const Eigen::Matrix<double, 6, 6> jjt =
        jac * jac.transpose() + kDamping * kDamping * Eigen::Matrix<double, 6, 6>::Identity();
    const Eigen::Matrix<double, kArmJoints, 6> pinv =
        jac.transpose() * jjt.ldlt().solve(Eigen::Matrix<double, 6, 6>::Identity());
    Eigen::Matrix<double, kArmJoints, 1> posture;
    for (int i = 0; i < kArmJoints; ++i) posture[i] = home_joints_[i] - q[i];
    if (!home_solved_) posture.setZero();  // no posture to pull towards while solving it
    Eigen::Matrix<double, kArmJoints, 1> dq =
        pinv * err + (Eigen::Matrix<double, kArmJoints, kArmJoints>::Identity() - pinv * jac) *
                         (kNullGain * posture);
    const double norm = dq.cwiseAbs().maxCoeff();
    if (norm > 0.3) dq *= 0.3 / norm;
    q += dq;
    for (int i = 0; i < kArmJoints; ++i) {
      q[i] = std::clamp(q[i], joint_min_[i] + 0.01, joint_max_[i] - 0.01);
    }
  }
  return q;
}

void TabletopEnv::setArmTargets(const Eigen::Matrix<double, kArmJoints, 1>& q,
                                double gripper_action) {
  for (int i = 0; i < kArmJoints; ++i) data_->ctrl[arm_act_[i]] = q[i];
  const double opening = kGripperMaxOpeningM * (1.0 - gripper_action) * 0.5;
  for (int f = 0; f < 2; ++f) data_->ctrl[finger_act_[f]] = opening;
}

StepResult TabletopEnv::step(const Action& action) {
  StepResult result;
  for (int i = 0; i < kActionDim; ++i) {
    if (!std::isfinite(action[i])) {
      result.status = StepStatus::kRefused;
      result.error = "action component " + std::to_string(i) + " is " +
                     (std::isnan(action[i]) ? "NaN" : "infinite") + "; step refused";
      spdlog::error("sim: {}", result.error);
      result.step = steps_;
      result.success = success();
      result.done = result.success || steps_ >= task_.max_steps;
      return result;
    }
  }
  Action a = action;
  for (double& v : a) {
    if (v < -1.0 || v > 1.0) {
      ++result.clipped_components;
      v = std::clamp(v, -1.0, 1.0);
    }
  }
  if (result.clipped_components > 0) {
    if (clip_warnings_ % 100 == 0) {
      spdlog::warn("sim: action outside [-1, 1] clipped ({} components; {} clipped steps so far)",
                   result.clipped_components, clip_warnings_ + 1);
    }
    ++clip_warnings_;
  }

  // The target stays in the box, kTrackingMarginM inside it; when tracking error has carried the
  // tool past that, the target also makes up for the excess. A step that would ask a joint for more
  // than its speed limit is shortened (the excess correction is kept whole): the torque-limited
  // servos then keep up instead of carrying the tool centimetres past the box.
  const Eigen::Vector3d ee = eePosition();
  WorkspaceBox target_box = options_.workspace;
  target_box.min_m.head<2>().array() += kTrackingMarginM;
  target_box.max_m.array() -= kTrackingMarginM;
  const Eigen::Vector3d excess = ee - target_box.clamp(ee);
  const Eigen::Vector3d move_m = kActionPositionScaleM * Eigen::Vector3d(a[0], a[1], a[2]);
  const Eigen::Vector3d turn_rad = kActionRotationScaleRad * Eigen::Vector3d(a[3], a[4], a[5]);
  const Eigen::Quaterniond ee_quat = eeQuaternion();
  Eigen::Matrix<double, kArmJoints, 1> start;
  for (int i = 0; i < kArmJoints; ++i) start[i] = data_->qpos[arm_qpos_[i]];
  const auto solveStep = [&](double fraction) {
    const Eigen::Vector3d target_pos = target_box.clamp(ee + fraction * move_m) - excess;
    const Eigen::Quaterniond target_quat =
        (axisAngleToQuat(fraction * turn_rad) * ee_quat).normalized();
    double position_error_m = 0.0;
    Eigen::Matrix<double, kArmJoints, 1> q =
        solveIk(target_pos, target_quat, kIkRotationWeight, &position_error_m);
    if (position_error_m > kIkFallbackErrorM) {
      // Out of reach with that orientation (joint limits, full stretch): the position wins.
      q = solveIk(target_pos, target_quat, kIkFallbackRotationWeight, nullptr);
    }
    return q;
  };
  const auto speedRatio = [&](const Eigen::Matrix<double, kArmJoints, 1>& q) {
    double ratio = 1.0;
    for (int i = 0; i < kArmJoints; ++i) {
      ratio = std::max(ratio, std::abs(q[i] - start[i]) / (kJointSpeedLimits[i] * kControlDtS));
    }
    return ratio;
  };
  Eigen::Matrix<double, kArmJoints, 1> goal = solveStep(1.0);
  const double ratio = speedRatio(goal);
  if (ratio > 1.0) {
    goal = solveStep(1.0 / ratio);
    goal = start + (goal - start) / speedRatio(goal);  // the limit holds even if the IK went far
  }
  setArmTargets(goal, a[6]);
  // The servo set-points ramp from where the arm is to the goal over the first part of the
  // control period: smoother than a step (less overshoot at the workspace box), still quick.
  const int ramp = std::max(1, static_cast<int>(substeps_ * kRampFraction));
  for (int s = 1; s <= substeps_; ++s) {
    const double f = std::min(1.0, static_cast<double>(s) / ramp);
    for (int i = 0; i < kArmJoints; ++i) {
      data_->ctrl[arm_act_[i]] = start[i] + f * (goal[i] - start[i]);
    }
    simulate(1, &result.physics_warnings);
  }
  ++steps_;
  for (const auto& w : result.physics_warnings) {
    spdlog::warn("sim: physics warning at step {} of {} (seed {}): {}", steps_, task_.name, seed_, w);
  }
  result.step = steps_;
  result.success = success();
  result.done = result.success || steps_ >= task_.max_steps;
  return result;
}

bool TabletopEnv::success() const { return taskSucceeded(*this, task_); }

int TabletopEnv::bodyId(const std::string& body) const {
  const int id = mj_name2id(model_, mjOBJ_BODY, body.c_str());
  if (id < 0) throw std::out_of_range("no body '" + body + "' in the scene");
  return id;
}

Eigen::Vector3d TabletopEnv::bodyPosition(const std::string& body) const {
  return Eigen::Vector3d(data_->xpos + 3 * bodyId(body));
}

Eigen::Quaterniond TabletopEnv::bodyQuaternion(const std::string& body) const {
  const mjtNum* q = data_->xquat + 4 * bodyId(body);
  return Eigen::Quaterniond(q[0], q[1], q[2], q[3]);
}

Eigen::Vector3d TabletopEnv::initialBodyPosition(const std::string& body) const {
  const auto it = initial_positions_.find(body);
  if (it == initial_positions_.end()) throw std::out_of_range("no initial position of '" + body + "'");
  return it->second;
}

Eigen::Vector3d TabletopEnv::sitePosition(const std::string& site) const {
  const int id = mj_name2id(model_, mjOBJ_SITE, site.c_str());
  if (id < 0) throw std::out_of_range("no site '" + site + "' in the scene");
  return Eigen::Vector3d(data_->site_xpos + 3 * id);
}

Eigen::Vector3d TabletopEnv::eePosition() const {
  return Eigen::Vector3d(data_->site_xpos + 3 * grip_site_);
}

Eigen::Quaterniond TabletopEnv::eeQuaternion() const {
  Eigen::Matrix3d rot;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) rot(r, c) = data_->site_xmat[9 * grip_site_ + 3 * r + c];
  return Eigen::Quaterniond(rot).normalized();
}

double TabletopEnv::gripperOpening_m() const {
  return data_->qpos[finger_qpos_[0]] + data_->qpos[finger_qpos_[1]];
}

double TabletopEnv::drawerOpening_m() const { return data_->qpos[drawer_qpos_]; }

bool TabletopEnv::inContact(const std::string& body_a, const std::string& body_b) const {
  const int a = bodyId(body_a);
  const int b = bodyId(body_b);
  for (int i = 0; i < data_->ncon; ++i) {
    const int ba = model_->body_rootid[model_->geom_bodyid[data_->contact[i].geom1]];
    const int bb = model_->body_rootid[model_->geom_bodyid[data_->contact[i].geom2]];
    const int ga = model_->geom_bodyid[data_->contact[i].geom1];
    const int gb = model_->geom_bodyid[data_->contact[i].geom2];
    if (((ba == a || ga == a) && (bb == b || gb == b)) ||
        ((ba == b || ga == b) && (bb == a || gb == a))) {
      if (data_->contact[i].dist < 0.002) return true;
    }
  }
  return false;
}

bool TabletopEnv::onTable(const std::string& object) const {
  return std::find(on_table_.begin(), on_table_.end(), object) != on_table_.end();
}

std::vector<double> TabletopEnv::physicsState() const {
  std::vector<double> state;
  state.reserve(1 + model_->nq + model_->nv + model_->na + model_->nu);
  state.push_back(data_->time);
  state.insert(state.end(), data_->qpos, data_->qpos + model_->nq);
  state.insert(state.end(), data_->qvel, data_->qvel + model_->nv);
  state.insert(state.end(), data_->act, data_->act + model_->na);
  state.insert(state.end(), data_->ctrl, data_->ctrl + model_->nu);
  return state;
}

int TabletopEnv::segmentId(const std::string& name) const {
  const auto it = std::find(segment_names_.begin(), segment_names_.end(), name);
  return it == segment_names_.end() ? -1 : static_cast<int>(it - segment_names_.begin());
}

CameraFrame TabletopEnv::cameraGeometry(const std::string& camera) const {
  const int id = mj_name2id(model_, mjOBJ_CAMERA, camera.c_str());
  if (id < 0) throw std::out_of_range("no camera '" + camera + "' in the scene");
  CameraFrame frame;
  frame.name = camera;
  auto& k = frame.intrinsics;
  k.width = options_.image_width;
  k.height = options_.image_height;
  k.fovy_deg = model_->cam_fovy[id];
  k.fy = 0.5 * k.height / std::tan(0.5 * k.fovy_deg * M_PI / 180.0);
  k.fx = k.fy;
  k.cx = 0.5 * (k.width - 1);
  k.cy = 0.5 * (k.height - 1);
  // MuJoCo's camera looks along -z with y up; OpenCV's along +z with y down.
  Eigen::Matrix3d rot;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) rot(r, c) = data_->cam_xmat[9 * id + 3 * r + c];
  frame.T_base_camera.linear() = rot * Eigen::Vector3d(1, -1, -1).asDiagonal();
  frame.T_base_camera.translation() = Eigen::Vector3d(data_->cam_xpos + 3 * id);
  return frame;
}

void TabletopEnv::renderCamera(int camera_id, CameraFrame& frame) {
  auto& r = *renderer_;
  const int w = options_.image_width;
  const int h = options_.image_height;
  const mjrRect viewport = {0, 0, w, h};
  r.camera.type = mjCAMERA_FIXED;
  r.camera.fixedcamid = camera_id;
  const bool full = options_.quality == RenderQuality::kFull;
  const bool shadows = full || perturbation_.level(PerturbDimension::kLight) >= 2;
  mjv_updateScene(model_, data_, &r.option, nullptr, &r.camera, mjCAT_ALL, &r.scene);
  r.scene.flags[mjRND_SHADOW] = shadows ? 1 : 0;
  r.scene.flags[mjRND_REFLECTION] = full ? 1 : 0;
  r.scene.flags[mjRND_SKYBOX] = 0;
  r.scene.flags[mjRND_SEGMENT] = 0;
  r.scene.flags[mjRND_IDCOLOR] = 0;
  mjr_render(viewport, &r.scene, &r.context);
  const bool want_depth = options_.channels != CameraChannels::kRgb;
  mjr_readPixels(r.rgb.data(), want_depth ? r.depth.data() : nullptr, viewport, &r.context);

  // Rows come bottom-up from OpenGL: flip into an upright image.
  frame.rgb.create(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y) {
    std::memcpy(frame.rgb.ptr(y), r.rgb.data() + static_cast<std::size_t>(h - 1 - y) * w * 3,
                static_cast<std::size_t>(w) * 3);
  }
  if (want_depth) {
    const double extent = model_->stat.extent;
    const double znear = model_->vis.map.znear * extent;
    const double zfar = model_->vis.map.zfar * extent;
    frame.depth_m.create(h, w, CV_32FC1);
    for (int y = 0; y < h; ++y) {
      const float* src = r.depth.data() + static_cast<std::size_t>(h - 1 - y) * w;
      auto* dst = frame.depth_m.ptr<float>(y);
      for (int x = 0; x < w; ++x) {
        dst[x] = static_cast<float>(znear / (1.0 - src[x] * (1.0 - znear / zfar)));
      }
    }
  }
  if (options_.channels == CameraChannels::kRgbDepthSegmentation) {
    r.scene.flags[mjRND_SHADOW] = 0;
    r.scene.flags[mjRND_REFLECTION] = 0;
    r.scene.flags[mjRND_SEGMENT] = 1;
    r.scene.flags[mjRND_IDCOLOR] = 1;
    mjr_render(viewport, &r.scene, &r.context);
    mjr_readPixels(r.rgb.data(), nullptr, viewport, &r.context);
    frame.segmentation.create(h, w, CV_32SC1);
    for (int y = 0; y < h; ++y) {
      const unsigned char* src = r.rgb.data() + static_cast<std::size_t>(h - 1 - y) * w * 3;
      auto* dst = frame.segmentation.ptr<int>(y);
      for (int x = 0; x < w; ++x) {
        const int segid = src[3 * x] + (src[3 * x + 1] << 8) + (src[3 * x + 2] << 16) - 1;
        int label = 0;
        if (segid >= 0 && segid < r.scene.ngeom) {
          const mjvGeom& g = r.scene.geoms[segid];
          if (g.objtype == mjOBJ_GEOM && g.objid >= 0 && g.objid < model_->ngeom) {
            label = geom_segment_[g.objid];
          }
        }
        dst[x] = label;
      }
    }
  }
}

Observation TabletopEnv::observe() {
  Observation obs;
  obs.ee_pos_m = eePosition();
  obs.ee_quat = eeQuaternion();
  obs.ee_axis_angle = quatToAxisAngle(obs.ee_quat);
  obs.gripper_qpos_m = {data_->qpos[finger_qpos_[0]], data_->qpos[finger_qpos_[1]]};
  for (int i = 0; i < kArmJoints; ++i) {
    obs.joint_pos_rad[i] = data_->qpos[arm_qpos_[i]];
    obs.joint_vel_rad_s[i] = data_->qvel[arm_dof_[i]];
  }
  for (int i = 0; i < 3; ++i) {
    obs.proprio[i] = obs.ee_pos_m[i];
    obs.proprio[3 + i] = obs.ee_axis_angle[i];
  }
  obs.proprio[6] = obs.gripper_qpos_m[0];
  obs.proprio[7] = obs.gripper_qpos_m[1];
  if (!renderer_) return obs;

  renderer_->gl.makeCurrent();
  const int noise_level = perturbation_.level(PerturbDimension::kNoise);
  for (std::size_t c = 0; c < cameras_.size(); ++c) {
    CameraFrame frame = cameraGeometry(kCameraNames[c]);
    renderCamera(cameras_[c], frame);
    if (noise_level > 0) {
      // Seeded by episode, step and camera: the same run gives the same noise.
      auto rng = perturbRng(seed_ * 1000003ULL + static_cast<std::uint64_t>(steps_) * 2 + c,
                            PerturbDimension::kNoise);
      perturbSensor(frame.rgb, frame.depth_m, noise_level, rng);
    }
    obs.cameras.push_back(std::move(frame));
  }
  renderer_->gl.doneCurrent();
  return obs;
}

}  // namespace thinkvla::core::sim
