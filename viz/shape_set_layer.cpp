#include "viz/shape_set_layer.h"

#include <vtkActor.h>
#include <vtkAppendPolyData.h>
#include <vtkAssembly.h>
#include <vtkCellArray.h>
#include <vtkCubeSource.h>
#include <vtkCylinderSource.h>
#include <vtkFloatArray.h>
#include <vtkMatrix4x4.h>
#include <vtkPlaneSource.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkSphereSource.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

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

vtkSmartPointer<vtkActor> shapeActor(vtkPolyData* geometry) {
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(geometry);
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetSpecular(0.2);
  actor->GetProperty()->SetSpecularPower(20);
  return actor;
}

// The geometry with point normals (the sources make them; a mesh gets them from its faces) and a
// colour per point, ready to be appended to the others.
vtkSmartPointer<vtkPolyData> colouredPiece(const ShapeDescription& s) {
  vtkSmartPointer<vtkPolyData> piece = geometryFor(s);
  if (piece->GetPointData()->GetNormals() == nullptr) {
    auto normals = vtkSmartPointer<vtkPolyDataNormals>::New();
    normals->SetInputData(piece);
    normals->Update();
    piece = normals->GetOutput();
  }
  auto colours = vtkSmartPointer<vtkUnsignedCharArray>::New();
  colours->SetName("colours");
  colours->SetNumberOfComponents(3);
  colours->SetNumberOfTuples(piece->GetNumberOfPoints());
  const auto channel = [](float v) {
    return static_cast<unsigned char>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
  };
  const std::array<unsigned char, 3> rgb{channel(s.rgba[0]), channel(s.rgba[1]),
                                         channel(s.rgba[2])};
  for (vtkIdType i = 0; i < piece->GetNumberOfPoints(); ++i) colours->SetTypedTuple(i, rgb.data());
  piece->GetPointData()->SetScalars(colours);
  return piece;
}
}  // namespace

ShapeSetLayer::ShapeSetLayer() : assembly_(vtkSmartPointer<vtkAssembly>::New()) {
  assembly_->PickableOff();
}

vtkAssembly* ShapeSetLayer::prop() const { return assembly_; }

std::size_t ShapeSetLayer::actorCount() const {
  std::size_t n = merged_actor_ ? 1 : 0;
  for (const auto& p : placements_) n += p.actor ? 1 : 0;
  return n;
}

void ShapeSetLayer::setShapes(const std::vector<ShapeDescription>& shapes) {
  if (merged_actor_) assembly_->RemovePart(merged_actor_);
  for (const auto& p : placements_) {
    if (p.actor) assembly_->RemovePart(p.actor);
  }
  merged_actor_ = nullptr;
  merged_ = nullptr;
  placements_.assign(shapes.size(), Placement{});
  shape_count_ = shapes.size();
  local_points_.clear();
  local_normals_.clear();

  auto append = vtkSmartPointer<vtkAppendPolyData>::New();
  vtkIdType points = 0;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const auto& s = shapes[i];
    if (s.rgba[3] <= 0.0f) continue;  // invisible (MuJoCo's sites and collision-only geoms)
    if (s.rgba[3] < 1.0f) {
      auto actor = shapeActor(geometryFor(s));
      actor->GetProperty()->SetColor(s.rgba[0], s.rgba[1], s.rgba[2]);
      actor->GetProperty()->SetOpacity(s.rgba[3]);
      assembly_->AddPart(actor);
      placements_[i].actor = actor;
      continue;
    }
    auto piece = colouredPiece(s);
    placements_[i].first_point = points;
    placements_[i].point_count = piece->GetNumberOfPoints();
    points += piece->GetNumberOfPoints();
    append->AddInputData(piece);
  }
  if (points > 0) {
    append->SetOutputPointsPrecision(vtkAlgorithm::SINGLE_PRECISION);
    append->Update();
    merged_ = append->GetOutput();
    auto* xyz = vtkFloatArray::SafeDownCast(merged_->GetPoints()->GetData());
    auto* normals = vtkFloatArray::SafeDownCast(merged_->GetPointData()->GetNormals());
    if (xyz == nullptr || normals == nullptr || xyz->GetNumberOfTuples() != points) {
      throw std::logic_error("ShapeSetLayer: merged geometry lacks float points or normals");
    }
    local_points_.assign(xyz->GetPointer(0), xyz->GetPointer(0) + 3 * points);
    local_normals_.assign(normals->GetPointer(0), normals->GetPointer(0) + 3 * points);
    merged_actor_ = shapeActor(merged_);
    auto* mapper = vtkPolyDataMapper::SafeDownCast(merged_actor_->GetMapper());
    mapper->SetScalarModeToUsePointData();
    mapper->SetColorModeToDirectScalars();
    mapper->ScalarVisibilityOn();
    assembly_->AddPart(merged_actor_);
  }
  assembly_->Modified();
}

void ShapeSetLayer::setPoses(const std::vector<cv::Matx44d>& poses) {
  const std::size_t n = std::min(poses.size(), placements_.size());
  float* xyz = nullptr;
  float* normals = nullptr;
  if (merged_) {
    xyz = vtkFloatArray::SafeDownCast(merged_->GetPoints()->GetData())->GetPointer(0);
    normals = vtkFloatArray::SafeDownCast(merged_->GetPointData()->GetNormals())->GetPointer(0);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const cv::Matx44d& pose = poses[i];
    const Placement& p = placements_[i];
    if (p.actor) {
      auto m = vtkSmartPointer<vtkMatrix4x4>::New();
      for (int r = 0; r < 4; ++r) {
        for (int c = 0; c < 4; ++c) m->SetElement(r, c, pose(r, c));
      }
      p.actor->SetUserMatrix(m);
      continue;
    }
    if (p.first_point < 0 || xyz == nullptr) continue;
    // Rigid poses: points get rotation and translation, normals the rotation only.
    for (long long k = p.first_point; k < p.first_point + p.point_count; ++k) {
      const float* lp = &local_points_[3 * k];
      const float* ln = &local_normals_[3 * k];
      for (int r = 0; r < 3; ++r) {
        xyz[3 * k + r] = static_cast<float>(pose(r, 0) * lp[0] + pose(r, 1) * lp[1] +
                                            pose(r, 2) * lp[2] + pose(r, 3));
        normals[3 * k + r] =
            static_cast<float>(pose(r, 0) * ln[0] + pose(r, 1) * ln[1] + pose(r, 2) * ln[2]);
      }
    }
  }
  if (merged_) {
    merged_->GetPoints()->Modified();
    merged_->GetPointData()->GetNormals()->Modified();
    merged_->Modified();
  }
  assembly_->Modified();
}

}  // namespace thinkvla::viz
