#include "viz/scene_basics.h"

#include <vtkActor.h>
#include <vtkAxesActor.h>
#include <vtkCamera.h>
#include <vtkCaptionActor2D.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

#include <cmath>

namespace thinkvla::viz {

vtkSmartPointer<vtkActor> makeGroundGrid(const GridOptions& o) {
  auto points = vtkSmartPointer<vtkPoints>::New();
  auto lines = vtkSmartPointer<vtkCellArray>::New();
  auto colours = vtkSmartPointer<vtkUnsignedCharArray>::New();
  colours->SetNumberOfComponents(3);
  colours->SetName("colour");

  const int half = static_cast<int>(std::lround(o.half_extent_m / o.spacing_m));
  const double e = half * o.spacing_m;
  auto addLine = [&](double x0, double y0, double x1, double y1, bool major) {
    const vtkIdType a = points->InsertNextPoint(x0, y0, 0.0);
    const vtkIdType b = points->InsertNextPoint(x1, y1, 0.0);
    const vtkIdType ids[2] = {a, b};
    lines->InsertNextCell(2, ids);
    const double* rgb = major ? o.major_rgb : o.rgb;
    colours->InsertNextTuple3(rgb[0] * 255.0, rgb[1] * 255.0, rgb[2] * 255.0);
  };
  for (int i = -half; i <= half; ++i) {
    const double t = i * o.spacing_m;
    const bool major = o.major_every > 0 && i % o.major_every == 0;
    addLine(t, -e, t, e, major);
    addLine(-e, t, e, t, major);
  }
  auto poly = vtkSmartPointer<vtkPolyData>::New();
  poly->SetPoints(points);
  poly->SetLines(lines);
  poly->GetCellData()->SetScalars(colours);

  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(poly);
  mapper->SetColorModeToDirectScalars();
  mapper->SetScalarModeToUseCellData();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetLighting(false);
  actor->GetProperty()->SetLineWidth(1.0f);
  actor->PickableOff();
  return actor;
}

vtkSmartPointer<vtkAxesActor> makeWorldAxes(double length_m) {
  auto axes = vtkSmartPointer<vtkAxesActor>::New();
  axes->SetTotalLength(length_m, length_m, length_m);
  axes->SetShaftTypeToCylinder();
  axes->SetCylinderRadius(0.03);
  axes->SetConeRadius(0.12);
  axes->GetXAxisShaftProperty()->SetColor(0.90, 0.20, 0.20);
  axes->GetXAxisTipProperty()->SetColor(0.90, 0.20, 0.20);
  axes->GetYAxisShaftProperty()->SetColor(0.25, 0.80, 0.25);
  axes->GetYAxisTipProperty()->SetColor(0.25, 0.80, 0.25);
  axes->GetZAxisShaftProperty()->SetColor(0.25, 0.45, 0.95);
  axes->GetZAxisTipProperty()->SetColor(0.25, 0.45, 0.95);
  for (vtkCaptionActor2D* caption : {axes->GetXAxisCaptionActor2D(), axes->GetYAxisCaptionActor2D(),
                                     axes->GetZAxisCaptionActor2D()}) {
    caption->GetTextActor()->SetTextScaleModeToNone();  // a fixed size, not a fraction of the view
    caption->GetCaptionTextProperty()->SetFontSize(15);
    caption->GetCaptionTextProperty()->ShadowOff();
    caption->GetCaptionTextProperty()->ItalicOff();
  }
  axes->PickableOff();
  return axes;
}

void setupTabletopView(vtkRenderer* renderer) {
  renderer->GradientBackgroundOn();
  renderer->SetBackground(kBackgroundBottom[0], kBackgroundBottom[1], kBackgroundBottom[2]);
  renderer->SetBackground2(kBackgroundTop[0], kBackgroundTop[1], kBackgroundTop[2]);
  vtkCamera* camera = renderer->GetActiveCamera();
  camera->SetPosition(1.6, -1.4, 1.1);
  camera->SetFocalPoint(0.0, 0.0, 0.15);
  camera->SetViewUp(0.0, 0.0, 1.0);
  camera->SetViewAngle(35.0);
  renderer->ResetCameraClippingRange();
}

}  // namespace thinkvla::viz
