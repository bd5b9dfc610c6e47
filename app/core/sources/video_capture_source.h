// VideoCaptureSource: a camera (camera:N, V4L2), a video file (file:PATH) or a network stream
// (url:...) read with OpenCV's videoio. One view per frame set, named after the spec.
// One thread at a time (see FrameSource).
#pragma once

#include <opencv2/videoio.hpp>

#include "core/sources/frame_source.h"

namespace thinkvla::core {

class VideoCaptureSource : public FrameSource {
 public:
  enum class Kind { kCamera, kFile, kStream };
  VideoCaptureSource(Kind kind, std::string target, std::string spec);

  std::string description() const override { return spec_; }
  void open() override;
  bool read(FrameSet& out) override;
  double nominalFps() const override { return fps_; }
  cv::Size resolution() const override { return size_; }
  bool isLive() const override { return kind_ != Kind::kFile; }

 private:
  Kind kind_;
  std::string target_;
  std::string spec_;
  cv::VideoCapture capture_;
  double fps_ = 0.0;
  double frame_count_ = 0.0;
  cv::Size size_;
  std::uint64_t sequence_ = 0;
  cv::Mat bgr_;
};

}  // namespace thinkvla::core
