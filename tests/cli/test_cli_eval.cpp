// `thinkvla eval` and `thinkvla collect` run as a user runs them: the expert and an untrained tiny
// checkpoint produce well-formed JSON and Markdown (and a video on request); collect writes a file
// that core/episodes reads back; bad arguments, missing checkpoints, unknown suites and unwritable
// outputs give one clear line and exit code 1 or 2, never a crash. Needs an X server (xvfb-run).
#include <QtTest/QtTest>

#include "cli_runner.h"
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "core/episodes/episode_file.h"
#include "core/sim/tasks.h"

using thinkvla::test::Run;
using thinkvla::test::runCli;
using thinkvla::test::expectCleanError;

namespace fs = std::filesystem;
using namespace thinkvla;

namespace {

QString dir() { return thinkvla::test::scratchDir("cli_eval"); }

nlohmann::json readJson(const QString& file) {
  std::ifstream in(file.toStdString());
  return nlohmann::json::parse(in);
}

QString readText(const QString& file) {
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

}  // namespace

class TestCliEval : public QObject {
  Q_OBJECT
 private:
  QString checkpoint_;

 private Q_SLOTS:
  void initTestCase() {
    checkpoint_ = dir() + "/tiny";
    QDir(checkpoint_).removeRecursively();
    const Run r = runCli({"init", "--preset", "tiny", "--out", checkpoint_});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
  }

  void expertEvaluation() {
    const QString json = dir() + "/expert.json";
    const QString md = dir() + "/expert.md";
    QFile::remove(json);
    QFile::remove(md);
    const Run r =
        runCli({"eval", "--actor", "expert", "--suite", "goal", "--tasks", "0,5", "--episodes", "2",
                "--workers", "2", "--json", json, "--markdown", md, "--quiet"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    const auto j = readJson(json);
    QCOMPARE(j["actor"].get<std::string>(), std::string("expert"));
    QCOMPARE(j["suites"][0]["episodes"].get<int>(), 4);
    QVERIFY(j["suites"][0]["success_rate"].get<double>() >= 0.95);
    QCOMPARE(j["tasks"].size(), std::size_t{2});
    const QString table = readText(md);
    QVERIFY(table.contains("| Condition | Goal | Average |"));
    QVERIFY(table.contains("| none | 100.0 | 100.0 |"));
    QVERIFY(r.out.contains("| none | 100.0 | 100.0 |"));
  }

  void checkpointWithVideoAndPerturbations() {
    const QString json = dir() + "/policy.json";
    const QString videos = dir() + "/videos";
    QDir(videos).removeRecursively();
    const Run r =
        runCli({"eval", "--checkpoint",    checkpoint_, "--suite",      "spatial",    "--tasks",
                "0",    "--episodes",      "1",         "--perturb",    "all:1",      "--max-steps",
                "12",   "--execute-steps", "4",         "--image-size", "64",         "--video",
                videos, "--video-format",  "avi",       "--gripper",    "continuous", "--json",
                json});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    const auto j = readJson(json);
    QCOMPARE(j["actor"].get<std::string>(), std::string("policy"));
    QCOMPARE(j["execute_steps"].get<int>(), 4);
    QCOMPARE(j["gripper_output"].get<std::string>(), std::string("continuous"));
    QCOMPARE(j["conditions"].size(), std::size_t{7});
    QCOMPARE(j["tasks"].size(), std::size_t{7});
    QCOMPARE(j["tasks"][0]["outcomes"][0]["steps"].get<int>(), 12);
    QCOMPARE(j["tasks"][0]["outcomes"][0]["policy_calls"].get<int>(), 3);
    QVERIFY(r.out.contains("| camera:1 |"));
    QVERIFY(r.out.contains("| layout:1 |"));
    QCOMPARE(QDir(videos).entryList({"*.avi"}).size(), 7);
    // Progress lines go to stderr, one per episode.
    QCOMPARE(r.err.count("episode 0"), 7);
  }

  void evalErrors() {
    const QString json = dir() + "/bad.json";
    expectCleanError(runCli({"eval", "--checkpoint", dir() + "/nope", "--json", json}), "nope");
    expectCleanError(runCli({"eval", "--actor", "expert", "--suite", "kitchen", "--json", json}),
                     "unknown suite 'kitchen'");
    expectCleanError(runCli({"eval", "--actor", "expert", "--json", "/proc/none/x.json"}),
                     "/proc/none");
    expectCleanError(runCli({"eval", "--actor", "expert", "--perturb", "camera:8", "--json", json}),
                     "camera:8");
    expectCleanError(runCli({"eval", "--actor", "expert", "--episodes", "zero", "--json", json}),
                     "--episodes");
    expectCleanError(
        runCli({"eval", "--actor", "expert", "--suite", "goal", "--tasks", "40", "--json", json}),
        "task 40");
    expectCleanError(runCli({"eval", "--actor", "expert"}), "--json");
    expectCleanError(
        runCli({"eval", "--checkpoint", checkpoint_, "--execute-steps", "99", "--json", json}),
        "chunk size");
    expectCleanError(
        runCli({"eval", "--checkpoint", checkpoint_, "--ensemble", "-1", "--json", json}), "decay");
    expectCleanError(
        runCli({"eval", "--checkpoint", checkpoint_, "--ensemble", "much", "--json", json}),
        "--ensemble");
    expectCleanError(runCli({"eval", "--actor", "expert", "--ensemble", "0.1", "--json", json}),
                     "--ensemble needs --actor policy");
    expectCleanError(
        runCli({"eval", "--checkpoint", checkpoint_, "--gripper", "half", "--json", json}),
        "unknown --gripper 'half' (binary, continuous)");
    expectCleanError(runCli({"eval", "--actor", "expert", "--gripper", "binary", "--json", json}),
                     "--gripper needs --actor policy");
    // A directory that is not a checkpoint: the loader's error, naming the file.
    const QString broken = dir() + "/broken";
    QDir().mkpath(broken);
    expectCleanError(runCli({"eval", "--checkpoint", broken, "--json", json}), "config.json");
    QVERIFY(!QFile::exists(json));
  }

  void collectReadsBack() {
    const QString out = dir() + "/demos.hdf5";
    const Run r = runCli({"collect", "--suite", "goal", "--tasks", "0,5", "--episodes", "1",
                          "--image-size", "64", "--qa", "3", "--qa-2d", "2", "--seed", "7",
                          "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.contains("2 demos"));
    core::EpisodeReader reader(out.toStdString());
    const auto summaries = reader.summaries();
    QCOMPARE(summaries.size(), std::size_t{2});
    QCOMPARE(summaries[0].annotations.instruction,
             core::sim::task(core::sim::Suite::kGoal, 0).instruction);
    QCOMPARE(summaries[1].annotations.instruction,
             core::sim::task(core::sim::Suite::kGoal, 5).instruction);
    for (const auto& s : summaries) {
      QVERIFY(s.annotations.success);
      QVERIFY(!s.annotations.qa_pairs.empty());
      QVERIFY(s.annotations.qa_pairs.size() <= 3 + 2);  // spatial and 2D
      QCOMPARE(s.annotations.teacher_prompts.size(), std::size_t{1});
      QVERIFY(s.num_samples > 10);
    }
    QVERIFY(reader.datasetShape("demo_0", "obs/agentview_depth").size() == 4);
  }

  void collectErrors() {
    const QString out = dir() + "/bad.hdf5";
    expectCleanError(runCli({"collect", "--suite", "kitchen", "--out", out}),
                     "unknown suite 'kitchen'");
    expectCleanError(runCli({"collect", "--out", out}), "--suite");
    expectCleanError(runCli({"collect", "--suite", "goal"}), "--out");
    expectCleanError(runCli({"collect", "--suite", "goal", "--tasks", "0,x", "--out", out}), "'x'");
    expectCleanError(runCli({"collect", "--suite", "goal", "--tasks", "30", "--out", out}),
                     "task 30");
    expectCleanError(runCli({"collect", "--suite", "goal", "--out", "/proc/none/x.hdf5"}),
                     "/proc/none");
    expectCleanError(runCli({"collect", "--suite", "goal", "--perturb", "light:6", "--out", out}),
                     "light:6");
    expectCleanError(runCli({"collect", "--suite", "goal", "--action-noise", "1.5", "--out", out}),
                     "--action-noise must be in [0, 1]");
    expectCleanError(runCli({"collect", "--suite", "goal", "--action-noise", "lots", "--out", out}),
                     "'lots'");
    QVERIFY(!QFile::exists(out));
  }
};

QTEST_GUILESS_MAIN(TestCliEval)
#include "test_cli_eval.moc"
