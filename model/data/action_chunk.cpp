#include "model/data/action_chunk.h"

#include <algorithm>
#include <array>
#include <string>

#include "model/data/action_normalization.h"

namespace thinkvla::model::data {

namespace {

void checkStep(const EpisodeRecord& episode, std::int64_t step) {
  if (step < 0 || step >= episode.num_steps) {
    throw std::out_of_range("episode '" + episode.name + "' has no step " + std::to_string(step));
  }
}

// Entry k: the action of step(k) while real(k), padding after.
template <typename StepFn>
void writeChunk(const EpisodeRecord& episode, std::int64_t count, int chunk_size,
                const NormStats& stats, float* normalized, std::uint8_t* valid, StepFn step) {
  const float* last = episode.actions.data() + (episode.num_steps - 1) * kActionDim;
  std::array<float, kActionDim> padding{};
  padding[kGripperDim] = last[kGripperDim];
  for (int k = 0; k < chunk_size; ++k) {
    const bool real = k < count;
    const float* raw = real ? episode.actions.data() + step(k) * kActionDim : padding.data();
    normalizeAction(stats, raw, normalized + static_cast<std::ptrdiff_t>(k) * kActionDim);
    valid[k] = real ? 1 : 0;
  }
}

}  // namespace

void actionChunk(const EpisodeRecord& episode, std::int64_t step, int chunk_size,
                 const NormStats& stats, float* normalized, std::uint8_t* valid) {
  checkStep(episode, step);
  writeChunk(episode, episode.num_steps - step, chunk_size, stats, normalized, valid,
             [step](int k) { return step + k; });
}

void actionChunkOver(const EpisodeRecord& episode, const std::int64_t* steps, std::int64_t count,
                     int chunk_size, const NormStats& stats, float* normalized,
                     std::uint8_t* valid) {
  const std::int64_t used = std::min<std::int64_t>(count, chunk_size);
  for (std::int64_t k = 0; k < used; ++k) checkStep(episode, steps[k]);
  writeChunk(episode, used, chunk_size, stats, normalized, valid,
             [steps](int k) { return steps[k]; });
}

}  // namespace thinkvla::model::data
