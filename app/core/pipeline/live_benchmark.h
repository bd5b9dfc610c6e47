// LiveBenchmark: how fast the live pipeline turns a camera frame into actions and into overlays,
// measured once here for `thinkvla bench live` and tests/bench/bench_live. The source is the
// built-in world driven closed loop by the policy (WorldPolicyEpisode: control loop at 20 Hz,
// inference thread, chunk executor). Two runs of the same task and seed:
//   - overlays off: introspection off; camera -> action latency;
//   - overlays on: introspection on, and a display thread that, like the studio's GUI, takes the
//     newest result and composes the overlays of both cameras through the caller's composition
//     step (LiveBenchmarkOptions::compose; the command line's draws anchor attention, geometry
//     PCA and the predicted path with viz/, which core does not link); camera -> action and
//     camera -> overlay-ready latency (frame captured -> overlays composed), overlays composed per
//     second and the time one composition takes.
// The checkpoint: the one given, else resources/models/demo when present, else a freshly
// initialised `small` preset (the timing does not depend on the weights).
//
// runLiveBenchmark() blocks the calling thread; it makes the world (an X display is needed: Xvfb
// headless) and sets LibTorch's thread count (process-wide). The composition step runs on the
// overlays run's display thread, one call at a time. Throws std::invalid_argument for bad options
// (no composition step among them), model::CheckpointError for an unloadable checkpoint,
// std::runtime_error when the world cannot be made.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "model/torch_runtime.h"

namespace thinkvla::core {

struct InferenceResult;
struct WorldState;

// Draws the overlays of every view of `result` (computed with introspection on); `state` is the
// world's newest state (end effector, camera calibrations) for the predicted path. Returns once
// the overlays are drawn: true, or false when the result had nothing to draw (not counted).
using OverlayComposeFn = std::function<bool(const InferenceResult& result, const WorldState& state)>;

struct LiveBenchmarkOptions {
  std::filesystem::path checkpoint;  // empty: the demo checkpoint, else a fresh `small`
  std::string world = "sim:spatial/0";
  double seconds = 8.0;  // per run (an episode's step limit may end it sooner)
  int threads = 0;       // LibTorch intra-op threads; 0: all cores
  int image_size = 128;
  OverlayComposeFn compose;  // the overlays run's composition step (required)
};

struct LatencyStats {
  int samples = 0;
  double median_ms = 0.0;
  double p95_ms = 0.0;
};
LatencyStats latencyStats(std::vector<double> samples_ms);

struct LiveBenchmarkRun {
  bool overlays = false;
  double seconds = 0.0;  // measured
  int steps = 0;         // control steps
  double control_rate_hz = 0.0;
  std::uint64_t inferences = 0;
  LatencyStats inference;          // the forward pass
  LatencyStats camera_to_action;   // frame captured -> actions ready
  LatencyStats camera_to_overlay;  // frame captured -> overlays composed (overlays on)
  LatencyStats compose;            // one composition, both cameras (overlays on)
  double overlays_per_s = 0.0;
};

struct LiveBenchmarkReport {
  std::string checkpoint;  // a directory, or "fresh small preset"
  std::string preset;
  std::string world;
  int threads = 0;
  double load_average = 0.0;           // the machine's 1-minute load when the runs ended
  model::ComputeEnvironment machine;   // the processor and kernels the numbers were taken on
  std::vector<LiveBenchmarkRun> runs;  // overlays off, then on

  std::string toText() const;  // a small table for people
  std::string toJson() const;
};

LiveBenchmarkReport runLiveBenchmark(const LiveBenchmarkOptions& options);

}  // namespace thinkvla::core
