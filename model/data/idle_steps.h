// Idle steps of a demonstration: the steps where the expert waits. A scripted expert pauses when
// it has commanded the gripper and waits for it, and when it lines up on a waypoint; a policy
// trained on those steps learns to stand still in states that look like them, and may stay
// there (OpenVLA drops LIBERO's no-op steps for the same reason). A step is idle when all of:
//   - every arm component of its action (dx, dy, dz, droll, dpitch, dyaw) is below
//     `motion_below` in magnitude (action units, full speed 1);
//   - its gripper command is on the same side as the previous step's (> 0 closes): the step
//     that commands a change is never idle;
//   - neither finger moves by `finger_still_m` or more between this step and the next: while the
//     fingers still close on an object or open, waiting is part of the grasp.
// The first and the last step of an episode are never idle.
//
// keptSteps() lists the other steps, in order: a loader samples them and builds each action
// chunk from the next kept steps, so the episode is trained as if the expert had not waited.
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "model/data/episode_store.h"

namespace thinkvla::model::data {

struct IdleStepRule {
  double motion_below = 0.02;
  double finger_still_m = 3e-4;
};

// One flag per step of the episode (1: idle). Uses the record's actions and proprioception.
std::vector<std::uint8_t> idleSteps(const EpisodeRecord& episode, const IdleStepRule& rule = {});

// The steps that are not idle, ascending (every step of an episode shorter than 3 steps).
std::vector<std::int64_t> keptSteps(const EpisodeRecord& episode, const IdleStepRule& rule = {});

}  // namespace thinkvla::model::data
