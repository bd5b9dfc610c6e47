// bench_sim: speed of the built-in world. Control steps per second (one step = 50 ms of physics,
// 25 MuJoCo steps, plus the inverse kinematics) with both cameras rendering RGB-D at 128x128, with
// segmentation as well, and physics only. Runs on one core: Mesa's llvmpipe is held to one thread
// (LP_NUM_THREADS=1) unless the caller set it. Not a test: run by hand under xvfb-run.
//   xvfb-run -a -s "-screen 0 1280x1024x24" build/tests/bin/bench_sim [steps]
// Without an X server it renders through EGL (THINKVLA_GL=egl).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "core/sim/scripted_expert.h"
#include "core/sim/tabletop_env.h"

namespace sim = thinkvla::core::sim;

namespace {
double run(sim::CameraChannels channels, int steps, int size) {
  sim::EnvOptions options;
  options.channels = channels;
  options.image_width = size;
  options.image_height = size;
  sim::TabletopEnv env(options);
  const auto& task = sim::task(sim::Suite::kLong, 2);
  env.reset(task, 1);
  sim::ScriptedExpert expert(task, 1);
  const bool render = channels != sim::CameraChannels::kNone;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) {
    if (env.stepCount() >= task.max_steps) {
      env.reset(task, static_cast<std::uint64_t>(i));
      expert = sim::ScriptedExpert(task, static_cast<std::uint64_t>(i));
    }
    env.step(expert.act(env));
    if (render) {
      const auto obs = env.observe();
      if (obs.cameras.size() != 2) std::abort();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return steps / seconds;
}
}  // namespace

int main(int argc, char** argv) try {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 400;
  setenv("LP_NUM_THREADS", "1", 0);
  std::printf("bench_sim: %d control steps each (20 Hz, 25 physics steps of 2 ms), LP_NUM_THREADS=%s\n",
              steps, std::getenv("LP_NUM_THREADS"));
  const double physics = run(sim::CameraChannels::kNone, steps, 128);
  std::printf("physics only:                         %8.1f steps/s (%.0f x real time)\n", physics,
              physics * sim::kControlDtS);
  const double rgbd = run(sim::CameraChannels::kRgbDepth, steps, 128);
  std::printf("2 cameras RGB-D 128x128:              %8.1f steps/s\n", rgbd);
  const double seg = run(sim::CameraChannels::kRgbDepthSegmentation, steps, 128);
  std::printf("2 cameras RGB-D + segmentation 128:   %8.1f steps/s\n", seg);
  const double rgbd256 = run(sim::CameraChannels::kRgbDepth, steps / 2, 256);
  std::printf("2 cameras RGB-D 256x256:              %8.1f steps/s\n", rgbd256);
  return 0;
} catch (const std::exception& e) {
  // No X server and no EGL, a missing scene file: say so instead of terminating.
  std::fprintf(stderr, "bench_sim: %s\n", e.what());
  return 1;
}
