#include "core/pipeline/chunk_executor.h"

#include <algorithm>

namespace thinkvla::core {

namespace {

// Ticks whose times are kept to place a chunk by its capture; a chunk captured before all of them
// is older than any chunk the policy predicts (K is far smaller) and is dropped as ended.
constexpr std::size_t kTickHistory = 256;

Action7 toAction(const std::vector<float>& a) {
  Action7 out = Action7::all(0.0);
  for (std::size_t i = 0; i < 7 && i < a.size(); ++i) out[static_cast<int>(i)] = a[i];
  return out;
}

}  // namespace

ChunkExecutor::ChunkExecutor(LatestSlot<InferenceResult>& results, int execute_steps,
                             std::optional<double> ensemble_decay)
    : results_(results), execute_steps_(std::max(1, execute_steps)) {
  if (ensemble_decay) ensemble_.emplace(*ensemble_decay);
}

void ChunkExecutor::setExecuteSteps(int steps) { execute_steps_ = std::max(1, steps); }

void ChunkExecutor::setEnsembleDecay(std::optional<double> decay) {
  std::optional<TemporalEnsemble> ensemble;
  if (decay) ensemble.emplace(*decay);  // throws before anything changes
  ensemble_ = std::move(ensemble);
  clearChunks();
}

std::optional<double> ChunkExecutor::ensembleDecay() const {
  return ensemble_ ? std::optional<double>(ensemble_->decay()) : std::nullopt;
}

void ChunkExecutor::clearChunks() {
  chunk_.clear();
  index_ = 0;
  has_chunk_ = false;
  ticks_ = 0;
  chunk_start_ = 0;
  accepted_at_ = 0;
  tick_times_.clear();
  chunks_blended_ = 0;
  if (ensemble_) ensemble_->reset();
}

void ChunkExecutor::reset() {
  clearChunks();
  results_.take();  // a result computed before the reset belongs to the old episode
}

std::optional<Action7> ChunkExecutor::next(Clock::time_point now) {
  if (ensemble_) return nextEnsembled(now);
  const int limit = std::min<int>(execute_steps_, static_cast<int>(chunk_.size()));
  if (!has_chunk_ || index_ >= limit) {
    auto result = results_.take();
    // A chunk computed from a frame older than what we already executed on would replay the past.
    if (!result || (has_chunk_ && result->frame_sequence <= last_frame_) || result->actions.empty()) {
      return std::nullopt;
    }
    chunk_ = std::move(result->actions);
    last_frame_ = result->frame_sequence;
    index_ = 0;
    has_chunk_ = true;
    ++chunks_used_;
  }
  return toAction(chunk_[static_cast<std::size_t>(index_++)]);
}

long ChunkExecutor::startTickOf(Clock::time_point captured_at) const {
  // A frame captured after tick j's call and before tick j + 1's is what tick j + 1 acts on.
  if (captured_at == Clock::time_point{}) return ticks_;  // no capture time: no latency to skip
  long later = 0;
  for (auto it = tick_times_.rbegin(); it != tick_times_.rend() && *it >= captured_at; ++it) {
    ++later;
  }
  return ticks_ - later;
}

std::optional<Action7> ChunkExecutor::nextEnsembled(Clock::time_point now) {
  const long tick = ticks_;
  if (!has_chunk_ || tick - accepted_at_ >= execute_steps_) {
    auto result = results_.take();
    if (result && !result->actions.empty() &&
        (!has_chunk_ || result->frame_sequence > last_frame_)) {
      const long start = startTickOf(result->frames.captured_at);
      ensemble_->add(start, result->actions);
      chunk_ = std::move(result->actions);
      chunk_start_ = start;
      accepted_at_ = tick;
      last_frame_ = result->frame_sequence;
      has_chunk_ = true;
      ++chunks_used_;
    }
  }
  tick_times_.push_back(now);
  if (tick_times_.size() > kTickHistory) tick_times_.pop_front();
  ++ticks_;
  index_ = has_chunk_ ? static_cast<int>(tick - chunk_start_ + 1) : 0;
  const auto mean = ensemble_->actionAt(tick);
  chunks_blended_ = mean ? ensemble_->chunksHeld() : 0;
  if (!mean) return std::nullopt;
  return toAction(*mean);
}

}  // namespace thinkvla::core
