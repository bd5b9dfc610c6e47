#include "studio/rollout_recorder.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>

namespace thinkvla::studio {

bool RolloutRecorder::start(const std::string& path, double fps, std::string* error) {
  stop();
  const std::filesystem::path p(path);
  if (p.has_parent_path() && !std::filesystem::is_directory(p.parent_path())) {
    if (error != nullptr) *error = path + ": the folder " + p.parent_path().string() + " does not exist";
    return false;
  }
  path_ = path;
  fps_ = fps > 0 ? fps : 20.0;
  size_ = {};
  frames_ = 0;
  recording_ = true;
  return true;
}

cv::Mat RolloutRecorder::sideBySide(const std::vector<cv::Mat>& views_rgb) {
  int height = 0;
  for (const cv::Mat& v : views_rgb) height = std::max(height, v.rows);
  if (height == 0) return {};
  std::vector<cv::Mat> row;
  for (const cv::Mat& v : views_rgb) {
    if (v.empty()) continue;
    cv::Mat scaled;
    if (v.rows == height) {
      scaled = v;
    } else {
      cv::resize(v, scaled, cv::Size(std::max(1, v.cols * height / v.rows), height), 0, 0,
                 cv::INTER_AREA);
    }
    row.push_back(scaled);
  }
  cv::Mat out;
  cv::hconcat(row, out);
  return out;
}

bool RolloutRecorder::addFrame(const std::vector<cv::Mat>& views_rgb, std::string* error) {
  if (!recording_) return false;
  cv::Mat frame = sideBySide(views_rgb);
  if (frame.empty()) return true;
  if (!writer_.isOpened()) {
    // Even sizes: most encoders (and players) want them.
    size_ = cv::Size(frame.cols & ~1, frame.rows & ~1);
    const std::string ext = std::filesystem::path(path_).extension().string();
    const int fourcc = ext == ".avi" ? cv::VideoWriter::fourcc('M', 'J', 'P', 'G')
                                     : cv::VideoWriter::fourcc('m', 'p', '4', 'v');
    if (!writer_.open(path_, fourcc, fps_, size_, true)) {
      if (error != nullptr) *error = path_ + ": no video encoder accepts this file (try .mp4 or .avi)";
      recording_ = false;
      return false;
    }
  }
  if (frame.size() != size_) cv::resize(frame, frame, size_, 0, 0, cv::INTER_AREA);
  cv::Mat bgr;
  cv::cvtColor(frame, bgr, cv::COLOR_RGB2BGR);
  writer_.write(bgr);
  ++frames_;
  return true;
}

int RolloutRecorder::stop() {
  if (writer_.isOpened()) writer_.release();
  recording_ = false;
  return frames_;
}

}  // namespace thinkvla::studio
