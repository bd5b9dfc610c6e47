// LogView: the log dock's contents, lines coloured by level, capped in length. LogSink: an spdlog
// sink that hands formatted lines to a LogView from any thread (queued to the GUI thread).
//
// Ownership: the sink is shared with spdlog (std::shared_ptr); the view is a widget owned by its
// parent. The view detaches the sink when it is destroyed, so a sink that outlives the view drops
// lines instead of touching a dead widget. LogView: GUI thread only. LogSink: any thread.
#pragma once

#include <QPlainTextEdit>
#include <QPointer>
#include <memory>
#include <mutex>
#include <spdlog/sinks/base_sink.h>

namespace thinkvla::widgets {

class LogSink;

class LogView : public QPlainTextEdit {
  Q_OBJECT

 public:
  explicit LogView(QWidget* parent);
  ~LogView() override;

  // The sink to register with the logger (core::addLogSink). Made on first call.
  std::shared_ptr<LogSink> sink();
  int lineCount() const { return document()->blockCount(); }

 public Q_SLOTS:
  // level: spdlog's level number (0 trace ... 5 critical).
  void appendLine(int level, const QString& text);

 private:
  std::shared_ptr<LogSink> sink_;
};

class LogSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit LogSink(LogView* view) : view_(view) {}
  void detach();

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  LogView* view_;  // guarded by base_sink's mutex; null once the view is gone
};

}  // namespace thinkvla::widgets
