// ChunkExecutor: the control-thread side of chunked execution (as OpenVLA-OFT runs LIBERO): the
// policy predicts K actions at once; the loop executes the first `execute_steps` of a chunk open
// loop, then takes the newest chunk the inference worker has published for a frame at least as
// recent as the end of the executed one. With no fresh chunk it holds still (returns nothing).
//
// With temporal ensembling (an ensemble decay given, as ACT runs its policies) the executor
// re-plans every `execute_steps` ticks instead: it takes the newest fresh chunk and places it in
// time by its frame's capture, so action i is meant for the i-th tick after the capture (ticks
// that passed while the policy ran are skipped, not replayed late). Each tick executes the
// TemporalEnsemble's weighted mean of every held chunk's prediction for that tick; a tick no chunk
// covers holds still.
//
// Thread-safety: next(), reset() and the setters from the control thread only (or with the
// control loop stopped).
#pragma once

#include <chrono>
#include <deque>
#include <optional>

#include "core/pipeline/inference_worker.h"
#include "core/pipeline/temporal_ensemble.h"
#include "core/teleop/safety_filter.h"

namespace thinkvla::core {

class ChunkExecutor {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws std::invalid_argument for a negative or non-finite ensemble decay.
  ChunkExecutor(LatestSlot<InferenceResult>& results, int execute_steps,
                std::optional<double> ensemble_decay = std::nullopt);

  // One control tick at time `now` (the tick's clock; ensembling places chunks by it).
  std::optional<Action7> next(Clock::time_point now = Clock::now());
  void reset();  // drop the current chunk (new episode, new instruction)
  void setExecuteSteps(int steps);
  int executeSteps() const { return execute_steps_; }
  // Turns ensembling on (a decay) or off (nothing); the chunks held so far are dropped. Throws
  // std::invalid_argument for a negative or non-finite decay (the executor is left unchanged).
  void setEnsembleDecay(std::optional<double> decay);
  std::optional<double> ensembleDecay() const;
  // The chunk being executed (ensembling: the newest) and the index of the next action in it (for
  // the studio's drawing).
  const std::vector<std::vector<float>>& currentChunk() const { return chunk_; }
  int position() const { return index_; }
  std::uint64_t chunksUsed() const { return chunks_used_; }
  // Ensembling: the chunks whose predictions the last tick averaged (0 without ensembling).
  int chunksBlended() const { return chunks_blended_; }

 private:
  std::optional<Action7> nextEnsembled(Clock::time_point now);
  long startTickOf(Clock::time_point captured_at) const;
  void clearChunks();

  LatestSlot<InferenceResult>& results_;
  int execute_steps_;
  std::vector<std::vector<float>> chunk_;
  int index_ = 0;
  std::uint64_t last_frame_ = 0;
  bool has_chunk_ = false;
  std::uint64_t chunks_used_ = 0;
  // Ensembling only.
  std::optional<TemporalEnsemble> ensemble_;
  long ticks_ = 0;               // ticks since the last reset
  long chunk_start_ = 0;         // the tick action 0 of chunk_ is meant for
  long accepted_at_ = 0;         // the tick chunk_ was taken at
  std::deque<Clock::time_point> tick_times_;  // the last ticks' times, oldest first
  int chunks_blended_ = 0;
};

}  // namespace thinkvla::core
