// Live layers of the 3D view, each one VTK actor updated in place from plain data: a point cloud
// (the depth probe's or the true one), a path coloured by time with gripper marks (a predicted
// action chunk or the executed trail) and markers (a target object's true position).
// Each layer owns its actor; add actor() to a renderer once, then call update() as data arrives.
// GUI thread (the thread that renders).
#pragma once

#include <opencv2/core.hpp>
#include <vtkSmartPointer.h>

#include <vector>

#include "viz/colormap.h"

class vtkActor;
class vtkAssembly;
class vtkPolyData;
class vtkProp3D;

namespace thinkvla::viz {

class PointCloudLayer {
 public:
  explicit PointCloudLayer(float point_size_px = 3.0f);
  vtkActor* actor() const;
  // points_m: N 3-D points in the base frame; colours_rgb: N RGB colours, or empty for one
  // colour. Non-finite points are skipped.
  void update(const std::vector<cv::Vec3f>& points_m, const std::vector<cv::Vec3b>& colours_rgb = {});
  void setColour(double r, double g, double b);
  vtkIdType pointCount() const;

 private:
  vtkSmartPointer<vtkPolyData> poly_;
  vtkSmartPointer<vtkActor> actor_;
};

class PathLayer {
 public:
  explicit PathLayer(Colormap colormap = Colormap::kTurbo, float line_width_px = 3.0f);
  vtkAssembly* prop() const;
  // positions_m: the path's points in order; gripper: the same count, -1 open ... +1 closed (empty:
  // no marks). Marks at the first and last points and wherever the gripper changes.
  void update(const std::vector<cv::Vec3d>& positions_m, const std::vector<double>& gripper = {});
  vtkIdType markCount() const;

 private:
  Colormap colormap_;
  vtkSmartPointer<vtkPolyData> line_;
  vtkSmartPointer<vtkPolyData> marks_;
  vtkSmartPointer<vtkAssembly> assembly_;
  vtkIdType mark_count_ = 0;
};

class MarkerLayer {
 public:
  MarkerLayer(double radius_m, double r, double g, double b);
  vtkActor* actor() const;
  void update(const std::vector<cv::Vec3d>& positions_m);

 private:
  double radius_m_;
  vtkSmartPointer<vtkPolyData> poly_;
  vtkSmartPointer<vtkActor> actor_;
};

}  // namespace thinkvla::viz
