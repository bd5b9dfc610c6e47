#include "widgets/log_view.h"

#include <QFontDatabase>
#include <QMetaObject>

namespace thinkvla::widgets {

LogView::LogView(QWidget* parent) : QPlainTextEdit(parent) {
  setObjectName("logView");
  setReadOnly(true);
  setMaximumBlockCount(5000);
  setLineWrapMode(QPlainTextEdit::NoWrap);
  setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  // A dark console whatever the desktop theme, so the level colours stay readable.
  setStyleSheet("QPlainTextEdit { background: #15181d; color: #d0d4da; }");
}

LogView::~LogView() {
  if (sink_) sink_->detach();
}

std::shared_ptr<LogSink> LogView::sink() {
  if (!sink_) sink_ = std::make_shared<LogSink>(this);
  return sink_;
}

void LogView::appendLine(int level, const QString& text) {
  static const char* kColours[] = {"#8a8f98", "#8a8f98", "#d0d4da", "#e8b339", "#ef5350", "#ff1744"};
  const char* colour = kColours[std::clamp(level, 0, 5)];
  appendHtml(QString("<span style=\"color:%1; white-space:pre\">%2</span>")
                 .arg(colour, text.toHtmlEscaped()));
}

void LogSink::detach() {
  std::lock_guard<std::mutex> lock(mutex_);
  view_ = nullptr;
}

void LogSink::sink_it_(const spdlog::details::log_msg& msg) {
  if (view_ == nullptr) return;
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  QString line = QString::fromUtf8(formatted.data(), static_cast<int>(formatted.size()));
  while (line.endsWith('\n') || line.endsWith('\r')) line.chop(1);
  // Queued: the view is only touched on its own thread; the view cannot die while queued events
  // are pending because Qt drops events posted to a destroyed object.
  QMetaObject::invokeMethod(view_, "appendLine", Qt::QueuedConnection,
                            Q_ARG(int, static_cast<int>(msg.level)), Q_ARG(QString, line));
}

}  // namespace thinkvla::widgets
