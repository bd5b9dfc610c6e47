// `thinkvla dataset info|validate|stats|export-video FILE ...`: what an episode file holds, whether
// it is sound, its action statistics (and the norm_stats.json training would use), and a video of
// one demonstration. Reading problems are reported per file, one line each; the exit code is 1 when
// a file cannot be read (or, for validate, has problems), 2 for usage errors.
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/episodes/episode_inspect.h"
#include "core/episodes/episode_video.h"
#include "core/episodes/hdf5_episode_store.h"
#include "model/data/action_normalization.h"

namespace thinkvla::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDimNames[7] = {"dx", "dy", "dz", "drx", "dry", "drz", "gripper"};

// Error texts can carry HDF5's multi-line detail: keep each report on one line.
std::string oneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::string usageText() {
  return "usage: thinkvla dataset SUBCOMMAND FILE... [options]\n\n"
         "subcommands:\n"
         "  info FILE...          episodes, steps, instructions, success and recovered counts\n"
         "  validate FILE...      reads every dataset of every demo; lists the problems found\n"
         "  stats FILE...         per-dimension action statistics (min, max, mean, std, q01, q99)\n"
         "                        [--norm-stats OUT.json: write the training normalisation]\n"
         "  export-video FILE --episode N --out FILE.mp4 [--camera agentview|eye_in_hand|both]\n"
         "                        [--fps 20]\n";
}

std::vector<fs::path> files(const Args& args) {
  if (args.positional().empty()) throw UsageError("expects at least one episode file");
  return {args.positional().begin(), args.positional().end()};
}

void printError(const std::string& problem) {
  std::cerr << "thinkvla dataset: error: " << oneLine(problem) << '\n';
}

// The loop of `dataset info` and `dataset validate`: parses the options, inspects every FILE to
// `depth`, reports an unreadable one on stderr and hands each readable report to `show`, which
// returns false when it found problems. Exit code 1 when any file was unreadable or had problems.
int forEachReport(
    const std::string& name, const std::string& summary, const std::vector<std::string>& argv,
    core::InspectDepth depth,
    const std::function<bool(const fs::path&, const core::EpisodeFileReport&)>& show) {
  Args args(name, summary);
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << usageText();
    return 0;
  }
  int code = 0;
  for (const fs::path& file : files(args)) {
    const core::EpisodeFileReport r = core::inspectEpisodeFile(file, depth);
    if (!r.readable) {
      printError(r.problems.empty() ? file.string() + ": unreadable" : r.problems.front());
      code = 1;
    } else if (!show(file, r)) {
      code = 1;
    }
  }
  return code;
}

int runInfoSub(const std::vector<std::string>& argv) {
  return forEachReport(
      "dataset info", "Episodes, steps and instructions of episode files.", argv,
      core::InspectDepth::kSummary, [](const fs::path& file, const core::EpisodeFileReport& r) {
        std::cout << file.string() << '\n'
                  << "  environment   " << (r.info.env_name.empty() ? "(none)" : r.info.env_name)
                  << ", images "
                  << (r.info.image_convention == core::ImageConvention::kOpenGL
                          ? "opengl (stored upside down)"
                          : "opencv")
                  << '\n'
                  << "  episodes      " << r.episodes.size() << " (" << r.successful_episodes
                  << " successful, " << r.recovered_episodes << " recovered)\n"
                  << "  steps         " << r.total_steps << '\n';
        for (const std::string& instruction : r.instructions)
          std::cout << "  instruction   " << instruction << '\n';
        for (const core::EpisodeSummary& e : r.episodes) {
          std::string name = e.name;
          name.resize(std::max<std::size_t>(name.size(), 12), ' ');
          std::cout << "  " << name << std::setw(5) << e.num_samples << " steps";
          if (e.has_annotations) {
            std::cout << (e.annotations.success ? "  success" : "  failure");
            if (e.annotations.recovered) std::cout << "  recovered";
            if (!e.annotations.qa_pairs.empty())
              std::cout << "  " << e.annotations.qa_pairs.size() << " QA";
            if (!e.annotations.instruction.empty())
              std::cout << "  \"" << e.annotations.instruction << '"';
          }
          std::cout << '\n';
        }
        if (!r.problems.empty()) {
          std::cout << "  problems      " << r.problems.size()
                    << " (run 'thinkvla dataset validate')\n";
        }
        return true;  // info describes; validate judges
      });
}

int runValidateSub(const std::vector<std::string>& argv) {
  return forEachReport(
      "dataset validate", "Reads every dataset of every demo and lists the problems found.", argv,
      core::InspectDepth::kFull, [](const fs::path& file, const core::EpisodeFileReport& r) {
        if (r.problems.empty()) {
          std::cout << file.string() << ": valid (" << r.episodes.size() << " episodes, "
                    << r.total_steps << " steps)\n";
          return true;
        }
        std::cout << file.string() << ": " << r.problems.size() << " problem"
                  << (r.problems.size() == 1 ? "" : "s") << '\n';
        for (const std::string& p : r.problems) std::cout << "  " << oneLine(p) << '\n';
        return false;
      });
}

int runStatsSub(const std::vector<std::string>& argv) {
  Args args("dataset stats", "Per-dimension action statistics of episode files.");
  args.option("norm-stats", Args::Kind::kValue,
              "write norm_stats.json (action and proprio q01/q99 over all FILEs, gripper binary)");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << usageText();
    return 0;
  }
  const std::vector<fs::path> inputs = files(args);
  int code = 0;
  for (const fs::path& file : inputs) {
    const core::EpisodeFileReport r = core::inspectEpisodeFile(file, core::InspectDepth::kSummary);
    if (!r.readable) {
      printError(r.problems.empty() ? file.string() + ": unreadable" : r.problems.front());
      code = 1;
      continue;
    }
    const core::ActionStatistics& s = r.actions;
    std::cout << file.string() << ": " << s.count << " steps in " << r.episodes.size()
              << " episodes\n";
    if (s.count == 0) continue;
    std::cout << "  dim            min        max       mean        std        q01        q99\n";
    for (std::size_t d = 0; d < 7; ++d) {
      std::cout << "  " << std::left << std::setw(8) << kDimNames[d] << std::right << std::fixed
                << std::setprecision(4);
      for (double v : {s.min[d], s.max[d], s.mean[d], s.std[d], s.q01[d], s.q99[d]}) {
        std::cout << std::setw(11) << v;
      }
      std::cout << '\n';
    }
    std::cout.unsetf(std::ios::floatfield);
    for (const std::string& p : r.problems) std::cout << "  problem: " << oneLine(p) << '\n';
  }
  if (args.has("norm-stats")) {
    if (code != 0) {
      printError("norm_stats.json not written: a file could not be read");
      return code;
    }
    std::vector<std::unique_ptr<core::Hdf5EpisodeStore>> stores;
    std::vector<const model::data::EpisodeStore*> views;
    for (const fs::path& file : inputs) {
      stores.push_back(std::make_unique<core::Hdf5EpisodeStore>(file));
      views.push_back(stores.back().get());
    }
    const model::NormStats stats = model::data::computeNormStats(views);
    const fs::path out = args.value("norm-stats");
    model::data::saveNormStats(stats, out);
    std::cout << "wrote " << out.string() << " (q01/q99 of 7 action and 8 proprio dimensions)\n";
  }
  return code;
}

int runExportVideoSub(const std::vector<std::string>& argv) {
  Args args("dataset export-video", "Writes one episode's camera images to a video file.");
  args.option("episode", Args::Kind::kValue, "episode: N or demo_N")
      .option("out", Args::Kind::kValue, "video file (.mp4, .avi)")
      .option("camera", Args::Kind::kValue, "agentview, eye_in_hand or both", "both")
      .option("fps", Args::Kind::kValue, "frames per second", "20");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << usageText();
    return 0;
  }
  if (args.positional().size() != 1) throw UsageError("export-video expects one episode file");
  if (!args.has("episode")) throw UsageError("--episode N is required");
  if (!args.has("out")) throw UsageError("--out FILE.mp4 is required");
  std::string episode = args.value("episode");
  if (!episode.empty() && episode.find_first_not_of("0123456789") == std::string::npos)
    episode = "demo_" + episode;
  const std::string camera = args.value("camera");
  core::VideoCameras cameras = core::VideoCameras::kSideBySide;
  if (camera == "agentview") {
    cameras = core::VideoCameras::kAgentview;
  } else if (camera == "eye_in_hand") {
    cameras = core::VideoCameras::kEyeInHand;
  } else if (camera != "both") {
    throw UsageError("--camera must be agentview, eye_in_hand or both, got '" + camera + "'");
  }
  const double fps = args.doubleValue("fps");
  if (!(fps > 0.0 && fps <= 1000.0)) throw UsageError("--fps must be in (0, 1000]");
  const fs::path file = args.positional()[0];
  const fs::path out = args.value("out");
  try {
    const int frames = core::exportEpisodeVideo(file, episode, out, cameras, fps);
    std::cout << "wrote " << out.string() << ": " << frames << " frames of data/" << episode
              << " at " << fps << " fps\n";
  } catch (const std::exception& e) {
    printError(e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int runDataset(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::cout << usageText();
    return argv.empty() ? 2 : 0;
  }
  const std::string sub = argv[0];
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  try {
    if (sub == "info") return runInfoSub(rest);
    if (sub == "validate") return runValidateSub(rest);
    if (sub == "stats") return runStatsSub(rest);
    if (sub == "export-video") return runExportVideoSub(rest);
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    printError(e.what());
    return 1;
  }
  throw UsageError("unknown subcommand '" + sub + "' (info, validate, stats, export-video)");
}

}  // namespace thinkvla::cli
