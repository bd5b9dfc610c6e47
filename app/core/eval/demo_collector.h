// Demonstration collection (issue 5, `thinkvla collect`): runs the scripted expert on tasks of a
// suite in the built-in world, rendering both cameras at every step, and writes the episodes into
// one LIBERO-layout HDF5 file (core/episodes/episode_file.h), demo by demo.
//
// What one demo holds: per step the upright RGB and depth (metres) of the agent view and the wrist
// camera, joint, gripper and end-effector states, the expert's action, the full physics state,
// rewards and dones (1 at the last step); `init_state` (the physics state after reset) and the
// scene's MJCF as `model_file`. Our annotations: the instruction (after a language perturbation),
// success, subtask segments from the expert's primitives, the source (sim, "suite/task", seed),
// spatial QA pairs drawn from the first frame's ground truth, and the task's teacher prompt (the
// explicit 3D reasoning prompt). The cameras' intrinsics and extrinsics go into `data.env_args`
// (JSON), so depth turns into point maps exactly; under a camera perturbation the agent view moves
// per demo, and each demo's own camera geometry (JSON) is then in its annotation notes. With
// PointMaps::kStore the per-step camera-frame point maps (T, 2, H, W, 3) float32 are also stored
// as the demo's teacher features.
//
// Noise-injected demonstrations (DART, Laskey et al. 2017), `action_noise` > 0: the world executes
// the expert's action plus Gaussian noise on its three position components (normalised units,
// clipped to [-1, 1]; rotation and gripper stay as commanded), while the demo records the expert's
// own action. The expert reads the world at every step, so the demos show it correcting small
// drifts: the states a policy reaches after its own small errors, labelled with the way back.
// With the built-in waypoint experts the labels near a waypoint become small corrections to and
// fro, and a policy trained on them hovered (docs/results.md, nineteenth session).
//
// Recovery demonstrations (DAgger's data, Ross et al. 2011), `policy_checkpoint` set: each attempt
// first lets the policy drive from the reset for a number of steps drawn uniformly from
// [0, handover_max_steps] (chunks of K executed open loop, the gripper snapped, as `thinkvla eval`
// runs it), then a fresh expert takes over from the state the policy reached, drops the goals
// that already hold and finishes the others (carrying on with an object the policy holds,
// core/sim/scripted_expert.h takeOver()). Only the expert's part is recorded: `init_state` is
// the physics state at the handover, and the notes say after how many policy steps it came. The
// demos show the way back from the states the policy itself drifts into, labelled by the
// expert; an attempt where the policy finished the task (or ran out of steps) before the
// handover has nothing to recover and is not kept. The gripper-release count of the steps
// before the handover is not in the demo: a trainer counts from the demo's first step.
//
// Determinism: attempt a of a task uses seed `seed + a`; the same options give the same demos
// (bit for bit, apart from the wall-clock times in the annotations).
// Threads: collectDemonstrations() runs on the calling thread, which renders through its own
// offscreen GL context (GLX or EGL, core/offscreen_gl.h). Errors: std::invalid_argument for bad
// options, EpisodeError for the output file, std::runtime_error for rendering failures.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/episodes/episode_file.h"
#include "core/sim/perturbation.h"
#include "core/sim/tasks.h"

namespace thinkvla::core::eval {

enum class KeepEpisodes { kSuccessfulOnly, kAll };
enum class PointMaps { kSkip, kStore };
// kReplace: a new file (an existing one is replaced); kAppend: add demos to an existing file (made
// when absent).
enum class OutputMode { kReplace, kAppend };

struct CollectOptions {
  sim::Suite suite = sim::Suite::kSpatial;
  std::vector<int> tasks;         // empty: every task of the suite
  int episodes_per_task = 10;     // demos kept per task
  int max_attempts_per_task = 0;  // 0: 3 x episodes_per_task
  sim::PerturbationSpec perturbation;
  std::uint64_t seed = 0;
  int image_size = 128;
  int qa_per_episode = 8;     // spatial QA pairs (3D co-training)
  int qa_2d_per_episode = 4;  // 2D QA pairs (colour, left/right, count: the 2D ablation row)
  KeepEpisodes keep = KeepEpisodes::kSuccessfulOnly;
  PointMaps point_maps = PointMaps::kSkip;
  OutputMode output = OutputMode::kReplace;
  double action_noise = 0.0;  // DART: std of the noise added to the executed dx, dy, dz (0: none)
  std::string policy_checkpoint;  // recovery demonstrations after this policy's steps (see above)
  int handover_max_steps = 200;   // the policy drives 0..this many steps before the expert
};

struct CollectedDemo {
  std::string name;  // "demo_3"
  sim::Suite suite = sim::Suite::kSpatial;
  int task_index = 0;
  std::uint64_t seed = 0;
  bool success = false;
  int steps = 0;
  int qa_pairs = 0;
  int handover_step = 0;  // recovery demos: the policy's steps before the expert took over
};

struct CollectSummary {
  std::vector<CollectedDemo> demos;  // written, in file order
  int attempts = 0;  // the expert's (recovery: not counting those the policy finished)
  int successes = 0;
  int unstable = 0;  // attempts dropped because MuJoCo warned (e.g. reset an unstable state)
  int policy_finished = 0;  // recovery: attempts where the policy ended the episode before handover
  long total_steps = 0;
  double elapsed_s = 0.0;
  std::vector<int> short_tasks;  // tasks that got fewer demos than asked within the attempts
};

using CollectProgressFn = std::function<void(const CollectedDemo& attempt, bool kept)>;

CollectSummary collectDemonstrations(const CollectOptions& options,
                                     const std::filesystem::path& out,
                                     const CollectProgressFn& progress = {});

}  // namespace thinkvla::core::eval
