// The log dock's view: lines from spdlog arrive through the sink from any thread, in order, and a
// sink that outlives its view drops lines instead of crashing.
#include <QtTest/QtTest>
#include <spdlog/spdlog.h>

#include <thread>

#include "widgets/log_view.h"

class TestLogView : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void linesArriveFromOtherThreads() {
    thinkvla::widgets::LogView view(nullptr);
    auto logger = std::make_shared<spdlog::logger>("test", view.sink());
    logger->set_pattern("[%l] %v");
    std::thread worker([&] {
      for (int i = 0; i < 20; ++i) logger->warn("worker line {}", i);
    });
    worker.join();
    logger->info("gui line");
    QTRY_COMPARE(view.lineCount(), 21);
    const QString text = view.toPlainText();
    QVERIFY(text.startsWith("[warning] worker line 0"));
    QVERIFY(text.contains("worker line 19"));
    QVERIFY(text.endsWith("[info] gui line"));
  }

  void sinkOutlivesTheView() {
    std::shared_ptr<thinkvla::widgets::LogSink> sink;
    {
      auto* view = new thinkvla::widgets::LogView(nullptr);
      sink = view->sink();
      delete view;
    }
    auto logger = std::make_shared<spdlog::logger>("orphan", sink);
    logger->error("nobody listens");  // must neither crash nor post to a dead object
    QCoreApplication::processEvents();
    QVERIFY(sink.use_count() >= 1);
  }
};

QTEST_MAIN(TestLogView)
#include "test_log_view.moc"
