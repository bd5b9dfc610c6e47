#include "core/offscreen_gl.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLFW/glfw3.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace thinkvla::core {

namespace {
std::string g_glfw_error;  // written by the GLFW error callback, read right after a failing call

void onGlfwError(int code, const char* description) {
  g_glfw_error = "GLFW error " + std::to_string(code) + ": " + (description ? description : "");
}

std::string envOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
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
                             envOr("DISPLAY", "") + "): " + g_glfw_error);
  }
}

std::string glString(GLenum name) {
  const auto* s = reinterpret_cast<const char*>(glGetString(name));
  return s != nullptr ? s : "";
}

std::string eglErrorText(const char* what) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%04X", static_cast<unsigned>(eglGetError()));
  return std::string(what) + " failed (EGL error " + code + ")";
}

bool hasExtension(const char* list, const char* name) {
  if (list == nullptr) return false;
  const std::size_t n = std::strlen(name);
  for (const char* p = std::strstr(list, name); p != nullptr; p = std::strstr(p + 1, name)) {
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return true;
  }
  return false;
}

GlBackend preferredBackend(bool& forced) {
  const std::string choice = envOr("THINKVLA_GL", "auto");
  forced = choice == "glx" || choice == "egl";
  if (choice == "glx") return GlBackend::kGlx;
  if (choice == "egl") return GlBackend::kEgl;
  if (choice != "auto" && !choice.empty()) {
    throw std::runtime_error("THINKVLA_GL must be glx, egl or auto, not '" + choice + "'");
  }
  return envOr("DISPLAY", "").empty() ? GlBackend::kEgl : GlBackend::kGlx;
}
}  // namespace

struct OffscreenGlContext::Impl {
  GlBackend backend = GlBackend::kGlx;
  GLFWwindow* window = nullptr;
  EGLDisplay egl_display = EGL_NO_DISPLAY;
  EGLContext egl_context = EGL_NO_CONTEXT;
  EGLSurface egl_surface = EGL_NO_SURFACE;
  std::string egl_platform;

  void makeGlx(int width, int height) {
    initGlfwOnce();
    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_FALSE);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 2);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 1);
    g_glfw_error.clear();
    window = glfwCreateWindow(width, height, "thinkvla-offscreen", nullptr, nullptr);
    if (window == nullptr) {
      throw std::runtime_error("cannot create an offscreen OpenGL context: " + g_glfw_error);
    }
    backend = GlBackend::kGlx;
  }

  // Mesa's surfaceless platform needs no window system and no device node; the default display
  // is the fallback for other EGL drivers.
  void makeEgl(int width, int height) {
    const char* client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    if (hasExtension(client, "EGL_MESA_platform_surfaceless")) {
      auto get_platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
          eglGetProcAddress("eglGetPlatformDisplayEXT"));
      if (get_platform_display != nullptr) {
        egl_display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        egl_platform = "surfaceless";
      }
    }
    if (egl_display == EGL_NO_DISPLAY) {
      egl_display = eglGetDisplay(EGL_DEFAULT_DISPLAY);
      egl_platform = "default display";
    }
    if (egl_display == EGL_NO_DISPLAY) throw std::runtime_error("EGL: no display");
    EGLint major = 0;
    EGLint minor = 0;
    if (eglInitialize(egl_display, &major, &minor) != EGL_TRUE) {
      const std::string error = eglErrorText("eglInitialize");
      egl_display = EGL_NO_DISPLAY;
      throw std::runtime_error("EGL: " + error);
    }
    if (eglBindAPI(EGL_OPENGL_API) != EGL_TRUE) {
      const std::string error = eglErrorText("eglBindAPI(OpenGL)");
      release();
      throw std::runtime_error("EGL: " + error);
    }

    const EGLint pbuffer_config[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE,
                                     EGL_OPENGL_BIT, EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8,
                                     EGL_BLUE_SIZE, 8, EGL_DEPTH_SIZE, 24, EGL_NONE};
    const EGLint any_config[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE};
    EGLConfig config = nullptr;
    EGLint count = 0;
    const bool pbuffer = eglChooseConfig(egl_display, pbuffer_config, &config, 1, &count) == EGL_TRUE &&
                         count > 0;
    if (!pbuffer && (eglChooseConfig(egl_display, any_config, &config, 1, &count) != EGL_TRUE ||
                     count == 0)) {
      release();
      throw std::runtime_error("EGL: no OpenGL-capable config");
    }
    egl_context = eglCreateContext(egl_display, config, EGL_NO_CONTEXT, nullptr);
    if (egl_context == EGL_NO_CONTEXT) {
      const std::string error = eglErrorText("eglCreateContext");
      release();
      throw std::runtime_error("EGL: " + error);
    }
    if (pbuffer) {
      const EGLint size[] = {EGL_WIDTH, width, EGL_HEIGHT, height, EGL_NONE};
      egl_surface = eglCreatePbufferSurface(egl_display, config, size);
    }
    if (egl_surface == EGL_NO_SURFACE &&
        !hasExtension(eglQueryString(egl_display, EGL_EXTENSIONS), "EGL_KHR_surfaceless_context")) {
      release();
      throw std::runtime_error("EGL: neither a pbuffer nor a surfaceless context is available");
    }
    egl_platform = "EGL " + std::to_string(major) + "." + std::to_string(minor) + " " + egl_platform +
                   (egl_surface != EGL_NO_SURFACE ? ", pbuffer" : ", no surface");
    backend = GlBackend::kEgl;
  }

  void release() {
    if (window != nullptr) glfwDestroyWindow(window);
    window = nullptr;
    if (egl_display != EGL_NO_DISPLAY) {
      eglMakeCurrent(egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
      if (egl_surface != EGL_NO_SURFACE) eglDestroySurface(egl_display, egl_surface);
      if (egl_context != EGL_NO_CONTEXT) eglDestroyContext(egl_display, egl_context);
      // The display stays initialised: EGL displays are per process and shared by every context.
    }
    egl_surface = EGL_NO_SURFACE;
    egl_context = EGL_NO_CONTEXT;
    egl_display = EGL_NO_DISPLAY;
  }
};

OffscreenGlContext::OffscreenGlContext(int width, int height) : impl_(std::make_unique<Impl>()) {
  bool forced = false;
  const GlBackend first = preferredBackend(forced);
  std::string first_error;
  try {
    if (first == GlBackend::kGlx) {
      impl_->makeGlx(width, height);
    } else {
      impl_->makeEgl(width, height);
    }
    return;
  } catch (const std::exception& e) {
    if (forced) throw;
    first_error = e.what();
  }
  try {
    if (first == GlBackend::kGlx) {
      impl_->makeEgl(width, height);
    } else {
      impl_->makeGlx(width, height);
    }
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot create an offscreen OpenGL context: " + first_error + "; and " +
                             e.what());
  }
}

OffscreenGlContext::~OffscreenGlContext() { impl_->release(); }

void OffscreenGlContext::makeCurrent() {
  if (impl_->backend == GlBackend::kGlx) {
    glfwMakeContextCurrent(impl_->window);
  } else if (eglMakeCurrent(impl_->egl_display, impl_->egl_surface, impl_->egl_surface,
                            impl_->egl_context) != EGL_TRUE) {
    throw std::runtime_error("EGL: " + eglErrorText("eglMakeCurrent"));
  }
}

void OffscreenGlContext::doneCurrent() {
  if (impl_->backend == GlBackend::kGlx) {
    glfwMakeContextCurrent(nullptr);
  } else {
    eglMakeCurrent(impl_->egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  }
}

GlBackend OffscreenGlContext::backend() const { return impl_->backend; }

GlContextInfo OffscreenGlContext::info() const {
  GlContextInfo info;
  info.vendor = glString(GL_VENDOR);
  info.renderer = glString(GL_RENDERER);
  info.version = glString(GL_VERSION);
  info.platform = impl_->backend == GlBackend::kGlx
                      ? std::string("GLFW ") + glfwGetVersionString()
                      : impl_->egl_platform;
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
