// bench_policy: the policy's speed on this machine, against a large GEMM measured in the same run.
//   - step latency at batch 1 (Policy::step: preprocessing, forward, unnormalization), with and
//     without introspection, per preset
//   - batched inference throughput
//   - training throughput of one VLA co-training step (forward, point-map teacher, teacher branch,
//     alignment + distillation + depth-probe + action losses, backward, Adam)
// Usage: bench_policy [--threads N] [--presets tiny,small,...] [--seconds S]
#include <torch/torch.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/losses.h"
#include "model/policy.h"
#include "model/task_vocabulary.h"
#include "model/teacher_3d.h"
#include "model/torch_runtime.h"

using namespace thinkvla::model;

namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Multiply-adds x 2 of the matmuls and convolutions of one VLA forward pass for one sample.
double forwardFlops(const PolicyConfig& c, int text_tokens) {
  const double v = c.num_views, s = c.image_size, c1 = c.stem_channels, c2 = 2.0 * c1;
  const double g2 = c.patchGrid() * c.patchGrid(), gt2 = c.tokenGrid() * c.tokenGrid();
  const double w = c.width, r = c.mlp_ratio, k = c.chunk_size, dg = c.geometry_dim;
  double macs = v * ((s / 2) * (s / 2) * c1 * 27 + (s / 4) * (s / 4) * c2 * c1 * 9 + g2 * c2 * c2 * 9);
  macs += v * gt2 * c2 * w;
  const double len = c.imageTokens() + 1 + text_tokens + (c.use_anchor ? 1 : 0) + k;
  macs += c.layers * (len * (4 + 2 * r) * w * w + 2 * len * len * w);
  double nc_geo = 0;
  if (c.use_geometry_adapter) {
    macs += v * g2 * (c2 * dg + dg * dg) + v * gt2 * dg * w + v * g2 * (dg * dg + dg);
    nc_geo = c.imageTokens();
  }
  const double nc_reason = c.reasoningEnabled() ? c.reasoning_tokens : 0;
  if (c.reasoningEnabled()) macs += 2 * w * w + w * c.reasoning_tokens * w;
  const int geo_blocks = c.reasoningEnabled() ? c.head_blocks / 2 : c.head_blocks;
  for (int i = 0; i < c.head_blocks; ++i) {
    macs += k * (4 + 2 * r) * w * w + 2 * k * k * w;
    const double nc = i < geo_blocks ? nc_geo : nc_reason;
    if (nc > 0) macs += 2 * k * w * w + nc * 2 * w * w + 2 * k * nc * w;
  }
  macs += k * w * c.action_dim;
  return 2.0 * macs;
}

Observation makeObservation(const PolicyConfig& c) {
  Observation o;
  for (int v = 0; v < c.num_views; ++v) {
    cv::Mat m(128, 128, CV_8UC3);
    cv::randu(m, cv::Scalar::all(0), cv::Scalar::all(255));
    o.views.push_back(m);
  }
  o.proprio.assign(c.proprio_dim, 0.1f);
  return o;
}

// Wall-clock median, and the process CPU time per run: on a machine shared with other jobs the
// CPU time per run (single-threaded) is what the work costs on an idle core.
struct Timing {
  double median_ms, mean_ms, cpu_ms;
};
double processCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
template <typename Fn>
Timing timeIt(Fn&& fn, double seconds, int min_runs) {
  fn();  // warm-up
  std::vector<double> ms;
  const auto start = Clock::now();
  const double cpu_start = processCpuMs();
  while (static_cast<int>(ms.size()) < min_runs || msSince(start) < seconds * 1000.0) {
    const auto t = Clock::now();
    fn();
    ms.push_back(msSince(t));
    if (ms.size() > 2000) break;
  }
  const double cpu_ms = (processCpuMs() - cpu_start) / ms.size();
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double sum = 0;
  for (double x : ms) sum += x;
  return {sorted[sorted.size() / 2], sum / ms.size(), cpu_ms};
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0;
  std::string presets = "tiny,small";
  double seconds = 3.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--presets") == 0) presets = argv[i + 1];
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
  }
  const int used = configureThreads(threads);
  const auto blas = blasInfo();
  const auto gemm = benchmarkMatmul(1024, 5);
  std::printf("threads %d, BLAS %s\nreference GEMM 1024x1024 float32: %.2f ms, %.1f GFLOP/s\n\n",
              used, blas.name.c_str(), gemm.best_ms, gemm.gflops);

  std::stringstream list(presets);
  std::string preset;
  while (std::getline(list, preset, ',')) {
    auto ckpt = initCheckpoint(PolicyConfig::fromPreset(preset), 0);
    const auto& c = ckpt.config;
    const auto counts = countParameters(ckpt.net);
    const std::string instruction = "pick up the black bowl next to the plate and place it on the plate";
    const int text_tokens = static_cast<int>(ckpt.tokenizer.encode(instruction).size());
    const double flops = forwardFlops(c, text_tokens);
    std::printf("== %s: %.2fM parameters (%.2fM deployed), image %d, %d image tokens, width %d, "
                "%d layers, %d text tokens; %.1f MFLOP per forward\n",
                preset.c_str(), counts.total / 1e6, counts.deployed / 1e6, c.image_size,
                c.imageTokens(), c.width, c.layers, text_tokens, flops / 1e6);

    Policy policy(ckpt);
    const auto obs = makeObservation(c);
    for (auto mode : {IntrospectionMode::kOff, IntrospectionMode::kOn}) {
      const auto t = timeIt([&] { policy.step(obs, instruction, mode); }, seconds, 20);
      std::printf("  step batch 1, introspection %-3s: median %.2f ms (%.0f Hz), %.1f GFLOP/s "
                  "(%.0f%% of GEMM); CPU %.2f ms per step\n",
                  mode == IntrospectionMode::kOn ? "on" : "off", t.median_ms, 1000.0 / t.median_ms,
                  flops / (t.median_ms * 1e6), 100.0 * flops / (t.median_ms * 1e6) / gemm.gflops,
                  t.cpu_ms);
    }

    const int batch = 32;
    torch::manual_seed(1);
    PolicyInputs in;
    in.images = torch::randint(0, 256, {batch, c.num_views, 128, 128, 3}, torch::kUInt8);
    in.proprio = torch::randn({batch, c.proprio_dim});
    in.text_ids = padTokenBatch(
        std::vector<std::vector<int64_t>>(batch, ckpt.tokenizer.encode(instruction)), c.pad_token_id);
    {
      torch::NoGradGuard ng;
      ckpt.net->eval();
      const auto t = timeIt([&] { ckpt.net->forward(in); }, seconds, 5);
      std::printf("  inference batch %d: %.1f ms, %.0f samples/s, %.1f GFLOP/s; CPU %.1f ms\n",
                  batch, t.median_ms, batch * 1000.0 / t.median_ms,
                  batch * flops / (t.median_ms * 1e6), t.cpu_ms);
    }

    // One co-training step: student forward, point-map teacher, teacher branch, losses, Adam.
    // Training data is resized to the model's image size once, when episodes load.
    in.images = torch::randint(0, 256, {batch, c.num_views, c.image_size, c.image_size, 3},
                               torch::kUInt8);
    ckpt.net->train();
    torch::optim::Adam opt(ckpt.net->parameters(), torch::optim::AdamOptions(3e-4));
    PointMapTeacher teacher;
    TeacherInput ti;
    ti.depth_m = torch::rand({batch, c.num_views, 128, 128}) + 0.3;
    ti.intrinsics = torch::tensor({{120.f, 0.f, 64.f}, {0.f, 120.f, 64.f}, {0.f, 0.f, 1.f}})
                        .expand({batch, c.num_views, 3, 3});
    PolicyInputs teacher_in = in;
    teacher_in.images = torch::Tensor();  // the student's image tokens are reused
    teacher_in.text_ids = padTokenBatch(
        std::vector<std::vector<int64_t>>(
            batch, ckpt.tokenizer.encode(instruction + " " + reasoningPrompt())),
        c.pad_token_id, 0);
    if (teacher_in.text_ids.size(1) > c.max_text_tokens) {
      teacher_in.text_ids = teacher_in.text_ids.narrow(1, 0, c.max_text_tokens);
    }
    const auto target = torch::rand({batch, c.chunk_size, c.action_dim}) * 2 - 1;
    const auto t = timeIt(
        [&] {
          auto out = ckpt.net->forward(in);
          LossTerms terms;
          terms.action = actionL1Loss(out.actions, target);
          terms.alignment = alignmentLoss(ckpt.net->alignFeatures(out.geometry_latent),
                                          teacher.features(ti, c.patchGrid()));
          terms.distillation = distillationLoss(out.reasoning, ckpt.net->teacherAnchorState(teacher_in, out.image_tokens));
          terms.depth_probe = depthProbeLoss(out.depth, ti.depth_m);
          opt.zero_grad();
          combineLosses(terms, c).backward();
          opt.step();
        },
        seconds, 3);
    std::printf("  training batch %d (teacher branch + point-map teacher, %d teacher text tokens): "
                "%.1f ms per step, %.0f samples/s; CPU %.1f ms per step (%.0f samples per "
                "CPU-second)\n\n",
                batch, static_cast<int>(teacher_in.text_ids.size(1)), t.median_ms,
                batch * 1000.0 / t.median_ms, t.cpu_ms, batch * 1000.0 / t.cpu_ms);
  }
  return 0;
}
