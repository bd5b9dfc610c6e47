// An OpenGL context with no visible window, for headless rendering (MuJoCo's renderer, the CLI's
// doctor). Two ways to make one:
//   - GLX through a hidden GLFW window, when there is an X server (a desktop, or Xvfb in CI);
//   - EGL without any window system (Mesa's surfaceless platform, a pbuffer when the driver
//     offers one), on a machine with no X server at all.
// THINKVLA_GL=glx|egl forces one; unset (or "auto"), GLX is used when DISPLAY is set and EGL
// otherwise or when GLX fails. Both give a compatibility-profile context (MuJoCo 2.2 needs legacy
// GL). The context belongs to the thread that made it current last; one context per rendering
// thread.
#pragma once

#include <memory>
#include <string>

namespace thinkvla::core {

struct GlContextInfo {
  std::string vendor;
  std::string renderer;  // e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string version;   // GL_VERSION
  std::string platform;  // "GLFW 3.3.8 X11 GLX ..." or "EGL 1.5 (Mesa Project) surfaceless"
};

enum class GlBackend { kGlx, kEgl };

class OffscreenGlContext {
 public:
  // Creates a context with a drawable of the given size (a hidden window or a pbuffer). Throws
  // std::runtime_error naming the cause when no context can be made (no display and no EGL, no GL
  // driver), with what each backend said.
  OffscreenGlContext(int width, int height);
  ~OffscreenGlContext();
  OffscreenGlContext(const OffscreenGlContext&) = delete;
  OffscreenGlContext& operator=(const OffscreenGlContext&) = delete;

  void makeCurrent();
  void doneCurrent();
  GlBackend backend() const;
  GlContextInfo info() const;  // the context must be current

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Tries to make a context and reports it; on failure returns the reason in `error`.
struct GlProbe {
  bool ok = false;
  GlContextInfo info;
  std::string error;
};
GlProbe probeOpenGl();

}  // namespace thinkvla::core
