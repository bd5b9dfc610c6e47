// Runs the built `thinkvla` executable (THINKVLA_CLI) as a user would, for the command-line tests.
#pragma once

#include <QDir>
#include <QProcess>
#include <QtTest/QtTest>
#include <QString>
#include <QStringList>

namespace thinkvla::test {

struct Run {
  int code = -1;
  QProcess::ExitStatus status = QProcess::CrashExit;
  QString out;
  QString err;
};

inline Run runCli(const QStringList& args, int timeout_ms = 120000) {
  QProcess p;
  p.start(qEnvironmentVariable("THINKVLA_CLI"), args);
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
    return {-1, QProcess::CrashExit, {}, "timed out"};
  }
  return {p.exitCode(), p.exitStatus(), QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

// A scratch folder for one test program under the build's test directory.
inline QString scratchDir(const QString& name) {
  const QString d = qEnvironmentVariable("THINKVLA_TEST_TMP", QDir::tempPath()) + "/" + name;
  QDir().mkpath(d);
  return d;
}

// A one-line error on stderr naming `needle`, exit code 1 or 2, no crash.
inline void expectCleanError(const Run& r, const QString& needle) {
  QVERIFY2(r.status == QProcess::NormalExit, qPrintable(r.err));
  QVERIFY2(r.code == 1 || r.code == 2, qPrintable(QString::number(r.code) + r.err));
  const QStringList lines = r.err.trimmed().split('\n');
  QVERIFY2(lines.size() == 1, qPrintable(r.err));
  QVERIFY2(r.err.contains(needle), qPrintable(r.err));
}

}  // namespace thinkvla::test
