#include "viz/hud.h"

#include <imgui.h>

#include <cstdio>

namespace thinkvla::viz {

HudRect drawHud(const HudContent& content) {
  const ImGuiIO& io = ImGui::GetIO();
  const bool right = content.corner == HudCorner::kTopRight ||
                     content.corner == HudCorner::kBottomRight;
  const bool bottom = content.corner == HudCorner::kBottomLeft ||
                      content.corner == HudCorner::kBottomRight;
  const ImVec2 pos(right ? io.DisplaySize.x - content.margin_px : content.margin_px,
                   bottom ? io.DisplaySize.y - content.margin_px : content.margin_px);
  ImGui::SetNextWindowPos(pos, ImGuiCond_Always, ImVec2(right ? 1.0f : 0.0f, bottom ? 1.0f : 0.0f));
  ImGui::SetNextWindowBgAlpha(0.65f);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                 ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav |
                                 ImGuiWindowFlags_NoMove;
  HudRect rect;
  if (ImGui::Begin("##thinkvla_hud", nullptr, flags)) {
    if (content.frames != nullptr) {
      const FrameStats& f = *content.frames;
      ImGui::Text("%.1f fps  %.1f ms", f.fps(), f.meanMs());
      char overlay[32];
      std::snprintf(overlay, sizeof(overlay), "max %.1f ms", f.maxMs());
      ImGui::PlotLines("##frame_ms", f.history(), static_cast<int>(f.count()), 0, overlay, 0.0f,
                       static_cast<float>(f.maxMs() * 1.25 + 1.0), ImVec2(200.0f, 48.0f));
    }
    for (const auto& [label, value] : content.lines) {
      ImGui::Text("%s: %s", label.c_str(), value.c_str());
    }
    const ImVec2 p = ImGui::GetWindowPos();
    const ImVec2 s = ImGui::GetWindowSize();
    rect = {p.x, p.y, s.x, s.y};
  }
  ImGui::End();
  return rect;
}

}  // namespace thinkvla::viz
