// The live-latency measurement behind `thinkvla bench live` and bench_live, run short with a tiny
// checkpoint: two runs (overlays off, then on), latencies that are ordered as the pipeline is
// (frame -> actions before frame -> overlays), the caller's composition step called only in the
// second run, with results that carry the introspection maps and the world's state with both
// cameras' calibration, and the report as text and JSON. No timing is asserted. The composition
// the command line passes (viz/'s drawing) is tested in tests/cli/test_overlay_maps.
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include <atomic>

#include "core/pipeline/inference_worker.h"
#include "core/pipeline/live_benchmark.h"
#include "core/pipeline/world_session.h"
#include "model/checkpoint.h"

using namespace thinkvla;
using namespace thinkvla::core;

class TestLiveBenchmark : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void latencyStatsArePercentiles() {
    std::vector<double> v;
    for (int i = 100; i >= 1; --i) v.push_back(i);
    const auto s = latencyStats(v);
    QCOMPARE(s.samples, 100);
    QVERIFY(s.median_ms >= 50 && s.median_ms <= 51);
    QVERIFY(s.p95_ms >= 95 && s.p95_ms <= 96);
    QCOMPARE(latencyStats({}).samples, 0);
  }

  void measuresBothRuns() {
    QTemporaryDir dir;
    const std::string checkpoint = dir.filePath("tiny").toStdString();
    model::saveCheckpoint(model::initCheckpoint(model::PolicyConfig::fromPreset("tiny"), 2),
                          checkpoint);
    LiveBenchmarkOptions o;
    o.checkpoint = checkpoint;
    o.seconds = 0.75;  // 15 control steps per run
    o.threads = 1;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, runLiveBenchmark(o));  // no composition step
    // The composition step gets what an overlay needs: the maps of every view, and the world's
    // calibrated cameras and end effector for the path. It sums the attention it was given, so
    // every call reads the maps.
    std::atomic<int> calls{0}, complete{0};
    o.compose = [&](const InferenceResult& r, const WorldState& state) {
      ++calls;
      const auto& in = r.introspection;
      const std::size_t views = r.frames.views.size();
      const bool maps = r.has_introspection && views == 2 && in.geometry.size() == views &&
                        in.patch_grid > 0 && !in.anchor.empty() && in.anchor.views == 2;
      const bool world = state.cameras.size() == views && state.cameras[0].image_size.width > 0;
      double attention = 0.0;
      if (maps) attention = cv::sum(in.anchor.mean(0))[0] + cv::sum(in.anchor.mean(1))[0];
      if (maps && world && attention > 0.0) ++complete;
      return maps;
    };
    const auto report = runLiveBenchmark(o);
    QCOMPARE(report.checkpoint, checkpoint);
    QCOMPARE(report.preset, std::string("tiny"));
    QCOMPARE(report.threads, 1);
    QCOMPARE(report.runs.size(), std::size_t{2});
    const auto& off = report.runs[0];
    const auto& on = report.runs[1];
    QVERIFY(!off.overlays && on.overlays);
    for (const auto* r : {&off, &on}) {
      QCOMPARE(r->steps, 15);
      QVERIFY(r->inferences >= 1);
      QCOMPARE(r->camera_to_action.samples, static_cast<int>(r->inferences));
      QVERIFY(r->camera_to_action.median_ms >= r->inference.median_ms);
      QVERIFY(r->camera_to_action.p95_ms >= r->camera_to_action.median_ms);
    }
    QCOMPARE(off.compose.samples, 0);
    QVERIFY(on.compose.samples >= 1);
    QCOMPARE(on.compose.samples, calls.load());  // every composed result counted, none other
    QCOMPARE(complete.load(), calls.load());
    QVERIFY(on.overlays_per_s > 0.0);
    QVERIFY(on.camera_to_overlay.median_ms > on.compose.median_ms);
    QVERIFY(report.toText().find("camera->overlay") != std::string::npos);
    const auto json = nlohmann::json::parse(report.toJson());
    QCOMPARE(json["runs"].size(), std::size_t{2});
    QVERIFY(json["runs"][1].contains("camera_to_overlay"));
    QVERIFY(!json["runs"][0].contains("camera_to_overlay"));
    QCOMPARE(json["machine"]["torch_cpu_kernels"].get<std::string>(),
             thinkvla::model::computeEnvironment().torch_cpu_kernels);
    QVERIFY(report.toText().find("machine: " + report.machine.summary()) != std::string::npos);

    o.world = "sim:kitchen/0";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, runLiveBenchmark(o));
  }
};

QTEST_GUILESS_MAIN(TestLiveBenchmark)
#include "test_live_benchmark.moc"
