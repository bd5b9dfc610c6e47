// Colour maps and image blending for the studio's overlays, on plain OpenCV images. Stateless
// functions; any thread.
#pragma once

#include <opencv2/core.hpp>

namespace thinkvla::viz {

enum class Colormap { kViridis, kInferno, kTurbo, kJet, kGray };

// How a scalar map is scaled to [0, 1] before colouring.
enum class Normalization {
  kMinMax,      // min -> 0, max -> 1
  kPercentile,  // 2nd percentile -> 0, 98th -> 1 (robust to one hot patch)
  kFixed,       // values are taken as they are, clamped to [0, 1] (probabilities)
};

// Scales a single-channel float map (CV_32F) to [0, 1] as `normalization` says. A constant map
// becomes all zeros.
cv::Mat normalizeMap(const cv::Mat& map, Normalization normalization);

// Colours a [0, 1] CV_32F map: CV_8UC3 in RGB order.
cv::Mat colorize(const cv::Mat& unit_map, Colormap colormap);

// Blends `overlay` (CV_8UC3 RGB, same size as `image`) over `image` (CV_8UC3 RGB) with `opacity` in
// [0, 1], weighting each pixel by `weight` (CV_32F [0, 1], same size) when it is not empty.
cv::Mat blend(const cv::Mat& image, const cv::Mat& overlay, double opacity,
              const cv::Mat& weight = cv::Mat());

}  // namespace thinkvla::viz
