#include "viz/camera_overlays.h"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "viz/attention_overlay.h"

namespace thinkvla::viz {

namespace {
cv::Mat meanOf(const std::vector<cv::Mat>& maps) {
  cv::Mat sum;
  for (const cv::Mat& m : maps) {
    cv::Mat f;
    m.convertTo(f, CV_32F);
    if (sum.empty()) sum = f.clone();
    else sum += f;
  }
  if (!sum.empty()) sum /= static_cast<double>(maps.size());
  return sum;
}

// Pixel centres (u, v) -> camera-frame unit-depth rays (x/z, y/z), undistorted when needed.
std::vector<cv::Point2d> normalizedRays(const std::vector<cv::Point2d>& pixels,
                                        const CameraModel& camera) {
  std::vector<cv::Point2d> rays;
  if (pixels.empty()) return rays;
  if (camera.distortion_coefficients.empty()) {
    const double fx = camera.camera_matrix(0, 0), fy = camera.camera_matrix(1, 1);
    const double cx = camera.camera_matrix(0, 2), cy = camera.camera_matrix(1, 2);
    rays.reserve(pixels.size());
    for (const auto& p : pixels) rays.emplace_back((p.x - cx) / fx, (p.y - cy) / fy);
    return rays;
  }
  cv::undistortPoints(pixels, rays, cv::Mat(camera.camera_matrix), camera.distortion_coefficients);
  return rays;
}

cv::Vec3f toBase(const CameraModel& camera, const cv::Point2d& ray, double depth_m) {
  const cv::Vec4d q = camera.T_base_camera * cv::Vec4d(ray.x * depth_m, ray.y * depth_m, depth_m, 1.0);
  return {static_cast<float>(q[0]), static_cast<float>(q[1]), static_cast<float>(q[2])};
}
}  // namespace

cv::Mat selectAttention(const AttentionStack& stack, int layer, int head) {
  if (stack.empty() || stack.layers <= 0 || stack.heads <= 0 ||
      static_cast<int>(stack.maps.size()) != stack.layers * stack.heads) {
    return {};
  }
  const bool one_layer = layer >= 0 && layer < stack.layers;
  const bool one_head = head >= 0 && head < stack.heads;
  std::vector<cv::Mat> chosen;
  for (int l = 0; l < stack.layers; ++l) {
    if (one_layer && l != layer) continue;
    for (int h = 0; h < stack.heads; ++h) {
      if (one_head && h != head) continue;
      chosen.push_back(stack.maps[static_cast<std::size_t>(l * stack.heads + h)]);
    }
  }
  return meanOf(chosen);
}

ComposedImage composeCameraImage(const cv::Mat& rgb, const CameraOverlayInputs& inputs,
                                 const CameraOverlayOptions& options, StablePca* pca) {
  if (rgb.empty() || rgb.type() != CV_8UC3) {
    throw std::invalid_argument("composeCameraImage: the picture must be a non-empty CV_8UC3 image");
  }
  ComposedImage out;
  double scale = 1.0;
  const int short_side = std::min(rgb.cols, rgb.rows);
  if (options.min_display_px > short_side) {
    scale = std::ceil(static_cast<double>(options.min_display_px) / short_side);
    const int long_side = std::max(rgb.cols, rgb.rows);
    if (options.max_display_px > 0) {
      scale = std::max(1.0, std::min(scale, std::floor(static_cast<double>(options.max_display_px) / long_side)));
    }
  }
  if (scale > 1.0) {
    cv::resize(rgb, out.rgb, cv::Size(), scale, scale, cv::INTER_NEAREST);
  } else {
    out.rgb = rgb.clone();
  }
  const double opacity = std::clamp(options.opacity, 0.0, 1.0);

  if (options.geometry && !inputs.geometry.empty() && inputs.geometry_grid > 0) {
    if (pca == nullptr) throw std::invalid_argument("composeCameraImage: the geometry overlay needs a StablePca");
    // The basis is updated whatever the opacity, so turning the opacity back up shows no jump.
    const cv::Mat colours = pca->updateGrid(inputs.geometry, inputs.geometry_grid,
                                            inputs.geometry_grid, out.rgb.size());
    if (opacity > 0.0) {
      out.rgb = blend(out.rgb, colours, opacity);
      out.geometry_drawn = true;
    }
  }

  if (options.attention && opacity > 0.0) {
    const AttentionStack& stack = options.attention_source == AttentionSource::kAnchor
                                      ? inputs.anchor
                                      : inputs.action_queries;
    cv::Mat grid = selectAttention(stack, options.layer, options.head);
    if (!grid.empty()) {
      AttentionStyle style;
      style.colormap = options.colormap;
      style.opacity = opacity;
      if (options.scale == AttentionScale::kFixedMax) {
        grid = grid / std::max(1e-9, options.fixed_max);
        style.normalization = Normalization::kFixed;
      } else {
        style.normalization = Normalization::kMinMax;
      }
      out.rgb = drawAttention(out.rgb, grid, style);
      out.attention_drawn = true;
    }
  }

  if (options.path && !inputs.path.empty() && inputs.camera) {
    CameraModel camera = *inputs.camera;
    if (camera.image_size.area() == 0) camera.image_size = rgb.size();
    if (camera.image_size != rgb.size()) {
      // The calibration was made at another resolution: scale the intrinsics to this picture.
      const double sx = static_cast<double>(rgb.cols) / camera.image_size.width;
      const double sy = static_cast<double>(rgb.rows) / camera.image_size.height;
      camera.camera_matrix = cv::Matx33d(sx, 0, 0, 0, sy, 0, 0, 0, 1) * camera.camera_matrix;
      camera.image_size = rgb.size();
    }
    if (scale != 1.0) {
      // Pixel centres sit at integers (OpenCV): u' = s * (u + 0.5) - 0.5.
      cv::Matx33d k = camera.camera_matrix;
      k(0, 0) *= scale;
      k(1, 1) *= scale;
      k(0, 1) *= scale;
      k(0, 2) = scale * (k(0, 2) + 0.5) - 0.5;
      k(1, 2) = scale * (k(1, 2) + 0.5) - 0.5;
      camera.camera_matrix = k;
      camera.image_size = out.rgb.size();
    }
    PathStyle style;
    style.thickness_px = std::max(2, static_cast<int>(std::lround(out.rgb.cols / 160.0)));
    style.mark_radius_px = std::max(4, static_cast<int>(std::lround(out.rgb.cols / 80.0)));
    out.path_points_visible = drawPath(out.rgb, inputs.path, camera, style);
  }
  return out;
}

std::vector<cv::Vec3f> depthGridToPoints(const cv::Mat& depth_grid_m, const CameraModel& camera) {
  if (depth_grid_m.empty()) return {};
  if (depth_grid_m.channels() != 1) throw std::invalid_argument("depthGridToPoints: expected a single-channel grid");
  if (camera.image_size.area() == 0) throw std::invalid_argument("depthGridToPoints: the camera's image size is unknown");
  cv::Mat d;
  depth_grid_m.convertTo(d, CV_32F);
  const double cell_w = static_cast<double>(camera.image_size.width) / d.cols;
  const double cell_h = static_cast<double>(camera.image_size.height) / d.rows;
  std::vector<cv::Point2d> pixels;
  std::vector<float> depths;
  for (int r = 0; r < d.rows; ++r) {
    for (int c = 0; c < d.cols; ++c) {
      const float z = d.at<float>(r, c);
      if (!std::isfinite(z) || z <= 0.0f) continue;
      // The patch centre in OpenCV pixel coordinates (pixel centres at integers).
      pixels.emplace_back((c + 0.5) * cell_w - 0.5, (r + 0.5) * cell_h - 0.5);
      depths.push_back(z);
    }
  }
  const auto rays = normalizedRays(pixels, camera);
  std::vector<cv::Vec3f> points;
  points.reserve(rays.size());
  for (std::size_t i = 0; i < rays.size(); ++i) points.push_back(toBase(camera, rays[i], depths[i]));
  return points;
}

std::vector<cv::Vec3f> depthImageToPoints(const cv::Mat& depth_m, const CameraModel& camera,
                                          int stride) {
  if (depth_m.empty()) return {};
  if (depth_m.type() != CV_32F) throw std::invalid_argument("depthImageToPoints: expected CV_32F depth in metres");
  stride = std::max(1, stride);
  CameraModel cam = camera;
  if (cam.image_size.area() == 0) cam.image_size = depth_m.size();
  const double sx = static_cast<double>(depth_m.cols) / cam.image_size.width;
  const double sy = static_cast<double>(depth_m.rows) / cam.image_size.height;
  std::vector<cv::Point2d> pixels;
  std::vector<float> depths;
  for (int r = stride / 2; r < depth_m.rows; r += stride) {
    const float* row = depth_m.ptr<float>(r);
    for (int c = stride / 2; c < depth_m.cols; c += stride) {
      const float z = row[c];
      if (!std::isfinite(z) || z <= 0.0f) continue;
      pixels.emplace_back((c + 0.5) / sx - 0.5, (r + 0.5) / sy - 0.5);  // into the calibration's pixels
      depths.push_back(z);
    }
  }
  const auto rays = normalizedRays(pixels, cam);
  std::vector<cv::Vec3f> points;
  points.reserve(rays.size());
  for (std::size_t i = 0; i < rays.size(); ++i) points.push_back(toBase(cam, rays[i], depths[i]));
  return points;
}

}  // namespace thinkvla::viz
