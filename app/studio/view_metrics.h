// Small measurements the studio keeps about its views: a latency sample set (median, 95th
// percentile, the last value) and a rate meter (events per second over the last second).
// Plain values; one owner, one thread (the GUI thread).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <vector>

namespace thinkvla::studio {

class LatencyStats {
 public:
  static constexpr std::size_t kCapacity = 4096;  // the newest samples are kept

  void add(double ms) {
    samples_.push_back(ms);
    if (samples_.size() > kCapacity) samples_.pop_front();
    last_ms_ = ms;
  }
  void clear() {
    samples_.clear();
    last_ms_ = 0.0;
  }
  std::size_t count() const { return samples_.size(); }
  double lastMs() const { return last_ms_; }
  double medianMs() const { return quantile(0.5); }
  double p95Ms() const { return quantile(0.95); }
  // The median of the newest `n` samples: a steadier number for the HUD than the last one.
  double recentMedianMs(std::size_t n = 30) const {
    if (samples_.empty()) return 0.0;
    std::vector<double> v(samples_.end() - static_cast<std::ptrdiff_t>(std::min(n, samples_.size())),
                          samples_.end());
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  }
  double quantile(double q) const {
    if (samples_.empty()) return 0.0;
    std::vector<double> v(samples_.begin(), samples_.end());
    const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
  }

 private:
  std::deque<double> samples_;
  double last_ms_ = 0.0;
};

class RateMeter {
 public:
  using Clock = std::chrono::steady_clock;

  void tick(Clock::time_point now = Clock::now()) {
    times_.push_back(now);
    while (times_.size() > 2 && times_.front() < now - std::chrono::seconds(1)) times_.pop_front();
  }
  void clear() { times_.clear(); }
  // 0 once nothing has ticked for two seconds (a paused or dead source).
  double hz(Clock::time_point now = Clock::now()) const {
    if (times_.size() < 2 || now - times_.back() > std::chrono::seconds(2)) return 0.0;
    const double span_s = std::chrono::duration<double>(times_.back() - times_.front()).count();
    return span_s > 0 ? static_cast<double>(times_.size() - 1) / span_s : 0.0;
  }

 private:
  std::deque<Clock::time_point> times_;
};

}  // namespace thinkvla::studio
