#include "viz/shape_set_layer.h"

#include <vtkActor.h>
#include <vtkAppendPolyData.h>
#include <vtkAssembly.h>
#include <vtkCellArray.h>
#include <vtkCubeSource.h>
#include <vtkCylinderSource.h>
#include <vtkMatrix4x4.h>
#include <vtkPlaneSource.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkSphereSource.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>

namespace thinkvla::viz {

namespace {
// VTK's cylinder runs along y; MuJoCo's along z.
vtkSmartPointer<vtkPolyData> alongZ(vtkPolyData* along_y) {
  auto t = vtkSmartPointer<vtkTransform>::New();
  t->RotateX(90.0);
  auto f = vtkSmartPointer<vtkTransformPolyDataFilter>::New();
  f->SetTransform(t);
  f->SetInputData(along_y);
  f->Update();
  return f->GetOutput();
}

vtkSmartPointer<vtkPolyData> sphere(double r, double cz = 0.0) {
  auto s = vtkSmartPointer<vtkSphereSource>::New();
  s->SetRadius(r);
  s->SetCenter(0, 0, cz);
  s->SetThetaResolution(20);
  s->SetPhiResolution(14);
  s->Update();
  return s->GetOutput();
}

vtkSmartPointer<vtkPolyData> cylinder(double r, double half_length) {
  auto c = vtkSmartPointer<vtkCylinderSource>::New();
  c->SetRadius(r);
  c->SetHeight(2.0 * half_length);
  c->SetResolution(24);
  c->Update();
  return alongZ(c->GetOutput());
}

vtkSmartPointer<vtkPolyData> geometryFor(const ShapeDescription& s) {
  switch (s.kind) {
    case ShapeKind::kPlane: {
      auto p = vtkSmartPointer<vtkPlaneSource>::New();
      const double hx = s.size[0] > 0 ? s.size[0] : 2.0;
      const double hy = s.size[1] > 0 ? s.size[1] : 2.0;
      p->SetOrigin(-hx, -hy, 0);
      p->SetPoint1(hx, -hy, 0);
      p->SetPoint2(-hx, hy, 0);
      p->Update();
      return p->GetOutput();
    }
    case ShapeKind::kSphere:
      return sphere(s.size[0]);
    case ShapeKind::kEllipsoid: {
      auto t = vtkSmartPointer<vtkTransform>::New();
      t->Scale(s.size[0], s.size[1], s.size[2]);
      auto f = vtkSmartPointer<vtkTransformPolyDataFilter>::New();
      f->SetTransform(t);
      f->SetInputData(sphere(1.0));
      f->Update();
      return f->GetOutput();
    }
    case ShapeKind::kCylinder:
      return cylinder(s.size[0], s.size[1]);
    case ShapeKind::kCapsule: {
      auto append = vtkSmartPointer<vtkAppendPolyData>::New();
      append->AddInputData(cylinder(s.size[0], s.size[1]));
      append->AddInputData(sphere(s.size[0], s.size[1]));
      append->AddInputData(sphere(s.size[0], -s.size[1]));
      append->Update();
      return append->GetOutput();
    }
    case ShapeKind::kBox: {
      auto c = vtkSmartPointer<vtkCubeSource>::New();
      c->SetXLength(2.0 * s.size[0]);
      c->SetYLength(2.0 * s.size[1]);
      c->SetZLength(2.0 * s.size[2]);
      c->Update();
      return c->GetOutput();
    }
    case ShapeKind::kMesh: {
      auto points = vtkSmartPointer<vtkPoints>::New();
      for (const auto& v : s.mesh_vertices) points->InsertNextPoint(v[0], v[1], v[2]);
      auto tris = vtkSmartPointer<vtkCellArray>::New();
      const auto n = static_cast<int>(s.mesh_vertices.size());
      for (const auto& f : s.mesh_faces) {
        if (f[0] < 0 || f[1] < 0 || f[2] < 0 || f[0] >= n || f[1] >= n || f[2] >= n) continue;
        const vtkIdType ids[3] = {f[0], f[1], f[2]};
        tris->InsertNextCell(3, ids);
      }
      auto poly = vtkSmartPointer<vtkPolyData>::New();
      poly->SetPoints(points);
      poly->SetPolys(tris);
      auto normals = vtkSmartPointer<vtkPolyDataNormals>::New();
      normals->SetInputData(poly);
      normals->SetFeatureAngle(40.0);
      normals->Update();
      return normals->GetOutput();
    }
  }
  return vtkSmartPointer<vtkPolyData>::New();
}
}  // namespace

ShapeSetLayer::ShapeSetLayer() : assembly_(vtkSmartPointer<vtkAssembly>::New()) {
  assembly_->PickableOff();
}

vtkAssembly* ShapeSetLayer::prop() const { return assembly_; }

void ShapeSetLayer::setShapes(const std::vector<ShapeDescription>& shapes) {
  for (auto& a : actors_) assembly_->RemovePart(a);
  actors_.clear();
  for (const auto& s : shapes) {
    auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    mapper->SetInputData(geometryFor(s));
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(s.rgba[0], s.rgba[1], s.rgba[2]);
    actor->GetProperty()->SetOpacity(s.rgba[3]);
    actor->GetProperty()->SetSpecular(0.2);
    actor->GetProperty()->SetSpecularPower(20);
    actor->SetVisibility(s.rgba[3] > 0.0f);
    assembly_->AddPart(actor);
    actors_.push_back(actor);
  }
  assembly_->Modified();
}

void ShapeSetLayer::setPoses(const std::vector<cv::Matx44d>& poses) {
  const std::size_t n = std::min(poses.size(), actors_.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto m = vtkSmartPointer<vtkMatrix4x4>::New();
    for (int r = 0; r < 4; ++r) {
      for (int c = 0; c < 4; ++c) m->SetElement(r, c, poses[i](r, c));
    }
    actors_[i]->SetUserMatrix(m);
  }
  assembly_->Modified();
}

}  // namespace thinkvla::viz
