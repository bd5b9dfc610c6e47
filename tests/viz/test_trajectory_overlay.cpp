// Projection of base-frame points through a calibrated camera, and the path drawn where they land.
#include <QtTest/QtTest>

#include "viz/trajectory_overlay.h"

using namespace thinkvla::viz;

namespace {
// A camera 1 m above the base origin looking straight down: camera z = -base z, camera x = base x,
// camera y = -base y.
CameraModel downwardCamera() {
  CameraModel cam;
  cam.camera_matrix = cv::Matx33d(100, 0, 64, 0, 100, 64, 0, 0, 1);
  cam.T_base_camera = cv::Matx44d(1, 0, 0, 0,
                                  0, -1, 0, 0,
                                  0, 0, -1, 1,
                                  0, 0, 0, 1);
  cam.image_size = cv::Size(128, 128);
  return cam;
}
}  // namespace

class TestTrajectoryOverlay : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void chunkBecomesEndEffectorPositions() {
    const auto path = chunkPath(cv::Vec3d(0, 0, 1.0),
                                {{0.2f, 0, 0, 0, 0, 0, -1}, {0.2f, 0.1f, 0, 0, 0, 0, 1}}, 0.5);
    QCOMPARE(path.size(), std::size_t{3});
    QCOMPARE(path[0].position_m, cv::Vec3d(0, 0, 1.0));
    QCOMPARE(path[0].gripper, -1.0);  // the first action's gripper
    QVERIFY(cv::norm(path[1].position_m - cv::Vec3d(0.1, 0, 1.0)) < 1e-6);
    QVERIFY(cv::norm(path[2].position_m - cv::Vec3d(0.2, 0.05, 1.0)) < 1e-6);  // 0.5 m per unit
    QCOMPARE(path[2].gripper, 1.0);
    QVERIFY(chunkPath(cv::Vec3d(0, 0, 0), {}, 0.05).empty());
  }

  void projectsThroughIntrinsicsAndExtrinsics() {
    const auto cam = downwardCamera();
    const auto p = projectPoints({{0, 0, 0}, {0.1, 0, 0}, {0, 0.2, 0.5}, {0, 0, 2.0}}, cam);
    QCOMPARE(p[0].pixel.x, 64.0);
    QCOMPARE(p[0].pixel.y, 64.0);
    QCOMPARE(p[0].depth_m, 1.0);
    QVERIFY(std::abs(p[1].pixel.x - 74.0) < 1e-9);  // 0.1 m at 1 m depth, f = 100 px
    QVERIFY(std::abs(p[2].pixel.y - 24.0) < 1e-9);  // +y base is up in the image; depth 0.5 m
    QVERIFY(p[0].visible && p[1].visible && p[2].visible);
    QVERIFY(!p[3].visible);  // behind the camera
  }

  void drawsThePathWithGripperMarks() {
    const auto cam = downwardCamera();
    cv::Mat image(128, 128, CV_8UC3, cv::Scalar(0, 0, 0));
    std::vector<PathPoint> path;
    for (int i = 0; i < 8; ++i) path.push_back({{-0.3 + 0.08 * i, 0.0, 0.0}, i < 4 ? -1.0 : 1.0});
    QCOMPARE(drawPath(image, path, cam), 8);
    // Along the path's row (y = 64) pixels are coloured; far from it they are not.
    int on_path = 0;
    for (int x = 40; x < 80; ++x) on_path += image.at<cv::Vec3b>(64, x) != cv::Vec3b(0, 0, 0) ? 1 : 0;
    QVERIFY(on_path > 30);
    QCOMPARE(image.at<cv::Vec3b>(10, 64), cv::Vec3b(0, 0, 0));
    // The gripper closes at step 4 (x = 0.02 m -> pixel 66): a filled red mark.
    const cv::Vec3b mark = image.at<cv::Vec3b>(64, 66);
    QVERIFY2(mark[0] > 200 && mark[1] < 120, "no closing mark");
  }
};

QTEST_GUILESS_MAIN(TestTrajectoryOverlay)
#include "test_trajectory_overlay.moc"
