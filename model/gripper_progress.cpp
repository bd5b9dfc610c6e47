#include "model/gripper_progress.h"

#include <algorithm>

namespace thinkvla::model {

std::vector<std::uint8_t> releasesBeforeEachStep(const float* actions, int action_dim,
                                                 int gripper_index, const float* proprio,
                                                 int proprio_dim, int finger_index,
                                                 std::int64_t steps) {
  std::vector<std::uint8_t> counts(static_cast<std::size_t>(std::max<std::int64_t>(steps, 0)), 0);
  GripperReleaseCounter counter;
  for (std::int64_t t = 0; t < steps; ++t) {
    counts[static_cast<std::size_t>(t)] = static_cast<std::uint8_t>(std::min(counter.releases(), 255));
    const float* state = proprio + t * proprio_dim;
    counter.observe(actions[t * action_dim + gripper_index],
                    static_cast<double>(state[finger_index]) + state[finger_index + 1]);
  }
  return counts;
}

}  // namespace thinkvla::model
