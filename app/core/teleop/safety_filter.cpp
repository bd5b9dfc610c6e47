#include "core/teleop/safety_filter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace thinkvla::core {

Action7 holdAction(double gripper) {
  Action7 a = Action7::all(0.0);
  a[6] = gripper;
  return a;
}

SafetyFilter::SafetyFilter(SafetyLimits limits) : limits_(limits) {}

void SafetyFilter::triggerStop() {
  if (!stopped_.exchange(true)) spdlog::warn("safety: emergency stop; reset to move again");
}

void SafetyFilter::reset() {
  if (stopped_.exchange(false)) spdlog::info("safety: emergency stop reset");
}

SafetyFilter::Result SafetyFilter::filter(const Action7& requested, const cv::Vec3d& ee_position_m,
                                          bool deadman_held, DeadmanRule rule) {
  Result r;
  const double gripper = std::isfinite(requested[6]) ? std::clamp(requested[6], -1.0, 1.0) : 0.0;
  if (stopped_) {
    r.action = holdAction(gripper);
    r.stopped = true;
    return r;
  }
  for (int i = 0; i < 7; ++i) {
    if (!std::isfinite(requested[i])) {
      ++refused_;
      r.refused = true;
      r.action = holdAction(gripper);
      spdlog::error("safety: refused an action with NaN or inf (axis {})", i);
      return r;
    }
  }
  if (rule == DeadmanRule::kRequired && !deadman_held) {
    r.action = holdAction(gripper);
    return r;
  }
  Action7 a = requested;
  for (int i = 0; i < 7; ++i) {
    const double c = std::clamp(a[i], -1.0, 1.0);
    r.clipped |= c != a[i];
    a[i] = c;
  }
  // Translation: cap the step length, then cut at the workspace box.
  cv::Vec3d step(a[0] * limits_.metres_per_unit, a[1] * limits_.metres_per_unit,
                 a[2] * limits_.metres_per_unit);
  const double length = cv::norm(step);
  if (length > limits_.max_translation_per_tick_m) {
    step *= limits_.max_translation_per_tick_m / length;
    r.clipped = true;
  }
  for (int k = 0; k < 3; ++k) {
    const double target = ee_position_m[k] + step[k];
    // Moving further out of the box is cut; moving back in is allowed.
    if (target > limits_.workspace_max_m[k] && step[k] > 0) {
      step[k] = std::max(0.0, limits_.workspace_max_m[k] - ee_position_m[k]);
      r.clipped = true;
    } else if (target < limits_.workspace_min_m[k] && step[k] < 0) {
      step[k] = std::min(0.0, limits_.workspace_min_m[k] - ee_position_m[k]);
      r.clipped = true;
    }
    a[k] = step[k] / limits_.metres_per_unit;
  }
  // Rotation: cap the axis-angle step.
  cv::Vec3d rot(a[3], a[4], a[5]);
  const double angle = cv::norm(rot) * limits_.radians_per_unit;
  if (angle > limits_.max_rotation_per_tick_rad) {
    rot *= limits_.max_rotation_per_tick_rad / angle;
    r.clipped = true;
  }
  a[3] = rot[0];
  a[4] = rot[1];
  a[5] = rot[2];
  a[6] = gripper;
  r.action = a;
  return r;
}

}  // namespace thinkvla::core
