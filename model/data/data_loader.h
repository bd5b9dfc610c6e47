// The training data pipeline: batches of (camera images, proprioception, instruction tokens,
// action chunk of K with its padding mask) drawn from several episode stores by sampling weight,
// with spatial-QA (3D-VLM co-training) batches mixed in at a set ratio, optional augmentation,
// and background prefetch threads.
//
// Sampling. Batch b is a pure function of (seed, b, the stores, the options): its own generator is
// seeded from (seed, b), so the stream of batches is the same for a seed whatever the number of
// workers and however the threads are scheduled. Batch b is a QA batch when
// floor((b + 1) * qa_ratio) > floor(b * qa_ratio), which spreads QA batches evenly at exactly
// that ratio. Each sample draws its store by weight (with replacement), then a step uniformly over
// all steps of that store (action batches; the steps that are not idle with skip_idle_steps) or one
// of its QA pairs (QA batches; stores without QA
// pairs are skipped there).
//
// Tensors, in the shapes model/think_vla.h's PolicyInputs and model/losses.h expect:
//   inputs.images    [B, V, S, S, 3] uint8, RGB, upright (S = image_size)
//   inputs.proprio   [B, 8] float, normalised with the NormStats (clipped to +-1.5)
//   inputs.text_ids  [B, T] int64, right-padded with the tokenizer's pad id, T <= max_text_tokens
//   inputs.progress  [B] int64, the gripper releases before the sample's step
//                    (model/gripper_progress.h); 0 in QA batches
// action batches:
//   actions          [B, K, 7] float, normalised to [-1, 1] (gripper -1 / +1)
//   action_valid     [B, K] bool, false for padding past the episode's end
//   teacher_text_ids [B, T'] int64: instruction + explicit 3D reasoning prompt (the teacher branch)
//   depth_m          [B, V, S, S] float metres, cropped like the images (DepthMode::kRead; 0 =
//                    unknown, for episodes stored without depth)
//   teacher_features [B, ...] float, the stored per-step features (TeacherFeatureMode::kRead; they
//                    describe the uncropped view)
// QA batches: images/proprio of the episode's first step; text_ids = "question <anchor> answer
//   </s>" and qa_target [B, T] bool marking the positions whose next token is predicted.
// Each sample's actions and proprioception are normalised with its task's own statistics when
// `task_norm_stats` holds its episode's instruction, and with the pooled `norm_stats` otherwise
// (model/checkpoint.h).
//
// Threads and ownership: a DataLoader shares ownership of its stores and owns its worker threads.
// next() is called from one thread (the training loop); the workers only read the stores and
// build tensors with plain memory writes (no LibTorch parallel ops), so they do not compete with
// the training step's intra-op threads for anything but cores. The destructor stops and joins
// them. batchAt() is const and may be called from any thread.
#pragma once

#include <torch/torch.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "model/checkpoint.h"
#include "model/data/episode_store.h"
#include "model/data/image_augmentation.h"
#include "model/sentencepiece_tokenizer.h"
#include "model/think_vla.h"

namespace thinkvla::model::data {

struct WeightedStore {
  std::shared_ptr<const EpisodeStore> store;
  double weight = 1.0;  // relative sampling weight (> 0)
};

struct LoaderOptions {
  int batch_size = 8;
  int chunk_size = 8;        // K
  int image_size = 0;        // square side of the images handed out; 0: as stored (one size only)
  int max_text_tokens = 48;  // longer token sequences are cut
  Augmentation augmentation = Augmentation::kOn;
  AugmentationOptions augmentation_options;
  double qa_ratio = 0.0;  // fraction of batches that are spatial-QA batches, in [0, 1]
  // QA pairs of these kinds only ("distance", "colour", ...); empty: every kind. The 2D and 3D
  // co-training rows of the ablation read different kinds from the same episode files.
  std::vector<std::string> qa_kinds;
  DepthMode depth = DepthMode::kSkip;
  TeacherFeatureMode teacher_features = TeacherFeatureMode::kSkip;
  // Action batches sample only the steps that are not idle and build each chunk from the next
  // such steps, as if the expert had not paused (model/data/idle_steps.h). QA batches unchanged.
  bool skip_idle_steps = false;
  std::uint64_t seed = 0;
  int num_workers = 1;     // prefetch threads; 0 builds each batch inside next()
  int queue_capacity = 4;  // batches ready or being built ahead of the consumer
};

enum class BatchKind { kAction, kSpatialQa };

// Where one sample came from.
struct SampleRef {
  int store = 0;
  std::int64_t episode = 0;
  std::int64_t step = 0;
  int qa_index = -1;  // QA batches: index into the episode's qa_pairs
};

struct TrainingBatch {
  std::int64_t index = 0;
  BatchKind kind = BatchKind::kAction;
  PolicyInputs inputs;
  torch::Tensor actions;
  torch::Tensor action_valid;
  torch::Tensor teacher_text_ids;
  torch::Tensor depth_m;
  torch::Tensor teacher_features;
  torch::Tensor qa_target;
  std::vector<SampleRef> samples;
};

class DataLoader {
 public:
  // Checks the options and the stores (weights, camera counts, QA pairs present when qa_ratio >
  // 0, teacher features when asked) and starts the workers. Throws DataError naming the problem.
  DataLoader(std::vector<WeightedStore> stores, NormStats norm_stats,
             SentencePieceTokenizer tokenizer, LoaderOptions options,
             TaskNormStats task_norm_stats = {});
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // The next batch of the stream (0, 1, 2, ...), waiting for the workers if needed. Rethrows the
  // error that building that batch raised (a store's read error names the file and dataset).
  TrainingBatch next();

  // Builds batch `index` on the calling thread: what next() returns at that position.
  TrainingBatch batchAt(std::int64_t index) const;

  bool isQaBatch(std::int64_t index) const;
  const LoaderOptions& options() const { return options_; }
  int numCameras() const { return num_cameras_; }

 private:
  struct EpisodeTokens {
    std::vector<std::int64_t> instruction;
    std::vector<std::vector<std::int64_t>> teacher;  // one per teacher prompt (at least one)
    const NormStats* stats = nullptr;  // the episode's task's, or the pooled norm_stats_
    std::vector<std::uint8_t> releases;  // gripper releases before each step (gripper_progress.h)
  };
  struct QaRef {
    std::int64_t episode;
    int qa_index;
  };
  struct StoreIndex {
    std::vector<std::int64_t> step_offsets;  // cumulative sampled steps: episode e starts at [e]
    std::int64_t total_steps = 0;            // steps that action batches sample from
    // With skip_idle_steps: each episode's kept steps (sample k of episode e is kept[e][k]).
    std::vector<std::vector<std::int64_t>> kept;
    std::vector<EpisodeTokens> tokens;
    std::vector<QaRef> qa;
    std::vector<std::vector<std::int64_t>> qa_ids;  // tokenised "question <anchor> answer </s>"
    std::vector<std::vector<std::uint8_t>> qa_targets;
  };
  struct Slot {
    TrainingBatch batch;
    std::exception_ptr error;
  };

  TrainingBatch buildActionBatch(std::int64_t index, std::mt19937_64& rng) const;
  TrainingBatch buildQaBatch(std::int64_t index, std::mt19937_64& rng) const;
  // Reads, augments and copies the images (and depth) of one sample into row `row` of the batch.
  void fillImages(TrainingBatch& batch, std::int64_t row, int store, std::int64_t episode,
                  std::int64_t step, std::mt19937_64& rng) const;
  void workerLoop();

  std::vector<WeightedStore> stores_;
  NormStats norm_stats_;
  TaskNormStats task_norm_stats_;
  SentencePieceTokenizer tokenizer_;
  LoaderOptions options_;
  int num_cameras_ = 0;
  int image_size_ = 0;  // resolved output size
  std::vector<std::int64_t> teacher_feature_shape_;
  std::vector<StoreIndex> index_;
  std::vector<double> action_weights_, qa_weights_;

  std::mutex mutex_;
  std::condition_variable ready_cv_, space_cv_;
  std::map<std::int64_t, Slot> ready_;
  std::int64_t next_claim_ = 0;
  std::int64_t next_consume_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace thinkvla::model::data
