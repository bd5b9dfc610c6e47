// SceneView: the studio's 3D view. A VtkGlWidget with the ground grid and world axes, and the
// ImGui HUD (frame rate, frame-time graph and lines that other parts of the studio set) drawn over
// it in the same GL context. Later capabilities add their props to renderer().
// GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "viz/frame_stats.h"
#include "viz/hud.h"
#include "widgets/vtk_gl_widget.h"

namespace thinkvla::widgets {

class ImGuiOverlay;

class SceneView : public VtkGlWidget {
  Q_OBJECT

 public:
  explicit SceneView(QWidget* parent);
  ~SceneView() override;

  void setHudVisible(bool visible);
  bool hudVisible() const { return hud_visible_; }
  // Extra HUD lines (label, value), shown under the frame rate.
  void setHudLines(std::vector<std::pair<std::string, std::string>> lines);
  // Repaint continuously at about 1000 / interval_ms Hz (the HUD's frame rate needs frames);
  // 0 repaints only on demand.
  void setRepaintInterval(int interval_ms);
  // Quick controls in the HUD (attention layer and head, -1 = mean, and overlay opacity); the
  // model's attention shape decides what the pickers offer. Shown once set.
  void setQuickControls(int layers, int heads, int layer, int head, double opacity);
  viz::HudQuickControls quickControls() const { return quick_; }

  const viz::FrameStats& frameStats() const { return frames_; }
  // Where the HUD was drawn last frame, in widget pixels (empty before the first frame).
  QRectF hudRect() const { return hud_rect_; }
  void resetCamera();

 Q_SIGNALS:
  // The user moved a quick control in the HUD (emitted after the frame that saw it).
  void quickControlsChanged(int layer, int head, double opacity);

 protected:
  void initializeGL() override;
  void paintOverlay() override;
  bool overlayTakesEvent(QEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void hideEvent(QHideEvent* event) override;

 private:
  std::unique_ptr<ImGuiOverlay> overlay_;
  viz::FrameStats frames_;
  QElapsedTimer frame_clock_;
  QTimer repaint_timer_;
  bool hud_visible_ = true;
  std::vector<std::pair<std::string, std::string>> hud_lines_;
  QRectF hud_rect_;
  viz::HudQuickControls quick_;
  bool quick_shown_ = false;
};

}  // namespace thinkvla::widgets
