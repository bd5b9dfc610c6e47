#include "viz/feature_pca.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

namespace thinkvla::viz {

namespace {
// Gram-Schmidt on the rows of a 3 x D matrix.
void orthonormalizeRows(cv::Mat& b) {
  for (int i = 0; i < b.rows; ++i) {
    cv::Mat r = b.row(i);
    for (int j = 0; j < i; ++j) r -= b.row(j).dot(r) * b.row(j);
    const double n = cv::norm(r);
    if (n > 1e-12) r /= n;
  }
}

double percentile(std::vector<float> v, double q) {
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}
}  // namespace

StablePca::StablePca(double smoothing) : smoothing_(std::clamp(smoothing, 0.0, 0.99)) {}

void StablePca::reset() {
  basis_.release();
  mean_.release();
  has_ranges_ = false;
}

cv::Mat StablePca::update(const cv::Mat& features) {
  if (features.empty() || features.type() != CV_32F || features.cols < 3 || features.rows < 3) {
    throw std::invalid_argument("StablePca: features must be N x D CV_32F with N, D >= 3");
  }
  if (!basis_.empty() && basis_.cols != features.cols) reset();  // another model: start over

  cv::PCA pca(features, cv::noArray(), cv::PCA::DATA_AS_ROW, 3);
  cv::Mat fresh;
  pca.eigenvectors.convertTo(fresh, CV_32F);
  cv::Mat mean;
  pca.mean.convertTo(mean, CV_32F);

  if (basis_.empty()) {
    basis_ = fresh.clone();
    mean_ = mean.clone();
  } else {
    // Match the new components to the old ones: the permutation with the largest total |cos|.
    std::array<int, 3> order{0, 1, 2}, best{0, 1, 2};
    double best_score = -1.0;
    do {
      double score = 0.0;
      for (int i = 0; i < 3; ++i) score += std::abs(basis_.row(i).dot(fresh.row(order[i])));
      if (score > best_score) {
        best_score = score;
        best = order;
      }
    } while (std::next_permutation(order.begin(), order.end()));
    cv::Mat matched(3, fresh.cols, CV_32F);
    for (int i = 0; i < 3; ++i) {
      cv::Mat row = fresh.row(best[i]).clone();
      if (basis_.row(i).dot(row) < 0) row = -row;
      row.copyTo(matched.row(i));
    }
    const float keep = static_cast<float>(smoothing_);
    basis_ = keep * basis_ + (1.0f - keep) * matched;
    orthonormalizeRows(basis_);
    mean_ = keep * mean_ + (1.0f - keep) * mean;
  }

  // Project, then map each component to [0, 1] with slowly following robust ranges.
  cv::Mat centred = features - cv::repeat(mean_, features.rows, 1);
  cv::Mat proj = centred * basis_.t();  // N x 3
  cv::Vec3d lo, hi;
  for (int c = 0; c < 3; ++c) {
    std::vector<float> col(proj.rows);
    for (int r = 0; r < proj.rows; ++r) col[r] = proj.at<float>(r, c);
    lo[c] = percentile(col, 0.02);
    hi[c] = percentile(col, 0.98);
  }
  if (!has_ranges_) {
    lo_ = lo;
    hi_ = hi;
    has_ranges_ = true;
  } else {
    lo_ = smoothing_ * lo_ + (1.0 - smoothing_) * lo;
    hi_ = smoothing_ * hi_ + (1.0 - smoothing_) * hi;
  }
  cv::Mat colours(proj.rows, 1, CV_8UC3);
  for (int r = 0; r < proj.rows; ++r) {
    cv::Vec3b& px = colours.at<cv::Vec3b>(r, 0);
    for (int c = 0; c < 3; ++c) {
      const double span = std::max(1e-9, hi_[c] - lo_[c]);
      const double u = std::clamp((proj.at<float>(r, c) - lo_[c]) / span, 0.0, 1.0);
      px[c] = static_cast<unsigned char>(u * 255.0 + 0.5);
    }
  }
  return colours;
}

cv::Mat StablePca::updateGrid(const cv::Mat& features, int rows, int cols, cv::Size size) {
  if (rows * cols != features.rows) {
    throw std::invalid_argument("StablePca: grid " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " does not hold " +
                                std::to_string(features.rows) + " patches");
  }
  const cv::Mat grid = update(features).reshape(3, rows);
  cv::Mat out;
  cv::resize(grid, out, size, 0, 0, cv::INTER_NEAREST);
  return out;
}

}  // namespace thinkvla::viz
