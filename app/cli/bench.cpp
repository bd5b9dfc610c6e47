// `thinkvla bench`: speed on this machine.
//   bench live    the live pipeline in the built-in world, overlays off and on
//                 (core/pipeline/live_benchmark.h, the overlays drawn by cli/overlay_maps.h;
//                 tests/bench/bench_live runs the same code)
//   bench policy  batch-1 step latency of a preset (fresh weights), introspection off and on
#include <opencv2/core.hpp>

#include <chrono>
#include <iostream>

#include "cli/args.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "cli/overlay_maps.h"
#include "core/pipeline/live_benchmark.h"
#include "model/checkpoint.h"
#include "model/policy.h"
#include "model/torch_runtime.h"

namespace thinkvla::cli {

namespace {
const char* kBenchUsage =
    "usage: thinkvla bench live [--checkpoint DIR] [--seconds S] [--threads N] [--world SPEC] "
    "[--json FILE]\n"
    "       thinkvla bench policy [--preset P] [--iterations N] [--threads N]\n";

int benchLive(const std::vector<std::string>& argv) {
  Args args(
      "bench live",
      "The live pipeline's latency in the built-in world (policy driving at 20 Hz): camera ->\n"
      "action with overlays off, then camera -> action, camera -> overlay-ready and overlays\n"
      "per second with introspection on and the overlays composed (attention, geometry,\n"
      "path). Needs an X display (xvfb-run headless).");
  args.option("checkpoint", Args::Kind::kValue,
              "policy checkpoint (default: resources/models/demo, else a fresh small preset)")
      .option("seconds", Args::Kind::kValue, "length of each of the two runs", "8")
      .option("threads", Args::Kind::kValue, "LibTorch intra-op threads (0: all cores)", "0")
      .option("world", Args::Kind::kValue, "the task, sim:SUITE/TASK[@SEED]", "sim:spatial/0")
      .option("json", Args::Kind::kValue, "also write the results as JSON");
  if (!args.parseOptions(argv)) return 0;
  core::LiveBenchmarkOptions o;
  if (args.has("checkpoint")) o.checkpoint = args.value("checkpoint");
  o.seconds = args.doubleValue("seconds");
  if (!(o.seconds > 0.0 && o.seconds <= 3600.0)) throw UsageError("--seconds must be in (0, 3600]");
  o.threads = args.intAtLeast("threads", 0);
  o.world = args.value("world");
  o.compose = benchmarkOverlays();
  if (args.has("json")) checkWritable(args.value("json"), "json");
  core::LiveBenchmarkReport report;
  try {
    report = core::runLiveBenchmark(o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  std::cout << report.toText();
  if (args.has("json")) writeTextFile(args.value("json"), report.toJson() + "\n");
  return 0;
}

int benchPolicy(const std::vector<std::string>& argv) {
  Args args("bench policy",
            "Batch-1 step latency (preprocessing, forward, unnormalisation) of a freshly\n"
            "initialised preset on 128x128 camera images, introspection off and on.");
  args.option("preset", Args::Kind::kValue, "tiny, small or base", "small")
      .option("iterations", Args::Kind::kValue, "timed steps per mode (after 5 warm-up steps)",
              "100")
      .option("threads", Args::Kind::kValue, "LibTorch intra-op threads (0: all cores)", "0");
  if (!args.parseOptions(argv)) return 0;
  const int iterations = args.intInRange("iterations", 1, 100000);
  const int requested = args.intAtLeast("threads", 0);
  model::PolicyConfig config;
  try {
    config = model::PolicyConfig::fromPreset(args.value("preset"));
  } catch (const model::ConfigError& e) {
    throw UsageError(e.what());
  }
  const int threads = model::configureThreads(requested);
  model::Policy policy(model::initCheckpoint(config, 0));
  model::Observation observation;
  cv::RNG rng(1);
  for (int v = 0; v < config.num_views; ++v) {
    cv::Mat m(128, 128, CV_8UC3);
    rng.fill(m, cv::RNG::UNIFORM, 0, 255);
    observation.views.push_back(m);
  }
  observation.proprio.assign(static_cast<std::size_t>(config.proprio_dim), 0.1f);
  const std::string instruction = "pick up the black bowl and place it on the plate";
  std::cout << "policy " << config.preset << ", batch 1, " << threads << " LibTorch thread(s)\n";
  for (const auto mode : {model::IntrospectionMode::kOff, model::IntrospectionMode::kOn}) {
    for (int i = 0; i < 5; ++i) policy.step(observation, instruction, mode);
    std::vector<double> ms;
    for (int i = 0; i < iterations; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      policy.step(observation, instruction, mode);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    const auto s = core::latencyStats(ms);
    std::cout.setf(std::ios::fixed);
    std::cout.precision(2);
    std::cout << "introspection " << (mode == model::IntrospectionMode::kOn ? "on: " : "off:")
              << " median " << s.median_ms << " ms, p95 " << s.p95_ms << " ms ("
              << (s.median_ms > 0 ? 1000.0 / s.median_ms : 0.0) << " Hz)\n";
  }
  return 0;
}
}  // namespace

int runBench(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::cout << kBenchUsage;
    return argv.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (argv[0] == "live") return benchLive(rest);
  if (argv[0] == "policy") return benchPolicy(rest);
  throw UsageError("unknown benchmark '" + argv[0] + "' (live, policy)");
}

}  // namespace thinkvla::cli
