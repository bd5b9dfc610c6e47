#include "viz/attention_overlay.h"

#include <opencv2/imgproc.hpp>

#include <stdexcept>

namespace thinkvla::viz {

cv::Mat drawAttention(const cv::Mat& image, const cv::Mat& patch_weights,
                      const AttentionStyle& style) {
  if (image.empty() || image.type() != CV_8UC3) {
    throw std::invalid_argument("drawAttention: image must be a non-empty CV_8UC3 RGB image");
  }
  if (patch_weights.empty() || patch_weights.channels() != 1) {
    throw std::invalid_argument("drawAttention: patch weights must be a single-channel grid");
  }
  const cv::Mat unit = normalizeMap(patch_weights, style.normalization);
  cv::Mat up;
  cv::resize(unit, up, image.size(), 0, 0, style.smooth ? cv::INTER_CUBIC : cv::INTER_NEAREST);
  cv::min(cv::max(up, 0.0), 1.0, up);
  const cv::Mat coloured = colorize(up, style.colormap);
  if (!style.weight_by_value) return blend(image, coloured, style.opacity);
  // Keep a floor so the colour scale stays visible where attention is low.
  cv::Mat weight = 0.25 + 0.75 * up;
  return blend(image, coloured, style.opacity, weight);
}

}  // namespace thinkvla::viz
