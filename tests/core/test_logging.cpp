// The project's logger: a rotating file in the chosen directory, extra sinks, levels.
#include <QtTest/QtTest>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "core/logging.h"

class TestLogging : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void writesToARotatingFileAndExtraSinks() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    thinkvla::core::LogOptions options;
    options.app_name = "unit";
    options.directory = dir.path().toStdString() + "/logs";
    options.to_stderr = false;
    const auto file = thinkvla::core::initLogging(options);
    QCOMPARE(QString::fromStdString(file.string()), dir.path() + "/logs/unit.log");

    std::ostringstream captured;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
    thinkvla::core::addLogSink(sink);
    spdlog::info("hello {}", 42);
    spdlog::debug("below the level");
    spdlog::default_logger()->flush();
    thinkvla::core::removeLogSink(sink);
    spdlog::info("after removal");
    spdlog::default_logger()->flush();

    QVERIFY(captured.str().find("hello 42") != std::string::npos);
    QVERIFY(captured.str().find("[info]") != std::string::npos);
    QVERIFY(captured.str().find("below the level") == std::string::npos);
    QVERIFY(captured.str().find("after removal") == std::string::npos);

    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QVERIFY(text.find("hello 42") != std::string::npos);
    QVERIFY(text.find("after removal") != std::string::npos);
  }

  void unwritableDirectoryFallsBackToStderr() {
    thinkvla::core::LogOptions options;
    options.directory = "/proc/this/cannot/exist";
    options.to_stderr = false;
    const auto file = thinkvla::core::initLogging(options);
    QVERIFY(file.empty());
    spdlog::info("still logging");  // must not throw
  }

  void dataDirFollowsXdg() {
    qputenv("XDG_DATA_HOME", "/some/where");
    QCOMPARE(QString::fromStdString(thinkvla::core::userDataDir().string()),
             QString("/some/where/thinkvla-studio"));
    qunsetenv("XDG_DATA_HOME");
    QVERIFY(thinkvla::core::userDataDir().string().find(".local/share/thinkvla-studio") !=
            std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestLogging)
#include "test_logging.moc"
