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

// Quick controls under the HUD's lines: the attention layer and head (-1 = the mean) and the
// overlay opacity. drawHud edits them in place when the user moves them.
struct HudQuickControls {
  int layers = 0;  // the model's attention shape; 0 hides the layer and head pickers
  int heads = 0;
  int layer = -1;
  int head = -1;
  float opacity = 0.6f;
};

struct HudContent {
  const FrameStats* frames = nullptr;
  HudQuickControls* controls = nullptr;  // null: no quick controls
  std::vector<std::pair<std::string, std::string>> lines;  // label, value
  HudCorner corner = HudCorner::kTopLeft;
  float margin_px = 10.0f;
};

// Draws the HUD window; returns its screen rectangle (x, y, width, height) in ImGui's pixels.
struct HudRect {
  float x = 0, y = 0, width = 0, height = 0;
  bool controls_changed = false;  // the user moved a quick control this frame
};
HudRect drawHud(const HudContent& content);

}  // namespace thinkvla::viz
