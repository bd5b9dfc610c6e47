// Spatial and 2D question answering from the simulator's ground truth: answers agree with the
// physics state and the image, and the same seed gives the same questions. Needs an X server.
#include <QtTest/QtTest>

#include <set>

#include "core/sim/scene_catalog.h"
#include "core/sim/spatial_qa.h"
#include "core/sim/tabletop_env.h"

namespace sim = thinkvla::core::sim;

class TestSimQa : public QObject {
  Q_OBJECT
 private:
  std::unique_ptr<sim::TabletopEnv> env_;
  sim::Observation obs_;

 private Q_SLOTS:
  void initTestCase() {
    sim::EnvOptions o;
    o.image_width = 128;
    o.image_height = 128;
    o.channels = sim::CameraChannels::kRgbDepthSegmentation;
    env_ = std::make_unique<sim::TabletopEnv>(o);
    env_->reset(sim::task(sim::Suite::kGoal, 0), 4);  // plate, red bowl, cube, can, mug, cabinet
    obs_ = env_->observe();
  }

  void visibleObjectsAreOnTheTable() {
    const auto visible = sim::visibleObjects(*env_, obs_.cameras[0]);
    QVERIFY(visible.size() >= 4);
    for (const auto& v : visible) QVERIFY(env_->onTable(v));
  }

  void spatialAnswersMatchThePhysics() {
    std::mt19937_64 rng(5);
    const auto& frame = obs_.cameras[0];
    const auto items = sim::spatialQa(*env_, frame, 60, rng);
    QCOMPARE(int(items.size()), 60);
    std::set<sim::QaKind> kinds;
    for (const auto& q : items) {
      kinds.insert(q.kind);
      QVERIFY(sim::isSpatial(q.kind));
      QVERIFY(!q.question.empty() && !q.answer.empty());
      const auto& info = sim::objectInfo(q.objects[0]);
      Eigen::Vector3d a = env_->bodyPosition(q.objects[0]);
      a.z() += 0.5 * info.height_m - info.origin_height_m;
      switch (q.kind) {
        case sim::QaKind::kLocation: {
          QCOMPARE(int(q.values.size()), 3);
          const Eigen::Vector3d v(q.values[0], q.values[1], q.values[2]);
          const bool camera_frame = q.question.find("camera frame") != std::string::npos;
          const Eigen::Vector3d expected = camera_frame ? frame.T_base_camera.inverse() * a : a;
          QVERIFY((v - expected).norm() < 1e-9);
          if (camera_frame) QVERIFY(v.z() > 0.5);  // in front of the agent-view camera
          break;
        }
        case sim::QaKind::kDistance: {
          const auto& ib = sim::objectInfo(q.objects[1]);
          Eigen::Vector3d b = env_->bodyPosition(q.objects[1]);
          b.z() += 0.5 * ib.height_m - ib.origin_height_m;
          QVERIFY(std::abs(q.values[0] - (a - b).norm()) < 1e-9);
          QVERIFY(q.values[0] > 0.05);
          break;
        }
        case sim::QaKind::kGripperDistance:
          QVERIFY(std::abs(q.values[0] - (a - env_->eePosition()).norm()) < 1e-9);
          break;
        case sim::QaKind::kDirection:
          QVERIFY(std::abs(Eigen::Vector3d(q.values[0], q.values[1], q.values[2]).norm() - 1) < 1e-9);
          break;
        case sim::QaKind::kOrientation:
          QVERIFY(std::abs(q.values[0]) < 20.0);  // objects start with yaw 0 (small settling)
          break;
        case sim::QaKind::kAngle:
          QVERIFY(q.values[0] > 0.0 && q.values[0] < 180.0);
          break;
        default: QFAIL("2D kind in the spatial set");
      }
    }
    QCOMPARE(int(kinds.size()), 6);
    // The same stream gives the same questions.
    std::mt19937_64 again(5);
    const auto repeat = sim::spatialQa(*env_, frame, 60, again);
    for (std::size_t i = 0; i < items.size(); ++i) QCOMPARE(repeat[i].question, items[i].question);
  }

  void imageAnswersMatchTheImage() {
    std::mt19937_64 rng(8);
    const auto& frame = obs_.cameras[0];
    const auto items = sim::imageQa(*env_, frame, 40, rng);
    QVERIFY(items.size() >= 30);
    std::set<sim::QaKind> kinds;
    for (const auto& q : items) {
      kinds.insert(q.kind);
      QVERIFY(!sim::isSpatial(q.kind));
      if (q.kind == sim::QaKind::kColour) {
        QCOMPARE(q.answer, sim::objectInfo(q.objects[0]).colour);
        // The object's pixels really have that hue family: mean colour of its segment.
        const int id = env_->segmentId(q.objects[0]);
        const cv::Scalar mean = cv::mean(frame.rgb, frame.segmentation == id);
        if (q.answer == "red") QVERIFY(mean[0] > mean[1] + 20 && mean[0] > mean[2] + 20);
        if (q.answer == "green") QVERIFY(mean[1] > mean[0] + 10 && mean[1] > mean[2]);
        if (q.answer == "yellow") QVERIFY(mean[0] > mean[2] + 40 && mean[1] > mean[2] + 40);
      } else if (q.kind == sim::QaKind::kLeftRight) {
        // Robot frame: the agent view faces the robot, so the image's left is the robot's right
        // (smaller y).
        const double ya = env_->bodyPosition(q.objects[0]).y();
        const double yb = env_->bodyPosition(q.objects[1]).y();
        QCOMPARE(q.answer, std::string(ya < yb ? "left" : "right"));
      } else {
        QCOMPARE(q.values[0], double(q.objects.size()));
        QVERIFY(q.values[0] >= 1);
      }
    }
    QCOMPARE(int(kinds.size()), 3);
    sim::CameraFrame no_segmentation = frame;
    no_segmentation.segmentation.release();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sim::imageQa(*env_, no_segmentation, 3, rng));
  }
};

QTEST_GUILESS_MAIN(TestSimQa)
#include "test_sim_qa.moc"
