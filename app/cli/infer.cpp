// `thinkvla infer`: the studio's live pipeline without a screen. A camera, a video file, an image
// folder or a stream goes through core::LivePipeline (capture thread -> inference worker, newest
// frame or, with --every-frame, every frame in order); the built-in world (sim:SUITE/TASK[@SEED])
// goes through core::WorldPolicyEpisode (world + 20 Hz control loop in policy mode + inference
// worker + chunk executor, closed loop). Every inference becomes one JSON line; --maps also writes
// the anchor attention and the geometry latent (PCA colours) over each view as PNGs, drawn by viz/
// as the studio draws them (cli/overlay_maps.h). Ctrl-C stops cleanly with the summary.
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "cli/args.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "cli/overlay_maps.h"
#include "core/pipeline/live_benchmark.h"
#include "core/pipeline/live_pipeline.h"
#include "core/pipeline/temporal_ensemble.h"
#include "core/pipeline/world_policy_episode.h"
#include "model/checkpoint.h"
#include "model/torch_runtime.h"

namespace thinkvla::cli {

namespace {
namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};
extern "C" void onInferStop(int) { g_stop.store(true); }

// The command reports its own errors as one line; library log lines go to the log file only.
void quietStderr() {
  for (auto& sink : spdlog::default_logger()->sinks()) {
    if (std::dynamic_pointer_cast<spdlog::sinks::stderr_color_sink_mt>(sink)) {
      sink->set_level(spdlog::level::off);
    }
  }
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
}

// C libraries below OpenCV (its AVI parser, FFmpeg, Mesa) print to stderr directly. While the
// pipeline runs, fd 2 goes to a temporary file whose text ends up in the log file, so the command's
// own one-line error (printed after this is undone) stays the only line on stderr.
class StderrToLog {
 public:
  StderrToLog() {
    std::fflush(stderr);
    file_ = std::tmpfile();
    saved_ = file_ != nullptr ? ::dup(2) : -1;
    if (saved_ >= 0 && ::dup2(::fileno(file_), 2) < 0) {
      ::close(saved_);
      saved_ = -1;
    }
  }
  ~StderrToLog() { restore(); }
  StderrToLog(const StderrToLog&) = delete;
  StderrToLog& operator=(const StderrToLog&) = delete;

  void restore() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, 2);
      ::close(saved_);
      saved_ = -1;
      std::string text;
      std::rewind(file_);
      char buffer[4096];
      std::size_t n = 0;
      while ((n = std::fread(buffer, 1, sizeof(buffer), file_)) > 0 && text.size() < 65536) {
        text.append(buffer, n);
      }
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (!text.empty()) spdlog::warn("infer: libraries wrote to stderr:\n{}", text);
    }
    if (file_ != nullptr) {
      std::fclose(file_);
      file_ = nullptr;
    }
  }

 private:
  std::FILE* file_ = nullptr;
  int saved_ = -1;
};

struct Item {
  core::InferenceResult result;
  std::optional<core::WorldAtFrame> world;
};

// Items from the inference thread, written in order by the writer thread: JSON lines and maps.
class Writer {
 public:
  Writer(const std::string& json_file, fs::path maps_dir, std::vector<core::CameraGeometry> cameras)
      : out_(json_file, std::ios::trunc),
        maps_dir_(std::move(maps_dir)),
        cameras_(std::move(cameras)) {
    if (!out_) throw std::runtime_error(json_file + ": cannot write");
    thread_ = std::thread([this] { run(); });
  }
  ~Writer() { finish(); }

  void push(Item item) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(item));
    }
    cv_.notify_one();
  }
  // Writes what is queued, then ends the thread. Returns the first write error (empty if none).
  std::string finish() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    out_.flush();
    if (error_.empty() && !out_) error_ = "cannot write the JSON lines (disk full?)";
    return error_;
  }
  const std::vector<double>& cameraToActionMs() const { return camera_to_action_ms_; }
  const std::vector<double>& inferenceMs() const { return inference_ms_; }
  std::uint64_t lines() const { return lines_; }
  std::uint64_t mapFiles() const { return map_files_; }

 private:
  void run() {
    while (true) {
      Item item;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      if (!error_.empty()) continue;  // keep draining; the first error is reported
      try {
        write(item);
      } catch (const std::exception& e) {
        error_ = e.what();
      }
    }
  }

  static std::string viewName(const std::string& camera, std::size_t index) {
    const bool plain = !camera.empty() && camera.size() <= 24 &&
                       std::all_of(camera.begin(), camera.end(), [](unsigned char c) {
                         return std::isalnum(c) || c == '_' || c == '-';
                       });
    return plain ? camera : "v" + std::to_string(index);
  }

  void writePng(const fs::path& file, const cv::Mat& rgb) {
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    if (!cv::imwrite(file.string(), bgr))
      throw std::runtime_error(file.string() + ": cannot write");
    ++map_files_;
  }

  void write(const Item& item) {
    const auto& r = item.result;
    nlohmann::json j;
    j["frame"] = r.frame_sequence;
    j["source_time_s"] = r.frames.source_time_s;
    j["instruction"] = r.instruction;
    j["actions"] = r.actions;
    j["inference_ms"] = r.inference_ms;
    j["camera_to_action_ms"] = r.camera_to_action_ms;
    if (item.world) {
      j["step"] = item.world->step;
      j["success"] = item.world->success;
      const auto& p = item.world->ee_position_m;
      j["ee_position_m"] = {p[0], p[1], p[2]};
    }
    if (!maps_dir_.empty()) {
      std::optional<PathContext> path;
      if (item.world && !cameras_.empty()) {
        path.emplace();
        path->ee_position_m = item.world->ee_position_m;
        path->cameras = cameras_;
      }
      const auto views = maps_.compose(r, path ? &*path : nullptr);
      char stem[32];
      std::snprintf(stem, sizeof(stem), "%08llu",
                    static_cast<unsigned long long>(r.frame_sequence));
      nlohmann::json files = nlohmann::json::array();
      for (std::size_t v = 0; v < views.size(); ++v) {
        const std::string base = std::string(stem) + "_" + viewName(views[v].camera, v);
        if (!views[v].attention.empty()) {
          const fs::path f = maps_dir_ / (base + "_attention.png");
          writePng(f, views[v].attention);
          files.push_back(f.string());
        }
        if (!views[v].geometry.empty()) {
          const fs::path f = maps_dir_ / (base + "_geometry.png");
          writePng(f, views[v].geometry);
          files.push_back(f.string());
        }
      }
      j["maps"] = files;
    }
    out_ << j.dump() << '\n';
    ++lines_;
    camera_to_action_ms_.push_back(r.camera_to_action_ms);
    inference_ms_.push_back(r.inference_ms);
  }

  std::ofstream out_;
  fs::path maps_dir_;
  std::vector<core::CameraGeometry> cameras_;
  OverlayMaps maps_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool closing_ = false;
  std::string error_;
  std::vector<double> camera_to_action_ms_, inference_ms_;
  std::uint64_t lines_ = 0;
  std::uint64_t map_files_ = 0;
};

std::string fixed1(double v) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(1);
  s << v;
  return s.str();
}

std::string latencySummary(const Writer& writer, int threads) {
  const std::string on =
      " (" + std::to_string(threads) + " LibTorch thread" + (threads == 1 ? ")" : "s)");
  const auto c2a = core::latencyStats(writer.cameraToActionMs());
  const auto inf = core::latencyStats(writer.inferenceMs());
  if (c2a.samples == 0) return "no latency (no inference)" + on;
  return "camera->action median " + fixed1(c2a.median_ms) + " ms, p95 " + fixed1(c2a.p95_ms) +
         " ms; inference median " + fixed1(inf.median_ms) + " ms, p95 " + fixed1(inf.p95_ms) +
         " ms" + on;
}
}  // namespace

int runInfer(const std::vector<std::string>& argv) {
  Args args("infer",
            "Runs a policy on a live source without a screen, as the studio does, and writes one\n"
            "JSON line per inference (frame, source time, the K x 7 action chunk in robot units,\n"
            "latencies, the instruction; for the built-in world also step, success and the end\n"
            "effector). Sources: camera:N, file:PATH, folder:PATH, url:ADDRESS (newest frame;\n"
            "--every-frame: every frame in order, none dropped) and sim:SUITE/TASK[@SEED] (the\n"
            "built-in world, driven closed loop at 20 Hz until success, the task's step limit or\n"
            "--frames). Sources with one camera and a policy that takes two views: the one image\n"
            "fills both views. Proprioception is zeros except in the built-in world.");
  args.option("checkpoint", Args::Kind::kValue, "policy checkpoint directory")
      .option("source", Args::Kind::kValue,
              "camera:N, file:PATH, folder:PATH, url:ADDRESS or sim:SUITE/TASK[@SEED]")
      .option("instruction", Args::Kind::kValue,
              "the task instruction (required except for sim:, where it defaults to the task's)")
      .option("json", Args::Kind::kValue, "JSON-lines output file (required)")
      .option("frames", Args::Kind::kValue,
              "stop after N source frames (sim: control steps); 0: until the source ends", "0")
      .option("maps", Args::Kind::kValue,
              "directory for per-inference PNGs: anchor attention and geometry PCA over each view")
      .option("every-frame", Args::Kind::kFlag,
              "process every frame in order instead of the newest (camera, file, folder, url)")
      .option("perturb", Args::Kind::kValue, "sim: DIM:LEVEL[,DIM:LEVEL] (as thinkvla eval)",
              "none")
      .option("execute-steps", Args::Kind::kValue,
              "sim: actions of each chunk executed open loop (0: all K)", "0")
      .option("ensemble", Args::Kind::kValue,
              "sim: temporal ensembling: re-plan every --execute-steps and execute the mean of "
              "the overlapping chunks, the i-th oldest weighted exp(-DECAY i); off or DECAY >= 0",
              "off")
      .option("gripper", Args::Kind::kValue, kGripperOptionHelp, "binary")
      .option("image-size", Args::Kind::kValue, "sim: rendered camera side in pixels", "128")
      .option("threads", Args::Kind::kValue, "LibTorch intra-op threads (0: all cores)", "0");
  if (!args.parseOptions(argv)) return 0;
  quietStderr();

  if (!args.has("source")) throw UsageError("--source SPEC is required");
  const std::string spec = args.value("source");
  const bool world = core::isWorldSpec(spec);
  core::WorldSpec world_spec;
  std::unique_ptr<core::FrameSource> source;
  try {
    if (world) {
      world_spec = core::parseWorldSpec(spec);
    } else {
      source = core::makeFrameSource(spec);
    }
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  if (!world && !args.has("instruction")) throw UsageError("--instruction TEXT is required");
  if (args.has("instruction") && args.value("instruction").empty())
    throw UsageError("--instruction is empty");
  if (world && args.has("every-frame"))
    throw UsageError(
        "--every-frame is for camera, file, folder and url sources; the world runs "
        "closed loop at 20 Hz");
  const core::sim::PerturbationSpec perturbation = perturbationOption(args, "perturb");
  if (!world && perturbation.any()) throw UsageError("--perturb is only for sim: sources");
  const int frames = args.intAtLeast("frames", 0);
  const int execute_steps = args.intAtLeast("execute-steps", 0);
  std::optional<double> ensemble_decay;
  if (args.value("ensemble") != "off") {
    if (!world) throw UsageError("--ensemble is only for sim: sources");
    ensemble_decay = args.doubleValue("ensemble");
    if (!core::TemporalEnsemble::validDecay(*ensemble_decay)) {
      throw UsageError("--ensemble " + args.value("ensemble") + ": the decay must be >= 0");
    }
  }
  const model::GripperOutput gripper_output = gripperOutputOption(args);
  const int image_size = args.intInRange("image-size", 16, 1024);
  const int threads = args.intAtLeast("threads", 0);
  if (!args.has("json")) throw UsageError("--json FILE is required");
  const std::string json_file = args.value("json");
  checkWritable(json_file, "json");
  fs::path maps_dir;
  if (args.has("maps")) maps_dir = ensureDirectory(args.value("maps"), "maps");
  if (!args.has("checkpoint")) throw UsageError("--checkpoint DIR is required");
  const std::string checkpoint = args.value("checkpoint");
  checkCheckpointDirectory(checkpoint);
  StderrToLog stderr_to_log;
  const int torch_threads = model::configureThreads(threads);
  std::optional<model::Policy> policy;
  try {
    policy.emplace(model::Policy::load(checkpoint));
    policy->setGripperOutput(gripper_output);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load the checkpoint " + checkpoint + ": " + e.what());
  }

  struct sigaction sa {};
  sa.sa_handler = onInferStop;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  if (world) {
    core::WorldPolicyEpisode::Options o;
    o.world = world_spec;
    o.perturbation = perturbation;
    o.instruction = args.value("instruction");
    o.image_size = image_size;
    o.introspection = !maps_dir.empty();
    o.execute_steps = execute_steps;
    o.ensemble_decay = ensemble_decay;
    o.max_steps = frames;
    if (execute_steps > policy->config().chunk_size) {
      throw UsageError("--execute-steps " + std::to_string(execute_steps) +
                       " exceeds the checkpoint's chunk size " +
                       std::to_string(policy->config().chunk_size));
    }
    std::unique_ptr<core::WorldPolicyEpisode> episode;
    try {
      episode = std::make_unique<core::WorldPolicyEpisode>(o, std::move(*policy));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(checkpoint + ": " + e.what());
    }
    Writer writer(json_file, maps_dir, episode->cameras());
    episode->start([&writer](const core::InferenceResult& r, const core::WorldAtFrame& w) {
      writer.push(Item{r, w});
    });
    const auto outcome = episode->wait(&g_stop);
    const std::string write_error = writer.finish();
    if (!outcome.error.empty()) throw std::runtime_error(spec + ": " + outcome.error);
    if (!write_error.empty()) throw std::runtime_error(write_error);
    std::cout << "infer: " << spec << " (" << episode->task().name << "): " << outcome.steps
              << " steps, " << writer.lines() << " inferences, "
              << latencySummary(writer, torch_threads) << "; control "
              << fixed1(outcome.control_rate_hz) << " Hz; "
              << (outcome.success ? "success at step " + std::to_string(outcome.steps)
                                  : "no success (" + std::to_string(outcome.steps) + " of " +
                                        std::to_string(outcome.step_limit) + " steps" +
                                        (outcome.stopped ? ", stopped" : "") + ")")
              << (maps_dir.empty() ? "" : "; " + std::to_string(writer.mapFiles()) + " maps");
    if (ensemble_decay) std::cout << "; temporally ensembled (decay " << *ensemble_decay << ")";
    std::cout << '\n';
    return 0;
  }

  core::LivePipeline::Options o;
  o.delivery = args.has("every-frame") ? core::LivePipeline::Delivery::kEveryFrame
                                       : core::LivePipeline::Delivery::kLatest;
  o.instruction = args.value("instruction");
  o.introspection = !maps_dir.empty();
  o.max_frames = static_cast<std::uint64_t>(frames);
  std::unique_ptr<core::LivePipeline> pipeline;
  try {
    pipeline = std::make_unique<core::LivePipeline>(std::move(source), std::move(*policy), o);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string(e.what()) + " (" + checkpoint + ")");
  }
  Writer writer(json_file, maps_dir, {});
  pipeline->start([&writer](const core::InferenceResult& r) {
    writer.push(Item{r, std::nullopt});
  });
  const auto outcome = pipeline->wait(&g_stop);
  const std::string write_error = writer.finish();
  if (outcome.status == core::LivePipeline::Status::kFailed)
    throw std::runtime_error(outcome.error);
  if (!write_error.empty()) throw std::runtime_error(write_error);
  std::cout << "infer: " << spec << ": " << outcome.frames << " frames, " << writer.lines()
            << " inferences (" << outcome.dropped << " frames skipped), "
            << latencySummary(writer, torch_threads);
  if (pipeline->sourceViews() == 1 && pipeline->policyViews() > 1) {
    std::cout << "; the source's one view fills the policy's " << pipeline->policyViews()
              << " views";
  }
  if (!maps_dir.empty()) std::cout << "; " << writer.mapFiles() << " maps";
  if (outcome.status == core::LivePipeline::Status::kStopped) std::cout << "; stopped";
  std::cout << '\n';
  return 0;
}

}  // namespace thinkvla::cli
