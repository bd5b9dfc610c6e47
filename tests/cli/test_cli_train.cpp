// `thinkvla train` as a user runs it, on an episode file this test writes with the core API: a few
// steps of tiny training lower the loss and write a loadable checkpoint; --resume continues where
// it stopped; a killed run leaves its last checkpoint loadable and resumable; --nproc 2 trains with
// two local ranks and stops cleanly on SIGTERM; a config asking for per-task statistics writes them
// and `info` says so; bad arguments give one clear line and exit code 2.
#include <QtTest/QtTest>

#include "cli_runner.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "core/episode_test_data.h"
#include "core/episodes/episode_file.h"
#include "model/checkpoint.h"

using thinkvla::test::Run;
using thinkvla::test::runCli;

namespace fs = std::filesystem;
using namespace thinkvla;

namespace {

QString dir() { return thinkvla::test::scratchDir("cli_train"); }

std::vector<nlohmann::json> metrics(const QString& out) {
  std::ifstream in(out.toStdString() + "/metrics.jsonl");
  std::vector<nlohmann::json> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

std::int64_t checkpointStep(const QString& out) {
  std::ifstream in(out.toStdString() + "/checkpoint/trainer_state.json");
  if (!in) return -1;
  try {
    return nlohmann::json::parse(in).at("step").get<std::int64_t>();
  } catch (const std::exception&) {
    return -1;
  }
}

void expectUsageError(const Run& r, const QString& needle) {
  QVERIFY2(r.status == QProcess::NormalExit, qPrintable(r.err));
  QVERIFY2(r.code == 2, qPrintable(QString::number(r.code) + " " + r.err));
  QVERIFY2(r.err.trimmed().split('\n').size() == 1, qPrintable(r.err));
  QVERIFY2(r.err.contains(needle), qPrintable(r.err));
}

}  // namespace

class TestCliTrain : public QObject {
  Q_OBJECT
 private:
  QString file_;
  QStringList common(const QString& out) {
    return {"train", "--data", file_, "--out", out, "--batch", "4", "--threads", "1",
            "--qa-ratio", "0.25"};
  }

 private Q_SLOTS:
  void initTestCase() {
    file_ = dir() + "/episodes.hdf5";
    core::DatasetInfo info;
    info.env_name = "thinkvla_tabletop";
    info.problem_info_json = R"({"language_instruction": "open the drawer"})";
    core::createEpisodeFile(file_.toStdString(), info, core::CreateMode::kReplace);
    for (int e = 0; e < 3; ++e) {
      core::Episode ep = testdata::makeEpisode(e, 8, 32, true);
      ep.annotations.qa_pairs = {{"distance", "how far is the bowl from the plate?", "0.23 m"},
                                 {"location", "where is the mug?", "x 0.10 y 0.30 z 0.05 m"}};
      core::appendEpisode(file_.toStdString(), ep);
    }
  }

  void trainingLowersTheLossAndWritesACheckpoint() {
    const QString out = dir() + "/run";
    QDir(out).removeRecursively();
    const Run r = runCli(common(out) << "--preset" << "tiny" << "--steps" << "30"
                                     << "--checkpoint-every" << "10");
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains("30/30"), qPrintable(r.err));
    QVERIFY(r.err.contains("samples/s"));
    QVERIFY(r.err.contains("ETA"));
    QVERIFY(r.err.contains("1 LibTorch thread(s)"));
    QVERIFY(r.out.contains("trained 30 steps"));
    const auto m = metrics(out);
    QCOMPARE(static_cast<int>(m.size()), 30);
    auto meanAction = [&](int from, int to) {
      double s = 0;
      int n = 0;
      for (int i = from; i < to; ++i) {
        const auto& v = m[static_cast<std::size_t>(i)]["losses"]["action"];
        if (v.is_number()) {
          s += v.get<double>();
          ++n;
        }
      }
      return s / std::max(n, 1);
    };
    const double first = meanAction(0, 6), last = meanAction(24, 30);
    qInfo("action L1 %.4f -> %.4f", first, last);
    QVERIFY(last < first);
    QCOMPARE(checkpointStep(out), std::int64_t{30});
    const auto ckpt = model::loadCheckpoint((out + "/checkpoint").toStdString());
    QCOMPARE(ckpt.config.preset, std::string("tiny"));
    QVERIFY(fs::exists((out + "/train_config.json").toStdString()));

    // --resume continues from step 30 to 36, with the run's saved settings.
    const Run again = runCli({"train", "--data", file_, "--out", out, "--resume", "--steps", "36",
                              "--threads", "1"});
    QVERIFY2(again.code == 0, qPrintable(again.out + again.err));
    QVERIFY2(again.err.contains("step 30 of 36"), qPrintable(again.err));
    QCOMPARE(checkpointStep(out), std::int64_t{36});
    QCOMPARE(static_cast<int>(metrics(out).size()), 36);
  }

  void aKilledRunLeavesALoadableCheckpoint() {
    const QString out = dir() + "/killed";
    QDir(out).removeRecursively();
    QProcess p;
    p.start(qEnvironmentVariable("THINKVLA_CLI"),
            common(out) << "--preset" << "tiny" << "--steps" << "100000" << "--checkpoint-every" << "2");
    QVERIFY(p.waitForStarted());
    QElapsedTimer t;
    t.start();
    while (checkpointStep(out) < 4 && t.elapsed() < 60000) QTest::qWait(20);
    p.kill();  // SIGKILL: no chance to clean up
    QVERIFY(p.waitForFinished(10000));
    const auto step = checkpointStep(out);
    QVERIFY2(step >= 4, qPrintable(QString::number(step)));
    const auto ckpt = model::loadCheckpoint((out + "/checkpoint").toStdString());
    QVERIFY(ckpt.net);
    const Run again = runCli(common(out) << "--resume" << "--steps" << QString::number(step + 2));
    QVERIFY2(again.code == 0, qPrintable(again.out + again.err));
    QVERIFY2(again.err.contains(QString("step %1 of").arg(step)), qPrintable(again.err));
    QCOMPARE(checkpointStep(out), step + 2);
  }

  void twoLocalRanks() {
    const QString out = dir() + "/ddp";
    QDir(out).removeRecursively();
    const Run r = runCli({"train", "--data", file_, "--out", out, "--preset", "tiny", "--steps", "4",
                          "--batch", "2", "--nproc", "2", "--threads", "2"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains("starting 2 local ranks"), qPrintable(r.err));
    // Both ranks write to the same stderr; each one's line arrives whole, never cut by the other's.
    for (const char* rank : {"0", "1"}) {
      const QString line("thinkvla train: preset tiny, \\d+ parameters, step 0 of 4, rank %1 of 2, "
                         "1 LibTorch thread\\(s\\)\n");
      const QRegularExpression whole(line.arg(rank));
      QVERIFY2(r.err.contains(whole), qPrintable(r.err));
    }
    QCOMPARE(checkpointStep(out), std::int64_t{4});
    QVERIFY(model::loadCheckpoint((out + "/checkpoint").toStdString()).net);
  }

  // SIGTERM to a --nproc 2 launcher (what a batch system sends) is a requested stop, not a
  // failure: the ranks finish their step, rank 0 names its last checkpoint once, exit code 130.
  void twoLocalRanksStopOnSigterm() {
    const QString out = dir() + "/ddp_stop";
    QDir(out).removeRecursively();
    QProcess p;
    p.start(qEnvironmentVariable("THINKVLA_CLI"),
            {"train", "--data", file_, "--out", out, "--preset", "tiny", "--steps", "100000",
             "--batch", "2", "--nproc", "2", "--threads", "2", "--checkpoint-every", "2"});
    QVERIFY(p.waitForStarted());
    QElapsedTimer t;
    t.start();
    while (checkpointStep(out) < 2 && t.elapsed() < 60000) QTest::qWait(20);
    QVERIFY2(checkpointStep(out) >= 2, "no checkpoint within a minute");
    p.terminate();
    QVERIFY(p.waitForFinished(60000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 130, qPrintable(QString::number(p.exitCode()) + " " + err));
    QVERIFY2(!err.contains("failed"), qPrintable(err));
    QVERIFY2(!err.contains("step -1"), qPrintable(err));
    QCOMPARE(err.count("the last checkpoint is step"), 1);
    const auto step = checkpointStep(out);
    QVERIFY2(err.contains(QString("the last checkpoint is step %1 ").arg(step)), qPrintable(err));
    QVERIFY(model::loadCheckpoint((out + "/checkpoint").toStdString()).net);
  }

  void perTaskStatisticsFromTheConfig() {
    const QString out = dir() + "/per_task";
    QDir(out).removeRecursively();
    const QString config = dir() + "/per_task.json";
    std::ofstream(config.toStdString()) << R"({"norm_stats": "data_per_task"})";
    const Run r = runCli(common(out) << "--preset"
                                     << "tiny"
                                     << "--steps"
                                     << "2"
                                     << "--config" << config);
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    const auto ckpt = model::loadCheckpoint((out + "/checkpoint").toStdString());
    QCOMPARE(ckpt.task_norm_stats.size(), size_t(3));  // one instruction per episode here
    QVERIFY(ckpt.task_norm_stats.count("put the bowl on the plate (episode 1)") == 1);
    const Run info = runCli({"info", out + "/checkpoint"});
    QVERIFY2(info.code == 0, qPrintable(info.err));
    QVERIFY2(info.out.contains("statistics  pooled, and per task for 3 instructions"),
             qPrintable(info.out));
  }

  void fineTuningAddsTheProgressInput() {
    // The first test's run, fine-tuned with the subtask progress input added.
    const QString from = dir() + "/run/checkpoint";
    QVERIFY(fs::exists((from + "/config.json").toStdString()));
    const QString out = dir() + "/progress";
    QDir(out).removeRecursively();
    const Run r = runCli(common(out) << "--init-from" << from << "--progress-levels" << "3"
                                     << "--steps" << "3");
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    const auto before = model::loadCheckpoint(from.toStdString());
    const auto after = model::loadCheckpoint((out + "/checkpoint").toStdString());
    QCOMPARE(before.config.progress_levels, 0);
    QCOMPARE(after.config.progress_levels, 3);
    QVERIFY(after.net->named_parameters().contains("progress_embed.weight"));
    expectUsageError(runCli(common(dir() + "/bad_progress") << "--init-from" << from
                                                             << "--progress-levels" << "-2"),
                     "progress_levels");
  }

  void badArgumentsAreClearErrors() {
    const QString out = dir() + "/bad";
    expectUsageError(runCli({"train", "--data", file_}), "--out DIR is required");
    expectUsageError(runCli({"train", "--out", out}), "--data");
    expectUsageError(runCli({"train", "--data", dir() + "/missing.hdf5", "--out", out}),
                     "no such file");
    expectUsageError(runCli({"train", "--data", file_, "--out", out, "--preset", "tiny",
                             "--init-from", out}),
                     "exclude each other");
    expectUsageError(runCli({"train", "--data", file_, "--out", out, "--steps", "0"}), "steps");
    expectUsageError(runCli({"train", "--data", file_, "--out", out, "--nproc", "0"}), "--nproc");
    expectUsageError(runCli({"train", "--data", file_, "--out", out, "--rank", "0"}),
                     "go together");
    expectUsageError(runCli({"train", "--data", file_, "--out", out, "--rank", "0", "--world-size",
                             "2", "--master", "localhost"}),
                     "ADDR:PORT");
    expectUsageError(runCli({"train", "--data", file_, "--out", out, "--preset", "huge"}),
                     "--preset");
    const QString config = dir() + "/bad_train.json";
    {
      std::ofstream f(config.toStdString());
      f << R"({"steps": 10, "warmup": 3})";
    }
    expectUsageError(runCli({"train", "--data", file_, "--out", out, "--config", config}), "warmup");
  }
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "test_cli_train.moc"
