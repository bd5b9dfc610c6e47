// Runs the built `thinkvla` executable (THINKVLA_CLI) as a user would, for the command-line tests.
#pragma once

#include <QProcess>
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

}  // namespace thinkvla::test
