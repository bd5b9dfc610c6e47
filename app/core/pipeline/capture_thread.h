// CaptureThread: owns a FrameSource and a thread that reads it and publishes each frame set into a
// LatestSlot (latest-value semantics: consumers never see stale queued frames). Recorded sources
// are paced to their frame rate unless asked to run flat out. With Delivery::kEveryFrame the
// thread instead waits until the consumer has taken the previous frame before it publishes the
// next: nothing is dropped, in order (for files and folders processed offline; a live camera then
// simply delivers at the consumer's pace). Errors (unplugged camera, damaged file) stop the
// thread and are reported through stats() and the error callback; the owner keeps running.
//
// Thread-safety: construct, start(), stop() and destroy from one owning thread; stats() from any
// thread. The error callback runs on the capture thread.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/pipeline/latest_slot.h"
#include "core/sources/frame_source.h"

namespace thinkvla::core {

class CaptureThread {
 public:
  enum class AtEnd { kStop, kLoop };
  enum class Pacing { kRealTime, kFlatOut };
  enum class Delivery { kLatest, kEveryFrame };

  struct Stats {
    bool running = false;
    bool finished = false;       // a finite source reached its end
    std::string error;           // set when the source failed
    double measured_fps = 0.0;   // over the last second or so
    std::uint64_t frames = 0;    // published
    std::uint64_t dropped = 0;   // replaced in the slot before a consumer took them
    cv::Size resolution;
    std::string description;
  };

  CaptureThread(std::unique_ptr<FrameSource> source, std::shared_ptr<LatestSlot<FrameSet>> slot,
                AtEnd at_end = AtEnd::kStop, Pacing pacing = Pacing::kRealTime,
                Delivery delivery = Delivery::kLatest);
  ~CaptureThread();
  CaptureThread(const CaptureThread&) = delete;
  CaptureThread& operator=(const CaptureThread&) = delete;

  void setErrorCallback(std::function<void(const std::string&)> callback);
  void start();
  void stop();  // asks the loop to end and joins it; safe to call twice
  Stats stats() const;

 private:
  void run();
  void fail(const std::string& message);
  bool waitUntilTaken();  // kEveryFrame: false when asked to stop while waiting

  std::unique_ptr<FrameSource> source_;
  std::shared_ptr<LatestSlot<FrameSet>> slot_;
  AtEnd at_end_;
  Pacing pacing_;
  Delivery delivery_;
  std::function<void(const std::string&)> on_error_;
  std::thread thread_;
  std::atomic<bool> stop_requested_{false};

  mutable std::mutex stats_mutex_;
  Stats stats_;
  std::deque<std::chrono::steady_clock::time_point> recent_;
};

}  // namespace thinkvla::core
