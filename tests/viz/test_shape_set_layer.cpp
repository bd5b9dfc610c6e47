// Shapes in MuJoCo's conventions land where their poses put them, with their colours and sizes.
#include <QtTest/QtTest>
#include <vtkAssembly.h>
#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkWindowToImageFilter.h>

#include "viz/shape_set_layer.h"

using namespace thinkvla::viz;

namespace {
cv::Matx44d translation(double x, double y, double z) {
  return cv::Matx44d(1, 0, 0, x, 0, 1, 0, y, 0, 0, 1, z, 0, 0, 0, 1);
}

ShapeDescription shape(ShapeKind kind, cv::Vec3d size, cv::Vec4f rgba) {
  return ShapeDescription{kind, size, rgba, {}, {}};
}

struct TopView {
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkRenderWindow> window;
  vtkNew<vtkWindowToImageFilter> grab;
  TopView() {
    renderer->SetBackground(0, 0, 0);
    window->SetOffScreenRendering(1);
    window->SetSize(200, 200);
    window->AddRenderer(renderer);
    vtkCamera* cam = renderer->GetActiveCamera();
    cam->ParallelProjectionOn();
    cam->SetParallelScale(1.0);
    cam->SetPosition(0, 0, 5);
    cam->SetFocalPoint(0, 0, 0);
    cam->SetViewUp(0, 1, 0);
    renderer->ResetCameraClippingRange(-3, 3, -3, 3, -3, 3);
  }
  std::array<int, 3> at(double x, double y) {
    window->Render();
    grab->SetInput(window);
    grab->Modified();
    grab->Update();
    auto* p = static_cast<unsigned char*>(grab->GetOutput()->GetScalarPointer(
        static_cast<int>((x + 1.0) * 100.0), static_cast<int>((y + 1.0) * 100.0), 0));
    return {p[0], p[1], p[2]};
  }
};
}  // namespace

class TestShapeSetLayer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void shapesSitAtTheirPoses() {
    TopView view;
    ShapeSetLayer layer;
    view.renderer->AddActor(layer.prop());
    ShapeDescription tri = shape(ShapeKind::kMesh, {}, {1, 1, 0, 1});
    tri.mesh_vertices = {{0, 0, 0}, {0.3f, 0, 0}, {0, 0.3f, 0}};
    tri.mesh_faces = {{0, 1, 2}};
    layer.setShapes({shape(ShapeKind::kBox, {0.1, 0.1, 0.1}, {1, 0, 0, 1}),
                     shape(ShapeKind::kSphere, {0.1, 0, 0}, {0, 1, 0, 1}),
                     shape(ShapeKind::kCapsule, {0.05, 0.2, 0}, {0, 0, 1, 1}), tri});
    QCOMPARE(layer.size(), std::size_t{4});
    QCOMPARE(layer.actorCount(), std::size_t{1});  // opaque shapes share one actor
    layer.setPoses({translation(-0.5, 0.5, 0), translation(0.5, 0.5, 0), translation(-0.5, -0.5, 0),
                    translation(0.4, -0.6, 0)});
    // Colours as given, under a white specular highlight of at most 0.2 (the view looks straight
    // down the light).
    auto red = view.at(-0.5, 0.5);
    QVERIFY2(red[0] > 80 && red[1] < 60 && red[2] < 60, "box missing");
    auto green = view.at(0.5, 0.5);
    QVERIFY2(green[1] > 80 && green[0] < 60 && green[2] < 60, "sphere missing");
    // The capsule lies along z: from above it is a disc of its radius, not a 0.4 m bar.
    QVERIFY(view.at(-0.5, -0.5)[2] > 80);
    QCOMPARE(view.at(-0.5, -0.35)[2], 0);
    auto yellow = view.at(0.45, -0.55);
    QVERIFY2(yellow[0] > 80 && yellow[1] > 80, "mesh missing");
    // Poses move shapes.
    layer.setPoses({translation(0.0, 0.0, 0)});
    QCOMPARE(view.at(-0.5, 0.5)[0], 0);
    QVERIFY(view.at(0.0, 0.0)[0] > 80);
  }

  void translucentShapesKeepTheirOwnActorAndInvisibleOnesAreLeftOut() {
    TopView view;
    ShapeSetLayer layer;
    view.renderer->AddActor(layer.prop());
    const ShapeDescription box = shape(ShapeKind::kBox, {0.1, 0.1, 0.1}, {1, 0, 0, 1});
    layer.setShapes({box, shape(ShapeKind::kBox, {0.1, 0.1, 0.1}, {0, 0, 1, 0.5f}),  // glass
                     shape(ShapeKind::kSphere, {0.1, 0, 0}, {0, 1, 0, 0})});        // a site
    QCOMPARE(layer.size(), std::size_t{3});
    QCOMPARE(layer.actorCount(), std::size_t{2});
    layer.setPoses({translation(-0.5, 0, 0), translation(0.5, 0, 0), translation(0, 0.5, 0)});
    QVERIFY(view.at(-0.5, 0)[0] > 80);
    const auto blue = view.at(0.5, 0);  // half blue over the black background
    QVERIFY2(blue[2] > 60 && blue[2] < 200 && blue[0] < 60, qPrintable(QString::number(blue[2])));
    QCOMPARE(view.at(0, 0.5)[1], 0);  // the invisible sphere draws nothing
    // Replacing the shapes drops the old actors.
    layer.setShapes({box});
    QCOMPARE(layer.actorCount(), std::size_t{1});
    layer.setPoses({translation(-0.5, 0, 0)});
    QCOMPARE(view.at(0.5, 0)[2], 0);
  }
};

QTEST_GUILESS_MAIN(TestShapeSetLayer)
#include "test_shape_set_layer.moc"
