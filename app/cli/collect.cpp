// `thinkvla collect`: scripted-expert demonstrations of the built-in world written as one
// LIBERO-layout episode file; see core/eval/demo_collector.h for what each demo holds.
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "cli/args.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "core/eval/demo_collector.h"
#include "core/sim/tasks.h"
#include "model/torch_runtime.h"

namespace thinkvla::cli {

namespace {
namespace eval = core::eval;
namespace sim = core::sim;
namespace fs = std::filesystem;
}  // namespace

int runCollect(const std::vector<std::string>& argv) {
  Args args(
      "collect",
      "Runs the scripted experts and writes LIBERO-layout demonstrations (RGB-D of both\n"
      "cameras, states, actions) with the instruction, spatial and 2D QA pairs, the teacher\n"
      "prompt, subtask segments and, with --point-maps, per-step point maps.");
  args.option("suite", Args::Kind::kValue, "spatial, object, goal or long")
      .option("tasks", Args::Kind::kValue, "task indices, e.g. 0,2 (default: all)")
      .option("episodes", Args::Kind::kValue, "demonstrations per task", "10")
      .option("max-attempts", Args::Kind::kValue,
              "expert runs per task at most (0: 3 x --episodes)", "0")
      .option("out", Args::Kind::kValue, "episode file to write (HDF5)")
      .option("perturb", Args::Kind::kValue, "perturbations, e.g. layout:1,light:2", "none")
      .option("seed", Args::Kind::kValue, "seed of the first attempt (attempt a uses seed + a)",
              "0")
      .option("image-size", Args::Kind::kValue, "camera image side in pixels", "128")
      .option("qa", Args::Kind::kValue, "spatial QA pairs per demo", "8")
      .option("qa-2d", Args::Kind::kValue,
              "2D QA pairs per demo (colour, left/right, count; for the 2D co-training row)", "4")
      .option("keep-failures", Args::Kind::kFlag,
              "also write the expert's failed attempts (success false)")
      .option("point-maps", Args::Kind::kFlag,
              "store per-step point maps (T, 2, H, W, 3) as the demos' teacher features")
      .option("action-noise", Args::Kind::kValue,
              "DART: the executed dx, dy, dz get Gaussian noise of this std (normalised units, "
              "0..1); the demos record the expert's own actions",
              "0")
      .option("policy", Args::Kind::kValue,
              "recovery demos (DAgger): this policy checkpoint drives first, then the expert takes "
              "over and finishes what is left; only the expert's part is recorded")
      .option("handover-max-steps", Args::Kind::kValue,
              "with --policy: the policy drives 0..N steps (uniform per attempt)", "200")
      .option("threads", Args::Kind::kValue, "with --policy: LibTorch intra-op threads", "1")
      .option("append", Args::Kind::kFlag,
              "add the demos to an existing --out file instead of replacing it")
      .option("quiet", Args::Kind::kFlag, "no progress lines");
  if (!args.parseOptions(argv)) return 0;
  if (!args.has("suite")) throw UsageError("--suite is required (spatial, object, goal, long)");
  const auto suite = sim::parseSuite(args.value("suite"));
  if (!suite)
    throw UsageError("unknown suite '" + args.value("suite") + "' (spatial, object, goal, long)");
  if (!args.has("out")) throw UsageError("--out FILE is required");

  eval::CollectOptions o;
  o.suite = *suite;
  if (args.has("tasks")) o.tasks = parseIndexList(args.value("tasks"), "tasks");
  const int tasks_in_suite = static_cast<int>(sim::suiteTasks(o.suite).size());
  for (int t : o.tasks) {
    if (t >= tasks_in_suite) {
      throw UsageError("--tasks: task " + std::to_string(t) + " is not in suite " +
                       sim::suiteName(o.suite) + " (0.." + std::to_string(tasks_in_suite - 1) +
                       ")");
    }
  }
  o.episodes_per_task = args.intAtLeast("episodes", 1);
  o.max_attempts_per_task = args.intAtLeast("max-attempts", 0);
  o.perturbation = perturbationOption(args, "perturb");
  o.seed = static_cast<std::uint64_t>(args.intAtLeast("seed", 0));
  o.image_size = args.intInRange("image-size", 16, 512);
  o.qa_per_episode = args.intAtLeast("qa", 0);
  o.qa_2d_per_episode = args.intAtLeast("qa-2d", 0);
  o.keep =
      args.has("keep-failures") ? eval::KeepEpisodes::kAll : eval::KeepEpisodes::kSuccessfulOnly;
  o.point_maps = args.has("point-maps") ? eval::PointMaps::kStore : eval::PointMaps::kSkip;
  o.output = args.has("append") ? eval::OutputMode::kAppend : eval::OutputMode::kReplace;
  o.action_noise = args.doubleValue("action-noise");
  if (!(o.action_noise >= 0.0 && o.action_noise <= 1.0))
    throw UsageError("--action-noise must be in [0, 1] (normalised action units), got " +
                     args.value("action-noise"));

  if (args.has("policy")) {
    o.policy_checkpoint = args.value("policy");
    if (!fs::is_directory(o.policy_checkpoint))
      throw UsageError("--policy: " + o.policy_checkpoint + " is not a checkpoint directory");
  }
  o.handover_max_steps = args.intAtLeast("handover-max-steps", 0);
  if (!o.policy_checkpoint.empty()) model::configureThreads(args.intAtLeast("threads", 1));

  checkWritable(args.value("out"), "out");
  const fs::path out = args.value("out");

  const bool quiet = args.has("quiet");
  const auto summary =
      eval::collectDemonstrations(o, out, [&](const eval::CollectedDemo& d, bool kept) {
        if (quiet) return;
        std::cerr << sim::suiteName(d.suite) << " task " << d.task_index << " seed " << d.seed
                  << ": ";
        if (!o.policy_checkpoint.empty() && d.steps == 0 && !d.success) {
          std::cerr << "the policy ended the episode within " << d.handover_step
                    << " steps, nothing to recover\n";
          return;
        }
        if (!o.policy_checkpoint.empty()) std::cerr << "after " << d.handover_step << " policy steps, ";
        std::cerr << (d.success ? "success" : "failure") << " in " << d.steps << " steps"
                  << (kept ? " -> " + d.name : std::string(", not kept")) << '\n';
      });
  std::cout << out.string() << ": " << summary.demos.size() << " demos, " << summary.total_steps
            << " steps (" << summary.successes << "/" << summary.attempts
            << " expert attempts succeeded) in " << std::fixed << std::setprecision(1)
            << summary.elapsed_s << " s\n";
  if (!o.policy_checkpoint.empty()) {
    std::cout << summary.policy_finished
              << " attempt(s) ended while the policy drove (nothing to recover)\n";
  }
  if (!summary.short_tasks.empty()) {
    std::cout << "warning: fewer demos than asked for task(s)";
    for (int t : summary.short_tasks) std::cout << ' ' << t;
    std::cout << " (raise --max-attempts)\n";
    return 1;
  }
  return 0;
}

}  // namespace thinkvla::cli
