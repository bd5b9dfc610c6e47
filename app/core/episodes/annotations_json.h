// JSON form of EpisodeAnnotations (schema_version 1), as stored in data/demo_N/thinkvla/annotations
// and in the recorder's side logs. The per-step vectors (intervention, timestamps) are not part of
// it: they are datasets of their own. Pure functions; any thread. annotationsFromJson throws
// nlohmann::json::exception on malformed input.
#pragma once

#include "core/episodes/episode_types.h"

#include <nlohmann/json.hpp>

namespace thinkvla::core {

nlohmann::json annotationsToJson(const EpisodeAnnotations& annotations);
EpisodeAnnotations annotationsFromJson(const nlohmann::json& j);

}  // namespace thinkvla::core
