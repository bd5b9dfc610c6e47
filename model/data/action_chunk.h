// Action chunks: the K actions a policy regresses in one pass, a[t] ... a[t + K - 1] of one
// episode. Near the episode's end the chunk runs past the last step: those entries are padding,
// zero motion with the last gripper command held (what a robot does after the task), and are
// marked invalid so the loss ignores them (model/losses.h actionL1Loss's `valid`).
// Pure function; any thread.
#pragma once

#include <cstdint>

#include "model/checkpoint.h"
#include "model/data/episode_store.h"

namespace thinkvla::model::data {

// Writes chunk_size x kActionDim normalized actions to `normalized` and chunk_size flags to
// `valid` (1: a real action of the episode, 0: padding). Throws std::out_of_range for a step
// outside the episode.
void actionChunk(const EpisodeRecord& episode, std::int64_t step, int chunk_size,
                 const NormStats& stats, float* normalized, std::uint8_t* valid);

// The same over chosen steps: entry k is the action of steps[k] for k < count, padding after
// (e.g. the steps keptSteps() leaves, model/data/idle_steps.h). Throws std::out_of_range for a
// step outside the episode.
void actionChunkOver(const EpisodeRecord& episode, const std::int64_t* steps, std::int64_t count,
                     int chunk_size, const NormStats& stats, float* normalized,
                     std::uint8_t* valid);

}  // namespace thinkvla::model::data
