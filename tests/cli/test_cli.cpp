// The `thinkvla` executable as a user runs it: help, version, doctor, and clear usage errors; the
// option parser and the option checks the subcommands share (cli/args.h, cli/cli_options.h).
#include <QtTest/QtTest>

#include "cli_runner.h"

#include <QTemporaryDir>

#include "cli/args.h"
#include "cli/cli_options.h"

using thinkvla::test::Run;
using thinkvla::test::runCli;

class TestCli : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void helpAndVersion() {
    const auto help = runCli({"--help"});
    QCOMPARE(help.code, 0);
    QVERIFY(help.out.contains("doctor"));
    const auto version = runCli({"--version"});
    QCOMPARE(version.code, 0);
    QVERIFY(version.out.startsWith("thinkvla 0."));
  }

  void unknownCommandAndOptionAreUsageErrors() {
    const auto cmd = runCli({"frobnicate"});
    QCOMPARE(cmd.code, 2);
    QVERIFY(cmd.err.contains("unknown command 'frobnicate'"));
    const auto opt = runCli({"doctor", "--bogus"});
    QCOMPARE(opt.code, 2);
    QVERIFY(opt.err.contains("--bogus"));
    const auto bad = runCli({"doctor", "--threads", "many"});
    QCOMPARE(bad.code, 2);
    QVERIFY(bad.err.contains("expects an integer"));
  }

  void doctorReportsTheStack() {
    const auto r = runCli({"doctor", "--threads", "2", "--matmul-size", "256"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    for (const char* what : {"LibTorch", "MuJoCo", "HDF5", "VTK", "Dear ImGui", "BLAS", "GFLOP/s",
                             "torch threads", "OpenGL"}) {
      QVERIFY2(r.out.contains(what), what);
    }
    QVERIFY(r.out.contains("2 (from --threads)"));
    QVERIFY(r.out.contains("everything needed is here"));
    QVERIFY(r.out.contains("processor"));

    // The kernel set is LibTorch's live choice for this processor: forcing the portable one
    // shows in the report.
    qputenv("ATEN_CPU_CAPABILITY", "default");
    const auto portable = runCli({"doctor", "--threads", "1", "--matmul-size", "64"});
    qunsetenv("ATEN_CPU_CAPABILITY");
    QVERIFY2(portable.out.contains("ATen NO AVX"), qPrintable(portable.out));
    // A core named in OPENBLAS_CORETYPE is the user's and stays (fitBlasKernels replaces only
    // OpenBLAS's own choice).
    qputenv("OPENBLAS_CORETYPE", "Prescott");
    const auto forced = runCli({"doctor", "--threads", "1", "--matmul-size", "64"});
    qunsetenv("OPENBLAS_CORETYPE");
    if (forced.out.contains("OpenBLAS")) {
      QVERIFY2(forced.out.contains("OpenBLAS Prescott"), qPrintable(forced.out));
      QVERIFY(!forced.out.contains("OpenBLAS chose"));
    }
#if defined(__GLIBC__)
    // glibc's malloc keeps what a training step frees, unless the environment set malloc up.
    QVERIFY2(r.out.contains("freed memory stays in the heap"), qPrintable(r.out));
    qputenv("MALLOC_TOP_PAD_", "131072");
    const auto users = runCli({"doctor", "--threads", "1", "--matmul-size", "64"});
    qunsetenv("MALLOC_TOP_PAD_");
    QVERIFY2(users.out.contains("left to the C library and the environment"),
             qPrintable(users.out));
    QVERIFY(!users.out.contains("freed memory stays in the heap"));
#endif
  }

  void argsParser() {
    thinkvla::cli::Args args("x", "test");
    args.option("n", thinkvla::cli::Args::Kind::kValue, "count", "3")
        .option("flag", thinkvla::cli::Args::Kind::kFlag, "a flag");
    args.parse({"--n=5", "--flag", "file"});
    QCOMPARE(args.intValue("n"), 5);
    QVERIFY(args.has("flag"));
    QCOMPARE(args.positional().size(), std::size_t{1});
    thinkvla::cli::Args missing("x", "test");
    missing.option("n", thinkvla::cli::Args::Kind::kValue, "count");
    QVERIFY_THROWS_EXCEPTION(thinkvla::cli::UsageError, missing.parse({"--n"}));
  }

  void optionsOnlyAndRanges() {
    using thinkvla::cli::Args;
    using thinkvla::cli::UsageError;
    const auto make = [] {
      Args a("x", "test");
      a.option("n", Args::Kind::kValue, "count", "3");
      return a;
    };
    Args ok = make();
    QVERIFY(ok.parseOptions({"--n", "7"}));
    QCOMPARE(ok.intAtLeast("n", 0), 7);
    QCOMPARE(ok.intInRange("n", 1, 7), 7);
    QVERIFY_THROWS_EXCEPTION(UsageError, ok.intAtLeast("n", 8));
    QVERIFY_THROWS_EXCEPTION(UsageError, ok.intInRange("n", 1, 6));
    Args help = make();
    QVERIFY(!help.parseOptions({"--help"}));  // prints the usage; the command returns 0
    Args stray = make();
    try {
      stray.parseOptions({"--n", "1", "extra"});
      QFAIL("a positional argument was accepted");
    } catch (const UsageError& e) {
      QVERIFY(std::string(e.what()).find("'extra'") != std::string::npos);
    }
  }

  void sharedOptionChecks() {
    using thinkvla::cli::UsageError;
    const std::vector<int> tasks = thinkvla::cli::parseIndexList("0,3,5", "tasks");
    QCOMPARE(tasks, (std::vector<int>{0, 3, 5}));
    for (const char* bad : {"0,x", "-1", "", "2.5"}) {
      QVERIFY_THROWS_EXCEPTION(UsageError, thinkvla::cli::parseIndexList(bad, "tasks"));
    }
    QTemporaryDir dir;
    const std::string file = dir.filePath("out.json").toStdString();
    thinkvla::cli::checkWritable(file, "json");
    QVERIFY(!QFile::exists(QString::fromStdString(file)));  // checked, not left behind
    QVERIFY_THROWS_EXCEPTION(UsageError, thinkvla::cli::checkWritable("/proc/none/x.json", "json"));
    QVERIFY_THROWS_EXCEPTION(UsageError,
                             thinkvla::cli::checkWritable(dir.path().toStdString(), "json"));
    const std::string maps = dir.filePath("a/b").toStdString();
    QCOMPARE(thinkvla::cli::ensureDirectory(maps, "maps").string(), maps);
    QVERIFY(QFileInfo(QString::fromStdString(maps)).isDir());
    QVERIFY_THROWS_EXCEPTION(UsageError, thinkvla::cli::ensureDirectory("/proc/none/d", "maps"));
    QVERIFY_THROWS_EXCEPTION(UsageError,
                             thinkvla::cli::checkCheckpointDirectory(dir.filePath("nope").toStdString()));
    thinkvla::cli::writeTextFile(file, "{}\n");
    QFile written(QString::fromStdString(file));
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(written.readAll(), QByteArray("{}\n"));
    thinkvla::cli::Args args("x", "test");
    args.option("perturb", thinkvla::cli::Args::Kind::kValue, "spec", "none");
    args.parse({"--perturb", "light:6"});
    try {
      thinkvla::cli::perturbationOption(args, "perturb");
      QFAIL("light:6 was accepted");
    } catch (const UsageError& e) {
      QVERIFY2(std::string(e.what()).find("--perturb") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
