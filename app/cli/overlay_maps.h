// Overlay maps for the command line (`thinkvla infer --maps`, `thinkvla bench live`,
// tests/bench/bench_live): what the policy perceived in one inference drawn over its camera views
// by viz::composeCameraImage, the studio's own drawing (viz/camera_overlays.h), as two RGB images
// per view:
//   - attention: the <anchor> token's attention over the view's image tokens, the mean over layers
//     and heads (the action queries' when the policy has no anchor), with the predicted path;
//   - geometry: the geometry latent's first three principal components as colours (one
//     viz::StablePca per view, kept from frame to frame so the colours stay put), with the path.
// The path (the chunk's end-effector positions, coloured by time, gripper marks) needs the
// cameras' calibration and the end effector: only the built-in world has them.
// The conversions from core's plain data (core::InferenceResult, core::WorldState) to viz's live
// here: app/core never includes viz/, and viz/ never includes app/.
//
// Thread-safety: the free functions are stateless, any thread. An OverlayMaps keeps the PCA state
// of each view: one thread at a time (the one that draws).
#pragma once

#include <opencv2/core.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "core/pipeline/inference_worker.h"
#include "core/pipeline/live_benchmark.h"
#include "core/pipeline/world_session.h"
#include "viz/camera_overlays.h"

namespace thinkvla::cli {

// One view of core's attention maps ([layer][head][view]) as viz's stack ([layer][head]); empty
// when the maps are empty or have no such view.
viz::AttentionStack attentionStack(const core::AttentionMaps& maps, int view);

// The world's camera calibration as viz's camera model (no distortion).
viz::CameraModel cameraModel(const core::CameraGeometry& camera);

// Where the robot is and how its cameras are calibrated, for the path.
struct PathContext {
  cv::Vec3d ee_position_m;
  std::vector<core::CameraGeometry> cameras;  // same order as the frame set's views
  double metres_per_unit = core::sim::kActionPositionScaleM;  // the world's action scale
};
PathContext pathContext(const core::WorldState& state);

// The composer's inputs for view `view` of `result`: its attention stacks (the policy's view
// `view`: a single source view that filled every policy view uses view 0), its geometry latent,
// and the path with the view's camera (when `path` is given and has that camera).
viz::CameraOverlayInputs overlayInputs(const core::InferenceResult& result, std::size_t view,
                                       const PathContext* path);

struct ViewMaps {
  std::string camera;
  cv::Mat attention;            // RGB; empty without attention maps
  cv::Mat geometry;             // RGB; empty without a geometry latent
  int path_points_visible = 0;  // path points inside the picture (0 without a path)
};

class OverlayMaps {
 public:
  // One ViewMaps per view of the result's frames. Without introspection (or without a picture)
  // a view's maps are empty.
  std::vector<ViewMaps> compose(const core::InferenceResult& result,
                                const PathContext* path = nullptr);
  void reset() { pca_.clear(); }

 private:
  std::vector<viz::StablePca> pca_;  // one per view, kept across frames
};

// The live benchmark's composition step: both maps of every view with the path from the world's
// state, through one OverlayMaps the returned function owns. True when the first view's attention
// map was drawn.
core::OverlayComposeFn benchmarkOverlays();

}  // namespace thinkvla::cli
