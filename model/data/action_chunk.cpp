#include "model/data/action_chunk.h"

#include <array>
#include <string>

#include "model/data/action_normalization.h"

namespace thinkvla::model::data {

void actionChunk(const EpisodeRecord& episode, std::int64_t step, int chunk_size,
                 const NormStats& stats, float* normalized, std::uint8_t* valid) {
  if (step < 0 || step >= episode.num_steps) {
    throw std::out_of_range("episode '" + episode.name + "' has no step " + std::to_string(step));
  }
  const float* last = episode.actions.data() + (episode.num_steps - 1) * kActionDim;
  std::array<float, kActionDim> padding{};
  padding[kGripperDim] = last[kGripperDim];
  for (int k = 0; k < chunk_size; ++k) {
    const std::int64_t t = step + k;
    const bool real = t < episode.num_steps;
    const float* raw = real ? episode.actions.data() + t * kActionDim : padding.data();
    normalizeAction(stats, raw, normalized + static_cast<std::ptrdiff_t>(k) * kActionDim);
    valid[k] = real ? 1 : 0;
  }
}

}  // namespace thinkvla::model::data
