// The inference thread with a freshly initialised `tiny` policy: it serves the newest frames,
// publishes K x 7 chunks with latencies, converts introspection to per-view maps of the right
// shapes, follows instruction changes, unnormalises a paraphrase with the world task's statistics,
// and survives frames the policy cannot take.
#include <QtTest/QtTest>

#include <cmath>

#include "core/pipeline/inference_worker.h"
#include "model/checkpoint.h"
#include "model/torch_runtime.h"

using namespace thinkvla;

namespace {
core::FrameSet makeFrames(std::uint64_t sequence, int views, int value) {
  core::FrameSet f;
  f.sequence = sequence;
  f.captured_at = std::chrono::steady_clock::now();
  for (int v = 0; v < views; ++v) {
    core::CameraFrame c;
    c.camera = "view" + std::to_string(v);
    c.rgb = cv::Mat(128, 128, CV_8UC3, cv::Scalar(value, 255 - value, (value * 7) % 255));
    f.views.push_back(c);
  }
  return f;
}
}  // namespace

class TestInferenceWorker : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { model::configureThreads(1); }

  void servesTheNewestFrames() {
    auto config = model::PolicyConfig::fromPreset("tiny");
    auto frames = std::make_shared<core::LatestSlot<core::FrameSet>>();
    core::InferenceWorker worker(model::Policy(model::initCheckpoint(config, 3)), frames);
    frames->setNotify([&] { worker.notifyFrame(); });
    worker.setInstruction("pick up the red cube and place it in the basket");
    // Five frames before the worker starts: only the last is worth computing.
    for (std::uint64_t i = 0; i < 5; ++i) frames->publish(makeFrames(i, config.num_views, 40 * static_cast<int>(i)));
    worker.start();
    QTRY_VERIFY_WITH_TIMEOUT(worker.inferences() >= 1, 30000);
    auto result = worker.results().take();
    QVERIFY(result.has_value());
    QCOMPARE(result->frame_sequence, std::uint64_t{4});
    QCOMPARE(static_cast<int>(result->actions.size()), config.chunk_size);
    QCOMPARE(static_cast<int>(result->actions[0].size()), config.action_dim);
    QVERIFY(result->inference_ms > 0.0);
    QVERIFY(result->camera_to_action_ms >= result->inference_ms);
    QVERIFY(!result->has_introspection);
    QCOMPARE(frames->dropped(), std::uint64_t{4});
    worker.stop();
  }

  void introspectionMapsHaveTheModelsShapes() {
    auto config = model::PolicyConfig::fromPreset("tiny");
    auto frames = std::make_shared<core::LatestSlot<core::FrameSet>>();
    core::InferenceWorker worker(model::Policy(model::initCheckpoint(config, 4)), frames);
    frames->setNotify([&] { worker.notifyFrame(); });
    worker.setIntrospection(true);
    worker.setInstruction("open the top drawer");
    worker.start();
    frames->publish(makeFrames(0, config.num_views, 100));
    QTRY_VERIFY_WITH_TIMEOUT(worker.inferences() >= 1, 30000);
    const auto result = worker.results().take();
    QVERIFY(result && result->has_introspection);
    const auto& in = result->introspection;
    QCOMPARE(in.anchor.views, config.num_views);
    QCOMPARE(in.anchor.layers, config.layers);
    QCOMPARE(in.anchor.heads, config.heads);
    QCOMPARE(in.anchor.at(0, 0, 0).rows, config.tokenGrid());
    // Each head's anchor attention over all image tokens of all views sums to at most 1.
    double total = 0.0;
    for (int v = 0; v < config.num_views; ++v) total += cv::sum(in.anchor.at(0, 0, v))[0];
    QVERIFY(total > 0.0 && total <= 1.0 + 1e-4);
    QCOMPARE(in.action.views, config.num_views);
    QCOMPARE(static_cast<int>(in.geometry.size()), config.num_views);
    QCOMPARE(in.geometry[0].rows, config.patchGrid() * config.patchGrid());
    QCOMPARE(in.geometry[0].cols, config.geometry_dim);
    QCOMPARE(static_cast<int>(in.depth_m.size()), config.num_views);
    QCOMPARE(in.depth_m[0].rows, config.patchGrid());
    QCOMPARE(in.anchor.mean(1).size(), in.anchor.at(0, 0, 1).size());
    worker.stop();
  }

  void badFramesAreReportedAndTheWorkerGoesOn() {
    auto config = model::PolicyConfig::fromPreset("tiny");
    auto frames = std::make_shared<core::LatestSlot<core::FrameSet>>();
    core::InferenceWorker worker(model::Policy(model::initCheckpoint(config, 5)), frames);
    frames->setNotify([&] { worker.notifyFrame(); });
    worker.start();
    frames->publish(makeFrames(0, config.num_views + 1, 10));  // one view too many
    QTRY_VERIFY_WITH_TIMEOUT(!worker.lastError().empty(), 30000);
    QCOMPARE(worker.inferences(), std::uint64_t{0});
    frames->publish(makeFrames(1, config.num_views, 10));
    QTRY_VERIFY_WITH_TIMEOUT(worker.inferences() == 1, 30000);
    QVERIFY(worker.lastError().empty());
    worker.stop();
  }

  void aParaphraseUsesTheWorldTasksStatistics() {
    // Per-task statistics for one task, far from the pooled ones: a paraphrase of it gets the
    // task's units once the worker is told the world's task.
    const std::string task = "put the bowl on the plate";
    auto config = model::PolicyConfig::fromPreset("tiny");
    auto checkpoint = model::initCheckpoint(config, 6);
    model::NormStats own = checkpoint.norm_stats;
    for (int d = 0; d < 6; ++d) {
      own.action_q01[d] = 10.0f;
      own.action_q99[d] = 12.0f;
    }
    checkpoint.task_norm_stats.emplace(task, own);
    auto frames = std::make_shared<core::LatestSlot<core::FrameSet>>();
    core::InferenceWorker worker(model::Policy(checkpoint), frames);
    frames->setNotify([&] { worker.notifyFrame(); });
    worker.setInstruction("place the bowl onto the plate");
    worker.start();
    frames->publish(makeFrames(0, config.num_views, 60));
    QTRY_VERIFY_WITH_TIMEOUT(worker.inferences() == 1, 30000);
    const float pooled_units = worker.results().take()->actions.at(0).at(0);
    QVERIFY(std::abs(pooled_units) <= 1.0f + 1e-5f);  // pooled: identity statistics, [-1, 1]
    worker.setNormStatsTask(task);
    frames->publish(makeFrames(1, config.num_views, 60));
    QTRY_VERIFY_WITH_TIMEOUT(worker.inferences() == 2, 30000);
    const float own_units = worker.results().take()->actions.at(0).at(0);
    QVERIFY2(own_units >= 10.0f && own_units <= 12.0f, qPrintable(QString::number(own_units)));
    worker.stop();
  }
};

QTEST_GUILESS_MAIN(TestInferenceWorker)
#include "test_inference_worker.moc"
