// LiveOverlays: what the policy perceived, drawn over its camera views as plain images, for the
// command line (`thinkvla infer --maps`) and the live benchmark, which have no viz/ (the command
// line links only core and model, and the headless build has no viz/ at all). With OpenCV only,
// and drawn as viz/ draws it so the files look like the studio:
//   - attention: the <anchor> token's attention over a view's image tokens, mean over layers and
//     heads (the action queries' when the policy has no anchor), min-max normalised, bicubic
//     upsampling, inferno colours blended with weight 0.25 + 0.75 x value at opacity 0.6
//     (viz/attention_overlay's defaults);
//   - geometry: the geometry latent's first three principal components as RGB, with a basis kept
//     stable from frame to frame (matched in order and sign to the previous one, blended, made
//     orthonormal again; robust 2..98% ranges that follow slowly: viz/feature_pca's StablePca),
//     nearest upsampling, blended at opacity 0.6;
//   - path: the predicted chunk as end-effector positions (the current one plus the summed
//     position deltas) projected through a calibrated camera, coloured by time (turbo), with
//     open (ring) / closed (filled) gripper marks (viz/trajectory_overlay). Only where the source
//     is calibrated (the built-in world); drawn on top of both maps.
//
// Thread-safety: the free functions are stateless, any thread. An OverlayComposer keeps the PCA
// state of each view: one thread (the one that draws).
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "core/pipeline/inference_worker.h"
#include "core/pipeline/world_session.h"

namespace thinkvla::core {

// `weights`: CV_32F grid; `rgb`: CV_8UC3. Returns a new RGB image of the image's size.
cv::Mat drawAttentionOverlay(const cv::Mat& rgb, const cv::Mat& weights);

class StableFeaturePca {
 public:
  explicit StableFeaturePca(double smoothing = 0.8);
  // `features`: N x D CV_32F (N, D >= 3). Returns the grid (rows x cols = N) as CV_8UC3 RGB at
  // `size` (nearest). Throws std::invalid_argument for features that do not fit.
  cv::Mat colours(const cv::Mat& features, int rows, int cols, cv::Size size);
  void reset();
  const cv::Mat& basis() const { return basis_; }  // 3 x D orthonormal rows (empty before)

 private:
  double smoothing_;
  cv::Mat basis_;  // 3 x D
  cv::Mat mean_;   // 1 x D
  cv::Vec3d lo_, hi_;
  bool has_ranges_ = false;
};

// End-effector positions along a chunk (base frame): the current position, then one per action
// (position deltas x metres_per_unit); the gripper value of each point alongside.
void chunkPath(const cv::Vec3d& ee_position_m, const std::vector<std::vector<float>>& actions,
               double metres_per_unit, std::vector<cv::Vec3d>& points,
               std::vector<double>& gripper);
// Draws the path into `rgb` (the camera's image). Returns the points inside the image.
int drawPathOverlay(cv::Mat& rgb, const std::vector<cv::Vec3d>& points,
                    const std::vector<double>& gripper, const CameraGeometry& camera);

struct ViewOverlays {
  std::string camera;
  cv::Mat attention;  // empty without attention maps
  cv::Mat geometry;   // empty without a geometry latent
  int path_points_visible = 0;
};

// Where the robot is and how its cameras are calibrated, for the path (the built-in world).
struct PathContext {
  cv::Vec3d ee_position_m;
  std::vector<CameraGeometry> cameras;  // same order as the frame set's views
  double metres_per_unit = 0.05;        // the world's action position scale
};

class OverlayComposer {
 public:
  // One set of overlays per view of the result's frames (the policy's view i for source view i;
  // a single source view that filled every policy view uses the policy's view 0). Needs a result
  // computed with introspection on; returns the views without maps otherwise.
  std::vector<ViewOverlays> compose(const InferenceResult& result,
                                    const PathContext* path = nullptr);
  void reset() { pca_.clear(); }

 private:
  std::vector<StableFeaturePca> pca_;
};

}  // namespace thinkvla::core
