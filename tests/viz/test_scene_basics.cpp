// The scene pieces on their own, in a plain off-screen VTK window (no Qt): the grid's geometry, the
// axes' colours where they should be, the background elsewhere.
#include <QtTest/QtTest>
#include <vtkActor.h>
#include <vtkAxesActor.h>
#include <vtkNew.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>
#include <vtkImageData.h>

#include "viz/scene_basics.h"

class TestSceneBasics : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void gridHasTheRightLines() {
    thinkvla::viz::GridOptions options;
    options.half_extent_m = 0.5;
    options.spacing_m = 0.1;
    auto grid = thinkvla::viz::makeGroundGrid(options);
    auto* poly = vtkPolyData::SafeDownCast(grid->GetMapper()->GetInput());
    QVERIFY(poly != nullptr);
    // 11 lines each way, two points per line, all in the z = 0 plane, spanning +-0.5 m.
    QCOMPARE(poly->GetNumberOfLines(), vtkIdType{22});
    double bounds[6];
    poly->GetBounds(bounds);
    QCOMPARE(bounds[0], -0.5);
    QCOMPARE(bounds[1], 0.5);
    QCOMPARE(bounds[2], -0.5);
    QCOMPARE(bounds[3], 0.5);
    QCOMPARE(bounds[4], 0.0);
    QCOMPARE(bounds[5], 0.0);
  }

  void offscreenRenderShowsAxesAndGrid() {
    vtkNew<vtkRenderer> renderer;
    thinkvla::viz::setupTabletopView(renderer);
    renderer->AddActor(thinkvla::viz::makeGroundGrid());
    renderer->AddActor(thinkvla::viz::makeWorldAxes(0.3));
    vtkNew<vtkRenderWindow> window;
    window->SetOffScreenRendering(1);
    window->SetSize(320, 240);
    window->AddRenderer(renderer);
    window->Render();
    vtkNew<vtkWindowToImageFilter> grab;
    grab->SetInput(window);
    grab->SetInputBufferTypeToRGB();
    grab->Update();
    vtkImageData* image = grab->GetOutput();
    int dims[3];
    image->GetDimensions(dims);
    QCOMPARE(dims[0], 320);
    QCOMPARE(dims[1], 240);
    auto pixel = [&](int x, int y) {  // VTK rows run bottom-up
      auto* p = static_cast<unsigned char*>(image->GetScalarPointer(x, y, 0));
      return std::array<int, 3>{p[0], p[1], p[2]};
    };
    int red = 0, green = 0, blue = 0, light = 0;
    for (int y = 0; y < 240; ++y) {
      for (int x = 0; x < 320; ++x) {
        const auto p = pixel(x, y);
        if (p[0] > 140 && p[0] > 2 * p[1] && p[0] > 2 * p[2]) ++red;
        if (p[1] > 120 && p[1] > 1.6 * p[0] && p[1] > 1.6 * p[2]) ++green;
        if (p[2] > 140 && p[2] > 1.5 * p[0] && p[2] > 1.2 * p[1]) ++blue;
        if (std::min({p[0], p[1], p[2]}) > 100) ++light;
      }
    }
    QVERIFY2(red > 20 && green > 20 && blue > 20,
             qPrintable(QString("r=%1 g=%2 b=%3").arg(red).arg(green).arg(blue)));
    QVERIFY2(light > 500, qPrintable(QString("grid pixels %1").arg(light)));
    // Top row: background, the top colour of the gradient.
    const auto top = pixel(2, 239);
    QVERIFY(std::abs(top[0] - int(255 * thinkvla::viz::kBackgroundTop[0])) <= 4);
    QVERIFY(std::abs(top[2] - int(255 * thinkvla::viz::kBackgroundTop[2])) <= 4);
  }
};

QTEST_GUILESS_MAIN(TestSceneBasics)
#include "test_scene_basics.moc"
