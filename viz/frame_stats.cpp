#include "viz/frame_stats.h"

#include <algorithm>

namespace thinkvla::viz {

void FrameStats::addFrame(double frame_ms) {
  ring_[next_] = static_cast<float>(frame_ms);
  next_ = (next_ + 1) % kCapacity;
  count_ = std::min(count_ + 1, kCapacity);
}

const float* FrameStats::history() const {
  const std::size_t start = (next_ + kCapacity - count_) % kCapacity;
  for (std::size_t i = 0; i < count_; ++i) ordered_[i] = ring_[(start + i) % kCapacity];
  return ordered_.data();
}

double FrameStats::meanMs() const {
  if (count_ == 0) return 0.0;
  double sum = 0.0;
  for (std::size_t i = 0; i < count_; ++i) sum += ring_[i];
  return sum / static_cast<double>(count_);
}

double FrameStats::maxMs() const {
  float m = 0.0f;
  for (std::size_t i = 0; i < count_; ++i) m = std::max(m, ring_[i]);
  return m;
}

double FrameStats::fps() const {
  const double mean = meanMs();
  return mean > 0.0 ? 1000.0 / mean : 0.0;
}

}  // namespace thinkvla::viz
