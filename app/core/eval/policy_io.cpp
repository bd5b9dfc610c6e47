#include "core/eval/policy_io.h"

#include <algorithm>
#include <cmath>

namespace thinkvla::core::eval {

sim::Action clampAction(const std::vector<float>& action) {
  sim::Action out{};
  for (int i = 0; i < sim::kActionDim; ++i) {
    const double v = i < static_cast<int>(action.size())
                         ? static_cast<double>(action[static_cast<std::size_t>(i)])
                         : 0.0;
    out[static_cast<std::size_t>(i)] = std::isfinite(v) ? std::clamp(v, -1.0, 1.0) : v;
  }
  return out;
}

model::Observation toPolicyObservation(const sim::Observation& obs,
                                       const model::GripperReleaseCounter& releases) {
  model::Observation o;
  for (const auto& c : obs.cameras) o.views.push_back(c.rgb);
  o.proprio.assign(obs.proprio.begin(), obs.proprio.end());
  o.gripper_releases = releases.releases();
  return o;
}

}  // namespace thinkvla::core::eval
