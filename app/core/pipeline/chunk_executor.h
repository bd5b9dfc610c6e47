// ChunkExecutor: the control-thread side of chunked execution (as OpenVLA-OFT runs LIBERO): the
// policy predicts K actions at once; the loop executes the first `execute_steps` of a chunk open
// loop, then takes the newest chunk the inference worker has published for a frame at least as
// recent as the end of the executed one. With no fresh chunk it holds still (returns nothing).
// Thread-safety: next() and reset() from the control thread only.
#pragma once

#include <optional>

#include "core/pipeline/inference_worker.h"
#include "core/teleop/safety_filter.h"

namespace thinkvla::core {

class ChunkExecutor {
 public:
  ChunkExecutor(LatestSlot<InferenceResult>& results, int execute_steps);

  std::optional<Action7> next();
  void reset();  // drop the current chunk (new episode, new instruction)
  void setExecuteSteps(int steps) { execute_steps_ = steps; }
  // The chunk being executed and the index of the next action in it (for the studio's drawing).
  const std::vector<std::vector<float>>& currentChunk() const { return chunk_; }
  int position() const { return index_; }
  std::uint64_t chunksUsed() const { return chunks_used_; }

 private:
  LatestSlot<InferenceResult>& results_;
  int execute_steps_;
  std::vector<std::vector<float>> chunk_;
  int index_ = 0;
  std::uint64_t last_frame_ = 0;
  bool has_chunk_ = false;
  std::uint64_t chunks_used_ = 0;
};

}  // namespace thinkvla::core
