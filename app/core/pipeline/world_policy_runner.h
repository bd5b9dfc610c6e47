// WorldPolicyRunner: the policy side of the built-in world, wired as the studio's world controller
// wires it: the world's frame slot wakes an InferenceWorker (latest-frame semantics), whose results
// feed a ChunkExecutor, which the ControlLoop calls in policy mode at its fixed rate (20 Hz). The
// runner does not own the world or the loop; WorldPolicyEpisode (world_policy_episode.h) owns all
// of it for the command line and the benchmarks, and the studio keeps its own world and loop
// (human, policy and shared modes) and can hand the policy part to this class.
//
// Also here: the safety limits that fit the world, and the check that a policy can drive it.
//
// Ownership: the runner owns its worker and executor; the ControlLoop's policy callback shares
// them, so a tick in progress while stop() runs still finds them alive. The frame slot is shared
// with the world session. Threads: construct, start(), stop(), resetEpisode() from the owner's
// thread (resetEpisode() with the loop stopped); syncInputs() from any thread; the result
// callback runs on the inference thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/pipeline/chunk_executor.h"
#include "core/pipeline/inference_worker.h"
#include "core/pipeline/world_session.h"
#include "core/teleop/control_loop.h"
#include "core/teleop/safety_filter.h"
#include "model/policy.h"

namespace thinkvla::core {

// The world's action scale and workspace box as safety limits (what the studio sets up).
SafetyLimits worldSafetyLimits(const sim::TabletopEnv& env);

// Throws std::invalid_argument naming `source` when the policy cannot drive the world: it must
// take the world's two cameras, give 7-D actions and take the 8-D robot state.
void checkPolicyFitsWorld(const model::PolicyConfig& config, const std::string& source);

class WorldPolicyRunner {
 public:
  // `execute_steps`: actions of each chunk executed open loop; 0: the whole chunk (K). With an
  // `ensemble_decay`: temporal ensembling, re-planning every `execute_steps` (ChunkExecutor).
  // Throws std::invalid_argument for a negative or non-finite decay.
  WorldPolicyRunner(model::Policy policy, std::shared_ptr<LatestSlot<FrameSet>> frames,
                    ControlLoop& loop, int execute_steps = 0,
                    std::optional<double> ensemble_decay = std::nullopt);
  ~WorldPolicyRunner();
  WorldPolicyRunner(const WorldPolicyRunner&) = delete;
  WorldPolicyRunner& operator=(const WorldPolicyRunner&) = delete;

  void setIntrospection(bool on) { worker_->setIntrospection(on); }
  void setResultCallback(std::function<void(const InferenceResult&)> callback);  // before start()

  // Points the frame slot's notify at the worker, gives the loop the chunk executor, switches it
  // to policy mode and starts the worker.
  void start(const std::string& instruction);
  // Takes the policy away from the loop (it holds still in policy mode) and stops the worker.
  void stop();
  // The instruction and the robot state from the world (call whenever the world publishes).
  void syncInputs(const WorldState& state);
  void resetEpisode();  // a new episode: drop the chunk being executed (loop stopped)

  InferenceWorker& worker() { return *worker_; }
  const ChunkExecutor& executor() const { return *executor_; }

 private:
  std::shared_ptr<LatestSlot<FrameSet>> frames_;
  ControlLoop& loop_;
  std::shared_ptr<InferenceWorker> worker_;
  std::shared_ptr<ChunkExecutor> executor_;
  bool running_ = false;
};

}  // namespace thinkvla::core
