#include "core/sim/scene_geometry.h"

namespace thinkvla::core::sim {

std::vector<GeomShape> sceneShapes(const mjModel* m) {
  std::vector<GeomShape> shapes;
  for (int g = 0; g < m->ngeom; ++g) {
    const int type = m->geom_type[g];
    if (type == mjGEOM_PLANE || type == mjGEOM_HFIELD) continue;
    const mjtNum* size = m->geom_size + 3 * g;
    if (type == mjGEOM_BOX && (size[0] > 1.0 || size[1] > 1.0 || size[2] > 1.0)) continue;  // walls
    const int group = m->geom_group[g];
    if (group >= 3) continue;  // collision-only copies, hidden by MuJoCo's default view too
    GeomShape s;
    s.geom_id = g;
    const char* name = mj_id2name(m, mjOBJ_GEOM, g);
    s.name = name ? name : "";
    s.type = type;
    s.size = cv::Vec3d(size[0], size[1], size[2]);
    const int mat = m->geom_matid[g];
    const float* rgba = mat >= 0 ? m->mat_rgba + 4 * mat : m->geom_rgba + 4 * g;
    s.rgba = cv::Vec4f(rgba[0], rgba[1], rgba[2], rgba[3]);
    if (type == mjGEOM_MESH) {
      const int mesh = m->geom_dataid[g];
      const int v0 = m->mesh_vertadr[mesh], nv = m->mesh_vertnum[mesh];
      const int f0 = m->mesh_faceadr[mesh], nf = m->mesh_facenum[mesh];
      for (int i = 0; i < nv; ++i) {
        const float* v = m->mesh_vert + 3 * (v0 + i);
        s.mesh_vertices.emplace_back(v[0], v[1], v[2]);
      }
      for (int i = 0; i < nf; ++i) {
        const int* f = m->mesh_face + 3 * (f0 + i);
        s.mesh_faces.emplace_back(f[0], f[1], f[2]);
      }
    }
    shapes.push_back(std::move(s));
  }
  return shapes;
}

std::vector<cv::Matx44d> shapePoses(const mjData* d, const std::vector<GeomShape>& shapes) {
  std::vector<cv::Matx44d> poses;
  poses.reserve(shapes.size());
  for (const auto& s : shapes) {
    const mjtNum* p = d->geom_xpos + 3 * s.geom_id;
    const mjtNum* R = d->geom_xmat + 9 * s.geom_id;  // row-major 3x3
    poses.emplace_back(R[0], R[1], R[2], p[0], R[3], R[4], R[5], p[1], R[6], R[7], R[8], p[2], 0, 0, 0, 1);
  }
  return poses;
}

}  // namespace thinkvla::core::sim
