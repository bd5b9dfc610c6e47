// The settings of one training run (TrainConfig): optimisation (AdamW, warm-up then cosine decay,
// gradient clipping, gradient accumulation, optional EMA), the loss weights, the data mixing
// (batch size, spatial-QA ratio, augmentation and its strength), the 3D teacher, checkpointing and
// the seed. A plain value type with a JSON form (train_config.json beside a run's checkpoints,
// `--config` of `thinkvla train`); fromJson accepts a partial object and keeps the defaults for
// absent fields.
//
// learningRate() is the schedule as a pure function of the step, so a resumed run continues the
// exact same curve. Free functions; any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/data/augmentation_options.h"
#include "model/policy_config.h"

namespace thinkvla::model::train {

// Thrown for settings a run cannot use; the message names the source (file) and the field.
struct TrainConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TrainConfig {
  // Length and batch. One optimiser step consumes grad_accumulation x world_size batches of
  // batch_size samples (the global batch).
  std::int64_t steps = 1000;
  int batch_size = 8;
  int grad_accumulation = 1;
  // AdamW. Weight decay applies to matrices and convolution kernels only (not to biases, norms,
  // embeddings' positional vectors of rank < 2).
  double lr = 3e-4;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
  // Schedule: linear warm-up from lr / warmup_steps to lr over warmup_steps, then cosine decay to
  // lr * min_lr_ratio at the last step.
  std::int64_t warmup_steps = 50;
  double min_lr_ratio = 0.1;
  // Global L2 norm of the (averaged) gradient is clipped to this; <= 0 disables clipping.
  double grad_clip_norm = 1.0;
  // Exponential moving average of the weights, updated after every step; 0 disables it. With EMA
  // the checkpoint's model.safetensors holds the EMA weights (what to deploy) and the raw weights
  // live in trainer_state.safetensors (what to resume).
  double ema_decay = 0.0;
  // A checkpoint every N steps (and always after the last step); 0: only at the end.
  std::int64_t checkpoint_every = 500;
  std::uint64_t seed = 0;
  int threads = 0;  // intra-op threads; 0: the hardware's cores (divided among local ranks by the CLI)
  // Data.
  double qa_ratio = 0.25;  // fraction of batches that are spatial-QA batches (0 without co-training)
  bool augment = true;
  // What augmentation draws from when it is on ("augmentation" in JSON: any of its fields).
  data::AugmentationOptions augmentation;
  // Action batches skip the demonstrations' idle steps (model/data/idle_steps.h).
  bool skip_idle_steps = false;
  int loader_workers = 1;  // prefetch threads (0: batches are built on the training thread)
  // Loss weights of this run (written into the checkpoint's config.json).
  LossWeights loss;
  // Anchor distillation trains the Reasoning Adapter only: the student's anchor state enters the
  // distillation loss detached, so the backbone is shaped by the action loss (and the QA loss).
  bool distill_adapter_only = false;
  // The frozen 3D teacher of the alignment loss: "point-map" (from the episodes' depth maps),
  // "stored" (teacher features stored in the episode files) or "torchscript:PATH".
  std::string teacher = "point-map";
  int teacher_input_size = 224;  // TorchScript teacher: square input size
  // Vertical field of view of each camera view (the point-map teacher's intrinsics); the built-in
  // world's agentview and wrist cameras.
  std::vector<double> camera_fovy_deg = {45.0, 75.0};
  // Normalisation statistics: "data" (computed from the training episodes, pooled), "data_per_task"
  // (computed from the training episodes: the pooled ones and each task's own, which its samples
  // are normalised with; model/checkpoint.h) or "checkpoint" (kept from the initial checkpoint,
  // per-task ones included, e.g. when fine-tuning on a handful of new episodes).
  std::string norm_stats = "data";
  // With norm_stats "data" or "data_per_task": mu of the actions' mu-law companding
  // (NormStats::action_mu_law), 0 for the linear map. A run that keeps the checkpoint's statistics
  // keeps its companding too.
  double action_mu_law = 0.0;

  // Throws TrainConfigError naming `source` and the field.
  void validate(const std::string& source = "train config") const;
  nlohmann::json toJson() const;
  static TrainConfig fromJson(const nlohmann::json& json, const std::string& source);
};

// The learning rate of optimiser step `step` (0-based).
double learningRate(const TrainConfig& config, std::int64_t step);

}  // namespace thinkvla::model::train
