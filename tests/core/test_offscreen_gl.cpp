// A headless OpenGL context can be made (under Xvfb in CI) and draws: clear colour read back.
#include <GL/gl.h>
#include <QtTest/QtTest>

#include "core/offscreen_gl.h"

class TestOffscreenGl : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void contextClearsAndReadsBack() {
    thinkvla::core::OffscreenGlContext context(32, 32);
    context.makeCurrent();
    const auto info = context.info();
    QVERIFY(!info.renderer.empty());
    QVERIFY(!info.version.empty());
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

  void probeReportsTheRenderer() {
    const auto probe = thinkvla::core::probeOpenGl();
    QVERIFY2(probe.ok, probe.error.c_str());
    QVERIFY(!probe.info.renderer.empty());
  }
};

QTEST_GUILESS_MAIN(TestOffscreenGl)
#include "test_offscreen_gl.moc"
