// Small video files and image folders written by the tests themselves (OpenCV's built-in MJPEG
// AVI writer): frame i (i < 40) shows a bright square whose position encodes i, so a reader can tell which
// frame it got.
#pragma once

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <string>

namespace thinkvla::test {

inline cv::Mat numberedFrame(int i, cv::Size size = {256, 48}) {
  cv::Mat bgr(size, CV_8UC3, cv::Scalar(20, 20, 20));
  const int x = (i * 6) % (size.width - 8);
  cv::rectangle(bgr, cv::Rect(x, 8, 8, 8), cv::Scalar(255, 255, 255), cv::FILLED);
  cv::rectangle(bgr, cv::Rect(0, size.height - 6, 6, 6), cv::Scalar(0, 0, 255), cv::FILLED);  // red
  return bgr;
}

// Which frame a decoded RGB image is: the square's column, to within compression noise.
inline int frameNumber(const cv::Mat& rgb) {
  cv::Mat gray;
  cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
  const cv::Mat row = gray.row(12);
  int best = 0;
  for (int x = 0; x < row.cols; ++x) {
    if (row.at<uchar>(0, x) > 128) {
      best = x;
      break;
    }
  }
  return best / 6;
}

inline bool writeVideo(const std::string& path, int frames, double fps = 20.0) {
  cv::VideoWriter writer(path, cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps,
                         cv::Size(256, 48));
  if (!writer.isOpened()) return false;
  for (int i = 0; i < frames; ++i) writer.write(numberedFrame(i));
  return true;
}

}  // namespace thinkvla::test
