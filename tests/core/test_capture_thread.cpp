// The capture thread: publishes every frame of a file in order when the consumer keeps up, only
// the newest when it does not, reports a failing source without taking the process down, and stops
// promptly.
#include <QtTest/QtTest>

#include "core/pipeline/capture_thread.h"
#include "video_fixture.h"

using namespace thinkvla::core;

class TestCaptureThread : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  std::string clip_;

 private Q_SLOTS:
  void initTestCase() {
    clip_ = dir_.filePath("clip.avi").toStdString();
    QVERIFY(thinkvla::test::writeVideo(clip_, 30, 30.0));
  }

  void slowConsumerGetsOnlyTheNewest() {
    auto slot = std::make_shared<LatestSlot<FrameSet>>();
    CaptureThread capture(makeFrameSource("file:" + clip_), slot, CaptureThread::AtEnd::kStop,
                          CaptureThread::Pacing::kFlatOut);
    capture.start();
    QTRY_VERIFY_WITH_TIMEOUT(capture.stats().finished, 20000);
    const auto stats = capture.stats();
    QCOMPARE(stats.frames, std::uint64_t{30});
    QVERIFY(stats.error.empty());
    QCOMPARE(stats.resolution, cv::Size(256, 48));
    // Nobody took anything while it ran: 29 dropped, the last frame waits.
    QCOMPARE(stats.dropped, std::uint64_t{29});
    const auto last = slot->take();
    QVERIFY(last.has_value());
    QCOMPARE(last->sequence, std::uint64_t{29});
    QCOMPARE(thinkvla::test::frameNumber(last->views[0].rgb), 29);
  }

  void realTimeConsumerSeesFramesInOrder() {
    auto slot = std::make_shared<LatestSlot<FrameSet>>();
    CaptureThread capture(makeFrameSource("file:" + clip_), slot);  // paced at 30 fps
    capture.start();
    std::int64_t last = -1;
    int seen = 0;
    while (!capture.stats().finished) {
      if (auto frames = slot->take()) {
        QVERIFY(static_cast<std::int64_t>(frames->sequence) > last);
        QVERIFY(frames->captured_at.time_since_epoch().count() > 0);
        last = static_cast<std::int64_t>(frames->sequence);
        ++seen;
      }
      QTest::qWait(2);
    }
    if (slot->take()) ++seen;
    QVERIFY2(seen >= 20, qPrintable(QString("saw %1 of 30").arg(seen)));
    QVERIFY(capture.stats().measured_fps > 0.0);
  }

  void failingSourceIsReported() {
    auto slot = std::make_shared<LatestSlot<FrameSet>>();
    CaptureThread capture(makeFrameSource("camera:97"), slot);
    std::atomic<int> errors{0};
    capture.setErrorCallback([&](const std::string&) { ++errors; });
    capture.start();
    QTRY_COMPARE_WITH_TIMEOUT(errors.load(), 1, 20000);
    const auto stats = capture.stats();
    QVERIFY(!stats.running);
    QVERIFY(stats.error.find("camera:97") != std::string::npos);
    QCOMPARE(slot->published(), std::uint64_t{0});
  }

  void loopsAndStopsPromptly() {
    auto slot = std::make_shared<LatestSlot<FrameSet>>();
    CaptureThread capture(makeFrameSource("file:" + clip_), slot, CaptureThread::AtEnd::kLoop,
                          CaptureThread::Pacing::kFlatOut);
    capture.start();
    QTRY_VERIFY_WITH_TIMEOUT(capture.stats().frames > 70, 20000);  // more than two passes
    capture.stop();
    const auto frames = capture.stats().frames;
    QVERIFY(!capture.stats().running);
    QTest::qWait(50);
    QCOMPARE(capture.stats().frames, frames);  // really stopped
    capture.stop();                            // twice is fine
  }
};

QTEST_GUILESS_MAIN(TestCaptureThread)
#include "test_capture_thread.moc"
