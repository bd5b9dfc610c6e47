// The `thinkvla` executable as a user runs it: help, version, doctor, and clear usage errors.
#include <QtTest/QtTest>

#include "cli_runner.h"

#include "cli/args.h"

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
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
