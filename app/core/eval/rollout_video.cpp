#include "core/eval/rollout_video.h"

#include <opencv2/imgproc.hpp>

#include <stdexcept>

namespace thinkvla::core::eval {

const char* videoExtension(VideoFormat format) {
  return format == VideoFormat::kAviMjpeg ? ".avi" : ".mp4";
}

cv::Mat sideBySideBgr(const std::vector<sim::CameraFrame>& cameras) {
  std::vector<cv::Mat> parts;
  int height = 0;
  for (const auto& c : cameras) {
    if (!c.rgb.empty()) height = std::max(height, c.rgb.rows);
  }
  for (const auto& c : cameras) {
    if (c.rgb.empty()) continue;
    cv::Mat bgr;
    cv::cvtColor(c.rgb, bgr, cv::COLOR_RGB2BGR);
    if (bgr.rows != height) {
      cv::resize(bgr, bgr, {bgr.cols * height / bgr.rows, height}, 0, 0, cv::INTER_AREA);
    }
    parts.push_back(bgr);
  }
  if (parts.empty()) throw std::runtime_error("no rendered camera image to put in a video");
  cv::Mat out;
  cv::hconcat(parts, out);
  return out;
}

RolloutVideo::RolloutVideo(const std::filesystem::path& file, VideoFormat format, double fps)
    : file_(file), format_(format), fps_(fps) {
  std::error_code ec;
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path(), ec);
  if (ec)
    throw std::runtime_error(file_.parent_path().string() + ": cannot create: " + ec.message());
}

RolloutVideo::~RolloutVideo() { close(); }

void RolloutVideo::open(const cv::Size& size) {
  size_ = size;
  bool ok = false;
  try {
    if (format_ == VideoFormat::kAviMjpeg) {
      ok = writer_.open(file_.string(), cv::CAP_OPENCV_MJPEG,
                        cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps_, size_, true);
    } else {
      ok = writer_.open(file_.string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('m', 'p', '4', 'v'),
                        fps_, size_, true);
    }
  } catch (const cv::Exception& e) {
    throw std::runtime_error(file_.string() + ": cannot open a video writer: " + e.what());
  }
  if (!ok || !writer_.isOpened()) {
    throw std::runtime_error(file_.string() + ": no video encoder accepts this file (" +
                             (format_ == VideoFormat::kAviMjpeg ? "MJPG/avi" : "mp4v/mp4") + ")");
  }
}

void RolloutVideo::write(const std::vector<sim::CameraFrame>& cameras) {
  cv::Mat frame = sideBySideBgr(cameras);
  if (!writer_.isOpened()) open(frame.size());
  if (frame.size() != size_) cv::resize(frame, frame, size_, 0, 0, cv::INTER_AREA);
  writer_.write(frame);
  ++frames_;
}

void RolloutVideo::close() {
  if (writer_.isOpened()) writer_.release();
}

}  // namespace thinkvla::core::eval
