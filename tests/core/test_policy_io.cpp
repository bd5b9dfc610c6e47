// TestPolicyIo: what the evaluator and the recovery-demo collector hand a policy and the world
// (core/eval/policy_io.h): actions clamped per component, the observation's views, proprio and
// release count passed through unchanged.
#include <QtTest/QtTest>

#include <cmath>
#include <limits>

#include "core/eval/policy_io.h"

using namespace thinkvla;
namespace eval = thinkvla::core::eval;
namespace sim = thinkvla::core::sim;

class TestPolicyIo : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void actionsAreClampedAndMissingComponentsAreZero() {
    const sim::Action a = eval::clampAction({0.25f, -3.0f, 2.0f, -1.0f, 1.0f});
    QCOMPARE(a[0], 0.25);
    QCOMPARE(a[1], -1.0);
    QCOMPARE(a[2], 1.0);
    QCOMPARE(a[3], -1.0);
    QCOMPARE(a[4], 1.0);
    for (int i = 5; i < sim::kActionDim; ++i) QCOMPARE(a[static_cast<std::size_t>(i)], 0.0);
    // A chunk longer than the world's action: the extra components are not read.
    std::vector<float> longer(static_cast<std::size_t>(sim::kActionDim) + 3, 0.5f);
    longer.back() = 9.0f;
    const sim::Action b = eval::clampAction(longer);
    for (double v : b) QCOMPARE(v, 0.5);
  }

  // The world refuses non-finite commands and the episode fails; clamping must not hide them.
  void nonFiniteComponentsPassThrough() {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const sim::Action a = eval::clampAction({nan, inf, -inf});
    QVERIFY(std::isnan(a[0]));
    QVERIFY(std::isinf(a[1]) && a[1] > 0);
    QVERIFY(std::isinf(a[2]) && a[2] < 0);
  }

  void observationKeepsViewsProprioAndReleases() {
    sim::Observation obs;
    for (int c = 0; c < 2; ++c) {
      sim::CameraFrame f;
      f.name = c == 0 ? "agentview" : "wrist";
      f.rgb = cv::Mat(8, 8, CV_8UC3, cv::Scalar(10 * c, 20, 30));
      obs.cameras.push_back(f);
    }
    for (std::size_t i = 0; i < obs.proprio.size(); ++i)
      obs.proprio[i] = 0.125 * static_cast<double>(i);
    model::GripperReleaseCounter releases;
    releases.observe(1.0, 0.05);   // closing on an object
    releases.observe(-1.0, 0.03);  // opening with it in hand: one release
    const model::Observation in = eval::toPolicyObservation(obs, releases);
    QCOMPARE(in.views.size(), std::size_t{2});
    for (std::size_t c = 0; c < 2; ++c) {
      QCOMPARE(in.views[c].size(), obs.cameras[c].rgb.size());
      QCOMPARE(in.views[c].type(), CV_8UC3);
      QCOMPARE(cv::norm(in.views[c], obs.cameras[c].rgb, cv::NORM_INF), 0.0);
    }
    QCOMPARE(in.proprio.size(), obs.proprio.size());
    for (std::size_t i = 0; i < obs.proprio.size(); ++i)
      QCOMPARE(in.proprio[i], static_cast<float>(obs.proprio[i]));
    QCOMPARE(in.gripper_releases, 1);
    QCOMPARE(eval::toPolicyObservation(obs, model::GripperReleaseCounter()).gripper_releases, 0);
  }
};

QTEST_APPLESS_MAIN(TestPolicyIo)
#include "test_policy_io.moc"
