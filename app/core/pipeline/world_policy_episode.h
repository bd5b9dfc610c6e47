// WorldPolicyEpisode: one closed-loop episode of a policy in the built-in world without a screen
// (`thinkvla infer --source sim:...`, the live benchmark). It owns a WorldSession, a SafetyFilter
// with the world's limits, a ControlLoop in policy mode (20 Hz, its own thread) and a
// WorldPolicyRunner (inference thread, chunk executor): the studio's wiring. The episode ends at
// the task's success, at its step limit (the task's and its suite's, as `thinkvla eval`), or
// after `max_steps` control steps.
//
// Every inference result is handed to a callback together with the world at the frame it was
// computed from (step, success, end-effector position): the session publishes its state just
// before the frames, and the episode records it by step. Results for frames after the end are not
// passed on.
//
// Ownership: the episode owns everything above; its offscreen GL context needs an X display
// (Xvfb headless). Threads: construct, start(), wait(), stop() from one owning thread; the result
// callback runs on the inference thread (queue there; do not block for long).
// Errors: the constructor throws std::invalid_argument for a policy that does not fit the world
// or an unknown task, std::runtime_error when the world cannot be made (no display, no GL).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/pipeline/world_policy_runner.h"
#include "core/pipeline/world_session.h"
#include "core/sim/perturbation.h"
#include "core/sim/tasks.h"

namespace thinkvla::core {

// "sim:SUITE/TASK[@SEED]": a suite name (spatial, object, goal, long, or LIBERO's), a task index
// or name within it, an optional seed (default 0).
struct WorldSpec {
  sim::Suite suite = sim::Suite::kSpatial;
  int task_index = 0;
  std::uint64_t seed = 0;
};
bool isWorldSpec(const std::string& spec);  // starts with "sim:"
// Throws std::invalid_argument naming the spec and the part at fault.
WorldSpec parseWorldSpec(const std::string& spec);

struct WorldAtFrame {
  int step = 0;
  bool success = false;
  cv::Vec3d ee_position_m;
};

class WorldPolicyEpisode {
 public:
  struct Options {
    WorldSpec world;
    sim::PerturbationSpec perturbation;
    std::string instruction;  // empty: the task's (after any language perturbation)
    int image_size = 128;     // rendered camera side in pixels
    bool depth = false;       // render depth too (the studio does)
    bool introspection = false;
    int execute_steps = 0;  // 0: the whole chunk
    // Temporal ensembling's decay (re-plan every execute_steps); empty: whole chunks open loop.
    std::optional<double> ensemble_decay;
    int max_steps = 0;      // 0: the task's step limit
  };
  struct Outcome {
    bool success = false;
    int steps = 0;       // control steps when the episode ended
    int step_limit = 0;  // where it would have ended without success
    std::uint64_t inferences = 0;
    double control_rate_hz = 0.0;
    bool stopped = false;  // the caller's stop flag ended it
    std::string error;     // the control loop or the policy failed
  };
  using ResultFn = std::function<void(const InferenceResult&, const WorldAtFrame&)>;

  WorldPolicyEpisode(Options options, model::Policy policy);
  ~WorldPolicyEpisode();
  WorldPolicyEpisode(const WorldPolicyEpisode&) = delete;
  WorldPolicyEpisode& operator=(const WorldPolicyEpisode&) = delete;

  void start(ResultFn on_result);
  // Blocks until the episode ends or `stop_flag` (may be null) turns true; stops the threads.
  Outcome wait(const std::atomic<bool>* stop_flag);
  void stop();

  const sim::TaskSpec& task() const;
  std::string instruction() const { return instruction_; }
  int stepLimit() const { return step_limit_; }
  const std::vector<CameraGeometry>& cameras() const { return cameras_; }
  InferenceWorker& worker() { return runner_->worker(); }
  const ChunkExecutor& executor() const { return runner_->executor(); }
  WorldSession& session() { return *session_; }

 private:
  void onState();  // the session's state notify (control thread, and the owner's at reset)

  Options options_;
  std::shared_ptr<LatestSlot<FrameSet>> frames_;
  std::unique_ptr<WorldSession> session_;
  std::unique_ptr<SafetyFilter> safety_;
  std::unique_ptr<ControlLoop> loop_;
  std::unique_ptr<WorldPolicyRunner> runner_;
  std::vector<CameraGeometry> cameras_;
  std::string instruction_;
  int step_limit_ = 0;
  ResultFn on_result_;

  std::mutex mutex_;
  std::condition_variable ended_cv_;
  std::map<int, WorldAtFrame> by_step_;
  std::optional<WorldAtFrame> end_;
  std::uint64_t passed_on_ = 0;
};

}  // namespace thinkvla::core
