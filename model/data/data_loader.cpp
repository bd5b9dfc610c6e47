#include "model/data/data_loader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "model/data/action_chunk.h"
#include "model/data/action_normalization.h"
#include "model/data/idle_steps.h"
#include "model/gripper_progress.h"
#include "model/losses.h"
#include "model/task_vocabulary.h"

namespace thinkvla::model::data {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Index drawn by weight; written out because std::discrete_distribution's algorithm is not
// specified, and batches must be the same on every standard library.
std::size_t drawWeighted(const std::vector<double>& weights, std::mt19937_64& rng) {
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0) * total;
  double acc = 0.0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0.0) continue;
    last = i;
    acc += weights[i];
    if (u < acc) return i;
  }
  return last;
}

std::int64_t drawIndex(std::int64_t n, std::mt19937_64& rng) {
  return static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n));
}

// [B, T] int64 right-padded with pad_id, T = the longest sequence (at least 1).
torch::Tensor padIds(const std::vector<const std::vector<std::int64_t>*>& rows,
                     std::int64_t pad_id) {
  std::size_t longest = 1;
  for (const auto* r : rows) longest = std::max(longest, r->size());
  auto out =
      torch::full({static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(longest)},
                  pad_id, torch::kInt64);
  auto* data = out.data_ptr<std::int64_t>();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy(rows[i]->begin(), rows[i]->end(), data + i * longest);
  }
  return out;
}

std::vector<std::int64_t> cut(std::vector<std::int64_t> ids, int max_tokens) {
  if (static_cast<int>(ids.size()) > max_tokens) ids.resize(static_cast<std::size_t>(max_tokens));
  return ids;
}

}  // namespace

DataLoader::DataLoader(std::vector<WeightedStore> stores, NormStats norm_stats,
                       SentencePieceTokenizer tokenizer, LoaderOptions options,
                       TaskNormStats task_norm_stats)
    : stores_(std::move(stores)),
      norm_stats_(std::move(norm_stats)),
      task_norm_stats_(std::move(task_norm_stats)),
      tokenizer_(std::move(tokenizer)),
      options_(std::move(options)) {
  const LoaderOptions& o = options_;
  if (stores_.empty()) throw DataError("DataLoader: no episode stores");
  if (o.batch_size < 1) throw DataError("DataLoader: batch_size must be at least 1");
  if (o.chunk_size < 1) throw DataError("DataLoader: chunk_size must be at least 1");
  if (o.image_size < 0) throw DataError("DataLoader: image_size must be >= 0");
  if (o.max_text_tokens < 2) throw DataError("DataLoader: max_text_tokens must be at least 2");
  if (!(o.qa_ratio >= 0.0 && o.qa_ratio <= 1.0))
    throw DataError("DataLoader: qa_ratio must be in [0, 1]");
  if (o.num_workers < 0) throw DataError("DataLoader: num_workers must be >= 0");
  if (o.queue_capacity < 1) throw DataError("DataLoader: queue_capacity must be at least 1");
  auto checkDims = [](const NormStats& n, const std::string& which) {
    if (static_cast<int>(n.action_q01.size()) != kActionDim ||
        static_cast<int>(n.action_q99.size()) != kActionDim ||
        static_cast<int>(n.proprio_q01.size()) != kProprioDim ||
        static_cast<int>(n.proprio_q99.size()) != kProprioDim) {
      throw DataError("DataLoader: " + which + " must have 7 action and 8 proprio dimensions");
    }
  };
  checkDims(norm_stats_, "norm stats");
  for (const auto& [task, stats] : task_norm_stats_)
    checkDims(stats, "norm stats of task '" + task + "'");

  const std::string& prompt = reasoningPrompt();
  bool teacher_shape_known = false;
  for (std::size_t s = 0; s < stores_.size(); ++s) {
    const WeightedStore& ws = stores_[s];
    if (!ws.store) throw DataError("DataLoader: store " + std::to_string(s) + " is null");
    const std::string name = ws.store->describe();
    if (!(ws.weight > 0.0) || !std::isfinite(ws.weight)) {
      throw DataError("DataLoader: " + name + ": sampling weight must be positive");
    }
    if (s == 0) num_cameras_ = ws.store->numCameras();
    if (ws.store->numCameras() != num_cameras_) {
      throw DataError("DataLoader: " + name + " has " + std::to_string(ws.store->numCameras()) +
                      " cameras, " + stores_[0].store->describe() + " has " +
                      std::to_string(num_cameras_));
    }
    StoreIndex idx;
    for (std::int64_t e = 0; e < ws.store->numEpisodes(); ++e) {
      const EpisodeRecord& r = ws.store->episode(e);
      idx.step_offsets.push_back(idx.total_steps);
      if (o.skip_idle_steps) {
        idx.kept.push_back(keptSteps(r));
        idx.total_steps += static_cast<std::int64_t>(idx.kept.back().size());
      } else {
        idx.total_steps += r.num_steps;
      }
      EpisodeTokens tokens;
      tokens.instruction = cut(tokenizer_.encode(r.instruction), o.max_text_tokens);
      const auto task_stats = task_norm_stats_.find(r.instruction);
      tokens.stats = task_stats == task_norm_stats_.end() ? &norm_stats_ : &task_stats->second;
      tokens.releases = releasesBeforeEachStep(r.actions.data(), kActionDim, kGripperDim,
                                               r.proprio.data(), kProprioDim, kFingerDim,
                                               r.num_steps);
      const std::vector<std::string> prompts =
          r.teacher_prompts.empty() ? std::vector<std::string>{prompt} : r.teacher_prompts;
      for (const std::string& p : prompts) {
        tokens.teacher.push_back(
            cut(tokenizer_.encode(r.instruction + " " + p), o.max_text_tokens));
      }
      idx.tokens.push_back(std::move(tokens));
      for (std::size_t q = 0; q < r.qa_pairs.size(); ++q) {
        if (!o.qa_kinds.empty() && std::find(o.qa_kinds.begin(), o.qa_kinds.end(),
                                             r.qa_pairs[q].kind) == o.qa_kinds.end()) {
          continue;
        }
        const QaSequence seq =
            makeQaSequence(tokenizer_, r.qa_pairs[q].question, r.qa_pairs[q].answer);
        idx.qa.push_back({e, static_cast<int>(q)});
        std::vector<std::uint8_t> target = seq.target;
        std::vector<std::int64_t> ids = seq.ids;
        if (static_cast<int>(ids.size()) > o.max_text_tokens) {
          ids.resize(static_cast<std::size_t>(o.max_text_tokens));
          target.resize(ids.size());
          target.back() = 0;  // its next token was cut
        }
        idx.qa_ids.push_back(std::move(ids));
        idx.qa_targets.push_back(std::move(target));
      }
      if (o.teacher_features == TeacherFeatureMode::kRead) {
        if (r.teacher_feature_shape.empty()) {
          throw DataError("DataLoader: " + name + ": episode '" + r.name +
                          "' has no stored teacher features");
        }
        if (teacher_shape_known && r.teacher_feature_shape != teacher_feature_shape_) {
          throw DataError("DataLoader: " + name + ": episode '" + r.name +
                          "' has teacher features of another shape than the other episodes");
        }
        teacher_feature_shape_ = r.teacher_feature_shape;
        teacher_shape_known = true;
      }
    }
    if (idx.total_steps == 0) throw DataError("DataLoader: " + name + " holds no steps");
    action_weights_.push_back(ws.weight);
    qa_weights_.push_back(idx.qa.empty() ? 0.0 : ws.weight);
    index_.push_back(std::move(idx));
  }
  if (o.qa_ratio > 0.0 &&
      std::all_of(qa_weights_.begin(), qa_weights_.end(), [](double w) { return w == 0.0; })) {
    std::string kinds;
    for (const auto& k : o.qa_kinds) kinds += (kinds.empty() ? "" : ", ") + k;
    throw DataError("DataLoader: qa_ratio > 0 but no store holds " +
                    (kinds.empty() ? std::string("QA pairs") : "QA pairs of the kinds " + kinds));
  }
  image_size_ = o.image_size;
  if (image_size_ == 0) {
    const StepFrames first =
        stores_[0].store->readStep(0, 0, DepthMode::kSkip, TeacherFeatureMode::kSkip);
    if (first.rgb.empty() || first.rgb[0].rows != first.rgb[0].cols) {
      throw DataError("DataLoader: " + stores_[0].store->describe() +
                      ": images are not square; set image_size");
    }
    image_size_ = first.rgb[0].rows;
  }
  for (int w = 0; w < o.num_workers; ++w) workers_.emplace_back([this] { workerLoop(); });
}

DataLoader::~DataLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  space_cv_.notify_all();
  ready_cv_.notify_all();
  for (auto& w : workers_) w.join();
}

bool DataLoader::isQaBatch(std::int64_t index) const {
  const double r = options_.qa_ratio;
  return std::floor(static_cast<double>(index + 1) * r) >
         std::floor(static_cast<double>(index) * r);
}

TrainingBatch DataLoader::batchAt(std::int64_t index) const {
  std::mt19937_64 rng(splitmix64(splitmix64(options_.seed) ^ static_cast<std::uint64_t>(index)));
  return isQaBatch(index) ? buildQaBatch(index, rng) : buildActionBatch(index, rng);
}

void DataLoader::fillImages(TrainingBatch& batch, std::int64_t row, int store, std::int64_t episode,
                            std::int64_t step, std::mt19937_64& rng) const {
  const EpisodeStore& s = *stores_[static_cast<std::size_t>(store)].store;
  const bool want_depth = batch.depth_m.defined();
  const bool want_teacher = batch.teacher_features.defined();
  const StepFrames frames =
      s.readStep(episode, step, want_depth ? DepthMode::kRead : DepthMode::kSkip,
                 want_teacher ? TeacherFeatureMode::kRead : TeacherFeatureMode::kSkip);
  const EpisodeRecord& record = s.episode(episode);
  if (static_cast<int>(frames.rgb.size()) != num_cameras_) {
    throw DataError(s.describe() + ": episode '" + record.name + "' step " + std::to_string(step) +
                    ": wrong number of camera images");
  }
  const std::int64_t side = image_size_;
  auto* images = batch.inputs.images.data_ptr<std::uint8_t>();
  const std::size_t image_bytes = static_cast<std::size_t>(side * side * 3);
  for (int v = 0; v < num_cameras_; ++v) {
    const cv::Mat& rgb = frames.rgb[static_cast<std::size_t>(v)];
    if (options_.image_size == 0 && (rgb.rows != side || rgb.cols != side)) {
      throw DataError(s.describe() + ": episode '" + record.name + "': images are " +
                      std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) + ", others " +
                      std::to_string(side) + "x" + std::to_string(side) + "; set image_size");
    }
    // Draw whether or not augmentation is on, so switching it keeps the samples the same.
    const AugmentationParams drawn =
        drawAugmentation(options_.augmentation_options, rgb.size(), rng);
    const AugmentationParams params =
        options_.augmentation == Augmentation::kOn ? drawn : noAugmentation(rgb.size());
    const cv::Mat out = augmentImage(rgb, params, static_cast<int>(side));
    std::uint8_t* dst = images + (static_cast<std::size_t>(row) * num_cameras_ + v) * image_bytes;
    for (int r = 0; r < out.rows; ++r) {
      std::memcpy(dst + static_cast<std::size_t>(r) * side * 3, out.ptr(r),
                  static_cast<std::size_t>(side) * 3);
    }
    if (want_depth) {
      float* ddst = batch.depth_m.data_ptr<float>() + (row * num_cameras_ + v) * side * side;
      if (frames.depth_m.size() == frames.rgb.size()) {  // otherwise stays 0: unknown depth
        const cv::Mat d = augmentDepth(frames.depth_m[static_cast<std::size_t>(v)], params.crop,
                                       static_cast<int>(side));
        for (int r = 0; r < d.rows; ++r) {
          std::memcpy(ddst + r * side, d.ptr<float>(r),
                      static_cast<std::size_t>(side) * sizeof(float));
        }
      }
    }
  }
  if (want_teacher) {
    const std::int64_t per_step = batch.teacher_features.numel() / batch.teacher_features.size(0);
    if (static_cast<std::int64_t>(frames.teacher_features.size()) != per_step) {
      throw DataError(s.describe() + ": episode '" + record.name + "' step " +
                      std::to_string(step) + ": teacher features have " +
                      std::to_string(frames.teacher_features.size()) + " values, expected " +
                      std::to_string(per_step));
    }
    std::memcpy(batch.teacher_features.data_ptr<float>() + row * per_step,
                frames.teacher_features.data(), static_cast<std::size_t>(per_step) * sizeof(float));
  }
  float* proprio = batch.inputs.proprio.data_ptr<float>() + row * kProprioDim;
  const NormStats& stats =
      *index_[static_cast<std::size_t>(store)].tokens[static_cast<std::size_t>(episode)].stats;
  normalizeProprio(stats, record.proprio.data() + step * kProprioDim, proprio);
}

TrainingBatch DataLoader::buildActionBatch(std::int64_t index, std::mt19937_64& rng) const {
  const LoaderOptions& o = options_;
  const std::int64_t b = o.batch_size;
  const std::int64_t side = image_size_;
  TrainingBatch batch;
  batch.index = index;
  batch.kind = BatchKind::kAction;
  batch.inputs.images = torch::empty({b, num_cameras_, side, side, 3}, torch::kUInt8);
  batch.inputs.proprio = torch::empty({b, kProprioDim}, torch::kFloat32);
  batch.inputs.progress = torch::empty({b}, torch::kInt64);
  batch.actions = torch::empty({b, o.chunk_size, kActionDim}, torch::kFloat32);
  batch.action_valid = torch::empty({b, o.chunk_size}, torch::kBool);
  if (o.depth == DepthMode::kRead)
    batch.depth_m = torch::zeros({b, num_cameras_, side, side}, torch::kFloat32);
  if (o.teacher_features == TeacherFeatureMode::kRead) {
    std::vector<std::int64_t> shape{b};
    shape.insert(shape.end(), teacher_feature_shape_.begin(), teacher_feature_shape_.end());
    batch.teacher_features = torch::empty(shape, torch::kFloat32);
  }
  std::vector<const std::vector<std::int64_t>*> text, teacher;
  for (std::int64_t i = 0; i < b; ++i) {
    const int s = static_cast<int>(drawWeighted(action_weights_, rng));
    const StoreIndex& idx = index_[static_cast<std::size_t>(s)];
    const std::int64_t global = drawIndex(idx.total_steps, rng);
    const auto it = std::upper_bound(idx.step_offsets.begin(), idx.step_offsets.end(), global);
    const std::int64_t episode = (it - idx.step_offsets.begin()) - 1;
    const std::int64_t sample = global - idx.step_offsets[static_cast<std::size_t>(episode)];
    const std::vector<std::int64_t>* kept =
        o.skip_idle_steps ? &idx.kept[static_cast<std::size_t>(episode)] : nullptr;
    const std::int64_t step = kept ? (*kept)[static_cast<std::size_t>(sample)] : sample;
    const EpisodeTokens& tokens = idx.tokens[static_cast<std::size_t>(episode)];
    const auto prompt =
        static_cast<std::size_t>(drawIndex(static_cast<std::int64_t>(tokens.teacher.size()), rng));
    batch.samples.push_back({s, episode, step, -1});
    fillImages(batch, i, s, episode, step, rng);
    const EpisodeRecord& record = stores_[static_cast<std::size_t>(s)].store->episode(episode);
    static_assert(sizeof(bool) == sizeof(std::uint8_t));
    float* chunk = batch.actions.data_ptr<float>() + i * o.chunk_size * kActionDim;
    std::uint8_t* valid =
        reinterpret_cast<std::uint8_t*>(batch.action_valid.data_ptr<bool>()) + i * o.chunk_size;
    if (kept) {
      const auto remaining = static_cast<std::int64_t>(kept->size()) - sample;
      actionChunkOver(record, kept->data() + sample, remaining, o.chunk_size, *tokens.stats, chunk,
                      valid);
    } else {
      actionChunk(record, step, o.chunk_size, *tokens.stats, chunk, valid);
    }
    batch.inputs.progress.data_ptr<std::int64_t>()[i] = tokens.releases[static_cast<std::size_t>(step)];
    text.push_back(&tokens.instruction);
    teacher.push_back(&tokens.teacher[prompt]);
  }
  batch.inputs.text_ids = padIds(text, tokenizer_.padId());
  batch.teacher_text_ids = padIds(teacher, tokenizer_.padId());
  return batch;
}

TrainingBatch DataLoader::buildQaBatch(std::int64_t index, std::mt19937_64& rng) const {
  const LoaderOptions& o = options_;
  const std::int64_t b = o.batch_size;
  const std::int64_t side = image_size_;
  TrainingBatch batch;
  batch.index = index;
  batch.kind = BatchKind::kSpatialQa;
  batch.inputs.images = torch::empty({b, num_cameras_, side, side, 3}, torch::kUInt8);
  batch.inputs.proprio = torch::empty({b, kProprioDim}, torch::kFloat32);
  batch.inputs.progress = torch::zeros({b}, torch::kInt64);  // the episode's first step
  std::vector<const std::vector<std::int64_t>*> text;
  std::vector<const std::vector<std::uint8_t>*> targets;
  for (std::int64_t i = 0; i < b; ++i) {
    const int s = static_cast<int>(drawWeighted(qa_weights_, rng));
    const StoreIndex& idx = index_[static_cast<std::size_t>(s)];
    const auto q =
        static_cast<std::size_t>(drawIndex(static_cast<std::int64_t>(idx.qa.size()), rng));
    const QaRef& ref = idx.qa[q];
    batch.samples.push_back({s, ref.episode, 0, ref.qa_index});
    fillImages(batch, i, s, ref.episode, 0, rng);
    text.push_back(&idx.qa_ids[q]);
    targets.push_back(&idx.qa_targets[q]);
  }
  batch.inputs.text_ids = padIds(text, tokenizer_.padId());
  batch.qa_target = torch::zeros(batch.inputs.text_ids.sizes(), torch::kBool);
  const std::int64_t t = batch.qa_target.size(1);
  auto* mask = reinterpret_cast<std::uint8_t*>(batch.qa_target.data_ptr<bool>());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    std::copy(targets[i]->begin(), targets[i]->end(), mask + static_cast<std::int64_t>(i) * t);
  }
  return batch;
}

void DataLoader::workerLoop() {
  for (;;) {
    std::int64_t index = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      space_cv_.wait(
          lock, [&] { return stop_ || next_claim_ < next_consume_ + options_.queue_capacity; });
      if (stop_) return;
      index = next_claim_++;
    }
    Slot slot;
    try {
      slot.batch = batchAt(index);
    } catch (...) {
      slot.error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.emplace(index, std::move(slot));
    }
    ready_cv_.notify_all();
  }
}

TrainingBatch DataLoader::next() {
  if (workers_.empty()) {
    const std::int64_t index = next_consume_++;
    return batchAt(index);
  }
  Slot slot;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_cv_.wait(lock, [&] { return ready_.count(next_consume_) != 0; });
    auto it = ready_.find(next_consume_);
    slot = std::move(it->second);
    ready_.erase(it);
    ++next_consume_;
  }
  space_cv_.notify_all();
  if (slot.error) std::rethrow_exception(slot.error);
  return std::move(slot.batch);
}

}  // namespace thinkvla::model::data
