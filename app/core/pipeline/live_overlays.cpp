#include "core/pipeline/live_overlays.h"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace thinkvla::core {

namespace {
constexpr double kOpacity = 0.6;

cv::Mat colourMap(const cv::Mat& unit, int map) {
  cv::Mat u8, bgr, rgb;
  unit.convertTo(u8, CV_8U, 255.0);
  cv::applyColorMap(u8, bgr, map);
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

// out = image * (1 - a w) + overlay * a w, per pixel.
cv::Mat blendWeighted(const cv::Mat& image, const cv::Mat& overlay, double opacity,
                      const cv::Mat& weight) {
  cv::Mat img_f, ovl_f, w3;
  image.convertTo(img_f, CV_32FC3);
  overlay.convertTo(ovl_f, CV_32FC3);
  const cv::Mat w = weight * opacity;
  cv::merge(std::vector<cv::Mat>{w, w, w}, w3);
  cv::Mat one_minus;
  cv::subtract(cv::Scalar::all(1.0), w3, one_minus);
  cv::Mat out;
  cv::Mat(img_f.mul(one_minus) + ovl_f.mul(w3)).convertTo(out, CV_8UC3);
  return out;
}

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

cv::Mat drawAttentionOverlay(const cv::Mat& rgb, const cv::Mat& weights) {
  if (rgb.empty() || rgb.type() != CV_8UC3) {
    throw std::invalid_argument("attention overlay: the image must be CV_8UC3 RGB");
  }
  if (weights.empty() || weights.channels() != 1) {
    throw std::invalid_argument("attention overlay: the weights must be a single-channel grid");
  }
  cv::Mat f;
  weights.convertTo(f, CV_32F);
  double lo = 0, hi = 0;
  cv::minMaxLoc(f, &lo, &hi);
  cv::Mat unit = cv::Mat::zeros(f.size(), CV_32F);
  if (hi - lo > 1e-12) unit = (f - lo) / (hi - lo);
  cv::Mat up;
  cv::resize(unit, up, rgb.size(), 0, 0, cv::INTER_CUBIC);
  cv::min(cv::max(up, 0.0), 1.0, up);
  // A floor keeps the colour scale visible where attention is low.
  return blendWeighted(rgb, colourMap(up, cv::COLORMAP_INFERNO), kOpacity, 0.25 + 0.75 * up);
}

StableFeaturePca::StableFeaturePca(double smoothing)
    : smoothing_(std::clamp(smoothing, 0.0, 0.99)) {}

void StableFeaturePca::reset() {
  basis_.release();
  mean_.release();
  has_ranges_ = false;
}

cv::Mat StableFeaturePca::colours(const cv::Mat& features, int rows, int cols, cv::Size size) {
  if (features.empty() || features.type() != CV_32F || features.cols < 3 || features.rows < 3) {
    throw std::invalid_argument("feature PCA: features must be N x D CV_32F with N, D >= 3");
  }
  if (rows * cols != features.rows) {
    throw std::invalid_argument("feature PCA: a " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " grid does not hold " +
                                std::to_string(features.rows) + " patches");
  }
  if (!basis_.empty() && basis_.cols != features.cols) reset();

  cv::PCA pca(features, cv::noArray(), cv::PCA::DATA_AS_ROW, 3);
  cv::Mat fresh, mean;
  pca.eigenvectors.convertTo(fresh, CV_32F);
  pca.mean.convertTo(mean, CV_32F);
  if (fresh.rows < 3) {
    // Fewer than three components (constant features): pad with zero rows.
    cv::Mat padded = cv::Mat::zeros(3, features.cols, CV_32F);
    fresh.copyTo(padded.rowRange(0, fresh.rows));
    fresh = padded;
  }
  if (basis_.empty()) {
    basis_ = fresh.clone();
    mean_ = mean.clone();
  } else {
    // Match the new components to the old: the permutation with the largest total |cos|.
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
    const auto keep = static_cast<float>(smoothing_);
    basis_ = keep * basis_ + (1.0f - keep) * matched;
    orthonormalizeRows(basis_);
    mean_ = keep * mean_ + (1.0f - keep) * mean;
  }
  const cv::Mat centred = features - cv::repeat(mean_, features.rows, 1);
  const cv::Mat proj = centred * basis_.t();  // N x 3
  cv::Vec3d lo, hi;
  for (int c = 0; c < 3; ++c) {
    std::vector<float> col(static_cast<std::size_t>(proj.rows));
    for (int r = 0; r < proj.rows; ++r) col[static_cast<std::size_t>(r)] = proj.at<float>(r, c);
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
  cv::Mat grid(rows, cols, CV_8UC3);
  for (int r = 0; r < proj.rows; ++r) {
    cv::Vec3b& px = grid.at<cv::Vec3b>(r / cols, r % cols);
    for (int c = 0; c < 3; ++c) {
      const double span = std::max(1e-9, hi_[c] - lo_[c]);
      const double u = std::clamp((proj.at<float>(r, c) - lo_[c]) / span, 0.0, 1.0);
      px[c] = static_cast<unsigned char>(u * 255.0 + 0.5);
    }
  }
  cv::Mat out;
  cv::resize(grid, out, size, 0, 0, cv::INTER_NEAREST);
  return out;
}

void chunkPath(const cv::Vec3d& ee_position_m, const std::vector<std::vector<float>>& actions,
               double metres_per_unit, std::vector<cv::Vec3d>& points,
               std::vector<double>& gripper) {
  points.clear();
  gripper.clear();
  if (actions.empty()) return;
  cv::Vec3d p = ee_position_m;
  points.push_back(p);
  gripper.push_back(actions.front().size() > 6 ? actions.front()[6] : -1.0);
  for (const auto& a : actions) {
    if (a.size() >= 3) p += metres_per_unit * cv::Vec3d(a[0], a[1], a[2]);
    points.push_back(p);
    gripper.push_back(a.size() > 6 ? a[6] : -1.0);
  }
}

int drawPathOverlay(cv::Mat& rgb, const std::vector<cv::Vec3d>& points,
                    const std::vector<double>& gripper, const CameraGeometry& camera) {
  if (rgb.type() != CV_8UC3) throw std::invalid_argument("path overlay: the image must be CV_8UC3");
  if (points.empty()) return 0;
  // Base frame -> camera frame, then the pinhole model at the image's own size.
  const cv::Matx44d T_camera_base = camera.T_base_camera.inv();
  std::vector<cv::Point3d> in_camera;
  for (const auto& p : points) {
    const cv::Vec4d q = T_camera_base * cv::Vec4d(p[0], p[1], p[2], 1.0);
    in_camera.emplace_back(q[0], q[1], q[2]);
  }
  cv::Matx33d K = camera.camera_matrix;
  if (camera.image_size.width > 0 && camera.image_size != rgb.size()) {
    const double sx = static_cast<double>(rgb.cols) / camera.image_size.width;
    const double sy = static_cast<double>(rgb.rows) / camera.image_size.height;
    K(0, 0) *= sx;
    K(0, 2) *= sx;
    K(1, 1) *= sy;
    K(1, 2) *= sy;
  }
  std::vector<cv::Point2d> pixels;
  cv::projectPoints(in_camera, cv::Vec3d(0, 0, 0), cv::Vec3d(0, 0, 0), cv::Mat(K), cv::Mat(),
                    pixels);
  cv::Mat ramp(1, static_cast<int>(points.size()), CV_32F);
  for (int i = 0; i < ramp.cols; ++i) {
    ramp.at<float>(0, i) =
        ramp.cols > 1 ? static_cast<float>(i) / static_cast<float>(ramp.cols - 1) : 0.f;
  }
  const cv::Mat colours = colourMap(ramp, cv::COLORMAP_TURBO);
  const auto colour = [&](std::size_t i) {
    const cv::Vec3b c = colours.at<cv::Vec3b>(0, static_cast<int>(i));
    return cv::Scalar(c[0], c[1], c[2]);
  };
  constexpr int kShift = 4;  // sub-pixel drawing
  const auto fixed = [&](const cv::Point2d& p) {
    return cv::Point(cvRound(p.x * (1 << kShift)), cvRound(p.y * (1 << kShift)));
  };
  for (std::size_t i = 1; i < pixels.size(); ++i) {
    if (in_camera[i - 1].z > 1e-6 && in_camera[i].z > 1e-6) {
      cv::line(rgb, fixed(pixels[i - 1]), fixed(pixels[i]), colour(i), 2, cv::LINE_AA, kShift);
    }
  }
  int visible = 0;
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    const bool inside = in_camera[i].z > 1e-6 && pixels[i].x >= 0 && pixels[i].y >= 0 &&
                        pixels[i].x < rgb.cols && pixels[i].y < rgb.rows;
    if (!inside) continue;
    ++visible;
    const bool closed = gripper[i] > 0.0;
    const bool changed = i > 0 && (gripper[i - 1] > 0.0) != closed;
    if (changed || i == 0 || i + 1 == pixels.size()) {
      cv::circle(rgb, fixed(pixels[i]), 4 * (1 << kShift),
                 closed ? cv::Scalar(255, 64, 64) : cv::Scalar(240, 240, 240),
                 closed ? cv::FILLED : 2, cv::LINE_AA, kShift);
    }
  }
  return visible;
}

std::vector<ViewOverlays> OverlayComposer::compose(const InferenceResult& result,
                                                   const PathContext* path) {
  const auto& views = result.frames.views;
  std::vector<ViewOverlays> out(views.size());
  const PolicyIntrospection& in = result.introspection;
  const AttentionMaps& attention = in.anchor.empty() ? in.action : in.anchor;
  if (pca_.size() < views.size()) pca_.resize(views.size());

  std::vector<cv::Vec3d> points;
  std::vector<double> gripper;
  if (path != nullptr)
    chunkPath(path->ee_position_m, result.actions, path->metres_per_unit, points, gripper);

  for (std::size_t v = 0; v < views.size(); ++v) {
    ViewOverlays& o = out[v];
    o.camera = views[v].camera;
    const cv::Mat& rgb = views[v].rgb;
    if (!result.has_introspection || rgb.empty()) continue;
    // A single source view filled every policy view: its maps are the policy's view 0.
    const int pv = static_cast<int>(v);
    if (!attention.empty() && pv < attention.views)
      o.attention = drawAttentionOverlay(rgb, attention.mean(pv));
    if (v < in.geometry.size() && in.patch_grid > 0) {
      const cv::Mat colours =
          pca_[v].colours(in.geometry[v], in.patch_grid, in.patch_grid, rgb.size());
      cv::Mat blended;
      cv::addWeighted(rgb, 1.0 - kOpacity, colours, kOpacity, 0.0, blended);
      o.geometry = blended;
    }
    if (path != nullptr && v < path->cameras.size() && !points.empty()) {
      if (!o.attention.empty()) {
        o.path_points_visible = drawPathOverlay(o.attention, points, gripper, path->cameras[v]);
      }
      if (!o.geometry.empty()) drawPathOverlay(o.geometry, points, gripper, path->cameras[v]);
    }
  }
  return out;
}

}  // namespace thinkvla::core
