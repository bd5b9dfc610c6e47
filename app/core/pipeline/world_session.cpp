#include "core/pipeline/world_session.h"

#include <spdlog/spdlog.h>

#include <set>

namespace thinkvla::core {

WorldSession::WorldSession(sim::EnvOptions options, std::shared_ptr<LatestSlot<FrameSet>> frames)
    : env_(std::move(options)), frames_(std::move(frames)), shapes_(sim::sceneShapes(env_.model())) {}

void WorldSession::reset(sim::Suite suite, int task_index, std::uint64_t seed,
                         const sim::PerturbationSpec& perturbation) {
  env_.reset(sim::task(suite, task_index), seed, perturbation);
  instruction_override_.clear();
  releases_.reset();
  done_ = false;
  spdlog::info("world: task '{}' seed {}: {}", env_.task().name, seed, env_.instruction());
  publish();
}

std::string WorldSession::instruction() const {
  return instruction_override_.empty() ? env_.instruction() : instruction_override_;
}

cv::Vec3d WorldSession::endEffectorPosition() {
  const Eigen::Vector3d p = env_.eePosition();
  return {p.x(), p.y(), p.z()};
}

cv::Matx33d WorldSession::endEffectorRotation() {
  const Eigen::Matrix3d R = env_.eeQuaternion().toRotationMatrix();
  return {R(0, 0), R(0, 1), R(0, 2), R(1, 0), R(1, 1), R(1, 2), R(2, 0), R(2, 1), R(2, 2)};
}

void WorldSession::applyAction(const Action7& a) {
  sim::Action action;
  for (int i = 0; i < sim::kActionDim; ++i) action[static_cast<std::size_t>(i)] = a[i];
  releases_.observe(action[sim::kGripperIndex], env_.gripperOpening_m());
  const auto result = env_.step(action);
  if (result.status == sim::StepStatus::kRefused) spdlog::error("world: {}", result.error);
  if (result.done && !done_) {
    spdlog::info("world: episode ended at step {}: {}", result.step,
                 result.success ? "success" : "step limit reached");
  }
  done_ = result.done;
  publish();
}

void WorldSession::publish() {
  const sim::Observation obs = env_.observe();
  FrameSet frames;
  frames.sequence = sequence_++;
  frames.captured_at = std::chrono::steady_clock::now();
  frames.source_time_s = env_.stepCount() * sim::kControlDtS;
  WorldState state;
  for (const auto& cam : obs.cameras) {
    CameraFrame view;
    view.camera = cam.name;
    view.rgb = cam.rgb;
    view.depth_m = cam.depth_m;
    frames.views.push_back(std::move(view));
    CameraGeometry g;
    g.name = cam.name;
    g.camera_matrix = cam.intrinsics.matrix();
    const Eigen::Matrix4d T = cam.T_base_camera.matrix();
    for (int r = 0; r < 4; ++r) {
      for (int c = 0; c < 4; ++c) g.T_base_camera(r, c) = T(r, c);
    }
    g.image_size = cv::Size(cam.intrinsics.width, cam.intrinsics.height);
    state.cameras.push_back(g);
  }
  state.step = env_.stepCount();
  state.success = env_.success();
  state.done = done_;
  state.task_name = env_.task().name;
  state.instruction = instruction();
  state.task_instruction = taskInstruction();
  state.shape_poses = sim::shapePoses(env_.data(), shapes_);
  state.ee_position_m = endEffectorPosition();
  state.proprio.assign(obs.proprio.begin(), obs.proprio.end());
  state.gripper_releases = releases_.releases();
  std::set<std::string> targets;
  for (const auto& goal : env_.task().goals) {
    for (const auto& name : {goal.object, goal.target}) {
      if (!name.empty() && env_.onTable(name)) targets.insert(name);
    }
  }
  for (const auto& name : targets) {
    const Eigen::Vector3d p = env_.bodyPosition(name);
    state.target_positions_m.emplace_back(p.x(), p.y(), p.z());
  }
  last_observation_ = obs;
  state_.publish(std::move(state));
  display_frames_.publish(frames);
  frames_->publish(std::move(frames));
}

}  // namespace thinkvla::core
