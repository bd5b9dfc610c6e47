// Renders one episode's camera images to a video file (`thinkvla dataset export-video`), at the
// control rate by default. Any thread; reads the file through EpisodeReader.
#pragma once

#include <filesystem>
#include <string>

namespace thinkvla::core {

enum class VideoCameras { kAgentview, kEyeInHand, kSideBySide };

// Writes data/<episode> of `file` to `out` (the container follows the extension; .mp4 uses the
// "mp4v" codec). Returns the number of frames written. Throws EpisodeError naming the file and the
// dataset, or the output when no encoder accepts it.
int exportEpisodeVideo(const std::filesystem::path& file, const std::string& episode,
                       const std::filesystem::path& out, VideoCameras cameras, double fps = 20.0);

}  // namespace thinkvla::core
