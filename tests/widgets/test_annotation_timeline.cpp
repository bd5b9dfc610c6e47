// The episode timeline with the mouse and keyboard: scrubbing, creating and resizing segments,
// keyframes, deleting, undo and redo, and what it draws.
#include <QtTest/QtTest>

#include "widgets/annotation_timeline.h"

using namespace thinkvla::widgets;

namespace {
QPoint at(const AnnotationTimeline& t, int step, const QRect& lane) {
  return QPoint(static_cast<int>(std::lround(t.xForStep(step))), lane.center().y());
}
}  // namespace

class TestAnnotationTimeline : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void scrubbing() {
    AnnotationTimeline t(nullptr);
    t.resize(616, 96);  // 600 px for 101 steps: 6 px a step
    t.setEpisode(101, {});
    QSignalSpy spy(&t, &AnnotationTimeline::currentStepChanged);
    QTest::mousePress(&t, Qt::LeftButton, Qt::NoModifier, at(t, 40, t.rulerLane()));
    QTest::mouseMove(&t, at(t, 55, t.rulerLane()));
    QTest::mouseRelease(&t, Qt::LeftButton, Qt::NoModifier, at(t, 55, t.rulerLane()));
    QCOMPARE(t.currentStep(), 55);
    QCOMPARE(spy.first().first().toInt(), 40);
    QTest::keyClick(&t, Qt::Key_Right);
    QCOMPARE(t.currentStep(), 56);
  }

  void createResizeDeleteWithUndo() {
    AnnotationTimeline t(nullptr);
    t.resize(616, 96);
    t.setEpisode(101, {});
    QSignalSpy edited(&t, &AnnotationTimeline::annotationsEdited);
    // Drag on empty space: a new segment from step 10 to 30.
    QTest::mousePress(&t, Qt::LeftButton, Qt::NoModifier, at(t, 10, t.segmentLane()));
    QTest::mouseMove(&t, at(t, 20, t.segmentLane()));
    QTest::mouseRelease(&t, Qt::LeftButton, Qt::NoModifier, at(t, 30, t.segmentLane()));
    QCOMPARE(t.annotations().segments.size(), std::size_t{1});
    QCOMPARE(t.annotations().segments[0].start_step, 10);
    QCOMPARE(t.annotations().segments[0].end_step, 30);
    QCOMPARE(edited.size(), 1);
    // Drag its right edge to 45: one undo step for the whole drag.
    QTest::mousePress(&t, Qt::LeftButton, Qt::NoModifier, at(t, 30, t.segmentLane()));
    for (int s = 32; s <= 45; s += 2) QTest::mouseMove(&t, at(t, s, t.segmentLane()));
    QTest::mouseRelease(&t, Qt::LeftButton, Qt::NoModifier, at(t, 45, t.segmentLane()));
    QCOMPARE(t.annotations().segments[0].end_step, 44);  // the last move event's step
    QCOMPARE(t.undoStack()->count(), 2);
    t.setSegmentLabel(0, "grasp bowl");
    QCOMPARE(t.annotations().segments[0].label, QString("grasp bowl"));
    // Select and delete.
    QTest::mouseClick(&t, Qt::LeftButton, Qt::NoModifier, at(t, 20, t.segmentLane()));
    QCOMPARE(t.selectedSegment(), 0);
    QTest::keyClick(&t, Qt::Key_Delete);
    QVERIFY(t.annotations().segments.empty());
    // Undo everything back, step by step, then redo.
    t.undoStack()->undo();
    QCOMPARE(t.annotations().segments[0].label, QString("grasp bowl"));
    t.undoStack()->undo();
    QCOMPARE(t.annotations().segments[0].label, QString("segment 1"));
    t.undoStack()->undo();
    QCOMPARE(t.annotations().segments[0].end_step, 30);
    t.undoStack()->undo();
    QVERIFY(t.annotations().segments.empty());
    t.undoStack()->redo();
    t.undoStack()->redo();
    QCOMPARE(t.annotations().segments[0].end_step, 44);
    QCOMPARE(edited.last().first().value<TimelineAnnotations>().segments.size(), std::size_t{1});
  }

  void keyframes() {
    AnnotationTimeline t(nullptr);
    t.resize(616, 96);
    t.setEpisode(101, {{}, {{70, "release"}}});
    QTest::mouseClick(&t, Qt::LeftButton, Qt::NoModifier, at(t, 25, t.keyframeLane()));
    QCOMPARE(t.annotations().keyframes.size(), std::size_t{2});
    QCOMPARE(t.annotations().keyframes[0].step, 25);  // kept sorted
    QTest::mouseClick(&t, Qt::LeftButton, Qt::NoModifier, at(t, 25, t.keyframeLane()));
    QCOMPARE(t.annotations().keyframes.size(), std::size_t{2});  // one per step
    QTest::mouseClick(&t, Qt::RightButton, Qt::NoModifier, at(t, 70, t.keyframeLane()));
    QCOMPARE(t.annotations().keyframes.size(), std::size_t{1});
    QCOMPARE(t.annotations().keyframes[0].step, 25);
  }

  void drawsSegmentsKeyframesAndInterventions() {
    AnnotationTimeline t(nullptr);
    t.resize(616, 96);
    std::vector<bool> interventions(101, false);
    for (int s = 80; s < 90; ++s) interventions[static_cast<std::size_t>(s)] = true;
    t.setEpisode(101, {{{10, 40, "reach"}}, {{60, "grasp"}}}, interventions);
    const QImage img = t.grab().toImage();
    img.save(QString(THINKVLA_BINARY_DIR) + "/tests/annotation_timeline.png");
    const QColor seg = img.pixelColor(at(t, 25, t.segmentLane()) + QPoint(0, 8));
    QVERIFY2(seg.blue() > 150 && seg.red() < 120, "segment not drawn");
    const QColor empty = img.pixelColor(at(t, 55, t.segmentLane()) + QPoint(0, 8));
    QVERIFY(empty.blue() < 60);
    const QColor key = img.pixelColor(at(t, 60, t.keyframeLane()));
    QVERIFY2(key.red() > 200 && key.green() > 150 && key.blue() < 100, "keyframe not drawn");
    const QColor flag = img.pixelColor(static_cast<int>(t.xForStep(85)), t.rulerLane().top() + 4);
    QVERIFY2(flag.red() > 200 && flag.green() < 120, "intervention not drawn");
  }
};

QTEST_MAIN(TestAnnotationTimeline)
#include "test_annotation_timeline.moc"
