// Training-time image augmentation, as OpenVLA and its LIBERO fine-tuning use it: a random resized
// crop (torchvision's RandomResizedCrop: area fraction and aspect ratio drawn, then resized to the
// output size) and colour jitter (brightness, contrast, saturation, hue). Without augmentation the
// same path only resizes, so both modes hand the model images of one size.
//
// Parameters are drawn from a caller's generator, so a loader seeded the same way gets the same
// images. Colour jitter is one affine map per image (brightness, contrast, saturation and a YIQ hue
// rotation are all linear in RGB), applied in a single pass with saturation to 0..255: cheap on a
// 2-core machine. Pure functions; any thread.
#pragma once

#include <opencv2/core.hpp>

#include <random>

#include "model/data/augmentation_options.h"

namespace thinkvla::model::data {

// A crop in the source image's pixels.
struct CropBox {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

struct AugmentationParams {
  CropBox crop;
  double brightness = 1.0;
  double contrast = 1.0;
  double saturation = 1.0;
  double hue_turns = 0.0;
};

// The identity: the whole image, colours unchanged.
AugmentationParams noAugmentation(cv::Size image);
// Draws one image's parameters (a fixed number of draws per call, whatever the outcome).
AugmentationParams drawAugmentation(const AugmentationOptions& options, cv::Size image,
                                    std::mt19937_64& rng);

// Crops `rgb` (CV_8UC3) to params.crop, resizes to output_size x output_size (area averaging when
// shrinking, bilinear otherwise; 0 keeps the crop's size) and applies the colour jitter. Without
// resize or jitter the result may be a view into `rgb`.
cv::Mat augmentImage(const cv::Mat& rgb, const AugmentationParams& params, int output_size);
// The same geometry for a depth map (CV_32FC1), nearest neighbour so no depth is invented at edges.
cv::Mat augmentDepth(const cv::Mat& depth_m, const CropBox& crop, int output_size);

}  // namespace thinkvla::model::data
