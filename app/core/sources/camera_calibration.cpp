#include "core/sources/camera_calibration.h"

#include <cmath>

namespace thinkvla::core {

namespace {
cv::Mat readMatrix(const cv::FileStorage& fs, const std::string& file, const char* name,
                   bool required) {
  const cv::FileNode node = fs[name];
  if (node.empty()) {
    if (required) throw CalibrationError(file + ": field '" + name + "' is missing");
    return {};
  }
  cv::Mat m;
  try {
    node >> m;
  } catch (const cv::Exception&) {
    throw CalibrationError(file + ": field '" + name + "' is not an OpenCV matrix");
  }
  if (m.empty()) throw CalibrationError(file + ": field '" + name + "' is not an OpenCV matrix");
  cv::Mat d;
  m.convertTo(d, CV_64F);
  for (auto it = d.begin<double>(); it != d.end<double>(); ++it) {
    if (!std::isfinite(*it)) throw CalibrationError(file + ": field '" + name + "' holds NaN or inf");
  }
  return d;
}

std::string shape(const cv::Mat& m) { return std::to_string(m.rows) + "x" + std::to_string(m.cols); }
}  // namespace

CameraCalibration loadCameraCalibration(const std::filesystem::path& path) {
  const std::string file = path.string();
  if (!std::filesystem::exists(path)) throw CalibrationError(file + ": no such file");
  cv::FileStorage fs;
  try {
    if (!fs.open(file, cv::FileStorage::READ)) throw CalibrationError(file + ": cannot open");
  } catch (const cv::Exception& e) {
    throw CalibrationError(file + ": not OpenCV YAML/XML (" + e.err + ")");
  }
  CameraCalibration c;
  const cv::Mat k = readMatrix(fs, file, "camera_matrix", true);
  if (k.rows != 3 || k.cols != 3) {
    throw CalibrationError(file + ": field 'camera_matrix' is " + shape(k) + ", expected 3x3");
  }
  if (k.at<double>(0, 0) <= 0 || k.at<double>(1, 1) <= 0) {
    throw CalibrationError(file + ": field 'camera_matrix' has a non-positive focal length");
  }
  c.camera_matrix = cv::Matx33d(k);
  const cv::Mat dist = readMatrix(fs, file, "distortion_coefficients", false);
  if (!dist.empty()) {
    const int n = static_cast<int>(dist.total());
    if (std::min(dist.rows, dist.cols) != 1 || (n != 4 && n != 5 && n != 8 && n != 12 && n != 14)) {
      throw CalibrationError(file + ": field 'distortion_coefficients' is " + shape(dist) +
                             ", expected 1x4, 1x5, 1x8, 1x12 or 1x14");
    }
    c.distortion_coefficients = dist.reshape(1, 1).clone();
  }
  const cv::Mat t = readMatrix(fs, file, "T_base_camera", true);
  if (t.rows != 4 || t.cols != 4) {
    throw CalibrationError(file + ": field 'T_base_camera' is " + shape(t) + ", expected 4x4");
  }
  const cv::Matx44d T(t);
  const cv::Matx33d R(T(0, 0), T(0, 1), T(0, 2), T(1, 0), T(1, 1), T(1, 2), T(2, 0), T(2, 1), T(2, 2));
  if (cv::norm(R * R.t(), cv::Matx33d::eye(), cv::NORM_INF) > 1e-3 ||
      std::abs(cv::determinant(R) - 1.0) > 1e-3 || std::abs(T(3, 3) - 1.0) > 1e-9) {
    throw CalibrationError(file + ": field 'T_base_camera' is not a rigid transform");
  }
  c.T_base_camera = T;
  const cv::FileNode w = fs["image_width"], h = fs["image_height"];
  if (!w.empty() && !h.empty()) c.image_size = cv::Size(static_cast<int>(w), static_cast<int>(h));
  const cv::Mat tool = readMatrix(fs, file, "tool_position_base", false);
  if (!tool.empty()) {
    if (std::min(tool.rows, tool.cols) != 1 || tool.total() != 3) {
      throw CalibrationError(file + ": field 'tool_position_base' is " + shape(tool) +
                             ", expected 1x3 or 3x1 (metres)");
    }
    const auto* v = tool.ptr<double>();
    c.tool_position_base = cv::Vec3d(v[0], v[1], v[2]);
  }
  return c;
}

void saveCameraCalibration(const std::filesystem::path& path, const CameraCalibration& c) {
  // Written next to the target and renamed over it: a crash leaves the old file or the new one.
  const auto tmp = path.string() + ".tmp.yaml";
  {
    cv::FileStorage fs(tmp, cv::FileStorage::WRITE);
    if (!fs.isOpened()) throw CalibrationError(path.string() + ": cannot write");
    fs << "camera_matrix" << cv::Mat(c.camera_matrix);
    if (!c.distortion_coefficients.empty()) fs << "distortion_coefficients" << c.distortion_coefficients;
    fs << "T_base_camera" << cv::Mat(c.T_base_camera);
    if (c.image_size.area() > 0) {
      fs << "image_width" << c.image_size.width << "image_height" << c.image_size.height;
    }
    if (c.tool_position_base) fs << "tool_position_base" << cv::Mat(*c.tool_position_base);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw CalibrationError(path.string() + ": cannot replace: " + ec.message());
}

}  // namespace thinkvla::core
