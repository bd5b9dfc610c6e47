// `thinkvla sim`: the built-in tabletop world from the command line.
//   sim list                                  suites, tasks and instructions
//   sim render --suite S --task T --seed N [--perturb DIM:LEVEL,...] --out FILE.png
//                                             both cameras side by side (GLX or EGL)
//   sim expert --suite S --episodes N         scripted expert: success per task, then the suite's
//                                             success rate as a percentage
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <iomanip>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/sim/scripted_expert.h"
#include "core/sim/tabletop_env.h"

namespace thinkvla::cli {

namespace {
namespace sim = core::sim;

constexpr const char* kUsage =
    "usage: thinkvla sim list\n"
    "       thinkvla sim render --suite S --task T [--seed N] [--perturb DIM:LEVEL,...] --out FILE.png\n"
    "       thinkvla sim expert --suite S [--episodes N] [--task T] [--seed-start N]\n"
    "suites: spatial, object, goal, long; perturbation dimensions: camera, robot, language, light,\n"
    "background, noise, layout (levels 0-4)\n";

sim::Suite suiteOption(const Args& args) {
  const auto suite = sim::parseSuite(args.value("suite"));
  if (!suite) {
    throw UsageError("unknown suite '" + args.value("suite") + "' (spatial, object, goal, long)");
  }
  return *suite;
}

int simList(const std::vector<std::string>& argv) {
  Args args("sim list", "Lists the task suites, their tasks and instructions.");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << args.usage();
    return 0;
  }
  for (auto suite : sim::allSuites()) {
    const auto& tasks = sim::suiteTasks(suite);
    std::cout << sim::suiteName(suite) << " (" << tasks.size() << " tasks, "
              << sim::suiteMaxSteps(suite) << " steps)\n";
    for (const auto& t : tasks) {
      std::cout << "  " << std::setw(2) << t.index << "  " << std::left << std::setw(34) << t.name
                << std::right << t.instruction << '\n';
    }
  }
  return 0;
}

int simRender(const std::vector<std::string>& argv) {
  Args args("sim render", "Renders both cameras of a task's first frame, side by side.");
  args.option("suite", Args::Kind::kValue, "task suite", "goal")
      .option("task", Args::Kind::kValue, "task index within the suite", "0")
      .option("seed", Args::Kind::kValue, "episode seed", "0")
      .option("perturb", Args::Kind::kValue, "perturbations, e.g. camera:2,light:1", "none")
      .option("size", Args::Kind::kValue, "image side in pixels", "256")
      .option("steps", Args::Kind::kValue, "expert steps to run before rendering", "0")
      .option("quality", Args::Kind::kValue, "fast or full (shadows, reflections)", "full")
      .option("out", Args::Kind::kValue, "PNG file to write");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << args.usage();
    return 0;
  }
  if (!args.has("out")) throw UsageError("--out FILE.png is required");
  const auto suite = suiteOption(args);
  const auto& task = sim::task(suite, args.intValue("task"));
  sim::PerturbationSpec perturbation;
  try {
    perturbation = sim::PerturbationSpec::parse(args.value("perturb"));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const int size = args.intValue("size");
  if (size < 16 || size > 2048) throw UsageError("--size must be 16..2048");
  sim::EnvOptions options;
  options.image_width = size;
  options.image_height = size;
  options.channels = sim::CameraChannels::kRgb;
  options.quality = args.value("quality") == "fast" ? sim::RenderQuality::kFast
                                                    : sim::RenderQuality::kFull;
  sim::TabletopEnv env(options);
  const auto seed = static_cast<std::uint64_t>(args.intValue("seed"));
  env.reset(task, seed, perturbation);
  sim::ScriptedExpert expert(task, seed);
  for (int i = 0; i < args.intValue("steps"); ++i) env.step(expert.act(env));
  const auto obs = env.observe();
  std::vector<cv::Mat> parts;
  for (const auto& frame : obs.cameras) {
    cv::Mat bgr;
    cv::cvtColor(frame.rgb, bgr, cv::COLOR_RGB2BGR);
    parts.push_back(bgr);
  }
  cv::Mat side_by_side;
  cv::hconcat(parts, side_by_side);
  const std::string out = args.value("out");
  if (!cv::imwrite(out, side_by_side)) throw std::runtime_error("cannot write " + out);
  std::cout << out << ": " << sim::suiteName(suite) << " task " << task.index << " (" << task.name
            << "), seed " << seed << ", perturbation " << perturbation.toString() << "\n"
            << "instruction: " << env.instruction() << '\n';
  return 0;
}

int simExpert(const std::vector<std::string>& argv) {
  Args args("sim expert", "Runs the scripted expert and reports its success rate.");
  args.option("suite", Args::Kind::kValue, "task suite", "goal")
      .option("episodes", Args::Kind::kValue, "episodes per task", "10")
      .option("task", Args::Kind::kValue, "only this task index (default: all)")
      .option("seed-start", Args::Kind::kValue, "seed of the first episode", "0")
      .option("perturb", Args::Kind::kValue, "perturbations, e.g. layout:1", "none");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << args.usage();
    return 0;
  }
  const auto suite = suiteOption(args);
  const int episodes = args.intValue("episodes");
  if (episodes < 1) throw UsageError("--episodes must be at least 1");
  sim::PerturbationSpec perturbation;
  try {
    perturbation = sim::PerturbationSpec::parse(args.value("perturb"));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const int seed_start = args.intValue("seed-start");
  std::vector<sim::TaskSpec> tasks;
  if (args.has("task")) {
    tasks.push_back(sim::task(suite, args.intValue("task")));
  } else {
    tasks = sim::suiteTasks(suite);
  }
  sim::EnvOptions options;
  options.channels = sim::CameraChannels::kNone;
  sim::TabletopEnv env(options);
  int successes = 0;
  int total = 0;
  long steps = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& task : tasks) {
    int ok = 0;
    for (int e = 0; e < episodes; ++e) {
      const auto seed = static_cast<std::uint64_t>(seed_start + e);
      env.reset(task, seed, perturbation);
      sim::ScriptedExpert expert(task, seed);
      sim::StepResult r;
      while (!r.done) r = env.step(expert.act(env));
      ok += r.success ? 1 : 0;
      steps += r.step;
    }
    successes += ok;
    total += episodes;
    std::cout << std::setw(2) << task.index << "  " << std::left << std::setw(34) << task.name
              << std::right << std::setw(4) << ok << "/" << episodes << "  " << std::fixed
              << std::setprecision(1) << 100.0 * ok / episodes << "%\n";
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "(" << steps << " steps in " << std::setprecision(1) << seconds << " s, perturbation "
            << perturbation.toString() << ")\n";
  std::cout << sim::suiteName(suite) << " success: " << std::setprecision(1)
            << 100.0 * successes / total << "% (" << successes << "/" << total << ")\n";
  return 0;
}
}  // namespace

int runSim(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::cout << kUsage;
    return argv.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (argv[0] == "list") return simList(rest);
  if (argv[0] == "render") return simRender(rest);
  if (argv[0] == "expert") return simExpert(rest);
  throw UsageError("unknown sim command '" + argv[0] + "' (list, render, expert)");
}

}  // namespace thinkvla::cli
