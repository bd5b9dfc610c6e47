#include "core/logging.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

namespace thinkvla::core {

namespace {
constexpr const char* kLoggerName = "thinkvla";
constexpr const char* kPattern = "%Y-%m-%d %H:%M:%S.%e [%^%l%$] [%t] %v";
}  // namespace

std::filesystem::path userDataDir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] != '\0') {
    return std::filesystem::path(xdg) / "thinkvla-studio";
  }
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = home != nullptr ? home : "/tmp";
  return base / ".local" / "share" / "thinkvla-studio";
}

std::filesystem::path initLogging(const LogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.to_stderr) {
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  }
  std::filesystem::path file;
  std::string file_error;
  try {
    const auto dir = options.directory.empty() ? userDataDir() / "logs" : options.directory;
    std::filesystem::create_directories(dir);
    file = dir / (options.app_name + ".log");
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        file.string(), options.max_file_bytes, options.max_files));
  } catch (const std::exception& e) {
    file_error = e.what();
    file.clear();
  }

  spdlog::drop(kLoggerName);
  auto logger = std::make_shared<spdlog::logger>(kLoggerName, sinks.begin(), sinks.end());
  logger->set_pattern(kPattern);
  logger->set_level(options.level);
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(2));
  if (!file_error.empty()) {
    spdlog::warn("log file disabled: {}", file_error);
  }
  return file;
}

void addLogSink(const spdlog::sink_ptr& sink) {
  auto logger = spdlog::default_logger();
  sink->set_pattern(kPattern);
  logger->sinks().push_back(sink);
}

void removeLogSink(const spdlog::sink_ptr& sink) {
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
}

}  // namespace thinkvla::core
