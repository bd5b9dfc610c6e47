// Camera calibration YAML: round trip, and a clear error for each kind of bad file.
#include <QtTest/QtTest>

#include <fstream>

#include "core/sources/camera_calibration.h"

using namespace thinkvla::core;

class TestCameraCalibration : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;

  std::filesystem::path writeFile(const char* name, const std::string& text) {
    const auto path = std::filesystem::path(dir_.path().toStdString()) / name;
    std::ofstream(path) << text;
    return path;
  }

  void expectError(const std::filesystem::path& path, const char* words) {
    try {
      loadCameraCalibration(path);
    } catch (const CalibrationError& e) {
      const std::string what = e.what();
      QVERIFY2(what.find(path.string()) != std::string::npos, what.c_str());
      QVERIFY2(what.find(words) != std::string::npos, what.c_str());
      return;
    }
    QFAIL(("no error for " + path.string()).c_str());
  }

 private Q_SLOTS:
  void roundTrip() {
    CameraCalibration c;
    c.camera_matrix = cv::Matx33d(612.5, 0, 320.25, 0, 611.0, 240.5, 0, 0, 1);
    c.distortion_coefficients = (cv::Mat_<double>(1, 5) << 0.1, -0.02, 0.001, 0.0005, 0.003);
    const double a = 0.3;
    c.T_base_camera = cv::Matx44d(std::cos(a), -std::sin(a), 0, 0.5, std::sin(a), std::cos(a), 0, -0.1,
                                  0, 0, 1, 1.2, 0, 0, 0, 1);
    c.image_size = cv::Size(640, 480);
    c.tool_position_base = cv::Vec3d(0.45, -0.05, 0.3);
    const auto path = std::filesystem::path(dir_.path().toStdString()) / "cam.yaml";
    saveCameraCalibration(path, c);
    const auto back = loadCameraCalibration(path);
    QCOMPARE(cv::norm(back.camera_matrix, c.camera_matrix, cv::NORM_INF), 0.0);
    QCOMPARE(cv::norm(back.distortion_coefficients, c.distortion_coefficients, cv::NORM_INF), 0.0);
    QVERIFY(cv::norm(back.T_base_camera, c.T_base_camera, cv::NORM_INF) < 1e-15);
    QCOMPARE(back.image_size, c.image_size);
    QVERIFY(back.tool_position_base.has_value());
    QCOMPARE(cv::norm(*back.tool_position_base, *c.tool_position_base, cv::NORM_INF), 0.0);

    // Without a tool position the field stays unset, and a row vector reads as well as a column.
    c.tool_position_base.reset();
    saveCameraCalibration(path, c);
    QVERIFY(!loadCameraCalibration(path).tool_position_base.has_value());
    const auto row = writeFile("row.yaml", "%YAML:1.0\ncamera_matrix: !!opencv-matrix\n  rows: 3\n"
                                           "  cols: 3\n  dt: d\n  data: [500,0,320, 0,500,240, 0,0,1]\n"
                                           "T_base_camera: !!opencv-matrix\n  rows: 4\n  cols: 4\n"
                                           "  dt: d\n  data: [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]\n"
                                           "tool_position_base: !!opencv-matrix\n  rows: 1\n  cols: 3\n"
                                           "  dt: d\n  data: [0.5, 0.0, 0.25]\n");
    const auto tool = loadCameraCalibration(row).tool_position_base;
    QVERIFY(tool.has_value());
    QCOMPARE((*tool)[0], 0.5);
    QCOMPARE((*tool)[2], 0.25);
  }

  void badFiles() {
    expectError("/no/such/camera.yaml", "no such file");
    expectError(writeFile("nok.yaml", "%YAML:1.0\nT_base_camera: !!opencv-matrix\n  rows: 4\n  cols: 4\n"
                                      "  dt: d\n  data: [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]\n"),
                "'camera_matrix' is missing");
    expectError(writeFile("shape.yaml", "%YAML:1.0\ncamera_matrix: !!opencv-matrix\n  rows: 2\n"
                                        "  cols: 3\n  dt: d\n  data: [1,0,0, 0,1,0]\n"),
                "'camera_matrix' is 2x3, expected 3x3");
    expectError(writeFile("rigid.yaml", "%YAML:1.0\ncamera_matrix: !!opencv-matrix\n  rows: 3\n"
                                        "  cols: 3\n  dt: d\n  data: [500,0,320, 0,500,240, 0,0,1]\n"
                                        "T_base_camera: !!opencv-matrix\n  rows: 4\n  cols: 4\n  dt: d\n"
                                        "  data: [2,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]\n"),
                "'T_base_camera' is not a rigid transform");
    expectError(writeFile("dist.yaml", "%YAML:1.0\ncamera_matrix: !!opencv-matrix\n  rows: 3\n"
                                       "  cols: 3\n  dt: d\n  data: [500,0,320, 0,500,240, 0,0,1]\n"
                                       "distortion_coefficients: !!opencv-matrix\n  rows: 1\n  cols: 3\n"
                                       "  dt: d\n  data: [0.1, 0.2, 0.3]\n"
                                       "T_base_camera: !!opencv-matrix\n  rows: 4\n  cols: 4\n  dt: d\n"
                                       "  data: [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]\n"),
                "'distortion_coefficients' is 1x3");
    expectError(writeFile("tool.yaml", "%YAML:1.0\ncamera_matrix: !!opencv-matrix\n  rows: 3\n"
                                       "  cols: 3\n  dt: d\n  data: [500,0,320, 0,500,240, 0,0,1]\n"
                                       "T_base_camera: !!opencv-matrix\n  rows: 4\n  cols: 4\n  dt: d\n"
                                       "  data: [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]\n"
                                       "tool_position_base: !!opencv-matrix\n  rows: 1\n  cols: 2\n"
                                       "  dt: d\n  data: [0.5, 0.0]\n"),
                "'tool_position_base' is 1x2, expected 1x3 or 3x1");
    expectError(writeFile("garbage.yaml", "this: [is: not {yaml"), "garbage.yaml");
  }
};

QTEST_GUILESS_MAIN(TestCameraCalibration)
#include "test_camera_calibration.moc"
