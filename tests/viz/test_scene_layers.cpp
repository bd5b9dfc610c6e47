// The 3D view's live layers: a point cloud, a path with gripper marks and a marker drawn where
// their data says, in an off-screen VTK window viewed from straight above.
#include <QtTest/QtTest>
#include <vtkActor.h>
#include <vtkAssembly.h>
#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkWindowToImageFilter.h>

#include "viz/scene_layers.h"

using namespace thinkvla::viz;

namespace {
struct TopView {
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkRenderWindow> window;
  TopView() {
    renderer->SetBackground(0, 0, 0);
    window->SetOffScreenRendering(1);
    window->SetSize(200, 200);
    window->AddRenderer(renderer);
    vtkCamera* cam = renderer->GetActiveCamera();
    cam->ParallelProjectionOn();
    cam->SetParallelScale(1.0);  // the view spans y in [-1, 1] m
    cam->SetPosition(0, 0, 5);
    cam->SetFocalPoint(0, 0, 0);
    cam->SetViewUp(0, 1, 0);
  }
  // RGB at world (x, y) on the z = 0 plane; VTK images run bottom-up like y.
  std::array<int, 3> at(double x, double y) {
    window->Render();
    vtkNew<vtkWindowToImageFilter> grab;
    grab->SetInput(window);
    grab->SetInputBufferTypeToRGB();
    grab->Update();
    const int px = static_cast<int>((x + 1.0) * 100.0);
    const int py = static_cast<int>((y + 1.0) * 100.0);
    auto* p = static_cast<unsigned char*>(grab->GetOutput()->GetScalarPointer(px, py, 0));
    return {p[0], p[1], p[2]};
  }
};
}  // namespace

class TestSceneLayers : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void pointCloudDrawsItsPoints() {
    TopView view;
    PointCloudLayer cloud(6.0f);
    view.renderer->AddActor(cloud.actor());
    std::vector<cv::Vec3f> points;
    std::vector<cv::Vec3b> colours;
    for (int i = -5; i <= 5; ++i) {
      points.emplace_back(0.5f, 0.05f * i, 0.0f);
      colours.emplace_back(0, 255, 0);
    }
    points.emplace_back(std::nanf(""), 0.0f, 0.0f);  // skipped
    colours.emplace_back(255, 0, 0);
    cloud.update(points, colours);
    QCOMPARE(cloud.pointCount(), vtkIdType{11});
    const auto on = view.at(0.5, 0.0);
    QVERIFY2(on[1] > 200 && on[0] < 50, "point missing or wrong colour");
    const auto off = view.at(-0.5, 0.0);
    QCOMPARE(off[1], 0);
    cloud.update({});  // cleared
    QCOMPARE(cloud.pointCount(), vtkIdType{0});
    QCOMPARE(view.at(0.5, 0.0)[1], 0);
  }

  void pathWithGripperMarks() {
    TopView view;
    PathLayer path;
    view.renderer->AddActor(path.prop());
    std::vector<cv::Vec3d> positions;
    std::vector<double> gripper;
    for (int i = 0; i < 9; ++i) {
      positions.emplace_back(-0.8 + 0.2 * i, -0.5, 0.0);
      gripper.push_back(i < 5 ? -1.0 : 1.0);
    }
    path.update(positions, gripper);
    QCOMPARE(path.markCount(), vtkIdType{3});  // start, the closing at step 5, the end
    const auto mid_line = view.at(-0.3, -0.5);
    QVERIFY2(mid_line[0] + mid_line[1] + mid_line[2] > 150, "no line between points");
    const auto closing = view.at(0.2, -0.5);  // step 5: a red mark
    QVERIFY2(closing[0] > 150 && closing[1] < 120, "no closing mark");
    QCOMPARE(view.at(0.0, 0.5)[0], 0);  // nothing elsewhere
  }

  void markersFollowUpdates() {
    TopView view;
    MarkerLayer marker(0.08, 1.0, 0.8, 0.0);
    view.renderer->AddActor(marker.actor());
    marker.update({{-0.5, 0.5, 0.0}});
    QVERIFY(view.at(-0.5, 0.5)[0] > 100);
    marker.update({{0.5, 0.5, 0.0}});
    QCOMPARE(view.at(-0.5, 0.5)[0], 0);
    QVERIFY(view.at(0.5, 0.5)[0] > 100);
  }
};

QTEST_GUILESS_MAIN(TestSceneLayers)
#include "test_scene_layers.moc"
