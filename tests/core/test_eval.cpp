// The closed-loop evaluator (core/eval/evaluator.h): the scripted expert through the loop succeeds,
// uniform random actions do not (the loop itself is right); an untrained tiny checkpoint runs end
// to end with chunked execution (and with temporal ensembling) and gives a well-formed JSON and
// Markdown report; results are the same for a seed whatever the number of workers; rollout videos
// decode with one frame per step plus the first. Rendering parts need an X server (xvfb-run).
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <filesystem>

#include "core/eval/evaluator.h"
#include "core/eval/rollout_video.h"
#include "model/checkpoint.h"

namespace fs = std::filesystem;
namespace eval = thinkvla::core::eval;
namespace sim = thinkvla::core::sim;
using namespace thinkvla;

namespace {

fs::path tmpDir(const std::string& name) {
  const fs::path d =
      fs::path(qEnvironmentVariable("THINKVLA_TEST_TMP", QDir::tempPath()).toStdString()) /
      ("eval_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Goal tasks 0 (open the drawer) and 5 (push the can): the expert's shortest episodes.
eval::EvalOptions baseOptions(eval::ActorKind actor) {
  eval::EvalOptions o;
  o.actor = actor;
  o.suites = {sim::Suite::kGoal};
  o.tasks = {0, 5};
  o.episodes_per_task = 2;
  o.seed = 11;
  return o;
}

std::vector<std::pair<bool, int>> outcomes(const eval::EvalReport& r) {
  std::vector<std::pair<bool, int>> out;
  for (const auto& t : r.tasks) {
    for (const auto& e : t.outcomes) out.emplace_back(e.success, e.steps);
  }
  return out;
}

int countFrames(const fs::path& file) {
  cv::VideoCapture cap(file.string());
  if (!cap.isOpened()) return -1;
  int n = 0;
  cv::Mat frame;
  while (cap.read(frame)) {
    if (frame.empty()) break;
    ++n;
  }
  return n;
}

}  // namespace

class TestEval : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesConditions() {
    QCOMPARE(eval::parseConditions("none").size(), std::size_t{1});
    QCOMPARE(eval::parseConditions("none").front().name, std::string("none"));
    const auto all = eval::parseConditions("all:3");
    QCOMPARE(all.size(), std::size_t{7});
    for (std::size_t i = 0; i < all.size(); ++i) {
      QCOMPARE(all[i].perturbation.level(sim::allDimensions()[i]), 3);
    }
    QCOMPARE(
        eval::parseConditions("all").front().perturbation.level(sim::PerturbDimension::kCamera), 2);
    QCOMPARE(eval::parseConditions("camera:2,light:1").size(), std::size_t{1});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::parseConditions("camera:7"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::parseConditions("all:9"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::parseConditions("gravity:1"));
  }

  void expertSucceedsRandomFails() {
    const auto expert = eval::Evaluator(baseOptions(eval::ActorKind::kExpert)).run();
    QCOMPARE(expert.suites.size(), std::size_t{1});
    QCOMPARE(expert.suites[0].episodes, 4);
    QVERIFY2(expert.suites[0].success_rate >= 0.95,
             qPrintable(QString::number(expert.suites[0].success_rate)));
    QVERIFY(expert.suites[0].mean_length_steps < 150);

    auto random_options = baseOptions(eval::ActorKind::kRandom);
    random_options.workers = 2;
    const auto random = eval::Evaluator(random_options).run();
    QCOMPARE(random.suites[0].episodes, 4);
    QVERIFY2(random.suites[0].success_rate <= 0.25,
             qPrintable(QString::number(random.suites[0].success_rate)));
    // Failed episodes run to the suite's step limit.
    for (const auto& t : random.tasks) {
      for (const auto& e : t.outcomes) {
        if (!e.success) QCOMPARE(e.steps, sim::suiteMaxSteps(sim::Suite::kGoal));
      }
    }
  }

  // Partial progress: the expert on a Long task reaches its two goals one after the other; capped
  // between them, the episode fails with one goal of two, and the reports say so.
  void longTasksReportEachGoal() {
    eval::EvalOptions o;
    o.actor = eval::ActorKind::kExpert;
    o.suites = {sim::Suite::kLong};
    o.tasks = {3};  // both cubes in the basket
    o.episodes_per_task = 1;
    o.seed = 11;
    const auto full = eval::Evaluator(o).run();
    const auto& done = full.tasks.at(0);
    QCOMPARE(done.goals, 2);
    const auto& e = done.outcomes.at(0);
    QVERIFY(e.success);
    QCOMPARE(e.goals_reached, 2);
    QCOMPARE(e.goal_first_step.size(), std::size_t{2});
    QVERIFY(e.goal_first_step[0] > 0 && e.goal_first_step[1] > 0);
    QVERIFY(std::max(e.goal_first_step[0], e.goal_first_step[1]) <= e.steps);
    QCOMPARE(full.suites.at(0).goal_progress, 1.0);
    QCOMPARE(done.goal_rates, (std::vector<double>{1.0, 1.0}));

    // One goal in, the other not yet: stop the same episode between the two.
    const int first = std::min(e.goal_first_step[0], e.goal_first_step[1]);
    const int second = std::max(e.goal_first_step[0], e.goal_first_step[1]);
    QVERIFY2(second - first > 10, qPrintable(QString("%1 %2").arg(first).arg(second)));
    o.max_steps = (first + second) / 2;
    const auto half = eval::Evaluator(o).run();
    const auto& h = half.tasks.at(0).outcomes.at(0);
    QVERIFY(!h.success);
    QCOMPARE(h.steps, o.max_steps);
    QCOMPARE(h.goals_reached, 1);
    const std::size_t reached = e.goal_first_step[0] == first ? 0 : 1;
    QCOMPARE(h.goal_first_step[reached], first);  // the same episode up to the cap
    QCOMPARE(h.goal_first_step[1 - reached], -1);
    QCOMPARE(half.suites.at(0).success_rate, 0.0);
    QCOMPARE(half.suites.at(0).goal_progress, 0.5);

    const auto j = nlohmann::json::parse(eval::reportToJson(half));
    QCOMPARE(j["suites"][0]["goal_progress"].get<double>(), 0.5);
    QCOMPARE(j["tasks"][0]["goals"].get<int>(), 2);
    QCOMPARE(j["tasks"][0]["outcomes"][0]["goals_reached"].get<int>(), 1);
    QCOMPARE(j["tasks"][0]["outcomes"][0]["goal_first_step"][reached].get<int>(), first);
    const std::string md = eval::reportToMarkdown(half);
    QVERIFY2(md.find("| none | 50.0 |") != std::string::npos, md.c_str());
    const std::string each = reached == 0 ? "| 100.0 / 0.0 |" : "| 0.0 / 100.0 |";
    QVERIFY2(md.find("put both cubes in the basket | 0.0 | " + std::to_string(o.max_steps) + ".0 " +
                     each) != std::string::npos,
             md.c_str());
  }

  void deterministicForASeedWhateverTheWorkers() {
    auto o = baseOptions(eval::ActorKind::kExpert);
    o.tasks = {1, 5};
    const auto one = eval::Evaluator(o).run();
    o.workers = 2;
    const auto two = eval::Evaluator(o).run();
    QVERIFY(outcomes(one) == outcomes(two));
    QCOMPARE(eval::reportToMarkdown(one).substr(0, 400),
             eval::reportToMarkdown(two).substr(0, 400));
    // Another seed lays the tasks out differently: the episode lengths change.
    o.seed = 12345;
    const auto other = eval::Evaluator(o).run();
    QVERIFY(outcomes(one) != outcomes(other));
  }

  void tinyCheckpointEndToEnd() {
    const fs::path dir = tmpDir("policy");
    model::saveCheckpoint(model::initCheckpoint(model::PolicyConfig::fromPreset("tiny"), 3),
                          (dir / "ckpt").string());
    eval::EvalOptions o;
    o.actor = eval::ActorKind::kPolicy;
    o.checkpoint = dir / "ckpt";
    o.suites = {sim::Suite::kGoal, sim::Suite::kObject};
    o.tasks = {0};
    o.episodes_per_task = 1;
    o.max_steps = 20;
    o.execute_steps = 4;
    o.image_size = 64;
    o.workers = 2;
    const auto report = eval::Evaluator(o).run();
    QCOMPARE(report.chunk_size, model::PolicyConfig::fromPreset("tiny").chunk_size);
    QCOMPARE(report.execute_steps, 4);
    QCOMPARE(report.tasks.size(), std::size_t{2});
    for (const auto& t : report.tasks) {
      QCOMPARE(t.outcomes.size(), std::size_t{1});
      QCOMPARE(t.outcomes[0].steps, 20);
      QCOMPARE(t.outcomes[0].policy_calls, 5);  // 20 steps / 4 per chunk
      QVERIFY(!t.outcomes[0].refused);
    }
    const auto j = nlohmann::json::parse(eval::reportToJson(report));
    QCOMPARE(j["actor"].get<std::string>(), std::string("policy"));
    QCOMPARE(j["suites"].size(), std::size_t{2});
    QCOMPARE(j["suites"][0]["suite"].get<std::string>(), std::string("goal"));
    QCOMPARE(j["tasks"][1]["outcomes"][0]["policy_calls"].get<int>(), 5);
    QVERIFY(j["average_success_rate"].contains("none"));
    // The machine's processor and kernels travel with the numbers (they decide the rounding).
    const auto here = model::computeEnvironment();
    QCOMPARE(j["machine"]["cpu_model"].get<std::string>(), here.cpu_model);
    QCOMPARE(j["machine"]["torch_cpu_kernels"].get<std::string>(), here.torch_cpu_kernels);
    const std::string md = eval::reportToMarkdown(report);
    QVERIFY(md.find(" on " + here.summary() + ".") != std::string::npos);
    QVERIFY(md.find("| Condition | Goal | Object | Average |") != std::string::npos);
    QVERIFY(md.find("| none | 0.0 | 0.0 | 0.0 |") != std::string::npos);
    QVERIFY(md.find("| none | object | 0 | pick up the red cube") != std::string::npos);

    // Executing the whole chunk halves... quarters the forward passes: 20 steps / 8.
    o.execute_steps = 0;
    o.workers = 1;
    const auto full = eval::Evaluator(o).run();
    QCOMPARE(full.execute_steps, 8);
    QCOMPARE(full.tasks[0].outcomes[0].policy_calls, 3);

    // Temporal ensembling re-plans every 2 steps: 10 forward passes, recorded in both reports.
    o.execute_steps = 2;
    o.ensemble_decay = 0.01;
    const auto ensembled = eval::Evaluator(o).run();
    QCOMPARE(ensembled.tasks[0].outcomes[0].policy_calls, 10);
    QCOMPARE(ensembled.tasks[0].outcomes[0].steps, 20);
    QVERIFY(ensembled.ensemble_decay.has_value());
    const auto ej = nlohmann::json::parse(eval::reportToJson(ensembled));
    QCOMPARE(ej["ensemble_decay"].get<double>(), 0.01);
    QVERIFY(eval::reportToMarkdown(ensembled).find("temporally ensembled (decay 0.01)") !=
            std::string::npos);
    QVERIFY(nlohmann::json::parse(eval::reportToJson(full))["ensemble_decay"].is_null());
    // Gripper commands are snapped to open / close unless asked otherwise; the report says which.
    QCOMPARE(nlohmann::json::parse(eval::reportToJson(full))["gripper_output"].get<std::string>(),
             std::string("binary"));
    QVERIFY(eval::reportToMarkdown(full).find("gripper commands binary") != std::string::npos);
    o.gripper_output = model::GripperOutput::kContinuous;
    const auto raw = eval::Evaluator(o).run();
    QCOMPARE(nlohmann::json::parse(eval::reportToJson(raw))["gripper_output"].get<std::string>(),
             std::string("continuous"));
    o.ensemble_decay = -1.0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::Evaluator(o).run());
    o.ensemble_decay.reset();

    o.execute_steps = 9;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::Evaluator(o).run());
    o.execute_steps = 0;
    o.checkpoint = dir / "missing";
    QVERIFY_THROWS_EXCEPTION(model::CheckpointError, eval::Evaluator(o).run());
  }

  void videosDecodeWithOneFramePerStep() {
    const fs::path dir = tmpDir("video");
    for (auto format : {eval::VideoFormat::kAviMjpeg, eval::VideoFormat::kMp4}) {
      auto o = baseOptions(eval::ActorKind::kExpert);
      o.tasks = {5};
      o.episodes_per_task = 2;
      o.video_episodes = 1;
      o.image_size = 64;
      o.video_dir = dir;
      o.video_format = format;
      const auto report = eval::Evaluator(o).run();
      const auto& first = report.tasks[0].outcomes[0];
      QVERIFY(!first.video_file.empty());
      QVERIFY(report.tasks[0].outcomes[1].video_file.empty());
      QCOMPARE(fs::path(first.video_file).extension().string(),
               std::string(eval::videoExtension(format)));
      QCOMPARE(countFrames(first.video_file), first.steps + 1);
      cv::VideoCapture cap(first.video_file);
      QCOMPARE(static_cast<int>(cap.get(cv::CAP_PROP_FRAME_WIDTH)), 128);  // two 64-pixel cameras
      QCOMPARE(static_cast<int>(cap.get(cv::CAP_PROP_FRAME_HEIGHT)), 64);
    }
  }

  void rejectsBadOptions() {
    auto o = baseOptions(eval::ActorKind::kExpert);
    o.tasks = {42};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::Evaluator(o).run());
    o = baseOptions(eval::ActorKind::kExpert);
    o.episodes_per_task = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::Evaluator(o).run());
    o = baseOptions(eval::ActorKind::kPolicy);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::Evaluator(o).run());  // no checkpoint
  }
};

QTEST_GUILESS_MAIN(TestEval)
#include "test_eval.moc"
