// The 3DThinkVLA training runner: co-training that mixes VLA (action) batches with 3D-VLM spatial
// QA batches; total loss = weighted action L1 + alignment (vs a frozen 3D teacher) + anchor
// distillation + QA language modelling + depth probe; AdamW with warm-up then cosine decay,
// gradient clipping, gradient accumulation, optional EMA weights; checkpoints written atomically
// every N steps; exact resume; fine-tuning from an existing checkpoint on new episodes; and data-
// parallel training over a c10d process group (model/train/distributed.h).
//
// Output directory (rank 0 writes it):
//   OUT/checkpoint/            the latest checkpoint (model/checkpoint.h: config.json,
//                              model.safetensors, tokenizer.model, norm_stats.json), plus
//       trainer_state.json         step, schedule, data position, world size, the TrainConfig
//       trainer_state.safetensors  AdamW moments, raw weights (when EMA is on), the CPU RNG state
//   OUT/train_config.json      the run's TrainConfig
//   OUT/metrics.jsonl          one line per step: step, lr, every loss term, samples/s
// A checkpoint is assembled in a sibling temporary directory and swapped into place with one
// atomic rename (renameat2 RENAME_EXCHANGE), so a crash or a kill leaves the previous checkpoint
// or the new one, complete, never a mixture.
//
// Exact resume. The data stream is a pure function of (seed, batch index) (model/data/
// data_loader.h); optimiser step s of a run with W ranks and A accumulation steps consumes stream
// batches (s*A + a)*W + r on rank r. The schedule is a pure function of the step, the network has
// no dropout, and the optimiser moments, step counts, EMA weights and RNG state are saved. So a run
// stopped at step n and resumed gives the same losses, bit for bit, as one that never stopped (with
// the same thread count). The same indexing makes W ranks x A accumulation equal to one process
// with W*A accumulation over the same global batch, up to float summation order.
//
// Distributed. Every rank builds the same Trainer; rank 0's initial weights are broadcast; each
// step every rank backpropagates its own batches, the gradients (zero for parameters a batch does
// not reach) are summed with one all-reduce and divided by the number of batches; clipping and
// AdamW then run identically on every rank, so the weights stay bit-identical. Loss values and
// cancel requests travel in a second small all-reduce: a cancel on any rank stops every rank after
// the same step. Only rank 0 writes files.
//
// Threads. run() blocks the calling thread (the training thread) until the run ends. pause(),
// resume(), cancel() and progress() may be called from any other thread: the flags are atomics,
// the progress snapshot is guarded by a mutex. The progress callback runs on the training thread
// after every step; keep it short. Cancel stops between steps and writes nothing, so the last
// good checkpoint stays as it was.
#pragma once

#include <torch/torch.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/data/data_loader.h"
#include "model/teacher_3d.h"
#include "model/train/distributed.h"
#include "model/train/train_config.h"

namespace thinkvla::model::train {

struct TrainError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Loss values of one step, averaged over the step's batches (and ranks) that have the term; NaN
// for a term no batch of the step had (e.g. language in a step without a QA batch).
struct LossValues {
  double total = 0.0;
  double action = 0.0;
  double alignment = 0.0;
  double distillation = 0.0;
  double language = 0.0;
  double depth_probe = 0.0;
};

enum class TrainState { kIdle, kRunning, kPaused, kCancelled, kFinished, kFailed };
std::string toString(TrainState state);

struct TrainProgress {
  TrainState state = TrainState::kIdle;
  std::int64_t step = 0;         // optimiser steps completed
  std::int64_t total_steps = 0;
  double lr = 0.0;               // of the last step
  LossValues losses;             // of the last step (NaN before the first)
  double samples_per_s = 0.0;    // global samples (all ranks), over the recent steps
  double elapsed_s = 0.0;        // this session (since run() started)
  double eta_s = 0.0;            // NaN until the first step is timed
  std::int64_t last_checkpoint_step = -1;
  std::string message;           // the error when kFailed
};

using ProgressCallback = std::function<void(const TrainProgress&)>;

struct TrainerOptions {
  TrainConfig config;
  std::filesystem::path out_dir;
  // Continue from out_dir/checkpoint (its trainer state). Without one there, start fresh.
  bool resume = false;
  // The process group of a distributed run; null: a single process. Shared with the caller.
  std::shared_ptr<ProcessGroup> process_group;
  ProgressCallback on_progress;
};

class Trainer {
 public:
  // `initial`: the weights, tokenizer and (for norm_stats == "checkpoint") normalisation of a fresh
  // (initCheckpoint) or existing checkpoint (fine-tuning); its config's loss weights are replaced
  // by the TrainConfig's. Ignored when resuming from out_dir/checkpoint. `stores`: the training
  // episodes with their sampling weights. Throws TrainError / TrainConfigError / data::DataError
  // naming what is wrong (no steps in the data, a teacher whose feature size does not match the
  // network, QA ratio > 0 without QA pairs, a trainer state that does not fit the run).
  Trainer(Checkpoint initial, std::vector<data::WeightedStore> stores, TrainerOptions options);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Trains until config.steps, a cancel, or an error. Returns the final state (kFinished or
  // kCancelled); errors (a failed batch read, a failed collective, a failed save) throw after the
  // progress snapshot is set to kFailed.
  TrainState run();

  // pause() holds this rank between steps; with several ranks the others wait for it in their
  // next all-reduce (up to the group's timeout). cancel() stops every rank after the same step.
  void pause();
  void resume();
  void cancel();
  TrainProgress progress() const;

  // Losses of every step this object ran (index: step - firstStep()).
  const std::vector<LossValues>& lossHistory() const { return history_; }
  std::int64_t firstStep() const { return first_step_; }
  std::int64_t step() const { return step_; }
  const Checkpoint& checkpoint() const { return ckpt_; }  // the live network (raw weights)
  // The EMA network (undefined holder without EMA).
  const ThinkVlaNet& emaNet() const { return ema_net_; }
  std::filesystem::path checkpointDir() const { return options_.out_dir / "checkpoint"; }
  int rank() const;
  int worldSize() const;

  // Writes the checkpoint of the current step now (rank 0; a no-op on other ranks). run() calls
  // it every checkpoint_every steps and at the end.
  void saveNow();

 private:
  struct Prefetcher;
  void setupOptimizer();
  void restoreState(const std::filesystem::path& dir);
  void trainStep();
  torch::Tensor teacherFeatures(const data::TrainingBatch& batch);
  void publish(TrainState state, const std::string& message = {});

  TrainerOptions options_;
  TrainConfig config_;
  Checkpoint ckpt_;
  ThinkVlaNet ema_net_{nullptr};
  std::vector<data::WeightedStore> stores_;
  std::unique_ptr<data::DataLoader> loader_;
  std::unique_ptr<Prefetcher> prefetcher_;
  std::unique_ptr<Teacher3D> teacher_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::vector<std::pair<std::string, torch::Tensor>> params_;  // named, in a fixed order
  std::int64_t step_ = 0;
  std::int64_t first_step_ = 0;
  std::int64_t last_checkpoint_step_ = -1;
  std::vector<LossValues> history_;
  bool use_depth_ = false;
  double last_lr_ = 0.0;

  std::atomic<bool> pause_requested_{false};
  std::atomic<bool> cancel_requested_{false};
  // The stop decision of the last step: with several ranks it is the all-reduced one, so every
  // rank leaves the loop after the same step even when a local cancel() lands between steps.
  bool agreed_cancel_ = false;
  mutable std::mutex mutex_;
  std::condition_variable pause_cv_;
  TrainProgress progress_;
};

}  // namespace thinkvla::model::train
