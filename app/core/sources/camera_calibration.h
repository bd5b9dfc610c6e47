// A camera's calibration as OpenCV FileStorage YAML: `camera_matrix` (3x3), `distortion_coefficients`
// (1xN, N in 4, 5, 8, 12, 14), `T_base_camera` (4x4, maps camera-frame points, OpenCV axes x right,
// y down, z forward, into the robot's base frame) and optionally `image_width`, `image_height` and
// `tool_position_base` (1x3 or 3x1, metres: where the robot's tool is in the base frame while the
// camera films it; a camera source carries no robot state, so the predicted path starts there).
// Free functions; any thread.
#pragma once

#include <opencv2/core.hpp>

#include <filesystem>
#include <optional>
#include <stdexcept>

namespace thinkvla::core {

struct CalibrationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CameraCalibration {
  cv::Matx33d camera_matrix = cv::Matx33d::eye();
  cv::Mat distortion_coefficients;  // CV_64F 1xN or empty
  cv::Matx44d T_base_camera = cv::Matx44d::eye();
  cv::Size image_size;              // (0, 0) when the file does not say
  std::optional<cv::Vec3d> tool_position_base;  // metres; none when the file does not say
};

// Throws CalibrationError naming the file and the field at fault.
CameraCalibration loadCameraCalibration(const std::filesystem::path& path);
void saveCameraCalibration(const std::filesystem::path& path, const CameraCalibration& calibration);

}  // namespace thinkvla::core
