// Training throughput of the `small` preset with the full co-training recipe (QA ratio 0.25,
// point-map teacher, anchor distillation, depth probe) on in-memory episodes at the preset's image
// size: one process with 1 and with 2 LibTorch threads, and two data-parallel ranks (c10d Gloo on
// loopback) with 1 thread each. Prints samples/s (global) measured after warm-up steps.
//
//   bench_train [steps=30] [batch=8]
//
// The ranks are copies of this binary started with THINKVLA_BENCH_RANK set; rank 0 writes its
// measurement to a file.
#include <torch/torch.h>

#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "model/checkpoint.h"
#include "model/train/trainer.h"
#include "train_test_data.h"

extern char** environ;

using namespace thinkvla::model;
using namespace thinkvla::model::train;
namespace fs = std::filesystem;

namespace {

constexpr int kWarmupSteps = 3;

// Global samples/s over the steps after the warm-up.
double measure(int steps, int batch, int threads, std::shared_ptr<ProcessGroup> group,
               const fs::path& out) {
  TrainConfig c;
  c.steps = steps;
  c.batch_size = batch;
  c.threads = threads;
  c.checkpoint_every = 0;
  c.qa_ratio = 0.25;
  c.loader_workers = 1;
  c.seed = 5;
  TrainerOptions o;
  o.config = c;
  o.out_dir = out;
  o.process_group = group;
  using Clock = std::chrono::steady_clock;
  Clock::time_point start, end;
  o.on_progress = [&](const TrainProgress& p) {
    if (p.state != TrainState::kRunning) return;
    if (p.step == kWarmupSteps) start = Clock::now();
    if (p.step == steps) end = Clock::now();  // before the final checkpoint is written
  };
  const auto pc = PolicyConfig::fromPreset("small");
  Trainer trainer(initCheckpoint(pc, 1), {{train_test::makeStore(4, 24, pc.image_size), 1.0}}, o);
  trainer.run();
  const double s = std::chrono::duration<double>(end - start).count();
  const int world = group ? group->worldSize() : 1;
  return static_cast<double>(steps - kWarmupSteps) * batch * world / s;
}

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 30;
  const int batch = argc > 2 ? std::atoi(argv[2]) : 8;
  const fs::path base = fs::temp_directory_path() / "bench_train";
  if (const char* rank = std::getenv("THINKVLA_BENCH_RANK")) {
    DistributedOptions d;
    d.rank = std::atoi(rank);
    d.world_size = 2;
    d.master_port = std::atoi(std::getenv("THINKVLA_BENCH_PORT"));
    auto group = std::make_shared<ProcessGroup>(d);
    const double sps = measure(steps, batch, 1, group, base / ("ddp_rank" + std::string(rank)));
    if (d.rank == 0) {
      std::FILE* f = std::fopen((base / "ddp_rank0.txt").c_str(), "w");
      if (!f) return 1;
      std::fprintf(f, "%.3f\n", sps);
      std::fclose(f);
    }
    return 0;
  }
  if (steps <= kWarmupSteps || batch < 1) {
    std::cerr << "usage: bench_train [steps > 3] [batch >= 1]\n";
    return 2;
  }
  const double one_thread = measure(steps, batch, 1, nullptr, base / "single1");
  std::printf("small, batch %d per rank, %d steps (%d warm-up):\n", batch, steps, kWarmupSteps);
  std::printf("  1 process  x 1 thread : %7.2f samples/s\n", one_thread);
  const double two_threads = measure(steps, batch, 2, nullptr, base / "single2");
  std::printf("  1 process  x 2 threads: %7.2f samples/s\n", two_threads);
  std::fflush(stdout);

  // Two ranks: spawn two copies of this binary, rank 0 prints its measurement on stdout.
  const int port = findFreeLoopbackPort();
  const std::string out_file = (base / "ddp_rank0.txt").string();
  fs::create_directories(base);
  fs::remove(out_file);
  std::vector<pid_t> pids;
  for (int r = 0; r < 2; ++r) {
    std::string env_rank = "THINKVLA_BENCH_RANK=" + std::to_string(r);
    std::string env_port = "THINKVLA_BENCH_PORT=" + std::to_string(port);
    std::vector<char*> env;
    for (char** e = environ; *e; ++e) env.push_back(*e);
    env.push_back(env_rank.data());
    env.push_back(env_port.data());
    env.push_back(nullptr);
    std::string s_steps = std::to_string(steps), s_batch = std::to_string(batch);
    std::string self = "/proc/self/exe";
    std::vector<char*> args = {self.data(), s_steps.data(), s_batch.data(), nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, args.data(), env.data()) != 0) {
      std::cerr << "cannot start rank " << r << '\n';
      return 1;
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::cerr << "a rank failed\n";
      return 1;
    }
  }
  double ddp = 0.0;
  if (FILE* f = std::fopen(out_file.c_str(), "r")) {
    if (std::fscanf(f, "%lf", &ddp) != 1) ddp = 0.0;
    std::fclose(f);
  }
  std::printf("  2 ranks    x 1 thread : %7.2f samples/s (c10d Gloo, loopback)\n", ddp);
  return 0;
}
