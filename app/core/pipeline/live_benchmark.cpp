#include "core/pipeline/live_benchmark.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/pipeline/world_policy_episode.h"
#include "core/sim/resource_paths.h"
#include "model/checkpoint.h"
#include "model/policy.h"
#include "model/torch_runtime.h"

namespace thinkvla::core {

namespace {
using Clock = std::chrono::steady_clock;

double msBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

model::Policy loadPolicy(const LiveBenchmarkOptions& o, std::string& description) {
  if (!o.checkpoint.empty()) {
    description = o.checkpoint.string();
    return model::Policy::load(o.checkpoint.string());
  }
  try {
    const auto demo = sim::findResource("models/demo");
    if (std::filesystem::exists(demo / "config.json")) {
      description = demo.string();
      return model::Policy::load(demo.string());
    }
  } catch (const std::runtime_error&) {
    // No demo checkpoint shipped: fall through.
  }
  description = "fresh small preset";
  return model::Policy(model::initCheckpoint(model::PolicyConfig::fromPreset("small"), 0));
}

LiveBenchmarkRun runOnce(const LiveBenchmarkOptions& o, const WorldSpec& world,
                         model::Policy policy, bool overlays) {
  WorldPolicyEpisode::Options eo;
  eo.world = world;
  eo.image_size = o.image_size;
  eo.depth = true;  // as the studio renders the world
  eo.introspection = overlays;
  eo.max_steps = std::max(1, static_cast<int>(std::lround(o.seconds / sim::kControlDtS)));
  WorldPolicyEpisode episode(eo, std::move(policy));

  std::mutex mutex;
  std::vector<double> inference_ms, action_ms, overlay_ms, compose_ms;
  std::atomic<bool> done{false};
  episode.start([&](const InferenceResult& r, const WorldAtFrame&) {
    std::lock_guard<std::mutex> lock(mutex);
    inference_ms.push_back(r.inference_ms);
    action_ms.push_back(r.camera_to_action_ms);
  });
  const auto started = Clock::now();
  // The display side: take the newest result, compose both cameras' overlays (as the GUI would).
  std::thread display;
  if (overlays) {
    display = std::thread([&] {
      while (!done.load()) {
        auto result = episode.worker().display().take();
        if (!result) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          continue;
        }
        const auto t0 = Clock::now();
        // The end effector when the frame was taken is not in the result; the newest state is
        // at most a step later (what the studio draws too).
        WorldState state;
        if (auto newest = episode.session().state().peek()) {
          state = std::move(*newest);
        } else {
          state.cameras = episode.cameras();
        }
        const bool drawn = o.compose(*result, state);
        const auto t1 = Clock::now();
        if (!drawn) continue;
        std::lock_guard<std::mutex> lock(mutex);
        compose_ms.push_back(msBetween(t0, t1));
        overlay_ms.push_back(msBetween(result->frames.captured_at, t1));
      }
    });
  }
  const auto outcome = episode.wait(nullptr);
  done = true;
  if (display.joinable()) display.join();
  if (!outcome.error.empty()) throw std::runtime_error("live benchmark: " + outcome.error);

  LiveBenchmarkRun run;
  run.overlays = overlays;
  run.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  run.steps = outcome.steps;
  run.control_rate_hz = outcome.control_rate_hz;
  run.inferences = outcome.inferences;
  std::lock_guard<std::mutex> lock(mutex);
  run.inference = latencyStats(inference_ms);
  run.camera_to_action = latencyStats(action_ms);
  run.camera_to_overlay = latencyStats(overlay_ms);
  run.compose = latencyStats(compose_ms);
  run.overlays_per_s = run.seconds > 0 ? static_cast<double>(compose_ms.size()) / run.seconds : 0.0;
  return run;
}
}  // namespace

LatencyStats latencyStats(std::vector<double> samples) {
  LatencyStats s;
  s.samples = static_cast<int>(samples.size());
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return samples[static_cast<std::size_t>(
        std::lround(q * static_cast<double>(samples.size() - 1)))];
  };
  s.median_ms = at(0.5);
  s.p95_ms = at(0.95);
  return s;
}

LiveBenchmarkReport runLiveBenchmark(const LiveBenchmarkOptions& o) {
  if (!(o.seconds > 0.0) || o.seconds > 3600.0)
    throw std::invalid_argument("seconds must be in (0, 3600]");
  if (o.threads < 0) throw std::invalid_argument("threads must be >= 0");
  if (!o.compose) throw std::invalid_argument("the overlays run needs a composition step");
  const WorldSpec world = parseWorldSpec(o.world);
  LiveBenchmarkReport report;
  report.world = o.world;
  report.threads = model::configureThreads(o.threads);
  // Loaded once; the second run steps the same network after the first has finished.
  std::string description;
  model::Policy first = loadPolicy(o, description);
  report.checkpoint = description;
  report.preset = first.config().preset;
  checkPolicyFitsWorld(first.config(), description);
  const model::Checkpoint checkpoint = first.checkpoint();
  report.runs.push_back(runOnce(o, world, std::move(first), false));
  report.runs.push_back(runOnce(o, world, model::Policy(checkpoint), true));
  double load[1] = {0.0};
  if (getloadavg(load, 1) == 1) report.load_average = load[0];
  report.machine = model::computeEnvironment();
  return report;
}

std::string LiveBenchmarkReport::toText() const {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << "live pipeline: " << world << ", checkpoint " << checkpoint << " (" << preset << "), "
      << threads << " LibTorch thread(s), load average " << load_average << "\n"
      << "machine: " << machine.summary() << "\n";
  const auto pair = [&](const LatencyStats& s) {
    std::ostringstream t;
    t.setf(std::ios::fixed);
    t.precision(1);
    t << s.median_ms << " / " << s.p95_ms << " ms";
    return t.str();
  };
  for (const auto& r : runs) {
    out << "overlays " << (r.overlays ? "on: " : "off:") << " " << r.steps << " steps at "
        << r.control_rate_hz << " Hz, " << r.inferences << " inferences; median / p95: inference "
        << pair(r.inference) << ", camera->action " << pair(r.camera_to_action);
    if (r.overlays) {
      out << ", camera->overlay " << pair(r.camera_to_overlay) << "; compose (both cameras) "
          << pair(r.compose) << "; " << r.overlays_per_s << " overlays/s";
    }
    out << '\n';
  }
  return out.str();
}

std::string LiveBenchmarkReport::toJson() const {
  const auto stats = [](const LatencyStats& s) {
    return nlohmann::json{{"samples", s.samples}, {"median_ms", s.median_ms}, {"p95_ms", s.p95_ms}};
  };
  nlohmann::json j;
  j["checkpoint"] = checkpoint;
  j["preset"] = preset;
  j["world"] = world;
  j["threads"] = threads;
  j["load_average"] = load_average;
  j["machine"] = model::toJson(machine);
  for (const auto& r : runs) {
    nlohmann::json x;
    x["overlays"] = r.overlays;
    x["seconds"] = r.seconds;
    x["steps"] = r.steps;
    x["control_rate_hz"] = r.control_rate_hz;
    x["inferences"] = r.inferences;
    x["inference"] = stats(r.inference);
    x["camera_to_action"] = stats(r.camera_to_action);
    if (r.overlays) {
      x["camera_to_overlay"] = stats(r.camera_to_overlay);
      x["compose"] = stats(r.compose);
      x["overlays_per_s"] = r.overlays_per_s;
    }
    j["runs"].push_back(x);
  }
  return j.dump(2);
}

}  // namespace thinkvla::core
