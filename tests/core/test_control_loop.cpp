// The control loop's modes on a robot that integrates its actions exactly (the loop's contract
// with any robot): human control needs the dead-man and stops within one tick of its release;
// the emergency stop holds until reset; shared autonomy hands over smoothly and marks
// interventions; the threaded loop runs on its own and reports its rate.
#include <QtTest/QtTest>

#include "core/teleop/control_loop.h"
#include "core/teleop/keyboard_teleop.h"

using namespace thinkvla::core;

namespace {
// Moves its end effector by each action's translation times the action scale.
class IntegratingRobot : public RobotInterface {
 public:
  cv::Vec3d position{0.3, 0.0, 0.5};
  std::vector<Action7> received;
  cv::Vec3d endEffectorPosition() override { return position; }
  cv::Matx33d endEffectorRotation() override { return rotation; }
  void applyAction(const Action7& a) override {
    received.push_back(a);
    position += 0.05 * cv::Vec3d(a[0], a[1], a[2]);
  }
  cv::Matx33d rotation = cv::Matx33d::eye();
};

// One action unit (0.05 m) per tick allowed, so the loop's own logic is what these tests see.
SafetyLimits unitStepLimits() {
  SafetyLimits limits;
  limits.max_translation_per_tick_m = 0.05;
  return limits;
}
}  // namespace

class TestControlLoop : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void humanNeedsTheDeadman() {
    IntegratingRobot robot;
    SafetyFilter safety(unitStepLimits());
    ControlLoop loop(robot, safety, {});
    auto keys = std::make_shared<KeyboardTeleop>();
    keys->setSpeed(1.0);
    loop.setDevice(keys);
    loop.setMode(ControlMode::kHuman);
    keys->setKey(TeleopKey::kW, true);
    QCOMPARE(loop.stepOnce().action[0], 0.0);  // no dead-man: no motion
    keys->setKey(TeleopKey::kSpace, true);
    const auto moving = loop.stepOnce();
    QVERIFY(moving.action[0] > 0.0);
    QVERIFY(moving.intervention);
    keys->setKey(TeleopKey::kSpace, false);  // released: the very next tick is still
    QCOMPARE(loop.stepOnce().action[0], 0.0);
  }

  void endEffectorFrameRotatesMotions() {
    IntegratingRobot robot;
    robot.rotation = cv::Matx33d(0, -1, 0, 1, 0, 0, 0, 0, 1);  // gripper yawed 90 degrees
    SafetyFilter safety(unitStepLimits());
    ControlLoop loop(robot, safety, {});
    auto keys = std::make_shared<KeyboardTeleop>();
    keys->setSpeed(0.5);
    loop.setDevice(keys);
    loop.setFrame(TeleopFrame::kEndEffector);
    keys->setKey(TeleopKey::kSpace, true);
    keys->setKey(TeleopKey::kW, true);  // "forward" for the gripper is +y in the base
    const auto t = loop.stepOnce();
    QVERIFY(std::abs(t.action[0]) < 1e-12);
    QVERIFY(std::abs(t.action[1] - 0.5) < 1e-12);
  }

  void emergencyStopHolds() {
    IntegratingRobot robot;
    SafetyFilter safety(unitStepLimits());
    ControlLoop loop(robot, safety, {});
    auto keys = std::make_shared<KeyboardTeleop>();
    loop.setDevice(keys);
    loop.setMode(ControlMode::kPolicy);
    loop.setPolicy([] { return Action7(0.5, 0, 0, 0, 0, 0, -1); });
    QCOMPARE(loop.stepOnce().action[0], 0.5);
    keys->setKey(TeleopKey::kEscape, true);
    for (int i = 0; i < 3; ++i) {
      const auto t = loop.stepOnce();
      QVERIFY(t.stopped);
      QCOMPARE(t.action[0], 0.0);
    }
    safety.reset();
    QCOMPARE(loop.stepOnce().action[0], 0.5);
  }

  void sharedAutonomyTakeoverIsSmoothAndMarked() {
    IntegratingRobot robot;
    SafetyFilter safety(unitStepLimits());
    ControlLoop::Options options;
    options.blend_ticks = 4;
    options.handback_ticks = 3;
    ControlLoop loop(robot, safety, options);
    auto keys = std::make_shared<KeyboardTeleop>();
    keys->setSpeed(0.8);
    loop.setDevice(keys);
    loop.setMode(ControlMode::kShared);
    loop.setPolicy([] { return Action7(0, 0.4, 0, 0, 0, 0, -1); });
    auto t = loop.stepOnce();
    QVERIFY(!t.intervention);
    QCOMPARE(t.action[1], 0.4);
    keys->setKey(TeleopKey::kW, true);  // the operator pushes forward
    std::vector<Action7> during;
    for (int i = 0; i < 6; ++i) {
      t = loop.stepOnce();
      QVERIFY(t.intervention);
      during.push_back(t.action);
    }
    // The command ramps from the policy's to the operator's: no jump larger than one blend step.
    for (std::size_t i = 1; i < during.size(); ++i) {
      QVERIFY(std::abs(during[i][0] - during[i - 1][0]) <= 0.8 / 4 + 1e-9);
    }
    QVERIFY(std::abs(during.back()[0] - 0.8) < 1e-9);
    QVERIFY(std::abs(during.back()[1]) < 1e-9);
    keys->setKey(TeleopKey::kW, false);
    for (int i = 0; i < 3 + 4; ++i) t = loop.stepOnce();
    QVERIFY(!t.intervention);  // handed back after idling
    QCOMPARE(t.action[1], 0.4);
  }

  void threadedLoopRunsAtItsOwnRate() {
    IntegratingRobot robot;
    SafetyFilter safety(unitStepLimits());
    ControlLoop::Options options;
    options.rate_hz = 50.0;
    ControlLoop loop(robot, safety, options);
    loop.setMode(ControlMode::kPolicy);
    loop.setPolicy([] { return Action7(0.1, 0, 0, 0, 0, 0, -1); });
    std::atomic<int> ticks{0};
    loop.setTickCallback([&](const ControlTick&) { ++ticks; });
    loop.start();
    QTRY_VERIFY_WITH_TIMEOUT(ticks.load() >= 10, 10000);
    QVERIFY(loop.measuredRateHz() > 0.0);
    QVERIFY(loop.latest().peek().has_value());
    loop.stop();
    const auto after = loop.tickCount();
    QTest::qWait(60);
    QCOMPARE(loop.tickCount(), after);  // stopped means stopped
  }
};

QTEST_GUILESS_MAIN(TestControlLoop)
#include "test_control_loop.moc"
