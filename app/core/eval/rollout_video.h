// RolloutVideo: writes an episode's camera frames to a video file, all cameras side by side (the
// agent view, then the wrist camera), at the control rate. Debian's OpenCV 4.6 encodes MJPG in
// .avi with its own built-in encoder (CAP_OPENCV_MJPEG: always available) and mp4v in .mp4
// through FFmpeg.
//
// Ownership: owns its cv::VideoWriter; the file is complete after close() or destruction.
// Threads: one thread at a time per instance; distinct instances on distinct threads are fine.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>
#include <vector>

#include "core/eval/evaluator.h"
#include "core/sim/tabletop_env.h"

namespace thinkvla::core::eval {

// The file extension of a format: ".avi" or ".mp4".
const char* videoExtension(VideoFormat format);

class RolloutVideo {
 public:
  // Throws std::runtime_error naming the file when no encoder opens it.
  RolloutVideo(const std::filesystem::path& file, VideoFormat format, double fps = 20.0);
  ~RolloutVideo();
  RolloutVideo(const RolloutVideo&) = delete;
  RolloutVideo& operator=(const RolloutVideo&) = delete;

  // Appends one frame: the RGB images of `cameras` side by side (the first frame fixes the size;
  // later frames of another size are resized to it).
  void write(const std::vector<sim::CameraFrame>& cameras);
  void close();
  int frames() const { return frames_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  void open(const cv::Size& size);

  std::filesystem::path file_;
  VideoFormat format_;
  double fps_;
  cv::VideoWriter writer_;
  cv::Size size_;
  int frames_ = 0;
};

// Both cameras side by side as one BGR image (what RolloutVideo writes).
cv::Mat sideBySideBgr(const std::vector<sim::CameraFrame>& cameras);

}  // namespace thinkvla::core::eval
