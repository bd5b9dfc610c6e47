// `thinkvla train`: trains (or fine-tunes) a 3DThinkVLA policy on episode files with the training
// runner of model/train, shows a one-line progress bar on stderr and writes checkpoints into
// --out. --nproc N starts N local copies of this command as the ranks of a c10d process group on
// a free loopback port and waits for them; --rank/--world-size/--master join a group across
// machines. Ctrl-C (SIGINT/SIGTERM) stops after the current step and keeps the last checkpoint.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <thread>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/episodes/hdf5_episode_store.h"
#include "model/checkpoint.h"
#include "model/train/distributed.h"
#include "model/train/trainer.h"

extern char** environ;

namespace thinkvla::cli {

namespace {

namespace fs = std::filesystem;
namespace mt = model::train;

std::atomic<int> g_stop_signals{0};
extern "C" void onStopSignal(int) { g_stop_signals.fetch_add(1); }

// The ranks of --nproc share the launcher's stderr. A line written by several stream inserts
// becomes several write(2) calls, and a sibling rank's line can land in between; one write of a
// whole line (shorter than PIPE_BUF) reaches a pipe in one piece.
void writeStderr(const std::string& text) {
  std::cerr.flush();
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--";
  const auto s = static_cast<long long>(std::llround(seconds));
  std::ostringstream o;
  if (s >= 3600) o << s / 3600 << 'h' << std::setw(2) << std::setfill('0') << (s % 3600) / 60 << 'm';
  else if (s >= 60) o << s / 60 << 'm' << std::setw(2) << std::setfill('0') << s % 60 << 's';
  else o << s << 's';
  return o.str();
}

std::string lossText(double v) {
  if (!std::isfinite(v)) return "-";
  std::ostringstream o;
  o << std::setprecision(3) << v;
  return o.str();
}

// One line, rewritten in place: step/total, bar, losses, samples/s, ETA.
void drawProgress(const mt::TrainProgress& p, bool final_line) {
  constexpr int kBar = 20;
  const double frac = p.total_steps > 0 ? static_cast<double>(p.step) / static_cast<double>(p.total_steps) : 0;
  const int filled = static_cast<int>(frac * kBar);
  std::ostringstream o;
  o << "\r" << p.step << '/' << p.total_steps << " [" << std::string(static_cast<std::size_t>(filled), '#')
    << std::string(static_cast<std::size_t>(kBar - filled), '.') << "] loss " << lossText(p.losses.total)
    << " (act " << lossText(p.losses.action) << " aln " << lossText(p.losses.alignment) << " dst "
    << lossText(p.losses.distillation) << " lm " << lossText(p.losses.language) << " dep "
    << lossText(p.losses.depth_probe) << ") " << std::fixed << std::setprecision(1)
    << p.samples_per_s << " samples/s ETA " << duration(p.eta_s);
  if (p.state == mt::TrainState::kPaused) o << " (paused)";
  o << "\033[K";
  if (final_line) o << '\n';
  writeStderr(o.str());
}

// --nproc N: the same command once per rank, with a free loopback port; waits for all of them.
int launchLocalRanks(const std::vector<std::string>& argv, int nproc, int threads_total) {
  const int port = mt::findFreeLoopbackPort();
  const int per_rank = std::max(1, threads_total / nproc);
  std::vector<std::string> base;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--nproc" || a == "--threads") {
      ++i;
      continue;
    }
    if (a.rfind("--nproc=", 0) == 0 || a.rfind("--threads=", 0) == 0) continue;
    base.push_back(a);
  }
  std::ostringstream line;
  line << "thinkvla train: starting " << nproc << " local ranks on 127.0.0.1:" << port << ", "
       << per_rank << " LibTorch thread(s) each\n";
  writeStderr(line.str());
  std::vector<pid_t> pids;
  for (int r = 0; r < nproc; ++r) {
    std::vector<std::string> args = {"/proc/self/exe", "train"};
    args.insert(args.end(), base.begin(), base.end());
    for (const std::string& extra :
         {std::string("--rank"), std::to_string(r), std::string("--world-size"), std::to_string(nproc),
          std::string("--master"), "127.0.0.1:" + std::to_string(port), std::string("--threads"),
          std::to_string(per_rank)}) {
      args.push_back(extra);
    }
    if (r != 0) args.push_back("--quiet");
    std::vector<char*> cargs;
    for (auto& s : args) cargs.push_back(s.data());
    cargs.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, cargs.data(), environ) != 0) {
      for (pid_t p : pids) ::kill(p, SIGTERM);
      throw std::runtime_error("cannot start rank " + std::to_string(r));
    }
    pids.push_back(pid);
  }
  // Ctrl-C reaches the ranks directly (same process group); SIGTERM to this launcher is passed on.
  // Either way the ranks stop after the current step and keep their last checkpoint.
  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  bool forwarded = false;
  int code = 0;
  std::vector<bool> done(pids.size(), false);
  std::size_t remaining = pids.size();
  while (remaining > 0) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) {
        if (g_stop_signals.load() > 0 && !forwarded) {
          forwarded = true;
          for (std::size_t j = 0; j < pids.size(); ++j) {
            if (!done[j]) ::kill(pids[j], SIGTERM);
          }
        }
        continue;
      }
      break;
    }
    for (std::size_t i = 0; i < pids.size(); ++i) {
      if (pids[i] != pid || done[i]) continue;
      done[i] = true;
      --remaining;
      const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      // After a requested stop every rank exits with 130 by design; that is not a failure.
      if (forwarded && rc == 130) {
        if (code == 0) code = rc;
        continue;
      }
      if (rc != 0 && (code == 0 || code == 130)) {
        code = rc;
        writeStderr("thinkvla train: rank " + std::to_string(i) + " failed (exit " +
                    std::to_string(rc) + "); stopping the other ranks\n");
        for (std::size_t j = 0; j < pids.size(); ++j) {
          if (!done[j]) ::kill(pids[j], SIGTERM);
        }
      }
    }
  }
  return code;
}

}  // namespace

int runTrain(const std::vector<std::string>& argv) {
  Args args("train", "Trains or fine-tunes a 3DThinkVLA policy on episode files.");
  args.option("data", Args::Kind::kValue, "episode files, comma-separated (FILE[,FILE...])")
      .option("data-weights", Args::Kind::kValue, "sampling weight per file, comma-separated")
      .option("qa-ratio", Args::Kind::kValue, "fraction of spatial-QA batches (co-training)")
      .option("preset", Args::Kind::kValue, "start from a fresh tiny, small or base network")
      .option("init-from", Args::Kind::kValue, "start from (fine-tune) this checkpoint directory")
      .option("progress-levels", Args::Kind::kValue,
              "give a new run's network the subtask progress input with N levels (0: none); "
              "added to an --init-from checkpoint at zero; a resumed run keeps its own")
      .option("out", Args::Kind::kValue, "output directory (checkpoint/, metrics.jsonl)")
      .option("steps", Args::Kind::kValue, "optimiser steps")
      .option("batch", Args::Kind::kValue, "batch size per rank")
      .option("lr", Args::Kind::kValue, "peak learning rate")
      .option("seed", Args::Kind::kValue, "seed of the data stream (and fresh weights)")
      .option("checkpoint-every", Args::Kind::kValue, "a checkpoint every N steps (0: at the end)")
      .option("resume", Args::Kind::kFlag, "continue from OUT/checkpoint")
      .option("threads", Args::Kind::kValue, "LibTorch threads (all ranks together with --nproc)")
      .option("nproc", Args::Kind::kValue, "start N local processes (data-parallel ranks)", "1")
      .option("rank", Args::Kind::kValue, "this process's rank in a multi-machine group")
      .option("world-size", Args::Kind::kValue, "number of ranks in the group")
      .option("master", Args::Kind::kValue, "ADDR:PORT of rank 0")
      .option("config", Args::Kind::kValue, "train.json (TrainConfig); options given here override it")
      .option("quiet", Args::Kind::kFlag, "no progress bar");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << args.usage();
    return 0;
  }
  if (!args.has("out")) throw UsageError("--out DIR is required");
  if (!args.has("data")) throw UsageError("--data FILE[,FILE...] is required");
  if (args.has("preset") && args.has("init-from")) {
    throw UsageError("--preset and --init-from exclude each other");
  }
  const int nproc = args.intValue("nproc");
  if (nproc < 1) throw UsageError("--nproc must be at least 1");
  const bool joins = args.has("rank") || args.has("world-size") || args.has("master");
  if (joins && !(args.has("rank") && args.has("world-size") && args.has("master"))) {
    throw UsageError("--rank, --world-size and --master go together");
  }
  if (joins && nproc > 1) throw UsageError("--nproc and --rank/--world-size/--master exclude each other");
  const fs::path out = args.value("out");

  // The config: defaults < the resumed run's < --config < options here.
  mt::TrainConfig config;
  try {
    if (args.has("config")) {
      std::ifstream in(args.value("config"));
      if (!in) throw UsageError("--config: cannot open " + args.value("config"));
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(in);
      } catch (const nlohmann::json::exception& e) {
        throw UsageError("--config: " + args.value("config") + " is not valid JSON: " + e.what());
      }
      config = mt::TrainConfig::fromJson(j, args.value("config"));
    } else if (args.has("resume") && fs::exists(out / "train_config.json")) {
      std::ifstream in(out / "train_config.json");
      config = mt::TrainConfig::fromJson(nlohmann::json::parse(in), (out / "train_config.json").string());
    }
  } catch (const mt::TrainConfigError& e) {
    throw UsageError(e.what());
  }
  if (args.has("steps")) config.steps = args.intValue("steps");
  if (args.has("batch")) config.batch_size = args.intValue("batch");
  if (args.has("qa-ratio")) config.qa_ratio = args.doubleValue("qa-ratio");
  if (args.has("lr")) config.lr = args.doubleValue("lr");
  if (args.has("seed")) {
    const int seed = args.intValue("seed");
    if (seed < 0) throw UsageError("--seed must be >= 0");
    config.seed = static_cast<std::uint64_t>(seed);
  }
  if (args.has("checkpoint-every")) config.checkpoint_every = args.intValue("checkpoint-every");
  if (args.has("threads")) {
    config.threads = args.intValue("threads");
    if (config.threads < 1) throw UsageError("--threads must be at least 1");
  }
  try {
    config.validate("the options");
  } catch (const mt::TrainConfigError& e) {
    throw UsageError(e.what());
  }

  const auto files = splitList(args.value("data"));
  if (files.empty()) throw UsageError("--data names no file");
  std::vector<double> weights(files.size(), 1.0);
  if (args.has("data-weights")) {
    const auto w = splitList(args.value("data-weights"));
    if (w.size() != files.size()) {
      throw UsageError("--data-weights needs one weight per --data file (" +
                       std::to_string(files.size()) + ")");
    }
    for (std::size_t i = 0; i < w.size(); ++i) {
      try {
        weights[i] = std::stod(w[i]);
      } catch (const std::exception&) {
        throw UsageError("--data-weights: '" + w[i] + "' is not a number");
      }
      if (!(weights[i] > 0)) throw UsageError("--data-weights: weights must be positive");
    }
  }
  for (const auto& f : files) {
    if (!fs::exists(f)) throw UsageError("--data: no such file: " + f);
  }
  if (args.has("init-from") && !fs::exists(fs::path(args.value("init-from")) / "config.json")) {
    throw UsageError("--init-from: " + args.value("init-from") + " is not a checkpoint directory");
  }

  if (nproc > 1) {
    const int total = config.threads > 0
                          ? config.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return launchLocalRanks(argv, nproc, total);
  }

  std::shared_ptr<mt::ProcessGroup> group;
  if (joins) {
    mt::DistributedOptions d;
    d.rank = args.intValue("rank");
    d.world_size = args.intValue("world-size");
    try {
      mt::parseMasterAddress(args.value("master"), d);
      d.validate();
    } catch (const mt::DistributedError& e) {
      throw UsageError(std::string("--master/--rank/--world-size: ") + e.what());
    }
    group = std::make_shared<mt::ProcessGroup>(d);
  }

  std::vector<model::data::WeightedStore> stores;
  for (std::size_t i = 0; i < files.size(); ++i) {
    stores.push_back({std::make_shared<core::Hdf5EpisodeStore>(files[i]), weights[i]});
  }

  const bool resuming = args.has("resume") && (fs::exists(out / "checkpoint" / "trainer_state.json") ||
                                               fs::exists(out / "checkpoint.old" / "trainer_state.json"));
  model::Checkpoint initial;
  if (!resuming) {
    if (args.has("init-from")) {
      initial = model::loadCheckpoint(args.value("init-from"));
    } else {
      model::PolicyConfig pc;
      try {
        pc = model::PolicyConfig::fromPreset(args.has("preset") ? args.value("preset") : "small");
      } catch (const model::ConfigError& e) {
        throw UsageError(std::string("--preset: ") + e.what());
      }
      initial = model::initCheckpoint(pc, config.seed);
    }
  }

  if (!resuming && args.has("progress-levels")) {
    try {
      initial = model::withProgressLevels(initial, args.intValue("progress-levels"));
    } catch (const model::ConfigError& e) {
      throw UsageError(std::string("--progress-levels: ") + e.what());
    }
  }

  const bool show = !args.has("quiet") && (!group || group->rank() == 0);
  auto last_draw = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  mt::LossValues shown{nan, nan, nan, nan, nan, nan};
  mt::TrainerOptions options;
  options.config = config;
  options.out_dir = out;
  options.resume = args.has("resume");
  options.process_group = group;
  if (show) {
    options.on_progress = [&](const mt::TrainProgress& p) {
      // A step holds action or QA batches: show each term's latest value.
      auto keep = [](double& shown, double value) {
        if (std::isfinite(value)) shown = value;
      };
      keep(shown.total, p.losses.total);
      keep(shown.action, p.losses.action);
      keep(shown.alignment, p.losses.alignment);
      keep(shown.distillation, p.losses.distillation);
      keep(shown.language, p.losses.language);
      keep(shown.depth_probe, p.losses.depth_probe);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_draw < std::chrono::milliseconds(200)) return;
      last_draw = now;
      auto q = p;
      q.losses = shown;
      drawProgress(q, false);
    };
  }
  mt::Trainer trainer(std::move(initial), std::move(stores), options);
  {
    std::ostringstream line;
    line << "thinkvla train: preset " << trainer.checkpoint().config.preset << ", "
         << model::countParameters(trainer.checkpoint().net).total << " parameters, step "
         << trainer.step() << " of " << config.steps << ", rank " << trainer.rank() << " of "
         << trainer.worldSize() << ", " << at::get_num_threads() << " LibTorch thread(s)\n";
    writeStderr(line.str());
  }

  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!finished) {
      if (g_stop_signals.load() > 0) {
        trainer.cancel();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  mt::TrainState state;
  try {
    state = trainer.run();
  } catch (...) {
    finished = true;
    watcher.join();
    if (show) std::cerr << '\n';
    throw;
  }
  finished = true;
  watcher.join();
  const auto p = trainer.progress();
  if (show) {
    auto q = p;
    q.losses = shown;
    drawProgress(q, true);
  }
  if (state == mt::TrainState::kCancelled) {
    if (trainer.rank() != 0) return 130;  // rank 0 writes the checkpoints and says where
    writeStderr("thinkvla train: stopped at step " + std::to_string(p.step) +
                "; the last checkpoint is step " + std::to_string(p.last_checkpoint_step) + " in " +
                (out / "checkpoint").string() + " (continue with --resume)\n");
    return 130;
  }
  if (trainer.rank() == 0) {
    std::cout << "trained " << p.step << " steps in " << duration(p.elapsed_s) << ": loss "
              << lossText(p.losses.total) << ", " << std::fixed << std::setprecision(1)
              << p.samples_per_s << " samples/s; checkpoint " << (out / "checkpoint").string() << '\n';
  }
  return 0;
}

}  // namespace thinkvla::cli
