// Closed-loop evaluation in the built-in world (issue 6, `thinkvla eval`): N seeded episodes per
// task of one or all four suites, under zero or more perturbation conditions, with one of three
// actors: a policy checkpoint (action chunks of K executed open loop for `execute_steps` steps, as
// OpenVLA-OFT runs LIBERO, or re-planned every `execute_steps` with the overlapping chunks
// averaged, ACT's temporal ensembling), uniform random actions (the baseline that shows the loop
// gives near zero success by chance) or the scripted expert (shows the loop gives near 100% with a
// competent actor). Episodes end at the task's success or at the suite's step limit.
//
// Partial progress. Success needs every goal of a task (Long's two subtasks) to hold at once. To
// show where an episode stopped, each episode also records, per goal, the first control step after
// which it held, and the most goals that held together at any step; tasks and suites report the
// mean fraction of goals reached and, per goal, how often it held at some point.
//
// Determinism: episode e of a task uses the environment seed `seed + e` (the same seeds for every
// task and condition, as LIBERO fixes its initial states); the random actor and the expert draw
// from that seed, the policy has no randomness at inference. Each episode is a pure function of
// (actor, task, condition, seed), and results are stored by episode index, so the report is the
// same for any number of workers.
//
// Workers: `workers` threads, each with its own TabletopEnv and its own Policy (loaded separately
// from the checkpoint, so nothing is shared). The environments are created on the thread that
// calls run() (GLFW windows are made there) and each is then used by one worker only. LibTorch's
// intra-op threads are set to `torch_threads` (1 by default with several workers, so workers do not
// compete for cores); that is a process-wide setting.
//
// Ownership and threads: an Evaluator owns nothing between runs; run() blocks the calling thread,
// owns its workers and joins them before it returns. The progress callback is called from worker
// threads, one call at a time (under a mutex). Errors: run() throws std::invalid_argument for bad
// options, model::CheckpointError for an unloadable checkpoint, std::runtime_error for a rendering
// or video failure (naming the file); a worker's error stops the others and is rethrown.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/sim/perturbation.h"
#include "core/sim/tasks.h"
#include "model/gripper_output.h"
#include "model/torch_runtime.h"

namespace thinkvla::core::eval {

enum class ActorKind { kPolicy, kRandom, kExpert };
std::string actorName(ActorKind actor);  // "policy", "random", "expert"

// A named perturbation condition: "none", "camera:2", "camera:2,light:1".
struct EvalCondition {
  std::string name;
  sim::PerturbationSpec perturbation;
};

// Parses --perturb: "none" / "" (no perturbation), "DIM:LEVEL[,DIM:LEVEL...]" (one condition),
// "all" (each of the seven dimensions alone at level 2, seven conditions) or "all:LEVEL".
// Throws std::invalid_argument naming the bad part.
std::vector<EvalCondition> parseConditions(const std::string& text);

enum class VideoFormat { kAviMjpeg, kMp4 };

struct EvalOptions {
  ActorKind actor = ActorKind::kPolicy;
  std::filesystem::path checkpoint;  // kPolicy only: a checkpoint directory
  std::vector<sim::Suite> suites = {sim::Suite::kSpatial};
  std::vector<int> tasks;  // task indices to run in every suite; empty: all
  int episodes_per_task = 10;
  std::vector<EvalCondition> conditions = {EvalCondition{"none", {}}};
  int execute_steps = 0;  // actions of each chunk executed open loop; 0: the whole chunk (K)
  // Temporal ensembling (core/pipeline/temporal_ensemble.h): re-plan every `execute_steps` and
  // execute the weighted mean of every chunk's prediction for the step. Empty: off.
  std::optional<double> ensemble_decay;
  model::GripperOutput gripper_output = model::GripperOutput::kBinary;  // kPolicy only
  int workers = 1;
  int torch_threads = 0;  // 0: 1 with several workers, otherwise all cores
  std::uint64_t seed = 0;
  int image_size = 128;  // rendered camera side in pixels (the policy resizes internally)
  int max_steps = 0;     // 0: the suite's step limit; else the smaller of the two (smoke runs)
  // Rollout videos (both cameras side by side, one frame per control step plus the first).
  std::filesystem::path video_dir;  // empty: no videos
  int video_episodes = 1;           // videos for the first N episodes of each task and condition
  VideoFormat video_format = VideoFormat::kMp4;
};

struct EpisodeOutcome {
  std::string condition;
  sim::Suite suite = sim::Suite::kSpatial;
  int task_index = 0;
  int episode = 0;
  std::uint64_t seed = 0;
  bool success = false;
  int steps = 0;           // control steps taken
  bool refused = false;    // the actor produced a non-finite action: counted as a failure
  int policy_calls = 0;    // forward passes (kPolicy)
  int physics_warnings = 0;  // control steps in which MuJoCo warned (instability, limits)
  // Per goal of the task (TaskSpec::goals order): the first control step after which it held,
  // -1 if it never did. Success implies every goal held at the last step.
  std::vector<int> goal_first_step;
  int goals_reached = 0;   // the most goals that held at the same time, at any step
  std::string video_file;  // empty without a video
};

struct TaskResult {
  std::string condition;
  sim::Suite suite = sim::Suite::kSpatial;
  int task_index = 0;
  std::string task_name;
  std::string instruction;
  int episodes = 0;
  int successes = 0;
  double success_rate = 0.0;             // 0..1
  double mean_length_steps = 0.0;        // over all episodes
  int goals = 0;                         // goals of the task (Long: 2)
  double goal_progress = 0.0;  // mean over episodes of goals_reached / goals (0..1)
  std::vector<double> goal_rates;  // per goal: fraction of episodes in which it held at some step
  std::vector<EpisodeOutcome> outcomes;  // by episode index
};

struct SuiteResult {
  std::string condition;
  sim::Suite suite = sim::Suite::kSpatial;
  int episodes = 0;
  int successes = 0;
  double success_rate = 0.0;  // over all episodes of the suite (tasks weigh equally)
  double mean_length_steps = 0.0;
  double goal_progress = 0.0;  // mean over the suite's episodes of goals_reached / goals (0..1)
};

struct EvalReport {
  ActorKind actor = ActorKind::kPolicy;
  std::string checkpoint;
  std::string preset;     // the checkpoint's preset, kPolicy only
  int chunk_size = 0;     // K (kPolicy); 1 otherwise
  int execute_steps = 0;  // actions executed per chunk
  std::optional<double> ensemble_decay;  // temporal ensembling's decay; empty: off
  model::GripperOutput gripper_output = model::GripperOutput::kBinary;  // kPolicy only
  int episodes_per_task = 0;
  int max_steps = 0;  // the cap given in the options (0: suite limits)
  std::uint64_t seed = 0;
  int workers = 0;
  int torch_threads = 0;
  model::ComputeEnvironment machine;  // the processor and kernels: they decide the rounding
  std::vector<std::string> conditions;
  std::vector<TaskResult> tasks;    // condition, suite, task order
  std::vector<SuiteResult> suites;  // condition, suite order
  double elapsed_s = 0.0;
  double episodes_per_s = 0.0;
  long total_steps = 0;

  // Mean of the suites' success rates under one condition (0..1); -1 when there is none.
  double averageSuccess(const std::string& condition) const;
};

using ProgressFn = std::function<void(const EpisodeOutcome& outcome, int done, int total)>;

class Evaluator {
 public:
  explicit Evaluator(EvalOptions options);
  const EvalOptions& options() const { return options_; }
  // Runs every episode; see the header comment for threads and errors.
  EvalReport run(const ProgressFn& progress = {});

 private:
  EvalOptions options_;
};

// The report as JSON (options, per-task and per-suite results, per-episode outcomes) and as
// Markdown tables like the paper's (suites as columns, conditions as rows; then per task).
std::string reportToJson(const EvalReport& report);
std::string reportToMarkdown(const EvalReport& report);

}  // namespace thinkvla::core::eval
