// The pieces every 3D view starts with: a ground grid in the z = 0 plane (robotics convention, z
// up, metres), world axes (x red, y green, z blue) and a camera looking at a tabletop. Each
// function returns a new VTK object that the caller adds to its renderer and then owns through
// vtkSmartPointer. GUI thread (or any one thread that owns the renderer).
#pragma once

#include <vtkSmartPointer.h>

class vtkActor;
class vtkAxesActor;
class vtkRenderer;

namespace thinkvla::viz {

struct GridOptions {
  double half_extent_m = 1.0;   // the grid spans [-half_extent, half_extent] in x and y
  double spacing_m = 0.1;
  int major_every = 5;          // every n-th line is drawn darker
  double rgb[3] = {0.55, 0.57, 0.62};
  double major_rgb[3] = {0.75, 0.77, 0.82};
};
vtkSmartPointer<vtkActor> makeGroundGrid(const GridOptions& options = {});

// Axes of `length_m` at the origin, labelled X, Y, Z.
vtkSmartPointer<vtkAxesActor> makeWorldAxes(double length_m = 0.3);

// Background (dark slate gradient) and a camera at (1.6, -1.4, 1.1) looking at (0, 0, 0.15), z up.
void setupTabletopView(vtkRenderer* renderer);

inline constexpr double kBackgroundTop[3] = {0.16, 0.18, 0.22};
inline constexpr double kBackgroundBottom[3] = {0.08, 0.09, 0.11};

}  // namespace thinkvla::viz
