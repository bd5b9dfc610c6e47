// A headless OpenGL context can be made and draws (clear colour read back): through GLX under
// Xvfb, and through EGL with no X server at all; the world renders the same image through both.
#include <GL/gl.h>
#include <QtTest/QtTest>

#include <opencv2/core.hpp>

#include <cstdlib>

#include "core/offscreen_gl.h"
#include "core/sim/tabletop_env.h"
#include "core/sim/tasks.h"

namespace {
// Sets THINKVLA_GL for one scope.
class ScopedBackend {
 public:
  explicit ScopedBackend(const char* value) { setenv("THINKVLA_GL", value, 1); }
  ~ScopedBackend() { unsetenv("THINKVLA_GL"); }
};

void checkClearReadsBack(thinkvla::core::OffscreenGlContext& context) {
  context.makeCurrent();
  glClearColor(1.0f, 0.5f, 0.0f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  glFinish();
  unsigned char rgba[4] = {0, 0, 0, 0};
  glReadPixels(16, 16, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  QCOMPARE(int(rgba[0]), 255);
  QVERIFY(std::abs(int(rgba[1]) - 128) <= 1);
  QCOMPARE(int(rgba[2]), 0);
  context.doneCurrent();
}

cv::Mat renderAgentView() {
  using namespace thinkvla::core;
  sim::EnvOptions options;
  options.image_width = 64;
  options.image_height = 64;
  sim::TabletopEnv env(options);
  env.reset(sim::task(sim::Suite::kSpatial, 0), 3);
  return env.observe().cameras.at(0).rgb.clone();
}
}  // namespace

class TestOffscreenGl : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void contextClearsAndReadsBack() {
    thinkvla::core::OffscreenGlContext context(32, 32);
    context.makeCurrent();
    const auto info = context.info();
    context.doneCurrent();
    QVERIFY(!info.renderer.empty());
    QVERIFY(!info.version.empty());
    checkClearReadsBack(context);
  }

  void eglContextWithoutAnXServer() {
    // The same process has a DISPLAY; EGL's surfaceless platform does not use it.
    ScopedBackend egl("egl");
    thinkvla::core::OffscreenGlContext context(32, 32);
    QVERIFY(context.backend() == thinkvla::core::GlBackend::kEgl);
    context.makeCurrent();
    const auto info = context.info();
    context.doneCurrent();
    QVERIFY2(info.platform.rfind("EGL", 0) == 0, info.platform.c_str());
    QVERIFY(!info.renderer.empty());
    checkClearReadsBack(context);
  }

  void worldRendersTheSameThroughGlxAndEgl() {
    cv::Mat glx;
    cv::Mat egl;
    {
      ScopedBackend backend("glx");
      glx = renderAgentView();
    }
    {
      ScopedBackend backend("egl");
      egl = renderAgentView();
    }
    QCOMPARE(glx.size(), egl.size());
    // Same software rasteriser (Mesa llvmpipe) behind both: the images agree to rounding.
    cv::Mat diff;
    cv::absdiff(glx, egl, diff);
    double max_diff = 0.0;
    cv::minMaxLoc(diff.reshape(1), nullptr, &max_diff);
    QVERIFY2(max_diff <= 8.0, qPrintable(QString("max difference %1").arg(max_diff)));
    QVERIFY(cv::mean(glx)[0] > 10.0);  // a real picture, not a black frame
  }

  void badBackendNameIsNamed() {
    ScopedBackend bad("vulkan");
    try {
      thinkvla::core::OffscreenGlContext context(8, 8);
      QFAIL("an unknown backend was accepted");
    } catch (const std::runtime_error& e) {
      QVERIFY(QString(e.what()).contains("THINKVLA_GL"));
    }
  }

  void probeReportsTheRenderer() {
    const auto probe = thinkvla::core::probeOpenGl();
    QVERIFY2(probe.ok, probe.error.c_str());
    QVERIFY(!probe.info.renderer.empty());
  }
};

QTEST_GUILESS_MAIN(TestOffscreenGl)
#include "test_offscreen_gl.moc"
