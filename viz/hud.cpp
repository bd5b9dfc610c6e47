#include "viz/hud.h"

#include <imgui.h>

#include <cstdio>
#include <string>

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
    if (HudQuickControls* c = content.controls) {
      ImGui::Separator();
      ImGui::PushItemWidth(120.0f);
      // "mean\0" "0\0" "1\0" ... for ImGui::Combo; index 0 is the mean (-1).
      const auto picker = [](const char* label, int count, int* value) {
        std::string items("mean");
        items.push_back('\0');
        for (int i = 0; i < count; ++i) {
          items += std::to_string(i);
          items.push_back('\0');
        }
        items.push_back('\0');
        int index = *value >= 0 && *value < count ? *value + 1 : 0;
        if (ImGui::Combo(label, &index, items.c_str())) {
          *value = index - 1;
          return true;
        }
        return false;
      };
      if (c->layers > 0) rect.controls_changed |= picker("layer", c->layers, &c->layer);
      if (c->heads > 0) rect.controls_changed |= picker("head", c->heads, &c->head);
      rect.controls_changed |= ImGui::SliderFloat("opacity", &c->opacity, 0.0f, 1.0f, "%.2f");
      ImGui::PopItemWidth();
    }
    const ImVec2 p = ImGui::GetWindowPos();
    const ImVec2 s = ImGui::GetWindowSize();
    rect.x = p.x;
    rect.y = p.y;
    rect.width = s.x;
    rect.height = s.y;
  }
  ImGui::End();
  return rect;
}

}  // namespace thinkvla::viz
