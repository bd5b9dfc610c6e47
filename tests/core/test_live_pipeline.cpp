// The headless live pipeline (source -> capture thread -> inference worker) and the capture
// thread's two deliveries: every-frame never drops and keeps the order even with a slow consumer;
// latest never leaves a stale frame queued; the pipeline hands every result of a file to its
// callback in order with K x 7 actions, a single view fills the policy's two, a frame limit holds,
// and a failing source or a source with the wrong number of views is reported by name.
#include <QtTest/QtTest>

#include <cmath>
#include <mutex>
#include <thread>

#include "core/pipeline/capture_thread.h"
#include "core/pipeline/live_pipeline.h"
#include "model/checkpoint.h"
#include "model/torch_runtime.h"
#include "video_fixture.h"

using namespace thinkvla;
using namespace thinkvla::core;

namespace {
// A source with three synchronised views (a rig the policy does not fit).
class ThreeViewSource : public FrameSource {
 public:
  std::string description() const override { return "rig:3"; }
  void open() override {}
  bool read(FrameSet& out) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a 100 fps camera
    out.views.assign(3, CameraFrame{"cam", cv::Mat(32, 32, CV_8UC3, cv::Scalar(1, 2, 3)), {}});
    out.sequence = sequence_++;
    return true;
  }
  double nominalFps() const override { return 10.0; }
  cv::Size resolution() const override { return {32, 32}; }
  bool isLive() const override { return true; }
  int viewCount() const override { return 3; }

 private:
  std::uint64_t sequence_ = 0;
};

model::Policy tinyPolicy(std::uint64_t seed) {
  return model::Policy(model::initCheckpoint(model::PolicyConfig::fromPreset("tiny"), seed));
}
}  // namespace

class TestLivePipeline : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  std::string clip_;

 private Q_SLOTS:
  void initTestCase() {
    model::configureThreads(1);
    clip_ = dir_.filePath("clip.avi").toStdString();
    QVERIFY(test::writeVideo(clip_, 30, 30.0));
  }

  void everyFrameNeverDropsWithASlowConsumer() {
    auto slot = std::make_shared<LatestSlot<FrameSet>>();
    CaptureThread capture(makeFrameSource("file:" + clip_), slot, CaptureThread::AtEnd::kStop,
                          CaptureThread::Pacing::kFlatOut, CaptureThread::Delivery::kEveryFrame);
    capture.start();
    std::vector<int> seen;
    while (seen.size() < 30) {
      if (auto frames = slot->take()) {
        seen.push_back(test::frameNumber(frames->views[0].rgb));
        QCOMPARE(frames->sequence, static_cast<std::uint64_t>(seen.size() - 1));
        QTest::qWait(3);  // slower than the decoder
      } else {
        QTest::qWait(1);
      }
      QVERIFY(capture.stats().error.empty());
    }
    QTRY_VERIFY_WITH_TIMEOUT(capture.stats().finished, 10000);
    for (int i = 0; i < 30; ++i) QCOMPARE(seen[static_cast<std::size_t>(i)], i);
    QCOMPARE(slot->dropped(), std::uint64_t{0});
    QCOMPARE(capture.stats().frames, std::uint64_t{30});
    QVERIFY(!slot->take().has_value());
  }

  void everyFrameStopsWhileWaitingForTheConsumer() {
    auto slot = std::make_shared<LatestSlot<FrameSet>>();
    CaptureThread capture(makeFrameSource("file:" + clip_), slot, CaptureThread::AtEnd::kStop,
                          CaptureThread::Pacing::kFlatOut, CaptureThread::Delivery::kEveryFrame);
    capture.start();
    QTRY_COMPARE_WITH_TIMEOUT(slot->published(), std::uint64_t{1}, 10000);
    QTest::qWait(50);
    QCOMPARE(slot->published(), std::uint64_t{1});  // nobody took frame 0: frame 1 waits
    capture.stop();                                 // returns although the consumer never came
    QVERIFY(!capture.stats().running);
  }

  void latestNeverLeavesAStaleFrameQueued() {
    auto slot = std::make_shared<LatestSlot<FrameSet>>();
    CaptureThread capture(makeFrameSource("file:" + clip_), slot, CaptureThread::AtEnd::kStop,
                          CaptureThread::Pacing::kFlatOut, CaptureThread::Delivery::kLatest);
    capture.start();
    std::int64_t last = -1;
    int seen = 0;
    while (!capture.stats().finished) {
      if (auto frames = slot->take()) {
        QVERIFY(static_cast<std::int64_t>(frames->sequence) > last);
        last = static_cast<std::int64_t>(frames->sequence);
        ++seen;
      }
      QTest::qWait(5);
    }
    // At the end one frame at most waits, and it is the newest; then nothing.
    if (auto frames = slot->take()) {
      QCOMPARE(frames->sequence, std::uint64_t{29});
      ++seen;
    } else {
      QCOMPARE(last, std::int64_t{29});
    }
    QVERIFY(!slot->take().has_value());
    QCOMPARE(slot->taken() + slot->dropped(), slot->published());
    QCOMPARE(static_cast<std::uint64_t>(seen), slot->taken());
  }

  void pipelineEveryFrameHandsOverEachResultInOrder() {
    const auto config = model::PolicyConfig::fromPreset("tiny");
    LivePipeline::Options o;
    o.delivery = LivePipeline::Delivery::kEveryFrame;
    o.instruction = "pick up the black bowl and place it on the plate";
    LivePipeline pipeline(makeFrameSource("file:" + clip_), tinyPolicy(1), o);
    QCOMPARE(pipeline.sourceViews(), 1);
    QCOMPARE(pipeline.policyViews(), config.num_views);
    std::mutex mutex;
    std::vector<InferenceResult> results;
    pipeline.start([&](const InferenceResult& r) {
      std::lock_guard<std::mutex> lock(mutex);
      results.push_back(r);
    });
    const auto outcome = pipeline.wait(nullptr);
    QCOMPARE(static_cast<int>(outcome.status), static_cast<int>(LivePipeline::Status::kFinished));
    QVERIFY2(outcome.error.empty(), outcome.error.c_str());
    QCOMPARE(outcome.frames, std::uint64_t{30});
    QCOMPARE(outcome.inferences, std::uint64_t{30});
    QCOMPARE(outcome.dropped, std::uint64_t{0});
    QCOMPARE(results.size(), std::size_t{30});
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      QCOMPARE(r.frame_sequence, static_cast<std::uint64_t>(i));
      QCOMPARE(test::frameNumber(r.frames.views[0].rgb), static_cast<int>(i));
      QCOMPARE(r.instruction, o.instruction);
      QCOMPARE(static_cast<int>(r.actions.size()), config.chunk_size);
      for (const auto& a : r.actions) {
        QCOMPARE(static_cast<int>(a.size()), 7);
        for (float v : a) QVERIFY(std::isfinite(v));
      }
      QVERIFY(r.camera_to_action_ms >= r.inference_ms);
    }
  }

  void pipelineFrameLimitAndIntrospection() {
    LivePipeline::Options o;
    o.delivery = LivePipeline::Delivery::kEveryFrame;
    o.instruction = "open the top drawer";
    o.introspection = true;
    o.max_frames = 4;
    LivePipeline pipeline(makeFrameSource("file:" + clip_), tinyPolicy(2), o);
    std::mutex mutex;
    std::vector<InferenceResult> results;
    pipeline.start([&](const InferenceResult& r) {
      std::lock_guard<std::mutex> lock(mutex);
      results.push_back(r);
    });
    const auto outcome = pipeline.wait(nullptr);
    QCOMPARE(static_cast<int>(outcome.status), static_cast<int>(LivePipeline::Status::kFinished));
    QCOMPARE(outcome.frames, std::uint64_t{4});
    QCOMPARE(results.size(), std::size_t{4});
    QVERIFY(results[0].has_introspection);
    QCOMPARE(results[0].introspection.anchor.views, 2);  // the one view filled both
  }

  void latestPipelineOnAFileFinishes() {
    LivePipeline::Options o;
    o.instruction = "open the top drawer";
    LivePipeline pipeline(makeFrameSource("file:" + clip_), tinyPolicy(3), o);
    std::atomic<int> results{0};
    std::atomic<std::int64_t> last{-1};
    std::atomic<bool> ordered{true};
    pipeline.start([&](const InferenceResult& r) {
      if (static_cast<std::int64_t>(r.frame_sequence) <= last.load()) ordered = false;
      last = static_cast<std::int64_t>(r.frame_sequence);
      ++results;
    });
    const auto outcome = pipeline.wait(nullptr);
    QCOMPARE(static_cast<int>(outcome.status), static_cast<int>(LivePipeline::Status::kFinished));
    QCOMPARE(outcome.frames, std::uint64_t{30});
    QVERIFY(results.load() >= 1);
    QCOMPARE(outcome.inferences + outcome.dropped, std::uint64_t{30});
    QVERIFY(ordered.load());
  }

  void failuresAreNamed() {
    LivePipeline::Options o;
    o.instruction = "x";
    LivePipeline missing(makeFrameSource("camera:97"), tinyPolicy(4), o);
    missing.start({});
    const auto outcome = missing.wait(nullptr);
    QCOMPARE(static_cast<int>(outcome.status), static_cast<int>(LivePipeline::Status::kFailed));
    QVERIFY2(outcome.error.find("camera:97") != std::string::npos, outcome.error.c_str());

    try {
      LivePipeline rig(std::make_unique<ThreeViewSource>(), tinyPolicy(5), o);
      QFAIL("a three-view source was accepted by a two-view policy");
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      QVERIFY2(what.find("rig:3") != std::string::npos &&
                   what.find("3 camera views") != std::string::npos &&
                   what.find("takes 2") != std::string::npos,
               e.what());
    }
  }

  void stopFlagEndsALiveSource() {
    LivePipeline::Options o;
    o.instruction = "x";
    auto config = model::PolicyConfig::fromPreset("tiny");
    config.num_views = 3;
    LivePipeline rig(std::make_unique<ThreeViewSource>(),
                     model::Policy(model::initCheckpoint(config, 6)), o);
    std::atomic<int> results{0};
    rig.start([&](const InferenceResult&) { ++results; });
    std::atomic<bool> stop{false};
    std::thread stopper([&] {
      while (results.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      stop = true;
    });
    const auto outcome = rig.wait(&stop);
    stopper.join();
    QCOMPARE(static_cast<int>(outcome.status), static_cast<int>(LivePipeline::Status::kStopped));
    QVERIFY(outcome.inferences >= 3);
  }
};

QTEST_GUILESS_MAIN(TestLivePipeline)
#include "test_live_pipeline.moc"
