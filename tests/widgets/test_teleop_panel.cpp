// The Teleop dock's controls emit the operator's intents and show the loop's status.
#include <QtTest/QtTest>

#include <QComboBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSlider>

#include "widgets/teleop_panel.h"

using thinkvla::widgets::TeleopPanel;

class TestTeleopPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void intents() {
    TeleopPanel panel(nullptr);
    panel.setDevices({"keyboard", "gamepad (none connected)"});
    QSignalSpy modes(&panel, &TeleopPanel::modeRequested);
    QSignalSpy stops(&panel, &TeleopPanel::emergencyStopRequested);
    QSignalSpy speeds(&panel, &TeleopPanel::speedChanged);
    QSignalSpy devices(&panel, &TeleopPanel::deviceRequested);
    auto* policy = panel.findChild<QRadioButton*>("modePolicy");
    QVERIFY(!policy->isEnabled());  // no checkpoint yet
    panel.setPolicyAvailable(true);
    QTest::mouseClick(policy, Qt::LeftButton);
    QCOMPARE(modes.size(), 1);
    QCOMPARE(modes.at(0).at(0).value<TeleopPanel::Mode>(), TeleopPanel::Mode::kPolicy);
    panel.findChild<QSlider*>("speed")->setValue(80);
    QCOMPARE(speeds.last().at(0).toDouble(), 0.8);
    panel.findChild<QComboBox*>("device")->setCurrentIndex(1);
    QCOMPARE(devices.last().at(0).toString(), QString("gamepad (none connected)"));
    QTest::mouseClick(panel.findChild<QPushButton*>("emergencyStop"), Qt::LeftButton);
    QCOMPARE(stops.size(), 1);
  }

  void statusAndReset() {
    TeleopPanel panel(nullptr);
    auto* reset = panel.findChild<QPushButton*>("resetStop");
    QVERIFY(!reset->isEnabled());
    panel.setStatus(19.9, true, true);
    QVERIFY(reset->isEnabled());
    QVERIFY(panel.statusText().contains("19.9 Hz"));
    QVERIFY(panel.statusText().contains("STOPPED"));
    QSignalSpy resets(&panel, &TeleopPanel::resetStopRequested);
    QTest::mouseClick(reset, Qt::LeftButton);
    QCOMPARE(resets.size(), 1);
    panel.setStatus(20.0, false, false);
    QVERIFY(!reset->isEnabled());
    // setMode reflects without echoing an intent.
    QSignalSpy modes(&panel, &TeleopPanel::modeRequested);
    panel.setPolicyAvailable(true);
    panel.setMode(TeleopPanel::Mode::kShared);
    QCOMPARE(panel.mode(), TeleopPanel::Mode::kShared);
    QCOMPARE(modes.size(), 0);
  }
};

QTEST_MAIN(TestTeleopPanel)
#include "test_teleop_panel.moc"
