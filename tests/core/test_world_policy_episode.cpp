// A policy driving the built-in world closed loop without a screen (the studio's wiring: world
// session, 20 Hz control loop in policy mode, inference worker, chunk executor): the episode ends
// at the step limit, every result comes with the world at its frame (steps in order, never past
// the end), the arm moves, and sim: specs and unfit policies give errors naming the part at fault.
#include <QtTest/QtTest>

#include <cmath>
#include <mutex>

#include "core/pipeline/world_policy_episode.h"
#include "model/checkpoint.h"
#include "model/torch_runtime.h"

using namespace thinkvla;
using namespace thinkvla::core;

class TestWorldPolicyEpisode : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { model::configureThreads(1); }

  void parsesWorldSpecs() {
    QVERIFY(isWorldSpec("sim:spatial/0"));
    QVERIFY(!isWorldSpec("file:sim.avi"));
    auto s = parseWorldSpec("sim:goal/3@17");
    QCOMPARE(static_cast<int>(s.suite), static_cast<int>(sim::Suite::kGoal));
    QCOMPARE(s.task_index, 3);
    QCOMPARE(s.seed, std::uint64_t{17});
    s = parseWorldSpec("sim:libero_spatial/" + sim::suiteTasks(sim::Suite::kSpatial)[2].name);
    QCOMPARE(static_cast<int>(s.suite), static_cast<int>(sim::Suite::kSpatial));
    QCOMPARE(s.task_index, 2);
    QCOMPARE(s.seed, std::uint64_t{0});
    const auto fails = [](const std::string& spec, const std::string& needle) {
      try {
        parseWorldSpec(spec);
      } catch (const std::invalid_argument& e) {
        return std::string(e.what()).find(needle) != std::string::npos;
      }
      return false;
    };
    QVERIFY(fails("sim:kitchen/0", "unknown suite 'kitchen'"));
    QVERIFY(fails("sim:spatial/99", "unknown task 99"));
    QVERIFY(fails("sim:spatial/no_such_task", "unknown task 'no_such_task'"));
    QVERIFY(fails("sim:spatial", "expected sim:SUITE/TASK"));
    QVERIFY(fails("sim:spatial/0@-1", "seed '-1'"));
  }

  void runsToTheStepLimitWithTheWorldAtEachFrame() {
    WorldPolicyEpisode::Options o;
    o.world = parseWorldSpec("sim:spatial/0@3");
    o.max_steps = 12;
    o.introspection = true;
    WorldPolicyEpisode episode(
        o, model::Policy(model::initCheckpoint(model::PolicyConfig::fromPreset("tiny"), 7)));
    QCOMPARE(episode.stepLimit(), 12);
    QCOMPARE(episode.cameras().size(), std::size_t{2});
    QCOMPARE(episode.instruction(), sim::task(sim::Suite::kSpatial, 0).instruction);
    std::mutex mutex;
    std::vector<std::pair<InferenceResult, WorldAtFrame>> results;
    episode.start([&](const InferenceResult& r, const WorldAtFrame& w) {
      std::lock_guard<std::mutex> lock(mutex);
      results.emplace_back(r, w);
    });
    const auto outcome = episode.wait(nullptr);
    QVERIFY2(outcome.error.empty(), outcome.error.c_str());
    QCOMPARE(outcome.steps, 12);
    QCOMPARE(outcome.step_limit, 12);
    QVERIFY(!outcome.stopped);
    QVERIFY(outcome.control_rate_hz > 0.0);
    QVERIFY(!results.empty());
    QCOMPARE(outcome.inferences, static_cast<std::uint64_t>(results.size()));
    int last_step = -1;
    cv::Vec3d first_ee = results.front().second.ee_position_m;
    double moved_m = 0.0;
    for (const auto& [r, w] : results) {
      QVERIFY(w.step > last_step && w.step <= 12);
      last_step = w.step;
      QCOMPARE(w.step, static_cast<int>(std::lround(r.frames.source_time_s / sim::kControlDtS)));
      QCOMPARE(r.frames.views.size(), std::size_t{2});
      QVERIFY(r.has_introspection);
      QCOMPARE(r.instruction, episode.instruction());
      for (int k = 0; k < 3; ++k) QVERIFY(std::isfinite(w.ee_position_m[k]));
      moved_m = std::max(moved_m, cv::norm(w.ee_position_m - first_ee));
    }
    QVERIFY2(moved_m > 1e-3, qPrintable(QString::number(moved_m)));  // the policy drove the arm
  }

  void temporalEnsemblingReplansEveryStep() {
    WorldPolicyEpisode::Options o;
    o.world = parseWorldSpec("sim:object/2@5");
    o.max_steps = 10;
    o.execute_steps = 1;
    o.ensemble_decay = 0.01;
    WorldPolicyEpisode episode(
        o, model::Policy(model::initCheckpoint(model::PolicyConfig::fromPreset("tiny"), 9)));
    QCOMPARE(episode.executor().ensembleDecay().value_or(-1.0), 0.01);
    QCOMPARE(episode.executor().executeSteps(), 1);
    episode.start([](const InferenceResult&, const WorldAtFrame&) {});
    const auto outcome = episode.wait(nullptr);
    QVERIFY2(outcome.error.empty(), outcome.error.c_str());
    QCOMPARE(outcome.steps, 10);
    // Every chunk taken came from a newer frame than the last: more than one was blended in.
    QVERIFY(episode.executor().chunksUsed() >= 2);
    QVERIFY(episode.executor().chunksUsed() <= outcome.inferences);
    o.ensemble_decay = -1.0;
    QVERIFY_EXCEPTION_THROWN(
        WorldPolicyEpisode(
            o, model::Policy(model::initCheckpoint(model::PolicyConfig::fromPreset("tiny"), 9))),
        std::invalid_argument);
  }

  void stopFlagEndsTheEpisode() {
    WorldPolicyEpisode::Options o;
    o.world = parseWorldSpec("sim:goal/1");
    o.instruction = "push the plate to the front";
    WorldPolicyEpisode episode(
        o, model::Policy(model::initCheckpoint(model::PolicyConfig::fromPreset("tiny"), 8)));
    QCOMPARE(episode.instruction(), o.instruction);
    std::atomic<int> results{0};
    std::string instruction;
    std::mutex mutex;
    episode.start([&](const InferenceResult& r, const WorldAtFrame&) {
      std::lock_guard<std::mutex> lock(mutex);
      instruction = r.instruction;
      ++results;
    });
    std::atomic<bool> stop{false};
    std::thread stopper([&] {
      while (results.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      stop = true;
    });
    const auto outcome = episode.wait(&stop);
    stopper.join();
    QVERIFY(outcome.stopped);
    QVERIFY(outcome.steps < outcome.step_limit);
    QCOMPARE(instruction, o.instruction);
  }

  void rejectsPoliciesThatDoNotFit() {
    auto config = model::PolicyConfig::fromPreset("tiny");
    config.num_views = 1;
    WorldPolicyEpisode::Options o;
    try {
      WorldPolicyEpisode episode(o, model::Policy(model::initCheckpoint(config, 1)));
      QFAIL("a one-view policy was accepted");
    } catch (const std::invalid_argument& e) {
      QVERIFY2(std::string(e.what()).find("1 camera views") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestWorldPolicyEpisode)
#include "test_world_policy_episode.moc"
