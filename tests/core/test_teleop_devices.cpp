// Operator devices: the keyboard's bindings, edges and speed; a gamepad or SpaceMouse that is not
// there reports so and commands nothing.
#include <QtTest/QtTest>

#include "core/teleop/gamepad_teleop.h"
#include "core/teleop/keyboard_teleop.h"
#include "core/teleop/spacemouse_teleop.h"

using namespace thinkvla::core;

class TestTeleopDevices : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void keyboardBindings() {
    KeyboardTeleop k;
    k.setSpeed(1.0);
    QVERIFY(!k.poll().moving());
    k.setKey(TeleopKey::kW, true);
    k.setKey(TeleopKey::kD, true);
    k.setKey(TeleopKey::kQ, true);
    k.setKey(TeleopKey::kSpace, true);
    auto c = k.poll();
    QCOMPARE(c.translation, cv::Vec3d(1, -1, 0));
    QCOMPARE(c.rotation, cv::Vec3d(0, 0, 1));
    QVERIFY(c.deadman);
    QVERIFY(c.moving());
    k.setSpeed(0.25);
    QCOMPARE(k.poll().translation[0], 0.25);
    k.releaseAll();
    c = k.poll();
    QVERIFY(!c.moving());
    QVERIFY(!c.deadman);
  }

  void gripperToggleAndEstopAreEdges() {
    KeyboardTeleop k;
    QCOMPARE(k.poll().gripper, -1.0);
    k.setKey(TeleopKey::kG, true);
    QCOMPARE(k.poll().gripper, 1.0);
    QCOMPARE(k.poll().gripper, 1.0);  // held: toggles once
    k.setKey(TeleopKey::kG, false);
    k.setKey(TeleopKey::kG, true);
    QCOMPARE(k.poll().gripper, -1.0);
    k.setKey(TeleopKey::kEscape, true);
    QVERIFY(k.poll().estop);
    QVERIFY(!k.poll().estop);  // reported once
  }

  void absentDevicesCommandNothing() {
    qputenv("SDL_JOYSTICK_DISABLE_UDEV", "1");
    GamepadTeleop pad;
    const auto c = pad.poll();
    QVERIFY(!pad.connected());
    QVERIFY(!c.moving() && !c.deadman && !c.estop);
    QVERIFY(pad.name().find("none") != std::string::npos);
    SpaceMouseTeleop mouse;
    const auto m = mouse.poll();
    QVERIFY(!mouse.connected());
    QVERIFY(!m.moving() && !m.deadman);
  }
};

QTEST_GUILESS_MAIN(TestTeleopDevices)
#include "test_teleop_devices.moc"
