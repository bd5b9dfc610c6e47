// Process-wide logging set-up: one spdlog logger ("thinkvla", also the default logger) writing to
// stderr and to a rotating file in the user's data directory. Frontends add sinks of their own
// (the studio's log dock) with addLogSink(). Call initLogging() once, from the main thread, before
// any other thread logs; afterwards spdlog's loggers are safe to use from every thread.
#pragma once

#include <spdlog/common.h>
#include <spdlog/sinks/sink.h>

#include <filesystem>
#include <memory>
#include <string>

namespace thinkvla::core {

struct LogOptions {
  std::string app_name = "thinkvla";              // file name stem: <app_name>.log
  std::filesystem::path directory;                 // empty: userDataDir() / "logs"
  spdlog::level::level_enum level = spdlog::level::info;
  bool to_stderr = true;
  std::size_t max_file_bytes = 5 * 1024 * 1024;
  std::size_t max_files = 3;
};

// The user's data directory for ThinkVLA Studio: $XDG_DATA_HOME/thinkvla-studio, or
// ~/.local/share/thinkvla-studio. Not created.
std::filesystem::path userDataDir();

// Installs the logger. Returns the path of the log file. If the file cannot be opened (read-only
// home, full disk) logging goes on to stderr only and the returned path is empty.
std::filesystem::path initLogging(const LogOptions& options);

// Adds a sink to the project's logger (thread-safe sinks only: the *_mt kinds).
void addLogSink(const spdlog::sink_ptr& sink);
void removeLogSink(const spdlog::sink_ptr& sink);

}  // namespace thinkvla::core
