// TemporalEnsemble: temporal ensembling of overlapping action chunks (as ACT runs its policies).
// When the policy re-plans before a chunk is used up, several chunks hold a prediction for the
// same control step; the action executed is their weighted mean, with weight exp(-decay * i) for
// the i-th oldest prediction (i = 0 the oldest: decay > 0 favours the earlier plans, 0 is the
// plain mean). Predictions are never extrapolated: a step no chunk covers has no action.
//
// Pure data, no threads: one owner steps it (the evaluator's episode loop). Errors: add() and
// actionAt() throw std::invalid_argument for an empty or ragged chunk, a negative decay or a
// step earlier than one already asked for (time only moves forward).
#pragma once

#include <deque>
#include <optional>
#include <vector>

namespace thinkvla::core {

class TemporalEnsemble {
 public:
  explicit TemporalEnsemble(double decay);
  static bool validDecay(double decay);  // finite and >= 0: what the constructor takes

  void reset();  // a new episode: forget every chunk
  // A chunk predicted at control step `step`: its action i is meant for step `step + i`.
  void add(long step, std::vector<std::vector<float>> chunk);
  // The weighted mean of every stored prediction for `step`; chunks that end before it are
  // dropped. Nothing when no chunk covers the step.
  std::optional<std::vector<float>> actionAt(long step);
  // Chunks still held (those that cover the last step asked for or later).
  int chunksHeld() const { return static_cast<int>(chunks_.size()); }
  double decay() const { return decay_; }

 private:
  struct Chunk {
    long start = 0;
    std::vector<std::vector<float>> actions;
  };
  double decay_;
  std::deque<Chunk> chunks_;  // oldest first
  long last_step_ = -1;
};

}  // namespace thinkvla::core
