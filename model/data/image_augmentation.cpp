#include "model/data/image_augmentation.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace thinkvla::model::data {

namespace {

double uniform(std::mt19937_64& rng, double lo, double hi) {
  // Explicit mapping: std::uniform_real_distribution's output is not specified across libraries.
  const double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
  return lo + (hi - lo) * u;
}

using Mat3 = cv::Matx33d;

// ITU-R 601 luma, as torchvision's rgb_to_grayscale.
const cv::Vec3d kLuma(0.299, 0.587, 0.114);

Mat3 hueRotation(double turns) {
  // Rotate chroma in YIQ space.
  const Mat3 to_yiq(0.299, 0.587, 0.114, 0.596, -0.274, -0.322, 0.211, -0.523, 0.312);
  const Mat3 from_yiq = to_yiq.inv();
  const double a = 2.0 * M_PI * turns;
  const Mat3 rot(1, 0, 0, 0, std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a));
  return from_yiq * rot * to_yiq;
}

}  // namespace

AugmentationParams noAugmentation(cv::Size image) {
  AugmentationParams p;
  p.crop = {0, 0, image.width, image.height};
  return p;
}

AugmentationParams drawAugmentation(const AugmentationOptions& o, cv::Size image,
                                    std::mt19937_64& rng) {
  AugmentationParams p;
  const double area = uniform(rng, o.crop_area_min, o.crop_area_max) * image.area();
  const double log_aspect = uniform(rng, std::log(o.crop_aspect_min), std::log(o.crop_aspect_max));
  const double aspect = std::exp(log_aspect);
  const int w = std::clamp(static_cast<int>(std::lround(std::sqrt(area * aspect))), 1, image.width);
  const int h =
      std::clamp(static_cast<int>(std::lround(std::sqrt(area / aspect))), 1, image.height);
  const double ux = uniform(rng, 0.0, 1.0);
  const double uy = uniform(rng, 0.0, 1.0);
  p.crop = {static_cast<int>(ux * (image.width - w + 1)),
            static_cast<int>(uy * (image.height - h + 1)), w, h};
  p.crop.x = std::min(p.crop.x, image.width - w);
  p.crop.y = std::min(p.crop.y, image.height - h);
  p.brightness = uniform(rng, 1.0 - o.brightness, 1.0 + o.brightness);
  p.contrast = uniform(rng, 1.0 - o.contrast, 1.0 + o.contrast);
  p.saturation = uniform(rng, 1.0 - o.saturation, 1.0 + o.saturation);
  p.hue_turns = uniform(rng, -o.hue, o.hue);
  return p;
}

cv::Mat augmentImage(const cv::Mat& rgb, const AugmentationParams& params, int output_size) {
  const cv::Rect roi(params.crop.x, params.crop.y, params.crop.width, params.crop.height);
  cv::Mat cropped = rgb(roi & cv::Rect(0, 0, rgb.cols, rgb.rows));
  cv::Mat sized;
  if (output_size <= 0 || (cropped.cols == output_size && cropped.rows == output_size)) {
    sized = cropped;
  } else {
    const bool shrink = output_size < cropped.cols && output_size < cropped.rows;
    cv::resize(cropped, sized, cv::Size(output_size, output_size), 0, 0,
               shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  const bool colour = params.brightness != 1.0 || params.contrast != 1.0 ||
                      params.saturation != 1.0 || params.hue_turns != 0.0;
  if (!colour) return sized;

  // out = M * in + offset, composed from the four linear steps in torchvision's order.
  Mat3 m = Mat3::eye() * params.brightness;
  cv::Vec3d offset(0, 0, 0);
  // Contrast blends with the mean grey level of the brightened image.
  const cv::Scalar mean = cv::mean(sized);
  const double grey =
      params.brightness * (kLuma[0] * mean[0] + kLuma[1] * mean[1] + kLuma[2] * mean[2]);
  m = m * params.contrast;
  offset = offset * params.contrast + cv::Vec3d::all((1.0 - params.contrast) * grey);
  // Saturation blends each pixel with its own grey level: a linear map.
  Mat3 grey_rows(kLuma[0], kLuma[1], kLuma[2], kLuma[0], kLuma[1], kLuma[2], kLuma[0], kLuma[1],
                 kLuma[2]);
  const Mat3 sat = Mat3::eye() * params.saturation + grey_rows * (1.0 - params.saturation);
  m = sat * m;
  offset = sat * offset;
  const Mat3 hue = hueRotation(params.hue_turns);
  m = hue * m;
  offset = hue * offset;
  cv::Matx34f affine;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) affine(r, c) = static_cast<float>(m(r, c));
    affine(r, 3) = static_cast<float>(offset[r]);
  }
  cv::Mat out;
  cv::transform(sized, out, affine);  // saturates to 0..255
  return out;
}

cv::Mat augmentDepth(const cv::Mat& depth_m, const CropBox& crop, int output_size) {
  const cv::Rect roi(crop.x, crop.y, crop.width, crop.height);
  cv::Mat cropped = depth_m(roi & cv::Rect(0, 0, depth_m.cols, depth_m.rows));
  if (output_size <= 0 || (cropped.cols == output_size && cropped.rows == output_size)) {
    return cropped.clone();
  }
  cv::Mat out;
  cv::resize(cropped, out, cv::Size(output_size, output_size), 0, 0, cv::INTER_NEAREST);
  return out;
}

}  // namespace thinkvla::model::data
