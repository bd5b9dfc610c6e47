// The Annotation dock's panel: timeline and field edits share one undo stack, "saved" is the
// stack's clean state, the scrubbed step's frames and actions are shown, and the buttons follow
// the episode and the replay.
#include <QCheckBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QtTest/QtTest>

#include "widgets/camera_view.h"
#include "widgets/episode_annotation_panel.h"

using namespace thinkvla::widgets;

class TestEpisodeAnnotationPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void editsShareOneUndoStack() {
    EpisodeAnnotationPanel p(nullptr);
    QVERIFY(!p.hasEpisode());
    TimelineAnnotations a;
    a.segments.push_back({0, 9, "reach"});
    p.setEpisode("demo_0", 40, a, std::vector<bool>(40, false), {false, "pick the cube", ""});
    QVERIFY(p.hasEpisode());
    QVERIFY(!p.dirty());
    auto* save = p.findChild<QPushButton*>("annotationSave");
    QVERIFY(!save->isEnabled());

    p.timeline()->addKeyframe(12, "grasp");
    p.timeline()->setKeyframeLabel(12, "grasp closed");
    QCOMPARE(p.timeline()->annotations().keyframes.front().label, QString("grasp closed"));
    // The fields: the checkbox is one edit; the line edit one edit when editing finishes.
    p.findChild<QCheckBox*>("annotationSuccess")->setChecked(true);
    QVERIFY(p.meta().success);
    auto* instruction = p.findChild<QLineEdit*>("annotationInstruction");
    instruction->setText("pick up the red cube");
    Q_EMIT instruction->editingFinished();
    QCOMPARE(p.meta().instruction, QString("pick up the red cube"));
    p.editMeta({true, "pick up the red cube", "slipped once"});
    QCOMPARE(p.findChild<QPlainTextEdit*>("annotationNotes")->toPlainText(),
             QString("slipped once"));
    QCOMPARE(p.undoStack()->count(), 5);
    QVERIFY(p.dirty());
    QVERIFY(save->isEnabled());

    // Undo walks back through both kinds of edits, redo forward again.
    p.undoStack()->undo();
    QVERIFY(p.meta().notes.isEmpty());
    p.undoStack()->undo();
    QCOMPARE(p.meta().instruction, QString("pick the cube"));
    QCOMPARE(instruction->text(), QString("pick the cube"));
    p.undoStack()->undo();
    QVERIFY(!p.meta().success);
    QVERIFY(!p.findChild<QCheckBox*>("annotationSuccess")->isChecked());
    p.undoStack()->undo();
    QCOMPARE(p.timeline()->annotations().keyframes.front().label, QString("grasp"));
    p.undoStack()->redo();
    p.undoStack()->redo();
    QCOMPARE(p.timeline()->annotations().keyframes.front().label, QString("grasp closed"));
    QVERIFY(p.meta().success);

    QSignalSpy saves(&p, &EpisodeAnnotationPanel::saveRequested);
    save->click();
    QCOMPARE(saves.size(), 1);
    p.markSaved();
    QVERIFY(!p.dirty());
    p.undoStack()->undo();
    QVERIFY(p.dirty());  // an undo after saving is a change again
    // A new episode starts clean.
    p.setEpisode("demo_1", 10, {}, {}, {});
    QCOMPARE(p.undoStack()->count(), 0);
    QVERIFY(!p.dirty());
  }

  void stepViewAndButtons() {
    EpisodeAnnotationPanel p(nullptr);
    p.resize(640, 520);
    p.setEpisode("demo_0", 5, {}, {}, {});
    QSignalSpy steps(&p, &EpisodeAnnotationPanel::currentStepChanged);
    p.timeline()->setCurrentStep(3);
    QCOMPARE(steps.last().first().toInt(), 3);
    cv::Mat red(32, 32, CV_8UC3, cv::Scalar(220, 10, 10));
    cv::Mat blue(32, 32, CV_8UC3, cv::Scalar(10, 10, 220));
    p.setStepFrames(red, blue);
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));
    const auto views = p.cameraViews();
    const QImage left = views[0]->grab().toImage();
    const QImage right = views[1]->grab().toImage();
    const QColor l = left.pixelColor(views[0]->imageRect().center());
    const QColor r = right.pixelColor(views[1]->imageRect().center());
    QVERIFY2(l.red() > 180 && l.blue() < 60, qPrintable(l.name()));
    QVERIFY2(r.blue() > 180 && r.red() < 60, qPrintable(r.name()));
    p.setStepActions({0.1, -0.2, 0.3, 0, 0, 0, -1}, {0.15, -0.1, 0.25, 0, 0, 0.01, -1},
                     "policy demo");
    auto* table = p.findChild<QTableWidget*>("annotationActions");
    QCOMPARE(table->item(0, 1)->text(), QString("-0.200"));
    QCOMPARE(table->item(1, 0)->text(), QString("0.150"));
    QVERIFY(p.predictionText().startsWith("0.150 -0.100 0.250"));
    p.setStepActions({0.1, 0, 0, 0, 0, 0, 1}, {}, "no policy");
    QCOMPARE(table->item(1, 0)->text(), QString("-"));

    QSignalSpy replay(&p, &EpisodeAnnotationPanel::replayRequested);
    auto* replay_button = p.findChild<QPushButton*>("annotationReplay");
    QVERIFY(replay_button->isEnabled());
    replay_button->click();
    QCOMPARE(replay.size(), 1);
    p.setReplaying(true);
    QVERIFY(!replay_button->isEnabled());
    p.setReplaying(false);
    QVERIFY(replay_button->isEnabled());
    p.clearEpisode();
    QVERIFY(!p.hasEpisode());
    QVERIFY(!replay_button->isEnabled());  // nothing to replay
  }
};

QTEST_MAIN(TestEpisodeAnnotationPanel)
#include "test_episode_annotation_panel.moc"
