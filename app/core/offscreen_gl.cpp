#include "core/offscreen_gl.h"

#include <GLFW/glfw3.h>

#include <mutex>
#include <stdexcept>

namespace thinkvla::core {

namespace {
std::string g_glfw_error;  // written by the GLFW error callback, read right after a failing call

void onGlfwError(int code, const char* description) {
  g_glfw_error = "GLFW error " + std::to_string(code) + ": " + (description ? description : "");
}

void initGlfwOnce() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    glfwSetErrorCallback(onGlfwError);
    ok = glfwInit() == GLFW_TRUE;
  });
  if (!ok) {
    throw std::runtime_error("cannot initialise GLFW (is there an X server? DISPLAY=" +
                             std::string(std::getenv("DISPLAY") ? std::getenv("DISPLAY") : "") +
                             "): " + g_glfw_error);
  }
}

std::string glString(GLenum name) {
  const auto* s = reinterpret_cast<const char*>(glGetString(name));
  return s != nullptr ? s : "";
}
}  // namespace

struct OffscreenGlContext::Impl {
  GLFWwindow* window = nullptr;
};

OffscreenGlContext::OffscreenGlContext(int width, int height) : impl_(std::make_unique<Impl>()) {
  initGlfwOnce();
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_FALSE);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 2);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 1);
  g_glfw_error.clear();
  impl_->window = glfwCreateWindow(width, height, "thinkvla-offscreen", nullptr, nullptr);
  if (impl_->window == nullptr) {
    throw std::runtime_error("cannot create an offscreen OpenGL context: " + g_glfw_error);
  }
}

OffscreenGlContext::~OffscreenGlContext() {
  if (impl_->window != nullptr) {
    glfwDestroyWindow(impl_->window);
  }
}

void OffscreenGlContext::makeCurrent() { glfwMakeContextCurrent(impl_->window); }
void OffscreenGlContext::doneCurrent() { glfwMakeContextCurrent(nullptr); }

GlContextInfo OffscreenGlContext::info() const {
  GlContextInfo info;
  info.vendor = glString(GL_VENDOR);
  info.renderer = glString(GL_RENDERER);
  info.version = glString(GL_VERSION);
  info.platform = std::string("GLFW ") + glfwGetVersionString();
  return info;
}

GlProbe probeOpenGl() {
  GlProbe probe;
  try {
    OffscreenGlContext context(64, 64);
    context.makeCurrent();
    probe.info = context.info();
    context.doneCurrent();
    probe.ok = !probe.info.renderer.empty();
    if (!probe.ok) probe.error = "context made but GL_RENDERER is empty";
  } catch (const std::exception& e) {
    probe.error = e.what();
  }
  return probe;
}

}  // namespace thinkvla::core
