#include "viz/trajectory_overlay.h"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include <stdexcept>

namespace thinkvla::viz {

std::vector<PathPoint> chunkPath(const cv::Vec3d& ee_position_m,
                                 const std::vector<std::vector<float>>& actions,
                                 double metres_per_unit) {
  std::vector<PathPoint> path;
  if (actions.empty()) return path;
  const auto gripper = [](const std::vector<float>& a) { return a.size() > 6 ? a[6] : -1.0; };
  cv::Vec3d p = ee_position_m;
  path.push_back({p, gripper(actions.front())});
  for (const auto& a : actions) {
    if (a.size() >= 3) p += metres_per_unit * cv::Vec3d(a[0], a[1], a[2]);
    path.push_back({p, gripper(a)});
  }
  return path;
}

std::vector<ProjectedPoint> projectPoints(const std::vector<cv::Vec3d>& points_base,
                                          const CameraModel& camera) {
  std::vector<ProjectedPoint> out(points_base.size());
  if (points_base.empty()) return out;
  const cv::Matx44d T_camera_base = camera.T_base_camera.inv();
  std::vector<cv::Point3d> in_camera;
  in_camera.reserve(points_base.size());
  for (const auto& p : points_base) {
    const cv::Vec4d q = T_camera_base * cv::Vec4d(p[0], p[1], p[2], 1.0);
    in_camera.emplace_back(q[0], q[1], q[2]);
  }
  std::vector<cv::Point2d> pixels;
  cv::projectPoints(in_camera, cv::Vec3d(0, 0, 0), cv::Vec3d(0, 0, 0), cv::Mat(camera.camera_matrix),
                    camera.distortion_coefficients.empty() ? cv::Mat() : camera.distortion_coefficients,
                    pixels);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].pixel = pixels[i];
    out[i].depth_m = in_camera[i].z;
    out[i].visible = in_camera[i].z > 1e-6 && pixels[i].x >= 0 && pixels[i].y >= 0 &&
                     pixels[i].x < camera.image_size.width && pixels[i].y < camera.image_size.height;
  }
  return out;
}

int drawPath(cv::Mat& image, const std::vector<PathPoint>& path, const CameraModel& camera,
             const PathStyle& style) {
  if (image.type() != CV_8UC3) throw std::invalid_argument("drawPath: image must be CV_8UC3");
  if (path.empty()) return 0;
  std::vector<cv::Vec3d> positions;
  positions.reserve(path.size());
  for (const auto& p : path) positions.push_back(p.position_m);
  const auto projected = projectPoints(positions, camera);

  // One colour per step from the colour map.
  cv::Mat ramp(1, static_cast<int>(path.size()), CV_32F);
  for (int i = 0; i < ramp.cols; ++i) {
    ramp.at<float>(0, i) = ramp.cols > 1 ? static_cast<float>(i) / static_cast<float>(ramp.cols - 1) : 0.0f;
  }
  const cv::Mat colours = colorize(ramp, style.colormap);
  const auto colour = [&](std::size_t i) {
    const cv::Vec3b c = colours.at<cv::Vec3b>(0, static_cast<int>(i));
    return cv::Scalar(c[0], c[1], c[2]);
  };
  constexpr int kShift = 4;  // sub-pixel drawing
  const auto fixed = [&](const cv::Point2d& p) {
    return cv::Point(cvRound(p.x * (1 << kShift)), cvRound(p.y * (1 << kShift)));
  };
  // Lines first, then the marks on top of them.
  for (std::size_t i = 1; i < projected.size(); ++i) {
    if (projected[i - 1].depth_m > 1e-6 && projected[i].depth_m > 1e-6) {
      cv::line(image, fixed(projected[i - 1].pixel), fixed(projected[i].pixel), colour(i),
               style.thickness_px, cv::LINE_AA, kShift);
    }
  }
  int visible = 0;
  for (std::size_t i = 0; i < projected.size(); ++i) {
    if (!projected[i].visible) continue;
    ++visible;
    const bool closed = path[i].gripper > 0.0;
    const bool changed = i > 0 && (path[i - 1].gripper > 0.0) != closed;
    if (changed || i == 0 || i + 1 == path.size()) {
      cv::circle(image, fixed(projected[i].pixel), style.mark_radius_px * (1 << kShift),
                 closed ? cv::Scalar(255, 64, 64) : cv::Scalar(240, 240, 240),
                 closed ? cv::FILLED : 2, cv::LINE_AA, kShift);
    }
  }
  return visible;
}

}  // namespace thinkvla::viz
