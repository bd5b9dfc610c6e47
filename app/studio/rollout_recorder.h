// RolloutRecorder: writes the composed camera views, side by side, into a video file with
// OpenCV's VideoWriter (the container follows the extension; .mp4 uses the "mp4v" codec, as
// core/episodes/episode_video does). The first frame fixes the size; later frames are scaled to
// it. GUI thread only (it is fed from the camera dock's framePresented()).
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <string>
#include <vector>

namespace thinkvla::studio {

class RolloutRecorder {
 public:
  // Opens lazily on the first frame; `fps` is the rate the video plays at.
  bool start(const std::string& path, double fps, std::string* error);
  // RGB CV_8UC3 views, laid side by side at the height of the tallest.
  bool addFrame(const std::vector<cv::Mat>& views_rgb, std::string* error);
  int stop();  // closes the file; returns the frames written
  bool recording() const { return recording_; }
  const std::string& path() const { return path_; }
  int framesWritten() const { return frames_; }

  // The side-by-side picture (RGB) of `views_rgb`, all scaled to one height.
  static cv::Mat sideBySide(const std::vector<cv::Mat>& views_rgb);

 private:
  cv::VideoWriter writer_;
  std::string path_;
  double fps_ = 20.0;
  cv::Size size_;
  int frames_ = 0;
  bool recording_ = false;
};

}  // namespace thinkvla::studio
