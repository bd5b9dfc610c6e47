// bench_live: the live pipeline's latency in the built-in world, overlays off and on: camera ->
// action, camera -> overlay-ready (median, p95) and overlays composed per second. The measurement
// is core/pipeline/live_benchmark (also `thinkvla bench live`) with the command line's overlay
// composition (cli/overlay_maps.h: viz/'s drawing); this is a thin runner.
// Usage: xvfb-run -a bench_live [--checkpoint DIR] [--seconds S] [--threads N] [--world SPEC]
//        [--json FILE]
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "cli/overlay_maps.h"
#include "core/pipeline/live_benchmark.h"

int main(int argc, char** argv) {
  thinkvla::core::LiveBenchmarkOptions o;
  o.compose = thinkvla::cli::benchmarkOverlays();
  std::string json_file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--checkpoint" && has_value) {
      o.checkpoint = argv[++i];
    } else if (a == "--seconds" && has_value) {
      o.seconds = std::atof(argv[++i]);
    } else if (a == "--threads" && has_value) {
      o.threads = std::atoi(argv[++i]);
    } else if (a == "--world" && has_value) {
      o.world = argv[++i];
    } else if (a == "--json" && has_value) {
      json_file = argv[++i];
    } else {
      std::cerr
          << "usage: bench_live [--checkpoint DIR] [--seconds S] [--threads N] [--world SPEC] "
             "[--json FILE]\n";
      return 2;
    }
  }
  try {
    const auto report = thinkvla::core::runLiveBenchmark(o);
    std::cout << report.toText();
    if (!json_file.empty()) std::ofstream(json_file) << report.toJson() << '\n';
  } catch (const std::exception& e) {
    std::cerr << "bench_live: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
