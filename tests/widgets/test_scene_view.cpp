// The 3D view under Xvfb: VTK renders with the view's own context (grid and axes visible in the
// grabbed frame), the widget paints that frame through Qt's raster path, the ImGui HUD appears in
// its corner, resizing follows the widget, and the mouse moves the camera.
#include <QtTest/QtTest>
#include <vtkCamera.h>
#include <vtkRenderer.h>

#include "viz/scene_basics.h"
#include "widgets/scene_view.h"

using thinkvla::widgets::SceneView;

namespace {
// Distance of a pixel from the background gradient at its row (the gradient runs bottom to top).
int distanceFromBackground(const QImage& image, int x, int y) {
  const double t = 1.0 - static_cast<double>(y) / std::max(1, image.height() - 1);
  const QColor c = image.pixelColor(x, y);
  int d = 0;
  for (int k = 0; k < 3; ++k) {
    const double bg = 255.0 * (thinkvla::viz::kBackgroundBottom[k] +
                               t * (thinkvla::viz::kBackgroundTop[k] -
                                    thinkvla::viz::kBackgroundBottom[k]));
    const int v = k == 0 ? c.red() : (k == 1 ? c.green() : c.blue());
    d = std::max(d, std::abs(v - static_cast<int>(bg)));
  }
  return d;
}

// Counts pixels in a rectangle that are clearly red, green or blue (the axes).
struct AxisPixels {
  int red = 0, green = 0, blue = 0;
};
AxisPixels countAxisPixels(const QImage& image, const QRect& rect) {
  AxisPixels n;
  for (int y = rect.top(); y <= rect.bottom(); ++y) {
    for (int x = rect.left(); x <= rect.right(); ++x) {
      const QColor c = image.pixelColor(x, y);
      if (c.red() > 140 && c.red() > 2 * c.green() && c.red() > 2 * c.blue()) ++n.red;
      if (c.green() > 120 && c.green() > 1.6 * c.red() && c.green() > 1.6 * c.blue()) ++n.green;
      if (c.blue() > 140 && c.blue() > 1.5 * c.red() && c.blue() > 1.2 * c.green()) ++n.blue;
    }
  }
  return n;
}
// Shows `view` at w x h without its HUD and waits until it is on screen.
bool showWithoutHud(SceneView& view, int w, int h) {
  view.setHudVisible(false);
  view.resize(w, h);
  view.show();
  return QTest::qWaitForWindowExposed(&view);
}
}  // namespace

class TestSceneView : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QSurfaceFormat::setDefaultFormat(thinkvla::widgets::VtkGlWidget::defaultFormat()); }

  void rendersGridAndAxes() {
    SceneView view(nullptr);
    view.setRepaintInterval(0);
    QVERIFY(showWithoutHud(view, 640, 480));
    const QImage image = view.grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    image.save(QString(THINKVLA_BINARY_DIR) + "/tests/scene_view_grid_axes.png");
    QCOMPARE(image.size(), QSize(640, 480) * view.devicePixelRatio());

    // The corners of the view show the background gradient.
    QVERIFY2(distanceFromBackground(image, 3, 3) <= 6, "top-left corner is not background");
    QVERIFY2(distanceFromBackground(image, 3, image.height() - 4) <= 6, "bottom-left not background");

    // The grid: many light-grey pixels in the lower half where the ground plane is seen.
    int grid = 0;
    for (int y = image.height() / 2; y < image.height(); ++y) {
      for (int x = 0; x < image.width(); ++x) {
        const QColor c = image.pixelColor(x, y);
        const int spread = std::max({c.red(), c.green(), c.blue()}) -
                           std::min({c.red(), c.green(), c.blue()});
        if (distanceFromBackground(image, x, y) > 40 && spread < 30) ++grid;
      }
    }
    QVERIFY2(grid > 2000, qPrintable(QString("only %1 grid pixels").arg(grid)));

    // The axes at the origin: red, green and blue pixels around the image's centre.
    const AxisPixels axes = countAxisPixels(image, QRect(image.width() / 4, image.height() / 5,
                                                         image.width() / 2, image.height() * 3 / 5));
    QVERIFY2(axes.red > 50 && axes.green > 50 && axes.blue > 50,
             qPrintable(QString("axis pixels r=%1 g=%2 b=%3").arg(axes.red).arg(axes.green).arg(axes.blue)));
  }


  void paintsItsFrameAsAPlainWidget() {
    // QWidget::grab() goes through paintEvent and the raster backing store, as the screen does:
    // it must show the rendered frame, pixel for pixel.
    SceneView view(nullptr);
    view.setRepaintInterval(0);
    QVERIFY(showWithoutHud(view, 400, 300));
    const QImage frame = view.grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    const QImage painted = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    QCOMPARE(painted.size(), frame.size());
    int differing = 0;
    for (int y = 0; y < frame.height(); ++y) {
      for (int x = 0; x < frame.width(); ++x) differing += frame.pixel(x, y) != painted.pixel(x, y);
    }
    QCOMPARE(differing, 0);
    // Upright: the ground grid (light lines) is in the lower half, the top rows are background.
    QVERIFY(distanceFromBackground(painted, painted.width() / 2, 2) <= 6);
  }
  void hudAppearsInItsCorner() {
    SceneView view(nullptr);
    view.setRepaintInterval(0);
    view.resize(640, 480);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setHudVisible(false);
    const QImage without = view.grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    view.setHudVisible(true);
    view.setHudLines({{"inference", "12.5 ms"}});
    QImage with;
    for (int i = 0; i < 3; ++i) with = view.grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    with.save(QString(THINKVLA_BINARY_DIR) + "/tests/scene_view_hud.png");

    const QRectF hud = view.hudRect();
    QVERIFY2(hud.width() > 100 && hud.height() > 40, "HUD window too small or not drawn");
    QVERIFY(hud.left() < 20 && hud.top() < 20);  // top-left corner
    int changed_inside = 0;
    int changed_outside = 0;
    for (int y = 0; y < with.height(); y += 2) {
      for (int x = 0; x < with.width(); x += 2) {
        const bool differs = with.pixel(x, y) != without.pixel(x, y);
        if (hud.contains(x, y)) changed_inside += differs ? 1 : 0;
        else if (differs) ++changed_outside;
      }
    }
    const int inside_samples = static_cast<int>(hud.width() * hud.height() / 4);
    QVERIFY2(changed_inside > inside_samples / 3,
             qPrintable(QString("%1 of %2 HUD pixels changed").arg(changed_inside).arg(inside_samples)));
    QCOMPARE(changed_outside, 0);  // the 3D picture elsewhere is untouched
    QCOMPARE(view.frameStats().count() > 0, true);
  }

  void resizingFollowsTheWidget() {
    SceneView view(nullptr);
    view.setRepaintInterval(0);
    QVERIFY(showWithoutHud(view, 320, 240));
    QCOMPARE(view.grabFramebuffer().size(), QSize(320, 240) * view.devicePixelRatio());
    view.resize(500, 300);
    QTest::qWait(50);
    const QImage image = view.grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    QCOMPARE(image.size(), QSize(500, 300) * view.devicePixelRatio());
    // The right-most column is rendered (not left black from the smaller size).
    QVERIFY(distanceFromBackground(image, image.width() - 2, 2) <= 6);
    QVERIFY(distanceFromBackground(image, image.width() - 2, image.height() - 3) <= 6);
  }

  void mouseDragRotatesTheCamera() {
    SceneView view(nullptr);
    view.setRepaintInterval(0);
    QVERIFY(showWithoutHud(view, 400, 300));
    view.grabFramebuffer();
    double before[3];
    view.renderer()->GetActiveCamera()->GetPosition(before);
    QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, QPoint(200, 150));
    for (int x = 205; x <= 260; x += 5) QTest::mouseMove(&view, QPoint(x, 150));
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, QPoint(260, 150));
    double after[3];
    view.renderer()->GetActiveCamera()->GetPosition(after);
    const double moved = std::hypot(after[0] - before[0], after[1] - before[1], after[2] - before[2]);
    QVERIFY2(moved > 0.1, qPrintable(QString("camera moved %1").arg(moved)));

    // The wheel zooms: the camera comes closer to its focal point.
    const double d0 = view.renderer()->GetActiveCamera()->GetDistance();
    QWheelEvent wheel(QPointF(200, 150), view.mapToGlobal(QPointF(200, 150)), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    QVERIFY(view.renderer()->GetActiveCamera()->GetDistance() < d0);
  }

  void dragsOnTheHudDoNotMoveTheCamera() {
    SceneView view(nullptr);
    view.setRepaintInterval(0);
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // Two frames: ImGui learns where the pointer is before it claims the mouse.
    QTest::mouseMove(&view, QPoint(40, 30));
    view.grabFramebuffer();
    QTest::mouseMove(&view, QPoint(41, 31));
    view.grabFramebuffer();
    QVERIFY(view.hudRect().contains(QPointF(41, 31)));
    double before[3];
    view.renderer()->GetActiveCamera()->GetPosition(before);
    QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, QPoint(41, 31));
    for (int x = 45; x <= 90; x += 5) QTest::mouseMove(&view, QPoint(x, 31));
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, QPoint(90, 31));
    double after[3];
    view.renderer()->GetActiveCamera()->GetPosition(after);
    QCOMPARE(after[0], before[0]);
    QCOMPARE(after[1], before[1]);
    QCOMPARE(after[2], before[2]);
  }

  void quickControlsInTheHudTakeTheMouse() {
    SceneView view(nullptr);
    view.setRepaintInterval(0);
    view.resize(500, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.grabFramebuffer();
    const QRectF plain = view.hudRect();
    view.setQuickControls(2, 4, -1, -1, 0.6);
    for (int i = 0; i < 3; ++i) view.grabFramebuffer();  // auto-resize settles over a few frames
    const QRectF hud = view.hudRect();
    QVERIFY2(hud.height() > plain.height() + 40, "the layer, head and opacity rows are missing");
    view.grabFramebuffer().save(QString(THINKVLA_BINARY_DIR) + "/tests/scene_view_quick_controls.png");

    // Drag the opacity slider (the HUD's last row) to its left end, a frame between each step
    // (ImGui 1.86 reads the mouse state once per frame).
    QSignalSpy spy(&view, &SceneView::quickControlsChanged);
    const int y = static_cast<int>(hud.bottom()) - 14;
    const int x0 = static_cast<int>(hud.left()) + 70;
    QTest::mouseMove(&view, QPoint(x0, y));
    view.grabFramebuffer();
    QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, QPoint(x0, y));
    view.grabFramebuffer();
    for (int x = x0 - 10; x >= static_cast<int>(hud.left()) - 40; x -= 10) {
      QTest::mouseMove(&view, QPoint(x, y));
      view.grabFramebuffer();
    }
    QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier, QPoint(static_cast<int>(hud.left()) - 40, y));
    view.grabFramebuffer();
    QTRY_VERIFY(spy.size() > 0);
    const double opacity = spy.last().at(2).toDouble();
    QVERIFY2(opacity < 0.05, qPrintable(QString("opacity %1").arg(opacity)));
    QCOMPARE(spy.last().at(0).toInt(), -1);  // the layer and head stay on the mean
    QVERIFY(view.quickControls().opacity < 0.05f);
  }
};

QTEST_MAIN(TestSceneView)
#include "test_scene_view.moc"
