#include "core/sources/video_capture_source.h"

#include <opencv2/imgproc.hpp>

#include <filesystem>

namespace thinkvla::core {

VideoCaptureSource::VideoCaptureSource(Kind kind, std::string target, std::string spec)
    : kind_(kind), target_(std::move(target)), spec_(std::move(spec)) {}

void VideoCaptureSource::open() {
  bool ok = false;
  try {
    switch (kind_) {
      case Kind::kCamera:
        ok = capture_.open(std::stoi(target_), cv::CAP_ANY);
        break;
      case Kind::kFile:
        if (!std::filesystem::exists(target_)) throw SourceError(spec_ + ": no such file");
        ok = capture_.open(target_, cv::CAP_ANY);
        break;
      case Kind::kStream:
        ok = capture_.open(target_, cv::CAP_FFMPEG);
        break;
    }
  } catch (const cv::Exception& e) {
    throw SourceError(spec_ + ": " + e.what());
  }
  if (!ok || !capture_.isOpened()) {
    switch (kind_) {
      case Kind::kCamera:
        throw SourceError(spec_ + ": cannot open camera /dev/video" + target_ +
                          " (not plugged in, or busy in another program?)");
      case Kind::kFile:
        throw SourceError(spec_ + ": cannot decode this file as video (damaged, or an unknown format)");
      case Kind::kStream:
        throw SourceError(spec_ + ": cannot connect to the stream");
    }
  }
  fps_ = capture_.get(cv::CAP_PROP_FPS);
  if (!(fps_ > 0.0 && fps_ < 1000.0)) fps_ = 0.0;
  frame_count_ = capture_.get(cv::CAP_PROP_FRAME_COUNT);
  // Decode the first frame now: a file whose header parses but whose data does not is an error
  // here, at open, rather than an empty stream later.
  if (!capture_.read(bgr_) || bgr_.empty()) {
    throw SourceError(spec_ + ": opened, but no frame could be decoded");
  }
  size_ = bgr_.size();
  sequence_ = 0;
}

bool VideoCaptureSource::read(FrameSet& out) {
  if (!capture_.isOpened()) throw SourceError(spec_ + ": read before open");
  // The first frame was decoded by open(); hand it out before reading on.
  if (sequence_ > 0 || bgr_.empty()) {
    bool got = false;
    try {
      got = capture_.read(bgr_) && !bgr_.empty();
    } catch (const cv::Exception& e) {
      throw SourceError(spec_ + ": " + e.what());
    }
    if (!got) {
      if (kind_ == Kind::kFile) {
        const double pos = capture_.get(cv::CAP_PROP_POS_FRAMES);
        if (frame_count_ > 0 && pos + 1 < frame_count_) {
          throw SourceError(spec_ + ": cannot decode frame " + std::to_string(static_cast<long>(pos)) +
                            " of " + std::to_string(static_cast<long>(frame_count_)) +
                            " (damaged file?)");
        }
        return false;  // the end
      }
      throw SourceError(spec_ + ": no frame from the " +
                        (kind_ == Kind::kCamera ? "camera (unplugged?)" : "stream (disconnected?)"));
    }
  }
  CameraFrame view;
  view.camera = spec_;
  cv::cvtColor(bgr_, view.rgb, cv::COLOR_BGR2RGB);
  out.views.clear();
  out.views.push_back(std::move(view));
  out.sequence = sequence_++;
  out.source_time_s = capture_.get(cv::CAP_PROP_POS_MSEC) * 1e-3;
  bgr_.release();
  return true;
}

}  // namespace thinkvla::core
