#include "viz/colormap.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace thinkvla::viz {

cv::Mat normalizeMap(const cv::Mat& map, Normalization normalization) {
  if (map.empty() || map.channels() != 1) {
    throw std::invalid_argument("normalizeMap: expected a non-empty single-channel map");
  }
  cv::Mat f;
  map.convertTo(f, CV_32F);
  double lo = 0.0;
  double hi = 1.0;
  switch (normalization) {
    case Normalization::kFixed:
      break;
    case Normalization::kMinMax:
      cv::minMaxLoc(f, &lo, &hi);
      break;
    case Normalization::kPercentile: {
      std::vector<float> values(f.begin<float>(), f.end<float>());
      const auto at = [&](double q) {
        const auto k = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1));
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
        return static_cast<double>(values[k]);
      };
      lo = at(0.02);
      hi = at(0.98);
      break;
    }
  }
  cv::Mat out;
  if (hi - lo <= 1e-12) {
    out = normalization == Normalization::kFixed ? f.clone() : cv::Mat::zeros(f.size(), CV_32F);
  } else {
    out = (f - lo) / (hi - lo);
  }
  cv::min(cv::max(out, 0.0), 1.0, out);
  return out;
}

cv::Mat colorize(const cv::Mat& unit_map, Colormap colormap) {
  cv::Mat u8;
  unit_map.convertTo(u8, CV_8U, 255.0);
  cv::Mat bgr;
  switch (colormap) {
    case Colormap::kViridis: cv::applyColorMap(u8, bgr, cv::COLORMAP_VIRIDIS); break;
    case Colormap::kInferno: cv::applyColorMap(u8, bgr, cv::COLORMAP_INFERNO); break;
    case Colormap::kTurbo: cv::applyColorMap(u8, bgr, cv::COLORMAP_TURBO); break;
    case Colormap::kJet: cv::applyColorMap(u8, bgr, cv::COLORMAP_JET); break;
    case Colormap::kGray: cv::cvtColor(u8, bgr, cv::COLOR_GRAY2BGR); break;
  }
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

cv::Mat blend(const cv::Mat& image, const cv::Mat& overlay, double opacity, const cv::Mat& weight) {
  if (image.size() != overlay.size() || image.type() != CV_8UC3 || overlay.type() != CV_8UC3) {
    throw std::invalid_argument("blend: image and overlay must be CV_8UC3 of the same size");
  }
  const double a = std::clamp(opacity, 0.0, 1.0);
  if (weight.empty()) {
    cv::Mat out;
    cv::addWeighted(image, 1.0 - a, overlay, a, 0.0, out);
    return out;
  }
  if (weight.size() != image.size() || weight.type() != CV_32F) {
    throw std::invalid_argument("blend: weight must be CV_32F of the image's size");
  }
  cv::Mat img_f, ovl_f, w3;
  image.convertTo(img_f, CV_32FC3);
  overlay.convertTo(ovl_f, CV_32FC3);
  cv::Mat w = weight * a;
  cv::merge(std::vector<cv::Mat>{w, w, w}, w3);
  cv::Mat one_minus;
  cv::subtract(cv::Scalar::all(1.0), w3, one_minus);
  cv::Mat out_f = img_f.mul(one_minus) + ovl_f.mul(w3);
  cv::Mat out;
  out_f.convertTo(out, CV_8UC3);
  return out;
}

}  // namespace thinkvla::viz
