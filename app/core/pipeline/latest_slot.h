// LatestSlot<T>: the hand-over point between a producer thread and its consumers with
// latest-value semantics. The producer publishes; a consumer takes the newest value if there is one
// it has not seen. A value replaced before anyone took it counts as dropped: slow consumers skip
// stale frames instead of queueing them.
//
// Thread-safety: publish(), take(), peek() and the counters may be called from any thread. The
// notify callback runs on the publishing thread, outside the lock; it must be cheap (post an event,
// set a flag) and may not call publish() on the same slot.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

namespace thinkvla::core {

template <typename T>
class LatestSlot {
 public:
  using Notify = std::function<void()>;

  void setNotify(Notify notify) {
    std::lock_guard<std::mutex> lock(mutex_);
    notify_ = std::move(notify);
  }

  void publish(T value) {
    Notify notify;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (fresh_) ++dropped_;
      value_ = std::move(value);
      fresh_ = true;
      ++published_;
      notify = notify_;
    }
    if (notify) notify();
  }

  // The newest value not yet taken, moved out; empty when nothing new arrived.
  std::optional<T> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!fresh_) return std::nullopt;
    fresh_ = false;
    ++taken_;
    std::optional<T> out = std::move(value_);
    value_.reset();
    return out;
  }

  // A copy of the newest value not yet taken (it stays available to take()); empty otherwise.
  std::optional<T> peek() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return value_;
  }

  std::uint64_t published() const { return locked(published_); }
  std::uint64_t taken() const { return locked(taken_); }
  std::uint64_t dropped() const { return locked(dropped_); }

 private:
  std::uint64_t locked(const std::uint64_t& counter) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return counter;
  }

  mutable std::mutex mutex_;
  std::optional<T> value_;
  bool fresh_ = false;
  std::uint64_t published_ = 0;
  std::uint64_t taken_ = 0;
  std::uint64_t dropped_ = 0;
  Notify notify_;
};

}  // namespace thinkvla::core
