#include "model/data/idle_steps.h"

#include <algorithm>
#include <cmath>

namespace thinkvla::model::data {

std::vector<std::uint8_t> idleSteps(const EpisodeRecord& episode, const IdleStepRule& rule) {
  const std::int64_t n = episode.num_steps;
  std::vector<std::uint8_t> idle(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)), 0);
  const float* a = episode.actions.data();
  const float* p = episode.proprio.data();
  for (std::int64_t t = 1; t + 1 < n; ++t) {
    const float* at = a + t * kActionDim;
    bool still = true;
    for (int k = 0; k < kGripperDim && still; ++k) still = std::fabs(at[k]) < rule.motion_below;
    const bool closes = at[kGripperDim] > 0.0f;
    const bool closed_before = a[(t - 1) * kActionDim + kGripperDim] > 0.0f;
    const float* now = p + t * kProprioDim + kFingerDim;
    const float* next = p + (t + 1) * kProprioDim + kFingerDim;
    const bool fingers_still = std::fabs(next[0] - now[0]) < rule.finger_still_m &&
                               std::fabs(next[1] - now[1]) < rule.finger_still_m;
    idle[static_cast<std::size_t>(t)] = still && closes == closed_before && fingers_still ? 1 : 0;
  }
  return idle;
}

std::vector<std::int64_t> keptSteps(const EpisodeRecord& episode, const IdleStepRule& rule) {
  const std::vector<std::uint8_t> idle = idleSteps(episode, rule);
  std::vector<std::int64_t> kept;
  kept.reserve(idle.size());
  for (std::size_t t = 0; t < idle.size(); ++t) {
    if (!idle[t]) kept.push_back(static_cast<std::int64_t>(t));
  }
  return kept;
}

}  // namespace thinkvla::model::data
