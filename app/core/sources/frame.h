// What a source delivers: one or more synchronised camera views, RGB (and depth where the source
// has it), with when they were captured. Plain data, copied or moved between threads.
#pragma once

#include <opencv2/core.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace thinkvla::core {

struct CameraFrame {
  std::string camera;   // "agentview", "eye_in_hand", "camera:0", ...
  cv::Mat rgb;          // CV_8UC3, RGB order, upright
  cv::Mat depth_m;      // CV_32F metres, empty when the source has no depth
};

struct FrameSet {
  std::vector<CameraFrame> views;
  std::uint64_t sequence = 0;                           // 0, 1, 2 ... per source
  std::chrono::steady_clock::time_point captured_at{};  // when the capture thread got it
  double source_time_s = 0.0;                           // the source's own clock (file position)
};

}  // namespace thinkvla::core
