#include "core/pipeline/world_policy_runner.h"

#include <stdexcept>

namespace thinkvla::core {

SafetyLimits worldSafetyLimits(const sim::TabletopEnv& env) {
  SafetyLimits limits;
  limits.metres_per_unit = sim::kActionPositionScaleM;
  limits.radians_per_unit = sim::kActionRotationScaleRad;
  const auto& box = env.options().workspace;
  limits.workspace_min_m = {box.min_m.x(), box.min_m.y(), box.min_m.z()};
  limits.workspace_max_m = {box.max_m.x(), box.max_m.y(), box.max_m.z()};
  limits.max_translation_per_tick_m = sim::kActionPositionScaleM;
  return limits;
}

void checkPolicyFitsWorld(const model::PolicyConfig& config, const std::string& source) {
  if (config.num_views != 2) {
    throw std::invalid_argument(source + ": the policy takes " + std::to_string(config.num_views) +
                                " camera views; the built-in world has 2 (agent view, wrist)");
  }
  if (config.action_dim != sim::kActionDim || config.proprio_dim != 8) {
    throw std::invalid_argument(source + ": action_dim " + std::to_string(config.action_dim) +
                                " / proprio_dim " + std::to_string(config.proprio_dim) +
                                " do not fit the world (7 / 8)");
  }
}

WorldPolicyRunner::WorldPolicyRunner(model::Policy policy,
                                     std::shared_ptr<LatestSlot<FrameSet>> frames,
                                     ControlLoop& loop, int execute_steps,
                                     std::optional<double> ensemble_decay)
    : frames_(std::move(frames)), loop_(loop) {
  const int chunk = policy.config().chunk_size;
  worker_ = std::make_shared<InferenceWorker>(std::move(policy), frames_);
  executor_ = std::make_shared<ChunkExecutor>(
      worker_->results(), execute_steps > 0 ? execute_steps : chunk, ensemble_decay);
}

WorldPolicyRunner::~WorldPolicyRunner() { stop(); }

void WorldPolicyRunner::setResultCallback(std::function<void(const InferenceResult&)> callback) {
  worker_->setResultCallback(std::move(callback));
}

void WorldPolicyRunner::start(const std::string& instruction) {
  if (running_) return;
  // Shared, not borrowed: a publish in flight during stop() still finds the worker.
  frames_->setNotify([worker = worker_] { worker->notifyFrame(); });
  worker_->setInstruction(instruction);
  // The callback shares the executor and the worker (whose result slot the executor reads).
  loop_.setPolicy([executor = executor_, keep = worker_] {
    (void)keep;
    return executor->next();
  });
  loop_.setMode(ControlMode::kPolicy);
  worker_->start();
  running_ = true;
}

void WorldPolicyRunner::stop() {
  if (!running_) return;
  loop_.setPolicy(nullptr);
  frames_->setNotify(nullptr);
  worker_->stop();
  running_ = false;
}

void WorldPolicyRunner::syncInputs(const WorldState& state) {
  worker_->setInstruction(state.instruction);
  worker_->setNormStatsTask(state.task_instruction);
  worker_->setProprio(state.proprio);
  worker_->setGripperReleases(state.gripper_releases);
}

void WorldPolicyRunner::resetEpisode() { executor_->reset(); }

}  // namespace thinkvla::core
