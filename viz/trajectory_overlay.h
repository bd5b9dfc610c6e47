// Predicted action chunks drawn into a camera image: 3D points in the robot's base frame projected
// through a calibrated camera (OpenCV pinhole model with distortion, and the extrinsic
// T_base_camera that maps camera-frame points into the base frame), joined as a path coloured by
// time, with gripper close (filled) and open (ring) marks. Stateless; any thread.
#pragma once

#include <opencv2/core.hpp>

#include <vector>

#include "viz/colormap.h"

namespace thinkvla::viz {

struct CameraModel {
  cv::Matx33d camera_matrix = cv::Matx33d::eye();
  cv::Mat distortion_coefficients;         // empty: none
  cv::Matx44d T_base_camera = cv::Matx44d::eye();  // camera frame (x right, y down, z forward) -> base
  cv::Size image_size;
};

struct PathPoint {
  cv::Vec3d position_m;  // base frame
  double gripper = -1.0;  // -1 open ... +1 closed (the action's convention)
};

// A predicted action chunk as end-effector positions in the base frame: the current position,
// then one per action (the running sum of the position deltas x metres_per_unit), each with the
// gripper value of its action (the current position takes the first action's). Empty without
// actions.
std::vector<PathPoint> chunkPath(const cv::Vec3d& ee_position_m,
                                 const std::vector<std::vector<float>>& actions,
                                 double metres_per_unit);

struct ProjectedPoint {
  cv::Point2d pixel;
  double depth_m = 0.0;  // along the optical axis
  bool visible = false;  // in front of the camera and inside the image
};

std::vector<ProjectedPoint> projectPoints(const std::vector<cv::Vec3d>& points_base,
                                          const CameraModel& camera);

struct PathStyle {
  Colormap colormap = Colormap::kTurbo;  // colour by time: first step -> last step
  int thickness_px = 2;
  int mark_radius_px = 4;
};

// Draws the path into `image` (CV_8UC3 RGB, the camera's image size). Returns how many points
// were visible.
int drawPath(cv::Mat& image, const std::vector<PathPoint>& path, const CameraModel& camera,
             const PathStyle& style = {});

}  // namespace thinkvla::viz
