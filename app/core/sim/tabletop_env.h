// TabletopEnv: the built-in MuJoCo tabletop world as a LIBERO-style environment. reset() lays out a
// task (seeded), step() takes one 7-D action at 20 Hz (delta end-effector position, delta
// axis-angle rotation, gripper -1 open / +1 close), turns it into joint targets with a
// damped-least-squares inverse kinematics on MuJoCo's Jacobians (workspace box, joint limits and
// joint speed limits respected) and integrates the physics; observe() returns the proprioception
// and, from both cameras, upright RGB, depth in metres and segmentation with the intrinsics and
// extrinsics.
//
// Ownership: the environment owns its mjModel, mjData and, when it renders, an offscreen OpenGL
// context (GLX under an X server or Xvfb, EGL without one: core/offscreen_gl.h).
// Threads: not thread-safe. One thread at a time may use an instance; rendering makes the
// instance's GL context current on the calling thread. Different instances may live on different
// threads.
// Determinism: the same task, seed, perturbation and actions give bit-identical physics states and
// images (MuJoCo is deterministic; nothing here reads clocks or global random state).
#pragma once

#include <mujoco/mujoco.h>

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/sim/perturbation.h"
#include "core/sim/tasks.h"

namespace thinkvla::core::sim {

inline constexpr int kArmJoints = 7;
inline constexpr int kActionDim = 7;
using Action = std::array<double, kActionDim>;
inline constexpr int kGripperIndex = 6;  // of an Action: -1 open .. +1 close

// Scales of a unit action (robosuite's OSC_POSE limits, which LIBERO uses).
inline constexpr double kActionPositionScaleM = 0.05;
inline constexpr double kActionRotationScaleRad = 0.5;
inline constexpr double kControlDtS = 0.05;  // 20 Hz
inline constexpr double kGripperMaxOpeningM = 0.04;  // per finger

// The end-effector (grip site) stays in this box of the base frame.
struct WorkspaceBox {
  Eigen::Vector3d min_m{0.30, -0.40, 0.012};
  Eigen::Vector3d max_m{0.80, 0.40, 0.50};
  bool contains(const Eigen::Vector3d& p, double margin_m = 0.0) const;
  Eigen::Vector3d clamp(const Eigen::Vector3d& p) const;
};

enum class CameraChannels { kNone, kRgb, kRgbDepth, kRgbDepthSegmentation };
enum class RenderQuality { kFast, kFull };  // kFull: shadows and reflections on

struct EnvOptions {
  std::filesystem::path scene_file;  // empty: resources/scenes/tabletop.xml (resource_paths.h)
  int image_width = 128;
  int image_height = 128;
  CameraChannels channels = CameraChannels::kRgbDepth;
  RenderQuality quality = RenderQuality::kFast;
  WorkspaceBox workspace;
};

struct CameraIntrinsics {
  int width = 0;
  int height = 0;
  double fx = 0, fy = 0, cx = 0, cy = 0;  // pixels, OpenCV convention (pixel centres integer)
  double fovy_deg = 0;
  cv::Matx33d matrix() const { return {fx, 0, cx, 0, fy, cy, 0, 0, 1}; }
};

struct CameraFrame {
  std::string name;        // "agentview" or "wrist"
  cv::Mat rgb;             // CV_8UC3, RGB channel order, upright (row 0 is the top)
  cv::Mat depth_m;         // CV_32FC1, depth along the optical axis in metres; empty if not asked
  cv::Mat segmentation;    // CV_32SC1, segment ids (TabletopEnv::segmentNames()); empty if not asked
  CameraIntrinsics intrinsics;
  // Pose of the camera in the base frame, OpenCV axes (x right, y down, z forward).
  Eigen::Isometry3d T_base_camera = Eigen::Isometry3d::Identity();
};

// Camera-frame XYZ per pixel (CV_32FC3, metres) from a frame's depth and intrinsics.
cv::Mat pointMap(const CameraFrame& frame);

struct Observation {
  Eigen::Vector3d ee_pos_m = Eigen::Vector3d::Zero();
  Eigen::Quaterniond ee_quat = Eigen::Quaterniond::Identity();
  Eigen::Vector3d ee_axis_angle = Eigen::Vector3d::Zero();
  Eigen::Vector2d gripper_qpos_m = Eigen::Vector2d::Zero();  // both fingers, 0 closed .. 0.04 open
  Eigen::Matrix<double, kArmJoints, 1> joint_pos_rad = Eigen::Matrix<double, kArmJoints, 1>::Zero();
  Eigen::Matrix<double, kArmJoints, 1> joint_vel_rad_s = Eigen::Matrix<double, kArmJoints, 1>::Zero();
  // LIBERO's 8-D state: ee position (3), ee axis-angle (3), finger positions (2).
  std::array<double, 8> proprio{};
  std::vector<CameraFrame> cameras;  // agentview then wrist; empty when rendering is off
};

enum class StepStatus { kOk, kRefused };

struct StepResult {
  StepStatus status = StepStatus::kOk;
  std::string error;          // why a step was refused (NaN or infinite action component)
  int clipped_components = 0; // action components outside [-1, 1] that were clipped
  // MuJoCo's warnings raised during this step, in its words (e.g. "Nan, Inf or huge value in
  // QACC at DOF 3. The simulation is unstable."). MuJoCo resets the physics on an unstable
  // acceleration, so a non-empty list means the episode's state jumped.
  std::vector<std::string> physics_warnings;
  bool success = false;       // the task's goals hold after this step
  bool done = false;          // success or the suite's step limit reached
  int step = 0;               // control steps taken in this episode
};

class TabletopEnv {
 public:
  // Loads the scene and, unless options.channels is kNone, makes the offscreen GL context.
  // Throws std::runtime_error naming the scene file or the GL failure.
  explicit TabletopEnv(EnvOptions options = {});
  ~TabletopEnv();
  TabletopEnv(const TabletopEnv&) = delete;
  TabletopEnv& operator=(const TabletopEnv&) = delete;

  void reset(const TaskSpec& task, std::uint64_t seed, const PerturbationSpec& perturbation = {});
  // One control step (kControlDtS of physics). Components outside [-1, 1] are clipped and logged;
  // an action with a NaN or infinite component is refused (status kRefused, state unchanged).
  StepResult step(const Action& action);
  Observation observe();

  const TaskSpec& task() const { return task_; }
  const std::string& instruction() const { return instruction_; }  // after language perturbation
  std::uint64_t seed() const { return seed_; }
  const PerturbationSpec& perturbation() const { return perturbation_; }
  int stepCount() const { return steps_; }
  bool success() const;
  const EnvOptions& options() const { return options_; }

  // Physics-state queries (base frame), for predicates, experts and QA.
  Eigen::Vector3d bodyPosition(const std::string& body) const;
  Eigen::Quaterniond bodyQuaternion(const std::string& body) const;
  Eigen::Vector3d initialBodyPosition(const std::string& body) const;  // at the end of reset()
  Eigen::Vector3d sitePosition(const std::string& site) const;
  Eigen::Vector3d eePosition() const;
  Eigen::Quaterniond eeQuaternion() const;
  double gripperOpening_m() const;  // sum of both fingers
  double drawerOpening_m() const;
  bool inContact(const std::string& body_a, const std::string& body_b) const;
  bool onTable(const std::string& object) const;  // placed by the current task or perturbation
  const std::vector<std::string>& objectsOnTable() const { return on_table_; }
  const std::array<double, kArmJoints>& homeJoints() const { return home_joints_; }

  // Full physics state (time, qpos, qvel, act, ctrl): equal vectors mean equal states.
  std::vector<double> physicsState() const;
  // Segment id -> name: 0 "background", then the table, the robot, the cabinet and each object.
  const std::vector<std::string>& segmentNames() const { return segment_names_; }
  int segmentId(const std::string& name) const;  // -1 if unknown
  // Intrinsics and extrinsics of a camera ("agentview", "wrist") without rendering.
  CameraFrame cameraGeometry(const std::string& camera) const;

  const mjModel* model() const { return model_; }
  const mjData* data() const { return data_; }

 private:
  struct Renderer;
  int bodyId(const std::string& body) const;
  void placeObjects(const std::vector<Placement>& placements, std::uint64_t seed);
  void restoreVisuals();
  // Damped least squares on the grip site's Jacobian, rotation error weighted by
  // rotation_weight; starts from the current joints, respects the joint limits.
  Eigen::Matrix<double, kArmJoints, 1> solveIk(const Eigen::Vector3d& target_pos,
                                               const Eigen::Quaterniond& target_quat,
                                               double rotation_weight, double* position_error_m);
  void setArmTargets(const Eigen::Matrix<double, kArmJoints, 1>& q, double gripper_action);
  // Steps the physics; MuJoCo's warnings raised meanwhile are added to *warnings (once each).
  void simulate(int substeps, std::vector<std::string>* warnings = nullptr);
  void renderCamera(int camera_id, CameraFrame& frame);

  EnvOptions options_;
  mjModel* model_ = nullptr;
  mjModel* original_ = nullptr;  // unperturbed copy: visuals are restored from it at each reset
  mjData* data_ = nullptr;
  mjData* scratch_ = nullptr;  // inverse kinematics
  std::unique_ptr<Renderer> renderer_;

  std::array<int, kArmJoints> arm_qpos_{};
  std::array<int, kArmJoints> arm_dof_{};
  std::array<int, kArmJoints> arm_act_{};
  std::array<double, kArmJoints> home_joints_{};
  bool home_solved_ = false;
  std::array<double, kArmJoints> joint_min_{}, joint_max_{};
  int finger_qpos_[2] = {0, 0};
  int finger_act_[2] = {0, 0};
  int grip_site_ = -1;
  int drawer_qpos_ = -1;
  int substeps_ = 25;
  std::vector<int> cameras_;  // agentview, wrist
  std::vector<int> geom_segment_;
  std::vector<std::string> segment_names_;

  TaskSpec task_;
  std::string instruction_;
  std::uint64_t seed_ = 0;
  PerturbationSpec perturbation_;
  int steps_ = 0;
  long clip_warnings_ = 0;
  std::vector<std::string> on_table_;
  std::map<std::string, Eigen::Vector3d> initial_positions_;
};

}  // namespace thinkvla::core::sim
