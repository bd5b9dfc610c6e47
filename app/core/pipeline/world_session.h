// WorldSession: the built-in MuJoCo world as a live source and as a robot. Each control tick
// (driven by a ControlLoop through RobotInterface) steps the environment with the action, renders
// both cameras and publishes them as a FrameSet (RGB and depth, upright) for the inference worker
// and the camera views, and publishes the world's state (step, success, geometry poses, end
// effector, camera calibrations, the target's true position) for the 3D view.
//
// Ownership: the session owns its TabletopEnv (and so its offscreen GL context). Threads: make it on
// the GUI thread (GLFW windows are made there); afterwards every call except the slots' readers
// comes from one thread at a time: the control loop's while it runs, the owner's while it is
// stopped. The slots may be read from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/pipeline/latest_slot.h"
#include "core/sim/scene_geometry.h"
#include "core/sim/tabletop_env.h"
#include "core/sources/frame.h"
#include "core/teleop/control_loop.h"
#include "model/gripper_progress.h"

namespace thinkvla::core {

struct CameraGeometry {
  std::string name;
  cv::Matx33d camera_matrix;
  cv::Matx44d T_base_camera;  // OpenCV axes
  cv::Size image_size;
};

struct WorldState {
  int step = 0;
  bool success = false;
  bool done = false;
  std::string task_name;
  std::string instruction;               // what the policy is told (perturbed or typed by the user)
  std::string task_instruction;          // the task's own instruction
  std::vector<cv::Matx44d> shape_poses;  // same order as WorldSession::shapes()
  cv::Vec3d ee_position_m;
  std::vector<float> proprio;            // LIBERO's 8-D state
  int gripper_releases = 0;              // so far this episode (model/gripper_progress.h)
  std::vector<CameraGeometry> cameras;
  std::vector<cv::Vec3d> target_positions_m;  // objects the task's goals are about
};

class WorldSession : public RobotInterface {
 public:
  WorldSession(sim::EnvOptions options, std::shared_ptr<LatestSlot<FrameSet>> frames);

  // Lays out a task; publishes the first frames and state. Throws std::out_of_range for an
  // unknown suite/task index.
  void reset(sim::Suite suite, int task_index, std::uint64_t seed,
             const sim::PerturbationSpec& perturbation = {});
  void setInstruction(const std::string& instruction) { instruction_override_ = instruction; }

  cv::Vec3d endEffectorPosition() override;
  cv::Matx33d endEffectorRotation() override;
  void applyAction(const Action7& normalized_action) override;

  const std::vector<sim::GeomShape>& shapes() const { return shapes_; }
  LatestSlot<WorldState>& state() { return state_; }
  // The same frames as the shared slot given at construction, for a second consumer (the GUI):
  // the inference worker takes from one, the camera views from the other.
  LatestSlot<FrameSet>& displayFrames() { return display_frames_; }
  sim::TabletopEnv& env() { return env_; }
  std::string instruction() const;
  // The task's own instruction, before a language perturbation or an override.
  const std::string& taskInstruction() const { return env_.task().instruction; }
  // The observation published last (after the last reset or action), images shared with the
  // published frames: what a recorder stores as the state before the next action. Same thread
  // rule as the other calls (the control loop's thread while it runs).
  const sim::Observation& lastObservation() const { return last_observation_; }

 private:
  void publish();

  sim::TabletopEnv env_;
  std::shared_ptr<LatestSlot<FrameSet>> frames_;
  LatestSlot<WorldState> state_;
  LatestSlot<FrameSet> display_frames_;
  std::vector<sim::GeomShape> shapes_;
  std::string instruction_override_;
  sim::Observation last_observation_;
  model::GripperReleaseCounter releases_;
  std::uint64_t sequence_ = 0;
  bool done_ = false;
};

}  // namespace thinkvla::core
