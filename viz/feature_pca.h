// StablePca: per-patch feature vectors (the policy's geometry latent) shown as colours through
// their first three principal components, with a basis kept stable from frame to frame so the
// colours do not flicker: each new fit is matched to the previous basis (order and sign), blended
// into it, and re-orthonormalised; the colour ranges follow slowly too.
// One instance per view; not thread-safe (use it from the thread that draws).
#pragma once

#include <opencv2/core.hpp>

namespace thinkvla::viz {

class StablePca {
 public:
  // `smoothing` in [0, 1): how much of the previous basis and ranges each frame keeps.
  explicit StablePca(double smoothing = 0.8);

  // `features`: N x D, CV_32F (N patches, D channels, D >= 3). Returns N x 1 CV_8UC3 RGB colours.
  cv::Mat update(const cv::Mat& features);
  // The same, laid out as the patch grid (rows x cols = N) and resized to `size` (nearest).
  cv::Mat updateGrid(const cv::Mat& features, int rows, int cols, cv::Size size);

  void reset();
  const cv::Mat& basis() const { return basis_; }  // 3 x D, orthonormal rows (empty before update)

 private:
  double smoothing_;
  cv::Mat basis_;
  cv::Mat mean_;
  cv::Vec3d lo_, hi_;
  bool has_ranges_ = false;
};

}  // namespace thinkvla::viz
