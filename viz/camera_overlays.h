// One camera's picture composed with the overlays the user chose, from plain data: the policy's
// attention over the image patches (the <anchor> token's or the action queries', one layer and
// head or the mean), the geometry latent as PCA colours (a StablePca basis the caller keeps per
// view, so colours stay put from frame to frame) and the predicted action path with gripper marks
// (projected through the camera's calibration). Also the inverse of projecting: patch-grid and
// per-pixel depth back-projected into the robot's base frame for the 3D view's point clouds.
// Stateless except for the StablePca the caller passes; any thread (the StablePca: one thread).
#pragma once

#include <opencv2/core.hpp>

#include <optional>
#include <vector>

#include "viz/colormap.h"
#include "viz/feature_pca.h"
#include "viz/trajectory_overlay.h"

namespace thinkvla::viz {

enum class AttentionSource { kAnchor, kActionQueries };

// How attention weights are scaled to [0, 1] before colouring.
enum class AttentionScale {
  kPerFrameMinMax,  // this frame's min -> 0, max -> 1
  kFixedMax,        // [0, fixed_max] -> [0, 1], clamped: comparable across frames
};

struct CameraOverlayOptions {
  bool attention = false;
  AttentionSource attention_source = AttentionSource::kAnchor;
  int layer = -1;  // -1: the mean over layers
  int head = -1;   // -1: the mean over heads
  Colormap colormap = Colormap::kInferno;
  double opacity = 0.6;  // attention and geometry colours over the picture, [0, 1]
  AttentionScale scale = AttentionScale::kPerFrameMinMax;
  double fixed_max = 0.25;  // kFixedMax's upper end (attention weights are probabilities)
  bool geometry = false;
  bool path = true;
  // The picture is upscaled (nearest, aspect kept) so its short side has at least this many
  // pixels before anything is drawn on it: small camera images (the world's 128 x 128) get crisp
  // lines and marks. 0 keeps the camera's size. The factor is an integer, and never makes the
  // long side exceed max_display_px (0: no limit).
  int min_display_px = 0;
  int max_display_px = 0;
};

// One view's attention: layers x heads grids (rows x cols = the token grid), maps[layer * heads +
// head], CV_32F.
struct AttentionStack {
  int layers = 0;
  int heads = 0;
  std::vector<cv::Mat> maps;
  bool empty() const { return maps.empty(); }
};

// The grid a (layer, head) choice shows: one map, or the mean over layers (layer < 0) and/or heads
// (head < 0). Out-of-range indices fall back to the mean. Empty for an empty stack.
cv::Mat selectAttention(const AttentionStack& stack, int layer, int head);

struct CameraOverlayInputs {
  AttentionStack anchor;          // empty: the policy has no anchor (or no introspection yet)
  AttentionStack action_queries;  // empty: no introspection yet
  cv::Mat geometry;               // (g*g) x D CV_32F patch features; empty: none
  int geometry_grid = 0;          // g
  std::vector<PathPoint> path;    // base frame; empty: nothing predicted yet
  std::optional<CameraModel> camera;  // the path needs it; no calibration: no path
};

struct ComposedImage {
  cv::Mat rgb;               // CV_8UC3 RGB, the picture with its overlays
  bool attention_drawn = false;
  bool geometry_drawn = false;
  int path_points_visible = 0;
};

// `rgb`: CV_8UC3 RGB, the camera's picture (not modified). `pca`: this view's StablePca, updated
// when the geometry overlay is on (may be null when it is off). Throws std::invalid_argument for
// a picture that is not CV_8UC3 or features that do not fit their grid.
ComposedImage composeCameraImage(const cv::Mat& rgb, const CameraOverlayInputs& inputs,
                                 const CameraOverlayOptions& options, StablePca* pca);

// A patch grid of depths (CV_32F, metres along the optical axis, one per patch of an image of
// camera.image_size, split evenly) back-projected through the patch centres into the base frame.
// Non-positive or non-finite depths are skipped.
std::vector<cv::Vec3f> depthGridToPoints(const cv::Mat& depth_grid_m, const CameraModel& camera);
// A depth image (CV_32F metres, camera.image_size) back-projected every `stride` pixels.
std::vector<cv::Vec3f> depthImageToPoints(const cv::Mat& depth_m, const CameraModel& camera,
                                          int stride = 4);

}  // namespace thinkvla::viz
