// Demonstration collection (core/eval/demo_collector.h): the file core/episodes reads back has the
// demos asked for, each with the task's instruction, QA pairs, the teacher prompt, subtasks, RGB-D
// of both cameras, dones at the end and, when asked, the per-step point maps. Needs an X server.
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>

#include "core/build_info.h"
#include "core/episodes/episode_file.h"
#include "core/eval/demo_collector.h"
#include "core/sim/tabletop_env.h"
#include "core/sim/tasks.h"

namespace fs = std::filesystem;
namespace eval = thinkvla::core::eval;
namespace sim = thinkvla::core::sim;
using namespace thinkvla;

class TestDemoCollector : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void writesReadableDemos() {
    const fs::path dir =
        fs::path(qEnvironmentVariable("THINKVLA_TEST_TMP", QDir::tempPath()).toStdString()) /
        "collect";
    fs::create_directories(dir);
    const fs::path file = dir / "goal.hdf5";
    eval::CollectOptions o;
    o.suite = sim::Suite::kGoal;
    o.tasks = {5, 0};
    o.episodes_per_task = 1;
    o.image_size = 48;
    o.qa_per_episode = 4;
    o.qa_2d_per_episode = 3;
    o.point_maps = eval::PointMaps::kStore;
    o.seed = 3;
    const auto summary = eval::collectDemonstrations(o, file);
    QCOMPARE(summary.demos.size(), std::size_t{2});
    QVERIFY(summary.short_tasks.empty());

    {
      core::EpisodeReader reader(file);  // closed before the file is written again below
      QCOMPARE(reader.episodeNames().size(), std::size_t{2});
      QCOMPARE(reader.storedNumDemos(), std::int64_t{2});
      QCOMPARE(reader.storedTotal(), summary.total_steps);
      const auto args = nlohmann::json::parse(reader.datasetInfo().env_args_json);
      QVERIFY(args["cameras"]["agentview"]["fx"].get<double>() > 0);
      const int expected_tasks[] = {5, 0};
      for (int i = 0; i < 2; ++i) {
        const auto name = reader.episodeNames()[static_cast<std::size_t>(i)];
        const core::Episode e = reader.readEpisode(name);
        const auto& task = sim::task(sim::Suite::kGoal, expected_tasks[i]);
        QCOMPARE(e.annotations.instruction, task.instruction);
        QVERIFY(e.annotations.success);
        QCOMPARE(e.annotations.source.kind, std::string("sim"));
        QCOMPARE(e.annotations.source.task, "goal/" + task.name);
        QCOMPARE(e.annotations.source.seed, std::int64_t{3});
        // Spatial questions for the 3D rows and 2D ones (colour, left/right, count) for the 2D row.
        int spatial = 0, flat = 0;
        for (const auto& qa : e.annotations.qa_pairs) {
          QVERIFY(!qa.question.empty());
          QVERIFY(!qa.answer.empty());
          const bool is_2d = qa.kind == "colour" || qa.kind == "left_right" || qa.kind == "count";
          (is_2d ? flat : spatial) += 1;
        }
        QVERIFY2(spatial >= 1 && spatial <= 4, qPrintable(QString::number(spatial)));
        QVERIFY2(flat >= 1 && flat <= 3, qPrintable(QString::number(flat)));
        QCOMPARE(e.annotations.teacher_prompts.size(), std::size_t{1});
        QCOMPARE(e.annotations.teacher_prompts[0], sim::teacherPrompt(task));
        QVERIFY(!e.annotations.subtasks.empty());
        QCOMPARE(e.annotations.subtasks.back().end_step, e.numSamples());
        const auto t = static_cast<std::size_t>(e.numSamples());
        QCOMPARE(static_cast<int>(t), summary.demos[static_cast<std::size_t>(i)].steps);
        QCOMPARE(e.agentview_rgb.size(), t);
        QCOMPARE(e.eye_in_hand_depth.size(), t);
        QCOMPARE(e.agentview_rgb[0].rows, 48);
        QCOMPARE(e.dones.back(), std::uint8_t{1});
        QCOMPARE(e.rewards.back(), std::uint8_t{1});
        QCOMPARE(e.dones[0], std::uint8_t{0});
        QCOMPARE(e.actions.cols(), Eigen::Index{7});
        QCOMPARE(static_cast<std::size_t>(e.states.rows()), t);
        QVERIFY(!e.init_state.empty());
        QVERIFY(e.model_file.find("<mujoco") != std::string::npos);
        const std::vector<std::size_t> shape = {t, 2, 48, 48, 3};
        QVERIFY(e.teacher_features.shape == shape);
        // The point map's z is the depth: compare one pixel of the agent view at the first step.
        const float depth = e.agentview_depth[0].at<float>(24, 24);
        const float z = e.teacher_features.values[(24 * 48 + 24) * 3 + 2];
        QVERIFY2(std::abs(depth - z) < 1e-4f, qPrintable(QString("%1 vs %2").arg(depth).arg(z)));
      }
    }

    // Appending adds demos after the existing ones; replacing starts the file afresh.
    o.tasks = {5};
    o.point_maps = eval::PointMaps::kSkip;
    o.seed = 20;
    o.output = eval::OutputMode::kAppend;
    QCOMPARE(eval::collectDemonstrations(o, file).demos.front().name, std::string("demo_2"));
    {
      core::EpisodeReader appended(file);
      QCOMPARE(appended.episodeNames().size(), std::size_t{3});
      QCOMPARE(appended.readAnnotations("demo_2").source.seed, std::int64_t{20});
    }
    o.output = eval::OutputMode::kReplace;
    eval::collectDemonstrations(o, file);
    QCOMPARE(core::EpisodeReader(file).episodeNames().size(), std::size_t{1});
  }

  // DART: the world executes the expert's action plus noise, the demo records the expert's own.
  // Replaying a demo's recorded actions from its start therefore reproduces its states only
  // without noise; with noise the replay leaves them, while the expert still finishes the task.
  void noiseInjectedDemosRecordTheExpertsActions() {
    const fs::path dir =
        fs::path(qEnvironmentVariable("THINKVLA_TEST_TMP", QDir::tempPath()).toStdString()) /
        "collect_noise";
    fs::create_directories(dir);
    eval::CollectOptions o;
    o.suite = sim::Suite::kObject;
    o.tasks = {1};
    o.episodes_per_task = 1;
    o.max_attempts_per_task = 3;
    o.image_size = 32;
    o.qa_per_episode = 0;
    o.qa_2d_per_episode = 0;
    o.seed = 11;
    const auto clean = eval::collectDemonstrations(o, dir / "clean.hdf5");
    o.action_noise = 0.3;
    const auto noisy = eval::collectDemonstrations(o, dir / "noisy.hdf5");
    QCOMPARE(clean.demos.size(), std::size_t{1});
    QCOMPARE(noisy.demos.size(), std::size_t{1});
    QCOMPARE(noisy.demos[0].seed, clean.demos[0].seed);

    const core::Episode a = core::EpisodeReader(dir / "clean.hdf5").readEpisode("demo_0");
    const core::EpisodeReader noisy_reader(dir / "noisy.hdf5");
    const core::Episode b = noisy_reader.readEpisode("demo_0");
    QVERIFY(b.annotations.success);
    QVERIFY(b.annotations.notes.find("action noise 0.3") != std::string::npos);
    QVERIFY(a.annotations.notes.find("action noise") == std::string::npos);
    const auto args = nlohmann::json::parse(noisy_reader.datasetInfo().env_args_json);
    QCOMPARE(args["action_noise"].get<double>(), 0.3);
    // The same start and the same expert: the first label is the same, the states then part.
    QCOMPARE(b.states.row(0), a.states.row(0));
    QCOMPARE(b.actions.row(0), a.actions.row(0));
    QVERIFY(b.states.row(1) != a.states.row(1));
    QVERIFY(b.actions.cwiseAbs().maxCoeff() <= 1.0);

    // How many recorded steps does a replay of the recorded actions reproduce exactly?
    const auto replayedSteps = [&](const core::Episode& e) {
      sim::TabletopEnv env;
      env.reset(sim::task(o.suite, 1), noisy.demos[0].seed);
      Eigen::Index t = 0;
      for (; t + 1 < e.actions.rows(); ++t) {
        sim::Action action;
        for (int i = 0; i < sim::kActionDim; ++i)
          action[static_cast<std::size_t>(i)] = e.actions(t, i);
        env.step(action);
        const std::vector<double> s = env.physicsState();
        const Eigen::Map<const Eigen::RowVectorXd> state(s.data(),
                                                         static_cast<Eigen::Index>(s.size()));
        if (state != e.states.row(t + 1)) break;
      }
      return t + 1;
    };
    QCOMPARE(replayedSteps(a), a.actions.rows());
    QCOMPARE(replayedSteps(b), Eigen::Index{1});
  }

  void recoveryDemosStartWhereThePolicyLeftOff() {
    // The shipped demo policy drives first; the expert takes over and is recorded.
    const fs::path dir =
        fs::path(qEnvironmentVariable("THINKVLA_TEST_TMP", QDir::tempPath()).toStdString()) /
        "collect_recovery";
    fs::create_directories(dir);
    eval::CollectOptions o;
    o.suite = sim::Suite::kLong;
    o.tasks = {3};
    o.episodes_per_task = 2;
    o.max_attempts_per_task = 6;
    o.image_size = 64;
    o.qa_per_episode = 2;
    o.qa_2d_per_episode = 0;
    o.seed = 500;
    o.policy_checkpoint =
        (fs::path(core::build::kSourceDir) / "resources" / "models" / "demo").string();
    o.handover_max_steps = 120;
    const auto summary = eval::collectDemonstrations(o, dir / "recovery.hdf5");
    QCOMPARE(summary.demos.size(), std::size_t{2});
    const core::EpisodeReader reader(dir / "recovery.hdf5");
    int after_policy = 0;
    for (const auto& demo : summary.demos) {
      QVERIFY(demo.handover_step >= 0 && demo.handover_step <= 120);
      const core::Episode e = reader.readEpisode(demo.name);
      QVERIFY(e.annotations.success);
      QVERIFY2(e.annotations.notes.find("recovery: the expert took over after " +
                                        std::to_string(demo.handover_step) + " steps") !=
                   std::string::npos,
               e.annotations.notes.c_str());
      // The demo starts at the handover: the world as the policy left it, not as reset made it.
      sim::TabletopEnv env;
      env.reset(sim::task(o.suite, 3), demo.seed);
      const std::vector<double> reset = env.physicsState();
      const Eigen::Map<const Eigen::RowVectorXd> reset_row(reset.data(),
                                                           static_cast<Eigen::Index>(reset.size()));
      if (demo.handover_step > 0) {
        ++after_policy;
        QVERIFY(e.states.row(0) != reset_row);
        QVERIFY(e.init_state != reset);
      } else {
        QVERIFY(e.states.row(0) == reset_row);
      }
    }
    QVERIFY(after_policy > 0);

    eval::CollectOptions bad = o;
    bad.handover_max_steps = -1;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             eval::collectDemonstrations(bad, dir / "unused.hdf5"));
    bad = o;
    bad.policy_checkpoint = (dir / "no_such_checkpoint").string();
    try {
      eval::collectDemonstrations(bad, dir / "unused.hdf5");
      QFAIL("collected with a missing policy");
    } catch (const std::runtime_error& e) {
      QVERIFY2(std::string(e.what()).find("no_such_checkpoint") != std::string::npos, e.what());
    }
  }

  void rejectsBadOptions() {
    eval::CollectOptions o;
    o.suite = sim::Suite::kSpatial;
    o.tasks = {99};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::collectDemonstrations(o, "unused.hdf5"));
    o.tasks = {};
    o.episodes_per_task = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::collectDemonstrations(o, "unused.hdf5"));
    o.episodes_per_task = 1;
    for (double noise : {-0.1, 1.5, std::nan("")}) {
      o.action_noise = noise;
      QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                               eval::collectDemonstrations(o, "unused.hdf5"));
    }
  }
};

QTEST_GUILESS_MAIN(TestDemoCollector)
#include "test_demo_collector.moc"
