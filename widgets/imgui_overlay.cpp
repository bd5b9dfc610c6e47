#include "widgets/imgui_overlay.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWidget>
#include <QWheelEvent>
#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>

namespace thinkvla::widgets {

namespace {
// ImGui 1.86 reads named keys through io.KeyMap indices into io.KeysDown[512]; these are ours.
struct KeyBinding {
  int qt_key;
  ImGuiKey_ imgui_key;
};
constexpr KeyBinding kKeys[] = {
    {Qt::Key_Tab, ImGuiKey_Tab},           {Qt::Key_Left, ImGuiKey_LeftArrow},
    {Qt::Key_Right, ImGuiKey_RightArrow},  {Qt::Key_Up, ImGuiKey_UpArrow},
    {Qt::Key_Down, ImGuiKey_DownArrow},    {Qt::Key_PageUp, ImGuiKey_PageUp},
    {Qt::Key_PageDown, ImGuiKey_PageDown}, {Qt::Key_Home, ImGuiKey_Home},
    {Qt::Key_End, ImGuiKey_End},           {Qt::Key_Insert, ImGuiKey_Insert},
    {Qt::Key_Delete, ImGuiKey_Delete},     {Qt::Key_Backspace, ImGuiKey_Backspace},
    {Qt::Key_Space, ImGuiKey_Space},       {Qt::Key_Return, ImGuiKey_Enter},
    {Qt::Key_Escape, ImGuiKey_Escape},     {Qt::Key_Enter, ImGuiKey_KeyPadEnter},
    {Qt::Key_A, ImGuiKey_A},               {Qt::Key_C, ImGuiKey_C},
    {Qt::Key_V, ImGuiKey_V},               {Qt::Key_X, ImGuiKey_X},
    {Qt::Key_Y, ImGuiKey_Y},               {Qt::Key_Z, ImGuiKey_Z},
};

int keyIndex(int qt_key) {
  for (int i = 0; i < static_cast<int>(std::size(kKeys)); ++i) {
    if (kKeys[i].qt_key == qt_key) return i + 1;
  }
  return -1;
}

int mouseIndex(Qt::MouseButton button) {
  switch (button) {
    case Qt::LeftButton: return 0;
    case Qt::RightButton: return 1;
    case Qt::MiddleButton: return 2;
    default: return -1;
  }
}
}  // namespace

ImGuiOverlay::ImGuiOverlay(QWidget* host) : host_(host) {
  ImGuiContext* previous = ImGui::GetCurrentContext();
  context_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(context_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout is ours to decide, nothing written to the working directory
  io.LogFilename = nullptr;
  for (int i = 0; i < static_cast<int>(std::size(kKeys)); ++i) io.KeyMap[kKeys[i].imgui_key] = i + 1;
  ImGui::StyleColorsDark();
  ImGui::GetStyle().WindowRounding = 4.0f;
  ImGui::SetCurrentContext(previous);
  clock_.start();
}

ImGuiOverlay::~ImGuiOverlay() {
  // The host released the GL objects (releaseGl) while its context was current.
  ImGui::DestroyContext(context_);
}

void ImGuiOverlay::makeCurrentContext() const { ImGui::SetCurrentContext(context_); }

void ImGuiOverlay::initialize() {
  makeCurrentContext();
  if (gl_ready_) ImGui_ImplOpenGL3_Shutdown();
  // GLSL 1.50 matches the 3.2 core context the VTK views ask for.
  gl_ready_ = ImGui_ImplOpenGL3_Init("#version 150");
}

void ImGuiOverlay::releaseGl() {
  if (!gl_ready_) return;
  makeCurrentContext();
  ImGui_ImplOpenGL3_Shutdown();
  gl_ready_ = false;
}

void ImGuiOverlay::beginFrame() {
  makeCurrentContext();
  ImGuiIO& io = ImGui::GetIO();
  const qreal dpr = host_->devicePixelRatioF();
  io.DisplaySize = ImVec2(static_cast<float>(host_->width()), static_cast<float>(host_->height()));
  io.DisplayFramebufferScale = ImVec2(static_cast<float>(dpr), static_cast<float>(dpr));
  const qint64 now = clock_.nsecsElapsed();
  io.DeltaTime = last_frame_ns_ > 0 ? std::max(1e-4f, (now - last_frame_ns_) * 1e-9f) : 1.0f / 60.0f;
  last_frame_ns_ = now;
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
}

void ImGuiOverlay::endFrame() {
  makeCurrentContext();
  ImGui::Render();
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

bool ImGuiOverlay::handleEvent(QEvent* event) {
  makeCurrentContext();
  ImGuiIO& io = ImGui::GetIO();
  switch (event->type()) {
    case QEvent::MouseMove: {
      const auto* e = static_cast<QMouseEvent*>(event);
      io.MousePos = ImVec2(static_cast<float>(e->position().x()), static_cast<float>(e->position().y()));
      return io.WantCaptureMouse;
    }
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseButtonRelease: {
      const auto* e = static_cast<QMouseEvent*>(event);
      io.MousePos = ImVec2(static_cast<float>(e->position().x()), static_cast<float>(e->position().y()));
      const int index = mouseIndex(e->button());
      if (index >= 0) io.MouseDown[index] = event->type() != QEvent::MouseButtonRelease;
      return io.WantCaptureMouse;
    }
    case QEvent::Wheel: {
      const auto* e = static_cast<QWheelEvent*>(event);
      io.MouseWheel += static_cast<float>(e->angleDelta().y()) / 120.0f;
      io.MouseWheelH += static_cast<float>(e->angleDelta().x()) / 120.0f;
      return io.WantCaptureMouse;
    }
    case QEvent::Leave:
      io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
      return false;
    case QEvent::KeyPress:
    case QEvent::KeyRelease: {
      const auto* e = static_cast<QKeyEvent*>(event);
      const bool down = event->type() == QEvent::KeyPress;
      const int index = keyIndex(e->key());
      if (index >= 0) io.KeysDown[index] = down;
      io.KeyCtrl = e->modifiers().testFlag(Qt::ControlModifier);
      io.KeyShift = e->modifiers().testFlag(Qt::ShiftModifier);
      io.KeyAlt = e->modifiers().testFlag(Qt::AltModifier);
      io.KeySuper = e->modifiers().testFlag(Qt::MetaModifier);
      if (down && !e->text().isEmpty() && e->text().at(0).isPrint()) {
        io.AddInputCharactersUTF8(e->text().toUtf8().constData());
      }
      return io.WantCaptureKeyboard;
    }
    case QEvent::FocusIn:
    case QEvent::FocusOut:
      io.AddFocusEvent(event->type() == QEvent::FocusIn);
      return false;
    default:
      return false;
  }
}

}  // namespace thinkvla::widgets
