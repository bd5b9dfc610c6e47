// ImGuiOverlay: a Dear ImGui context drawn into its host widget's GL context with
// imgui_impl_opengl3, fed with the widget's Qt mouse, wheel and keyboard events. Each overlay has
// its own ImGuiContext, so several views can carry a HUD at once.
//
// Use from the host widget, with its context current: initializeGL() -> initialize(); each frame
// beginFrame(), ImGui calls, endFrame(); event() -> handleEvent(). The host owns the overlay and
// calls releaseGl() with its context current before destroying it.
// GUI thread only.
#pragma once

#include <QElapsedTimer>

class QEvent;
class QWidget;
struct ImGuiContext;

namespace thinkvla::widgets {

class ImGuiOverlay {
 public:
  explicit ImGuiOverlay(QWidget* host);
  ~ImGuiOverlay();
  ImGuiOverlay(const ImGuiOverlay&) = delete;
  ImGuiOverlay& operator=(const ImGuiOverlay&) = delete;

  void initialize();   // host's context current
  void releaseGl();    // host's context current
  bool isInitialized() const { return gl_ready_; }

  void beginFrame();   // makes this overlay's ImGui context current and starts a frame
  void endFrame();     // renders the frame into the bound framebuffer

  // Feeds a Qt input event to ImGui. Returns true when ImGui wants it for itself (the pointer is
  // over an ImGui window, or a text field has focus), so the host should not act on it.
  bool handleEvent(QEvent* event);

 private:
  void makeCurrentContext() const;

  QWidget* host_;
  ImGuiContext* context_ = nullptr;
  bool gl_ready_ = false;
  QElapsedTimer clock_;
  qint64 last_frame_ns_ = 0;
};

}  // namespace thinkvla::widgets
