#include "core/pipeline/capture_thread.h"

#include <spdlog/spdlog.h>

namespace thinkvla::core {

using Clock = std::chrono::steady_clock;

CaptureThread::CaptureThread(std::unique_ptr<FrameSource> source,
                             std::shared_ptr<LatestSlot<FrameSet>> slot, AtEnd at_end,
                             Pacing pacing, Delivery delivery)
    : source_(std::move(source)),
      slot_(std::move(slot)),
      at_end_(at_end),
      pacing_(pacing),
      delivery_(delivery) {
  stats_.description = source_->description();
}

CaptureThread::~CaptureThread() { stop(); }

void CaptureThread::setErrorCallback(std::function<void(const std::string&)> callback) {
  on_error_ = std::move(callback);
}

void CaptureThread::start() {
  if (thread_.joinable()) return;
  stop_requested_ = false;
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.running = true;
    stats_.finished = false;
    stats_.error.clear();
  }
  thread_ = std::thread([this] { run(); });
}

void CaptureThread::stop() {
  stop_requested_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.running = false;
}

CaptureThread::Stats CaptureThread::stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  Stats s = stats_;
  s.dropped = slot_->dropped();
  return s;
}

void CaptureThread::fail(const std::string& message) {
  spdlog::error("capture: {}", message);
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.error = message;
    stats_.running = false;
  }
  if (on_error_) on_error_(message);
}

bool CaptureThread::waitUntilTaken() {
  // Only this thread publishes, so published - dropped - taken > 0 means a frame is still waiting.
  while (!stop_requested_ && slot_->published() > slot_->dropped() + slot_->taken()) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return !stop_requested_;
}

void CaptureThread::run() {
  try {
    source_->open();
  } catch (const std::exception& e) {
    fail(e.what());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.resolution = source_->resolution();
  }
  spdlog::info("capture: {} open, {}x{} at {:.1f} fps", source_->description(),
               source_->resolution().width, source_->resolution().height, source_->nominalFps());

  const double fps = source_->nominalFps() > 0 ? source_->nominalFps() : 30.0;
  const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / fps));
  auto next_due = Clock::now();
  while (!stop_requested_) {
    FrameSet frames;
    bool got = false;
    try {
      got = source_->read(frames);
    } catch (const std::exception& e) {
      fail(e.what());
      return;
    }
    if (!got) {
      if (at_end_ == AtEnd::kLoop) {
        try {
          source_->open();
          continue;
        } catch (const std::exception& e) {
          fail(e.what());
          return;
        }
      }
      std::lock_guard<std::mutex> lock(stats_mutex_);
      stats_.finished = true;
      stats_.running = false;
      spdlog::info("capture: {} reached its end", source_->description());
      return;
    }
    if (!source_->isLive() && pacing_ == Pacing::kRealTime) {
      next_due += period;
      const auto now = Clock::now();
      if (next_due > now) {
        // Sleep in short slices so stop() stays prompt.
        while (!stop_requested_ && Clock::now() < next_due) {
          std::this_thread::sleep_for(std::min<Clock::duration>(next_due - Clock::now(),
                                                                std::chrono::milliseconds(20)));
        }
      } else {
        next_due = now;  // we fell behind (slow decode): do not try to catch up in a burst
      }
    }
    if (delivery_ == Delivery::kEveryFrame && !waitUntilTaken()) return;
    frames.captured_at = Clock::now();
    {
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.frames;
      recent_.push_back(frames.captured_at);
      while (recent_.size() > 2 && recent_.front() < frames.captured_at - std::chrono::seconds(1)) {
        recent_.pop_front();
      }
      if (recent_.size() >= 2) {
        const double span_s =
            std::chrono::duration<double>(recent_.back() - recent_.front()).count();
        stats_.measured_fps = span_s > 0 ? static_cast<double>(recent_.size() - 1) / span_s : 0.0;
      }
    }
    slot_->publish(std::move(frames));
  }
}

}  // namespace thinkvla::core
