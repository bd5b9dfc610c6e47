// What the world and a policy hand each other in a closed-loop rollout: the world's observation
// as the policy's input, and one action of the policy's chunk as the world's command. Shared by
// the evaluator and the recovery-demo collector, so both roll a policy out the same way.
// Pure functions; any thread.
#pragma once

#include <vector>

#include "core/sim/tabletop_env.h"
#include "model/gripper_progress.h"
#include "model/policy.h"

namespace thinkvla::core::eval {

// Each component clamped to [-1, 1], missing ones 0. Non-finite values pass through: the world
// refuses them and the episode fails, as it should for a policy that produced them.
sim::Action clampAction(const std::vector<float>& action);

// Both cameras' RGB, the proprioception and the releases counted so far.
model::Observation toPolicyObservation(const sim::Observation& obs,
                                       const model::GripperReleaseCounter& releases);

}  // namespace thinkvla::core::eval
