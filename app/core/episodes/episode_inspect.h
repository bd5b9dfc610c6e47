// What `thinkvla dataset info|validate|stats` reports about an episode file: episodes, steps,
// instructions, per-dimension action statistics, and the problems found. Reading problems are
// reported, not thrown, so one broken demo does not hide the others.
// Threads: any thread (reads through EpisodeReader, which serialises HDF5 access).
#pragma once

#include "core/episodes/episode_types.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace thinkvla::core {

// Per action dimension (7: delta position, delta axis-angle, gripper).
struct ActionStatistics {
  std::int64_t count = 0;  // steps
  std::array<double, 7> min{}, max{}, mean{}, std{}, q01{}, q99{};
};

enum class InspectDepth {
  kSummary,  // attributes, actions and annotations: fast, images are not read
  kFull,     // also reads every episode completely, validating every dataset's dtype and shape
};

struct EpisodeFileReport {
  std::filesystem::path file;
  bool readable = false;  // the file opened as an episode file
  DatasetInfo info;
  std::vector<EpisodeSummary> episodes;
  std::int64_t total_steps = 0;
  std::int64_t recovered_episodes = 0;  // committed from an interrupted recording
  std::int64_t successful_episodes = 0;  // by our annotations (LIBERO's demos have none)
  std::vector<std::string> instructions;  // distinct, file-level first
  ActionStatistics actions;
  std::vector<std::string> problems;  // empty: valid
};

EpisodeFileReport inspectEpisodeFile(const std::filesystem::path& file, InspectDepth depth);

}  // namespace thinkvla::core
