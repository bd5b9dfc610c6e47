#include "viz/scene_layers.h"

#include <vtkActor.h>
#include <vtkAppendPolyData.h>
#include <vtkAssembly.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkSphereSource.h>
#include <vtkUnsignedCharArray.h>

#include <cmath>

namespace thinkvla::viz {

namespace {
vtkSmartPointer<vtkUnsignedCharArray> colourArray(const char* name) {
  auto a = vtkSmartPointer<vtkUnsignedCharArray>::New();
  a->SetNumberOfComponents(3);
  a->SetName(name);
  return a;
}

vtkSmartPointer<vtkActor> actorFor(vtkPolyData* poly, bool scalars_per_cell) {
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(poly);
  mapper->SetColorModeToDirectScalars();
  if (scalars_per_cell) mapper->SetScalarModeToUseCellData();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->PickableOff();
  return actor;
}

// Small sphere meshes at each position, merged into one polydata with per-cell colours.
void fillSpheres(vtkPolyData* out, const std::vector<cv::Vec3d>& centres,
                 const std::vector<cv::Vec3b>& colours, double radius_m) {
  auto append = vtkSmartPointer<vtkAppendPolyData>::New();
  for (std::size_t i = 0; i < centres.size(); ++i) {
    auto sphere = vtkSmartPointer<vtkSphereSource>::New();
    sphere->SetCenter(centres[i][0], centres[i][1], centres[i][2]);
    sphere->SetRadius(radius_m);
    sphere->SetThetaResolution(12);
    sphere->SetPhiResolution(8);
    sphere->Update();
    vtkPolyData* s = sphere->GetOutput();
    auto c = colourArray("colour");
    const cv::Vec3b rgb = i < colours.size() ? colours[i] : cv::Vec3b(255, 255, 255);
    for (vtkIdType k = 0; k < s->GetNumberOfCells(); ++k) c->InsertNextTuple3(rgb[0], rgb[1], rgb[2]);
    s->GetCellData()->SetScalars(c);
    append->AddInputData(s);
  }
  if (centres.empty()) {
    out->Initialize();
    return;
  }
  append->Update();
  out->DeepCopy(append->GetOutput());
}
}  // namespace

PointCloudLayer::PointCloudLayer(float point_size_px)
    : poly_(vtkSmartPointer<vtkPolyData>::New()), actor_(actorFor(poly_, false)) {
  actor_->GetProperty()->SetPointSize(point_size_px);
  actor_->GetProperty()->SetLighting(false);
  actor_->GetProperty()->SetColor(0.9, 0.9, 0.9);
}

vtkActor* PointCloudLayer::actor() const { return actor_; }
vtkIdType PointCloudLayer::pointCount() const { return poly_->GetNumberOfPoints(); }

void PointCloudLayer::setColour(double r, double g, double b) {
  actor_->GetProperty()->SetColor(r, g, b);
}

void PointCloudLayer::update(const std::vector<cv::Vec3f>& points_m,
                             const std::vector<cv::Vec3b>& colours_rgb) {
  auto points = vtkSmartPointer<vtkPoints>::New();
  points->SetDataTypeToFloat();
  points->Allocate(static_cast<vtkIdType>(points_m.size()));
  auto verts = vtkSmartPointer<vtkCellArray>::New();
  auto colours = colourArray("colour");
  const bool coloured = colours_rgb.size() == points_m.size();
  for (std::size_t i = 0; i < points_m.size(); ++i) {
    const cv::Vec3f& p = points_m[i];
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) continue;
    const vtkIdType id = points->InsertNextPoint(p[0], p[1], p[2]);
    verts->InsertNextCell(1, &id);
    if (coloured) colours->InsertNextTuple3(colours_rgb[i][0], colours_rgb[i][1], colours_rgb[i][2]);
  }
  poly_->Initialize();
  poly_->SetPoints(points);
  poly_->SetVerts(verts);
  if (coloured) poly_->GetPointData()->SetScalars(colours);
  actor_->GetMapper()->SetScalarVisibility(coloured);
  poly_->Modified();
}

PathLayer::PathLayer(Colormap colormap, float line_width_px)
    : colormap_(colormap),
      line_(vtkSmartPointer<vtkPolyData>::New()),
      marks_(vtkSmartPointer<vtkPolyData>::New()),
      assembly_(vtkSmartPointer<vtkAssembly>::New()) {
  auto line_actor = actorFor(line_, true);
  line_actor->GetProperty()->SetLineWidth(line_width_px);
  line_actor->GetProperty()->SetLighting(false);
  auto mark_actor = actorFor(marks_, true);
  assembly_->AddPart(line_actor);
  assembly_->AddPart(mark_actor);
  assembly_->PickableOff();
}

vtkAssembly* PathLayer::prop() const { return assembly_; }
vtkIdType PathLayer::markCount() const { return mark_count_; }

void PathLayer::update(const std::vector<cv::Vec3d>& positions_m, const std::vector<double>& gripper) {
  const auto n = positions_m.size();
  cv::Mat ramp(1, static_cast<int>(std::max<std::size_t>(n, 1)), CV_32F);
  for (int i = 0; i < ramp.cols; ++i) {
    ramp.at<float>(0, i) = ramp.cols > 1 ? static_cast<float>(i) / static_cast<float>(ramp.cols - 1) : 0.0f;
  }
  const cv::Mat colours = colorize(ramp, colormap_);

  auto points = vtkSmartPointer<vtkPoints>::New();
  auto lines = vtkSmartPointer<vtkCellArray>::New();
  auto seg_colours = colourArray("colour");
  for (std::size_t i = 0; i < n; ++i) {
    points->InsertNextPoint(positions_m[i][0], positions_m[i][1], positions_m[i][2]);
    if (i > 0) {
      const vtkIdType ids[2] = {static_cast<vtkIdType>(i - 1), static_cast<vtkIdType>(i)};
      lines->InsertNextCell(2, ids);
      const cv::Vec3b c = colours.at<cv::Vec3b>(0, static_cast<int>(i));
      seg_colours->InsertNextTuple3(c[0], c[1], c[2]);
    }
  }
  line_->Initialize();
  line_->SetPoints(points);
  line_->SetLines(lines);
  line_->GetCellData()->SetScalars(seg_colours);
  line_->Modified();

  std::vector<cv::Vec3d> centres;
  std::vector<cv::Vec3b> mark_colours;
  if (gripper.size() == n) {
    for (std::size_t i = 0; i < n; ++i) {
      const bool closed = gripper[i] > 0.0;
      const bool changed = i > 0 && (gripper[i - 1] > 0.0) != closed;
      if (i == 0 || i + 1 == n || changed) {
        centres.push_back(positions_m[i]);
        mark_colours.push_back(closed ? cv::Vec3b(235, 60, 60) : cv::Vec3b(235, 235, 235));
      }
    }
  }
  fillSpheres(marks_, centres, mark_colours, 0.012);
  mark_count_ = static_cast<vtkIdType>(centres.size());
  marks_->Modified();
}

MarkerLayer::MarkerLayer(double radius_m, double r, double g, double b)
    : radius_m_(radius_m), poly_(vtkSmartPointer<vtkPolyData>::New()), actor_(actorFor(poly_, false)) {
  actor_->GetMapper()->SetScalarVisibility(false);
  actor_->GetProperty()->SetColor(r, g, b);
  actor_->GetProperty()->SetOpacity(0.85);
}

vtkActor* MarkerLayer::actor() const { return actor_; }

void MarkerLayer::update(const std::vector<cv::Vec3d>& positions_m) {
  fillSpheres(poly_, positions_m, {}, radius_m_);
  poly_->Modified();
}

}  // namespace thinkvla::viz
