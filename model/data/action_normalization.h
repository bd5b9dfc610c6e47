// Per-dimension normalisation of actions and proprioception for training, LIBERO/OpenVLA style:
// each dimension maps linearly from [q01, q99] (its 1st and 99th percentiles over the training
// data) to [-1, 1] and is clipped; the gripper action is left binary (-1 open, +1 close). The
// statistics are model::NormStats (model/checkpoint.h), saved as a checkpoint's norm_stats.json, so
// the policy undoes exactly what the loader did: the gripper's range is stored as [-1, 1], which
// maps a binarised command onto itself.
//
// Free functions over plain values; any thread.
#pragma once

#include <filesystem>
#include <vector>

#include "model/checkpoint.h"
#include "model/data/episode_store.h"

namespace thinkvla::model::data {

// A dimension whose q99 - q01 is below this is widened to this range around its centre, so a
// constant dimension maps to 0 instead of dividing by nearly zero.
inline constexpr float kMinNormRange = 1e-4f;

// Percentiles over every step of every episode of `stores` (numpy's linear interpolation). The
// gripper's action range is fixed to [-1, 1]. Throws DataError when the stores hold no steps.
NormStats computeNormStats(const std::vector<const EpisodeStore*>& stores,
                           double lower_quantile = 0.01, double upper_quantile = 0.99);

// The same statistics for each task (episodes grouped by instruction) on its own. Throws DataError
// when the stores hold no steps.
TaskNormStats computeTaskNormStats(const std::vector<const EpisodeStore*>& stores,
                                   double lower_quantile = 0.01, double upper_quantile = 0.99);

// norm_stats.json in the checkpoint's format, written atomically (temporary file, then rename).
void saveNormStats(const NormStats& stats, const std::filesystem::path& file);
// Reads and checks norm_stats.json: kActionDim and kProprioDim values, finite, q01 <= q99.
// Throws DataError naming the file and the field.
NormStats loadNormStats(const std::filesystem::path& file);

// -1 (open) for values <= 0, +1 (close) above.
inline float binarizeGripper(float value) { return value > 0.0f ? 1.0f : -1.0f; }

// The loader's normalisation on plain arrays (kActionDim / kProprioDim values): the same numbers
// as NormStats::normalizeActions / normalizeProprio, without tensors, with the gripper binarised.
void normalizeAction(const NormStats& stats, const float* raw, float* normalized);
void normalizeProprio(const NormStats& stats, const float* raw, float* normalized);

}  // namespace thinkvla::model::data
