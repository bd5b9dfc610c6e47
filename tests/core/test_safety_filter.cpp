// The one safety gate: range clipping, NaN refusal, dead-man, step caps, the workspace box and the
// latching emergency stop.
#include <QtTest/QtTest>

#include "core/teleop/safety_filter.h"

using namespace thinkvla::core;

class TestSafetyFilter : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void clipsAndCapsTheStep() {
    SafetyLimits limits;
    limits.metres_per_unit = 0.05;
    limits.max_translation_per_tick_m = 0.02;
    SafetyFilter f(limits);
    const auto r = f.filter(Action7(3.0, 0, 0, 0, 0, 0, 1.0), {0.3, 0, 0.5}, true,
                            DeadmanRule::kRequired);
    QVERIFY(r.clipped);
    // 3 -> 1 unit = 0.05 m, capped to 0.02 m = 0.4 units.
    QVERIFY(std::abs(r.action[0] - 0.4) < 1e-12);
    QCOMPARE(r.action[6], 1.0);
    const auto small = f.filter(Action7(0.1, -0.1, 0.2, 0.01, 0, 0, -1), {0.3, 0, 0.5}, true,
                                DeadmanRule::kRequired);
    QVERIFY(!small.clipped);
    QVERIFY(cv::norm(small.action - Action7(0.1, -0.1, 0.2, 0.01, 0, 0, -1)) < 1e-12);
  }

  void rotationCap() {
    SafetyLimits limits;
    limits.radians_per_unit = 0.5;
    limits.max_rotation_per_tick_rad = 0.1;
    SafetyFilter f(limits);
    const auto r = f.filter(Action7(0, 0, 0, 0, 0, 1.0, -1), {0.3, 0, 0.5}, true, DeadmanRule::kRequired);
    QVERIFY(std::abs(r.action[5] * 0.5 - 0.1) < 1e-12);
  }

  void workspaceBoxHolds() {
    SafetyLimits limits;
    limits.workspace_max_m = {0.6, 0.5, 1.0};
    SafetyFilter f(limits);
    // 0.59 m, one unit outward (0.02 m after the cap) would reach 0.61: cut at the face.
    const auto r = f.filter(Action7(1, 0, 0, 0, 0, 0, -1), {0.59, 0, 0.5}, true, DeadmanRule::kRequired);
    QVERIFY(r.clipped);
    QVERIFY(std::abs(0.59 + r.action[0] * limits.metres_per_unit - 0.6) < 1e-12);
    // Outside already: outward motion is zero, inward allowed.
    const auto out = f.filter(Action7(1, 0, 0, 0, 0, 0, -1), {0.7, 0, 0.5}, true, DeadmanRule::kRequired);
    QCOMPARE(out.action[0], 0.0);
    const auto back = f.filter(Action7(-0.2, 0, 0, 0, 0, 0, -1), {0.7, 0, 0.5}, true, DeadmanRule::kRequired);
    QVERIFY(std::abs(back.action[0] + 0.2) < 1e-12);
  }

  void deadmanAndNan() {
    SafetyFilter f;
    const auto released = f.filter(Action7(0.5, 0.5, 0, 0, 0, 0, 1), {0.3, 0, 0.5}, false,
                                   DeadmanRule::kRequired);
    QCOMPARE(released.action, holdAction(1.0));
    const auto policy = f.filter(Action7(0.3, 0, 0, 0, 0, 0, 1), {0.3, 0, 0.5}, false,
                                 DeadmanRule::kNotRequired);
    QVERIFY(std::abs(policy.action[0] - 0.3) < 1e-12);
    const auto nan = f.filter(Action7(std::nan(""), 0, 0, 0, 0, 0, 1), {0.3, 0, 0.5}, true,
                              DeadmanRule::kNotRequired);
    QVERIFY(nan.refused);
    QCOMPARE(nan.action, holdAction(1.0));
    QCOMPARE(f.refusedCount(), std::uint64_t{1});
  }

  void emergencyStopLatchesUntilReset() {
    SafetyFilter f;
    f.triggerStop();
    for (int i = 0; i < 3; ++i) {
      const auto r = f.filter(Action7(1, 1, 1, 0, 0, 0, 1), {0.3, 0, 0.5}, true, DeadmanRule::kNotRequired);
      QVERIFY(r.stopped);
      QCOMPARE(r.action, holdAction(1.0));
    }
    f.reset();
    const auto r = f.filter(Action7(0.3, 0, 0, 0, 0, 0, 1), {0.3, 0, 0.5}, true, DeadmanRule::kNotRequired);
    QVERIFY(!r.stopped);
    QVERIFY(std::abs(r.action[0] - 0.3) < 1e-12);
  }
};

QTEST_GUILESS_MAIN(TestSafetyFilter)
#include "test_safety_filter.moc"
