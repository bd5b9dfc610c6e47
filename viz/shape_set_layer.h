// ShapeSetLayer: rigid shapes (a robot's links, a table, the objects on it) drawn in the 3D view
// from plain descriptions, and moved each frame by their poses. The shapes follow MuJoCo's geom
// conventions (sizes are half-extents and radii, capsules and cylinders along local z), so the
// world's geometry maps one to one; a mesh comes as vertices and triangles.
// The opaque shapes are drawn as one actor (one draw call, colours per vertex) whose vertices
// setPoses() moves on the CPU: the world has about a hundred shapes, and with software OpenGL
// (llvmpipe) a draw call per shape cost more than their pixels. Translucent shapes keep an actor
// each (they are drawn after the opaque ones); invisible ones (alpha 0) are left out.
// Owns its actors; add prop() to a renderer once. GUI thread (the thread that renders).
#pragma once

#include <opencv2/core.hpp>
#include <vtkSmartPointer.h>

#include <vector>

class vtkActor;
class vtkAssembly;
class vtkPolyData;

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
  // The number of shapes set, drawn or not.
  std::size_t size() const { return shape_count_; }
  // The number of actors drawing them (the merged opaque one plus one per translucent shape).
  std::size_t actorCount() const;

 private:
  // Where a shape went: its vertices in the merged geometry, or its own actor.
  struct Placement {
    long long first_point = -1;  // in merged_, or -1
    long long point_count = 0;
    vtkSmartPointer<vtkActor> actor;  // translucent shapes only
  };
  vtkSmartPointer<vtkAssembly> assembly_;
  vtkSmartPointer<vtkPolyData> merged_;
  vtkSmartPointer<vtkActor> merged_actor_;
  std::vector<float> local_points_;   // merged vertices in their shapes' frames, xyz
  std::vector<float> local_normals_;  // and their normals
  std::vector<Placement> placements_;
  std::size_t shape_count_ = 0;
};

}  // namespace thinkvla::viz
