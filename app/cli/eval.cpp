// `thinkvla eval`: closed-loop evaluation of a checkpoint (or the random / scripted-expert
// baselines) in the built-in world; see core/eval/evaluator.h for what is run and measured.
#include <iostream>

#include "cli/args.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "core/eval/evaluator.h"
#include "core/sim/tasks.h"
#include "model/checkpoint.h"

namespace thinkvla::cli {

namespace {
namespace eval = core::eval;
namespace sim = core::sim;
}  // namespace

int runEval(const std::vector<std::string>& argv) {
  Args args("eval",
            "Closed-loop evaluation in the built-in world: success rate per task and suite, mean\n"
            "episode length, a Markdown table like the paper's and optional rollout videos.");
  args.option("checkpoint", Args::Kind::kValue, "policy checkpoint directory")
      .option("actor", Args::Kind::kValue,
              "policy (needs --checkpoint), random (uniform random actions) or expert", "policy")
      .option("suite", Args::Kind::kValue, "spatial, object, goal, long or all", "all")
      .option("tasks", Args::Kind::kValue, "only these task indices, e.g. 0,3 (default: all)")
      .option("episodes", Args::Kind::kValue, "episodes per task", "10")
      .option(
          "perturb", Args::Kind::kValue,
          "none, DIM:LEVEL[,DIM:LEVEL] or all[:LEVEL] (each of the 7 dimensions alone, level 2)",
          "none")
      .option("workers", Args::Kind::kValue,
              "parallel workers (threads, each its own world and policy)", "1")
      .option("threads", Args::Kind::kValue,
              "LibTorch intra-op threads (0: 1 per worker when several, else all cores)", "0")
      .option("execute-steps", Args::Kind::kValue,
              "actions of each chunk executed open loop (0: all K)", "0")
      .option("ensemble", Args::Kind::kValue,
              "temporal ensembling: re-plan every --execute-steps and execute the mean of the "
              "overlapping chunks, the i-th oldest weighted exp(-DECAY i); off or DECAY >= 0",
              "off")
      .option("gripper", Args::Kind::kValue, kGripperOptionHelp, "binary")
      .option("seed", Args::Kind::kValue, "seed of episode 0 (episode e uses seed + e)", "0")
      .option("image-size", Args::Kind::kValue, "rendered camera side in pixels", "128")
      .option("max-steps", Args::Kind::kValue, "cap episodes at N steps (0: the suite's limit)",
              "0")
      .option("video", Args::Kind::kValue,
              "directory for rollout videos (both cameras side by side)")
      .option("video-episodes", Args::Kind::kValue, "videos for the first N episodes of each task",
              "1")
      .option("video-format", Args::Kind::kValue, "mp4 (mp4v) or avi (MJPG)", "mp4")
      .option("json", Args::Kind::kValue, "JSON results file (required)")
      .option("markdown", Args::Kind::kValue, "Markdown table file")
      .option("quiet", Args::Kind::kFlag, "no progress lines");
  if (!args.parseOptions(argv)) return 0;

  eval::EvalOptions o;
  const std::string actor = args.value("actor");
  if (actor == "policy") {
    o.actor = eval::ActorKind::kPolicy;
  } else if (actor == "random") {
    o.actor = eval::ActorKind::kRandom;
  } else if (actor == "expert") {
    o.actor = eval::ActorKind::kExpert;
  } else {
    throw UsageError("unknown --actor '" + actor + "' (policy, random, expert)");
  }
  if (o.actor == eval::ActorKind::kPolicy) {
    if (!args.has("checkpoint"))
      throw UsageError("--checkpoint DIR is required (or --actor random|expert)");
    checkCheckpointDirectory(args.value("checkpoint"));
    o.checkpoint = args.value("checkpoint");
  } else if (args.has("checkpoint")) {
    throw UsageError("--checkpoint is only used with --actor policy");
  }
  const std::string suite = args.value("suite");
  if (suite == "all") {
    o.suites = sim::allSuites();
  } else if (const auto s = sim::parseSuite(suite)) {
    o.suites = {*s};
  } else {
    throw UsageError("unknown suite '" + suite + "' (spatial, object, goal, long, all)");
  }
  if (args.has("tasks")) o.tasks = parseIndexList(args.value("tasks"), "tasks");
  o.episodes_per_task = args.intInRange("episodes", 1, 100000);
  try {
    o.conditions = eval::parseConditions(args.value("perturb"));
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--perturb: ") + e.what());
  }
  o.workers = args.intInRange("workers", 1, 64);
  o.torch_threads = args.intAtLeast("threads", 0);
  o.execute_steps = args.intAtLeast("execute-steps", 0);
  if (args.value("ensemble") != "off") {
    if (o.actor != eval::ActorKind::kPolicy) throw UsageError("--ensemble needs --actor policy");
    o.ensemble_decay = args.doubleValue("ensemble");  // the evaluator refuses a negative one
  }
  o.gripper_output = gripperOutputOption(args);
  if (args.has("gripper") && o.actor != eval::ActorKind::kPolicy)
    throw UsageError("--gripper needs --actor policy");
  o.seed = static_cast<std::uint64_t>(args.intAtLeast("seed", 0));
  o.image_size = args.intInRange("image-size", 16, 1024);
  o.max_steps = args.intAtLeast("max-steps", 0);
  if (args.has("video")) {
    o.video_dir = ensureDirectory(args.value("video"), "video");
    o.video_episodes = args.intValue("video-episodes");
    const std::string format = args.value("video-format");
    if (format == "mp4") {
      o.video_format = eval::VideoFormat::kMp4;
    } else if (format == "avi") {
      o.video_format = eval::VideoFormat::kAviMjpeg;
    } else {
      throw UsageError("unknown --video-format '" + format + "' (mp4, avi)");
    }
  }
  if (!args.has("json")) throw UsageError("--json FILE is required");
  const std::string json_file = args.value("json");
  checkWritable(json_file, "json");
  const std::string md_file = args.value("markdown");
  if (!md_file.empty()) checkWritable(md_file, "markdown");

  eval::Evaluator evaluator(o);
  eval::EvalReport report;
  const bool quiet = args.has("quiet");
  try {
    report = evaluator.run([&](const eval::EpisodeOutcome& e, int done, int total) {
      if (quiet) return;
      std::cerr << "[" << done << "/" << total << "] " << e.condition << " "
                << sim::suiteName(e.suite) << " task " << e.task_index << " episode " << e.episode
                << ": " << (e.success ? "success" : "failure") << " in " << e.steps << " steps\n";
    });
  } catch (const model::CheckpointError& e) {
    throw std::runtime_error(std::string("cannot load the checkpoint: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  writeTextFile(json_file, eval::reportToJson(report));
  const std::string md = eval::reportToMarkdown(report);
  if (!md_file.empty()) writeTextFile(md_file, md);
  std::cout << md;
  return 0;
}

}  // namespace thinkvla::cli
