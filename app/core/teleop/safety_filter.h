// SafetyFilter: the one place where every action that reaches the robot is made safe, whatever
// produced it (operator, policy, shared autonomy):
//   - an emergency stop latches: from then on only zero motion passes, until reset();
//   - without the dead-man (when the mode requires it) motion is zero in that same tick;
//   - each axis is clipped to [-1, 1], NaN or inf refused (zero motion, counted);
//   - the translation per tick is capped (metres) and the rotation per tick (radians);
//   - a step that would leave the workspace box is cut at the box's face.
// Actions are LIBERO's 7-D normalised vectors; `metres_per_unit` and `radians_per_unit` say what
// one unit moves the controller (the robot's action scale).
// Thread-safety: filter() from the control thread; triggerStop(), reset() and the queries from any
// thread.
#pragma once

#include <opencv2/core.hpp>

#include <atomic>
#include <cstdint>

namespace thinkvla::core {

using Action7 = cv::Vec<double, 7>;

struct SafetyLimits {
  cv::Vec3d workspace_min_m{-0.5, -0.6, 0.0};
  cv::Vec3d workspace_max_m{0.9, 0.6, 1.2};
  double max_translation_per_tick_m = 0.02;
  double max_rotation_per_tick_rad = 0.1;
  double metres_per_unit = 0.05;
  double radians_per_unit = 0.5;
};

enum class DeadmanRule { kRequired, kNotRequired };

class SafetyFilter {
 public:
  explicit SafetyFilter(SafetyLimits limits = {});

  struct Result {
    Action7 action;       // what may be sent
    bool stopped = false; // the emergency stop is latched
    bool clipped = false; // something was cut (range, step or workspace)
    bool refused = false; // NaN/inf in the request
  };
  Result filter(const Action7& requested, const cv::Vec3d& ee_position_m, bool deadman_held,
                DeadmanRule rule);

  void triggerStop();
  void reset();
  bool stopped() const { return stopped_; }
  std::uint64_t refusedCount() const { return refused_; }
  const SafetyLimits& limits() const { return limits_; }

 private:
  SafetyLimits limits_;
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> refused_{0};
};

// Zero motion with the gripper kept as it was: what "stop" means for a 7-D action.
Action7 holdAction(double gripper);

}  // namespace thinkvla::core
