// Recording throughput with two 128x128 RGB-D cameras (LIBERO's image size), against the 20 Hz the
// control loop produces.
//   1. Unpaced: the control thread appends as fast as it can. Reports the cost of appendStep on the
//      control thread, the writer's rate into the side log, the commit time per episode, and the
//      end-to-end rate (append + side log + commit into the HDF5 file) as a margin over 20 Hz.
//   2. Paced at 20 Hz: the queue depth and the longest time appendStep blocked.
// Usage: bench_episode_recorder [paced_steps (default 200 = 10 s)] [directory (default: temp)] [keep]
// ("keep" leaves the recorded files in the directory for inspection, e.g. with h5py.)
#include "core/episodes/episode_file.h"
#include "core/episodes/episode_recorder.h"
#include "episode_test_data.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

using namespace thinkvla::core;
namespace td = thinkvla::testdata;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kImageSize = 128;
constexpr double kControlHz = 20.0;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

EpisodeStart start(int episode) {
  EpisodeStart s;
  s.annotations.instruction = "put the bowl on the plate";
  s.annotations.source = {"sim", "bench", episode, ""};
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int paced_steps = argc > 1 ? std::stoi(argv[1]) : 200;
  const fs::path directory = argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path() / "thinkvla_bench_recorder";
  fs::remove_all(directory);
  fs::create_directories(directory);
  spdlog::set_level(spdlog::level::warn);

  // Distinct frames, generated up front so that the benchmark measures the recorder only.
  std::vector<RecordedStep> steps;
  for (int t = 0; t < 64; ++t) steps.push_back(td::makeStep(0, t, kImageSize));
  const std::size_t raw_step_bytes = 2 * (kImageSize * kImageSize * 3) + 2 * (kImageSize * kImageSize * 4);

  std::printf("recorder benchmark: two %dx%d RGB-D cameras (%.0f KB raw a step), control at %.0f Hz\n",
              kImageSize, kImageSize, raw_step_bytes / 1024.0, kControlHz);

  // ---- 1. unpaced ----------------------------------------------------------------------------------
  {
    const fs::path file = directory / "unpaced.hdf5";
    constexpr int kEpisodes = 3;
    constexpr int kStepsPerEpisode = 300;  // 15 s at 20 Hz, a typical LIBERO demo length
    RecorderOptions options;
    options.file = file;
    options.dataset_info.problem_info_json = R"({"language_instruction": "put the bowl on the plate"})";
    EpisodeRecorder recorder(options);
    std::vector<double> append_ms;
    std::vector<double> commit_s;
    const auto t0 = Clock::now();
    double writer_drained_ms = 0.0;
    for (int e = 0; e < kEpisodes; ++e) {
      recorder.beginEpisode(start(e));
      for (int t = 0; t < kStepsPerEpisode; ++t) {
        const auto a0 = Clock::now();
        recorder.appendStep(steps[static_cast<std::size_t>(t) % steps.size()]);
        append_ms.push_back(msSince(a0));
      }
      recorder.endEpisode(EndDecision::kKeep, {true, "", {}, {}});
    }
    const double appended_ms = msSince(t0);
    while (recorder.stats().steps_written < static_cast<std::uint64_t>(kEpisodes * kStepsPerEpisode)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    writer_drained_ms = msSince(t0);
    recorder.waitUntilIdle(600.0);
    const double total_ms = msSince(t0);
    const RecorderStats stats = recorder.stats();
    const int total_steps = kEpisodes * kStepsPerEpisode;
    const double writer_hz = total_steps / (writer_drained_ms / 1000.0);
    const double end_to_end_hz = total_steps / (total_ms / 1000.0);
    const double file_mb = static_cast<double>(fs::file_size(file)) / 1e6;
    std::printf("\n1. unpaced, %d episodes x %d steps\n", kEpisodes, kStepsPerEpisode);
    std::printf("   appendStep on the control thread: mean %.3f ms, p99 %.3f ms, max %.3f ms "
                "(queue full most of the time here: the producer outruns the writer)\n",
                appended_ms / total_steps, percentile(append_ms, 0.99), percentile(append_ms, 1.0));
    std::printf("   writer into the side log:          %.0f steps/s  = %.0fx the 20 Hz control rate\n",
                writer_hz, writer_hz / kControlHz);
    std::printf("   commit into HDF5 (last episode):   %.2f s for %d steps (%.0f steps/s)\n", stats.last_commit_s,
                kStepsPerEpisode, kStepsPerEpisode / std::max(stats.last_commit_s, 1e-9));
    std::printf("   end to end (log + commit):         %.0f steps/s  = %.1fx margin over 20 Hz\n", end_to_end_hz,
                end_to_end_hz / kControlHz);
    std::printf("   file: %.1f MB for %d steps (%.1f KB a step, %.1fx compression of the raw frames)\n", file_mb,
                total_steps, file_mb * 1e3 / total_steps, raw_step_bytes / (file_mb * 1e6 / total_steps));
    if (stats.episodes_committed != kEpisodes) std::printf("   ERROR: %s\n", stats.last_error.c_str());
  }

  // ---- 2. paced at 20 Hz ---------------------------------------------------------------------------
  {
    const fs::path file = directory / "paced.hdf5";
    RecorderOptions options;
    options.file = file;
    options.dataset_info.problem_info_json = R"({"language_instruction": "put the bowl on the plate"})";
    EpisodeRecorder recorder(options);
    std::vector<double> append_ms;
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / kControlHz));
    recorder.beginEpisode(start(0));
    auto next = Clock::now();
    const auto t0 = Clock::now();
    for (int t = 0; t < paced_steps; ++t) {
      const auto a0 = Clock::now();
      recorder.appendStep(steps[static_cast<std::size_t>(t) % steps.size()]);
      append_ms.push_back(msSince(a0));
      next += period;
      std::this_thread::sleep_until(next);
    }
    const double measured_hz = paced_steps / (msSince(t0) / 1000.0);
    recorder.endEpisode(EndDecision::kKeep, {true, "", {}, {}});
    recorder.waitUntilIdle(600.0);
    const RecorderStats stats = recorder.stats();
    std::printf("\n2. paced at 20 Hz, %d steps (measured %.2f Hz)\n", paced_steps, measured_hz);
    std::printf("   appendStep: mean %.3f ms, p99 %.3f ms, max %.3f ms of the %.0f ms period\n",
                std::accumulate(append_ms.begin(), append_ms.end(), 0.0) / append_ms.size(),
                percentile(append_ms, 0.99), percentile(append_ms, 1.0), 1000.0 / kControlHz);
    std::printf("   queue: max depth %zu of %zu; producer blocked at most %.3f ms\n", stats.queue_depth_max,
                options.queue_capacity_steps, stats.producer_blocked_max_ms);
    std::printf("   commit of the %d-step episode: %.2f s (on the committer thread)\n", paced_steps,
                stats.last_commit_s);
    if (stats.episodes_committed != 1) std::printf("   ERROR: %s\n", stats.last_error.c_str());
  }
  if (argc > 3 && std::string(argv[3]) == "keep") {
    std::printf("\nfiles kept in %s\n", directory.string().c_str());
  } else {
    fs::remove_all(directory);
  }
  return 0;
}
