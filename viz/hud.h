// The heads-up display drawn with Dear ImGui over a 3D view: frame rate and a frame-time graph,
// plus lines that later views add (inference ms, latencies, control rate). Only issues ImGui calls:
// the caller owns the ImGui context and frame (widgets/imgui_overlay.h) and calls drawHud between
// NewFrame and Render, on the GUI thread.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "viz/frame_stats.h"

namespace thinkvla::viz {

enum class HudCorner { kTopLeft, kTopRight, kBottomLeft, kBottomRight };

struct HudContent {
  const FrameStats* frames = nullptr;
  std::vector<std::pair<std::string, std::string>> lines;  // label, value
  HudCorner corner = HudCorner::kTopLeft;
  float margin_px = 10.0f;
};

// Draws the HUD window; returns its screen rectangle (x, y, width, height) in ImGui's pixels.
struct HudRect {
  float x = 0, y = 0, width = 0, height = 0;
};
HudRect drawHud(const HudContent& content);

}  // namespace thinkvla::viz
