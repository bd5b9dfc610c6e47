// Attention over image patches drawn on the image: a patch grid of weights (from the anchor token
// or the action queries, one layer and head or averaged) upsampled to the image, coloured and
// blended. Stateless; any thread.
#pragma once

#include <opencv2/core.hpp>

#include "viz/colormap.h"

namespace thinkvla::viz {

struct AttentionStyle {
  Colormap colormap = Colormap::kInferno;
  Normalization normalization = Normalization::kMinMax;
  double opacity = 0.6;
  bool smooth = true;        // bicubic upsampling; false shows the patches as blocks
  bool weight_by_value = true;  // low attention leaves the image visible
};

// `patch_weights`: CV_32F, rows x cols = the model's patch grid for this view. `image`: CV_8UC3
// RGB. Returns a new RGB image of the image's size.
cv::Mat drawAttention(const cv::Mat& image, const cv::Mat& patch_weights, const AttentionStyle& style);

}  // namespace thinkvla::viz
