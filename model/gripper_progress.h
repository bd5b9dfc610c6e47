// Subtask progress for tasks done in several steps ("put both cubes in the basket"): how many times
// so far this episode the gripper let go of something it held. From one frame a policy cannot
// tell "the first object is in the basket, the second is next" from "done" (docs/results.md,
// twenty-sixth session); this count tells it. It is an input of a checkpoint whose config has
// progress_levels > 0 (model/think_vla.h), computed the same way from a stored episode for
// training and from the executed actions during a rollout.
//
// A release is an executed step whose gripper command opens (<= 0) right after a step that closed
// (> 0), while the fingers, observed before that step, stood more than kHeldObjectMinWidthM
// apart: something was between them. A grasp that closed on air or lost its object is not
// progress and is not counted, so a retried grasp stays at the same count.
//
// A plain value type without LibTorch; not thread-safe (one owner steps it).
#pragma once

#include <cstdint>
#include <vector>

namespace thinkvla::model {

// Both fingers together (metres) above which a closed gripper holds an object: the narrowest
// object the world's tasks grasp (a drawer handle) leaves about 0.014 m; closing on air, 0.
inline constexpr double kHeldObjectMinWidthM = 0.006;

class GripperReleaseCounter {
 public:
  void reset() { *this = GripperReleaseCounter(); }
  // One executed step: its action's gripper command (-1 open .. +1 close) and the finger opening
  // (sum of both fingers, metres) observed before it was executed.
  void observe(double gripper_command, double finger_opening_m) {
    const bool closes = gripper_command > 0.0;
    if (previous_closed_ && !closes && finger_opening_m > kHeldObjectMinWidthM) ++releases_;
    previous_closed_ = closes;
  }
  // Releases among the steps observed so far: what the policy is given before the next step.
  int releases() const { return releases_; }

 private:
  bool previous_closed_ = false;
  int releases_ = 0;
};

// A stored episode's counts: value t is the count before step t is executed (after steps
// 0..t-1). `actions` is steps x action_dim with the gripper at `gripper_index`; `proprio` is
// steps x proprio_dim with the two fingers at `finger_index` and the one after it.
std::vector<std::uint8_t> releasesBeforeEachStep(const float* actions, int action_dim,
                                                 int gripper_index, const float* proprio,
                                                 int proprio_dim, int finger_index,
                                                 std::int64_t steps);

}  // namespace thinkvla::model
