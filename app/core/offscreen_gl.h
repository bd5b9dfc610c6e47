// An OpenGL context with no visible window, for headless rendering (MuJoCo's renderer, the CLI's
// doctor). Made through a hidden GLFW window, so it needs an X server (Xvfb in CI). The context
// belongs to the thread that made it current last; one context per rendering thread.
#pragma once

#include <memory>
#include <string>

namespace thinkvla::core {

struct GlContextInfo {
  std::string vendor;
  std::string renderer;  // e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string version;   // GL_VERSION
  std::string platform;  // "GLFW 3.3.8 X11 GLX ..."
};

class OffscreenGlContext {
 public:
  // Creates a hidden window of the given size with a compatibility-profile context (MuJoCo 2.2
  // needs legacy GL). Throws std::runtime_error naming the cause when no context can be made
  // (no display, no GL driver).
  OffscreenGlContext(int width, int height);
  ~OffscreenGlContext();
  OffscreenGlContext(const OffscreenGlContext&) = delete;
  OffscreenGlContext& operator=(const OffscreenGlContext&) = delete;

  void makeCurrent();
  void doneCurrent();
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
