// ShapeSetLayer: rigid shapes (a robot's links, a table, the objects on it) drawn in the 3D view
// from plain descriptions, and moved each frame by their poses. The shapes follow MuJoCo's geom
// conventions (sizes are half-extents and radii, capsules and cylinders along local z), so the
// world's geometry maps one to one; a mesh comes as vertices and triangles.
// Owns its actors; add prop() to a renderer once. GUI thread (the thread that renders).
#pragma once

#include <opencv2/core.hpp>
#include <vtkSmartPointer.h>

#include <vector>

class vtkActor;
class vtkAssembly;

namespace thinkvla::viz {

enum class ShapeKind { kPlane, kSphere, kCapsule, kEllipsoid, kCylinder, kBox, kMesh };

struct ShapeDescription {
  ShapeKind kind = ShapeKind::kBox;
  cv::Vec3d size{0.05, 0.05, 0.05};  // MuJoCo geom size
  cv::Vec4f rgba{0.7f, 0.7f, 0.7f, 1.0f};
  std::vector<cv::Vec3f> mesh_vertices;  // kMesh only, in the shape's frame
  std::vector<cv::Vec3i> mesh_faces;
};

class ShapeSetLayer {
 public:
  ShapeSetLayer();
  vtkAssembly* prop() const;

  // Replaces the shapes (builds their geometry once).
  void setShapes(const std::vector<ShapeDescription>& shapes);
  // One pose per shape (base <- shape, 4x4); fewer poses leave the rest where they were.
  void setPoses(const std::vector<cv::Matx44d>& poses);
  std::size_t size() const { return actors_.size(); }

 private:
  vtkSmartPointer<vtkAssembly> assembly_;
  std::vector<vtkSmartPointer<vtkActor>> actors_;
};

}  // namespace thinkvla::viz
