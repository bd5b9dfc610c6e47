// The recording half of the Episodes dock: tasks fill the instruction, the buttons follow the
// recorder's state (record / end and save / re-record / discard), the intents are emitted.
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QtTest/QtTest>

#include "widgets/recording_panel.h"

using namespace thinkvla::widgets;

class TestRecordingPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void tasksAndInstruction() {
    RecordingPanel p(nullptr);
    p.setTasks({{"spatial/0", "spatial: a", "pick up the cube"},
                {"goal/2", "goal: b", "open the drawer"}});
    QCOMPARE(p.taskId(), QString("spatial/0"));
    QCOMPARE(p.instruction(), QString("pick up the cube"));
    p.findChild<QComboBox*>("recordingTask")->setCurrentIndex(1);
    QCOMPARE(p.taskId(), QString("goal/2"));
    QCOMPARE(p.instruction(), QString("open the drawer"));
    p.findChild<QLineEdit*>("recordingInstruction")->setText("  open the top drawer ");
    QCOMPARE(p.instruction(), QString("open the top drawer"));
    p.setTask("spatial/0");
    QCOMPARE(p.instruction(), QString("pick up the cube"));
    p.setTask("nope/9");  // unknown: nothing changes
    QCOMPARE(p.taskId(), QString("spatial/0"));
    p.setSeed(41);
    QCOMPARE(p.seed(), 41);
    p.setResetSeconds(0);
    QCOMPARE(p.resetSeconds(), 0);
    QVERIFY(p.endOnDone());
  }

  void buttonsFollowTheState() {
    RecordingPanel p(nullptr);
    QSignalSpy record(&p, &RecordingPanel::recordRequested);
    QSignalSpy end(&p, &RecordingPanel::endRequested);
    QSignalSpy rerecord(&p, &RecordingPanel::rerecordRequested);
    QSignalSpy discard(&p, &RecordingPanel::discardRequested);
    auto* rec = p.findChild<QPushButton*>("recordingRecord");
    auto* end_button = p.findChild<QPushButton*>("recordingEnd");
    auto* again = p.findChild<QPushButton*>("recordingRerecord");
    auto* drop = p.findChild<QPushButton*>("recordingDiscard");
    QVERIFY(rec->isEnabled() && !end_button->isEnabled() && !again->isEnabled() &&
            !drop->isEnabled());
    rec->click();
    QCOMPARE(record.size(), 1);
    p.setState(RecordingPanel::State::kRecording);
    QVERIFY(!rec->isEnabled() && end_button->isEnabled() && again->isEnabled() &&
            drop->isEnabled());
    QVERIFY(!p.findChild<QComboBox*>("recordingTask")->isEnabled());  // fixed while recording
    end_button->click();
    again->click();
    drop->click();
    QCOMPARE(end.size(), 1);
    QCOMPARE(rerecord.size(), 1);
    QCOMPARE(discard.size(), 1);
    p.setState(RecordingPanel::State::kResetting);
    QVERIFY(rec->isEnabled() && !end_button->isEnabled() && drop->isEnabled());
    QVERIFY(rec->text().contains("next"));
    p.setStatus("Reset phase");
    QCOMPARE(p.statusText(), QString("Reset phase"));
  }
};

QTEST_MAIN(TestRecordingPanel)
#include "test_recording_panel.moc"
