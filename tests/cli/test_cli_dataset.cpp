// `thinkvla dataset info|validate|stats|export-video` run as a user runs them, on a file this test
// writes with the core API; bad input (missing, not HDF5, truncated) gives one clear line and exit
// code 1 or 2, never a crash.
#include <QtTest/QtTest>

#include "cli_runner.h"

#include <filesystem>
#include <fstream>

#include "core/episode_test_data.h"
#include "core/episodes/episode_file.h"
#include "model/data/action_normalization.h"

using thinkvla::test::Run;
using thinkvla::test::runCli;
using thinkvla::test::expectCleanError;

namespace fs = std::filesystem;
using namespace thinkvla;

namespace {

QString dir() { return thinkvla::test::scratchDir("cli_dataset"); }

}  // namespace

class TestCliDataset : public QObject {
  Q_OBJECT
 private:
  QString good_;

 private Q_SLOTS:
  void initTestCase() {
    good_ = dir() + "/good.hdf5";
    core::DatasetInfo info;
    info.env_name = "thinkvla_tabletop";
    info.problem_info_json = R"({"language_instruction": "open the drawer"})";
    core::createEpisodeFile(good_.toStdString(), info, core::CreateMode::kReplace);
    core::Episode a = testdata::makeEpisode(0, 7, 32, true);
    a.annotations.qa_pairs = {{"distance", "how far is the bowl from the plate?", "0.23 m"}};
    core::appendEpisode(good_.toStdString(), a);
    core::Episode b = testdata::makeEpisode(1, 5, 32, false);
    b.annotations.success = false;
    core::appendEpisode(good_.toStdString(), b);
  }

  void infoListsEpisodes() {
    const Run r = runCli({"dataset", "info", good_});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.contains("thinkvla_tabletop"));
    QVERIFY(r.out.contains("episodes      2 (1 successful, 0 recovered)"));
    QVERIFY(r.out.contains("steps         12"));
    QVERIFY(r.out.contains("open the drawer"));
    QVERIFY(r.out.contains("put the bowl on the plate (episode 0)"));
    QVERIFY(r.out.contains("demo_1"));
    QVERIFY(r.out.contains("1 QA"));
  }

  void validateAndStats() {
    const Run v = runCli({"dataset", "validate", good_});
    QVERIFY2(v.code == 0, qPrintable(v.out + v.err));
    QVERIFY(v.out.contains("valid (2 episodes, 12 steps)"));

    const QString norm = dir() + "/norm_stats.json";
    QFile::remove(norm);
    const Run s = runCli({"dataset", "stats", good_, "--norm-stats", norm});
    QVERIFY2(s.code == 0, qPrintable(s.out + s.err));
    QVERIFY(s.out.contains("12 steps in 2 episodes"));
    QVERIFY(s.out.contains("gripper"));
    QVERIFY(s.out.contains("q99"));
    const model::NormStats stats = model::data::loadNormStats(norm.toStdString());
    QCOMPARE(stats.action_q01[6], -1.0f);
    QCOMPARE(stats.action_q99[6], 1.0f);
  }

  void validateReportsProblems() {
    const QString file = dir() + "/bad_dones.hdf5";
    core::createEpisodeFile(file.toStdString(), {}, core::CreateMode::kReplace);
    core::Episode e = testdata::makeEpisode(0, 4, 16, false);
    e.dones.back() = 0;  // LIBERO marks the last step done
    core::appendEpisode(file.toStdString(), e);
    const Run r = runCli({"dataset", "validate", file});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.out.contains("1 problem"), qPrintable(r.out));
    QVERIFY(r.out.contains("dones is not 1 at the last step"));
  }

  void exportVideo() {
    const QString out = dir() + "/demo_0.mp4";
    QFile::remove(out);
    const Run r = runCli({"dataset", "export-video", good_, "--episode", "0", "--out", out});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.contains("7 frames"));
    QVERIFY(QFileInfo(out).size() > 0);
    const Run missing = runCli({"dataset", "export-video", good_, "--episode", "9", "--out", out});
    expectCleanError(missing, "data/demo_9");
    QCOMPARE(missing.code, 1);
  }

  void badInputGivesOneClearLine() {
    const QString missing = dir() + "/missing.hdf5";
    const QString text = dir() + "/not_hdf5.hdf5";
    { std::ofstream(text.toStdString()) << "this is not an HDF5 file\n"; }
    const QString truncated = dir() + "/truncated.hdf5";
    QFile::remove(truncated);
    QVERIFY(QFile::copy(good_, truncated));
    fs::resize_file(truncated.toStdString(), fs::file_size(good_.toStdString()) / 3);
    // Each process loads LibTorch (about a second): every bad file through validate, the
    // truncated one through the other subcommands.
    const std::pair<QString, const char*> cases[] = {{missing, "no such file"},
                                                     {text, "not a readable HDF5 file"},
                                                     {truncated, "truncated file"}};
    for (const auto& [file, what] : cases) {
      const Run r = runCli({"dataset", "validate", file});
      expectCleanError(r, QFileInfo(file).fileName());
      QVERIFY2(r.err.contains(what), qPrintable(r.err));
      QCOMPARE(r.code, 1);
    }
    for (const char* sub : {"info", "stats"}) {
      const Run r = runCli({"dataset", sub, truncated});
      expectCleanError(r, "truncated.hdf5");
      QCOMPARE(r.code, 1);
    }
    const Run video =
        runCli({"dataset", "export-video", truncated, "--episode", "0", "--out", dir() + "/t.mp4"});
    expectCleanError(video, "truncated.hdf5");
    QVERIFY2(video.err.contains("truncated file"), qPrintable(video.err));
    // Several files: the good one is still reported, the exit code says one failed.
    const Run mixed = runCli({"dataset", "info", missing, good_});
    QCOMPARE(mixed.code, 1);
    QVERIFY(mixed.out.contains("steps         12"));
  }

  void usageErrors() {
    expectCleanError(runCli({"dataset", "frobnicate", good_}), "unknown subcommand 'frobnicate'");
    QCOMPARE(runCli({"dataset", "info"}).code, 2);
    const Run no_out = runCli({"dataset", "export-video", good_, "--episode", "0"});
    QCOMPARE(no_out.code, 2);
    QVERIFY(no_out.err.contains("--out"));
    QCOMPARE(runCli({"dataset", "export-video", good_, "--episode", "0", "--out", "x.mp4",
                     "--camera", "top"})
                 .code,
             2);
    QCOMPARE(runCli({"dataset"}).code, 2);
    const Run help = runCli({"dataset", "--help"});
    QCOMPARE(help.code, 0);
    QVERIFY(help.out.contains("export-video"));
  }
};

QTEST_GUILESS_MAIN(TestCliDataset)
#include "test_cli_dataset.moc"
