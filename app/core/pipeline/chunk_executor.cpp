#include "core/pipeline/chunk_executor.h"

#include <algorithm>

namespace thinkvla::core {

ChunkExecutor::ChunkExecutor(LatestSlot<InferenceResult>& results, int execute_steps)
    : results_(results), execute_steps_(std::max(1, execute_steps)) {}

void ChunkExecutor::reset() {
  chunk_.clear();
  index_ = 0;
  has_chunk_ = false;
  results_.take();  // a result computed before the reset belongs to the old episode
}

std::optional<Action7> ChunkExecutor::next() {
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
  const auto& a = chunk_[static_cast<std::size_t>(index_++)];
  Action7 out = Action7::all(0.0);
  for (int i = 0; i < 7 && i < static_cast<int>(a.size()); ++i) out[i] = a[static_cast<std::size_t>(i)];
  return out;
}

}  // namespace thinkvla::core
