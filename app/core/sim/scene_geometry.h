// The world's visible geometry as plain data, for the studio's 3D view: one entry per drawn geom
// (MuJoCo's shape conventions: sizes are half-extents and radii, capsules and cylinders along local
// z), its colour (from its material when it has one), mesh vertices and faces, and each geom's pose
// in the base (world) frame. Floors, walls and other room-sized geoms are left out: the view has its
// own ground grid. Pure functions of the model and data; any thread that may read them.
#pragma once

#include <mujoco/mujoco.h>

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace thinkvla::core::sim {

struct GeomShape {
  int geom_id = -1;
  std::string name;
  int type = mjGEOM_BOX;  // mjtGeom
  cv::Vec3d size;
  cv::Vec4f rgba;
  std::vector<cv::Vec3f> mesh_vertices;
  std::vector<cv::Vec3i> mesh_faces;
};

std::vector<GeomShape> sceneShapes(const mjModel* model);
// Poses (world <- geom) of the shapes sceneShapes() returned, in the same order.
std::vector<cv::Matx44d> shapePoses(const mjData* data, const std::vector<GeomShape>& shapes);

}  // namespace thinkvla::core::sim
