// Frame-time statistics for a view: a fixed ring of the last frame times and the rate they imply.
// Plain data; one owner, one thread (the GUI thread that paints).
#pragma once

#include <array>
#include <cstddef>

namespace thinkvla::viz {

class FrameStats {
 public:
  static constexpr std::size_t kCapacity = 120;

  void addFrame(double frame_ms);
  std::size_t count() const { return count_; }
  // Oldest first, `count()` entries, in a contiguous buffer ImGui::PlotLines can read.
  const float* history() const;
  double meanMs() const;
  double maxMs() const;
  double fps() const;  // 1000 / mean, 0 without frames

 private:
  std::array<float, kCapacity> ring_{};
  mutable std::array<float, kCapacity> ordered_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

}  // namespace thinkvla::viz
