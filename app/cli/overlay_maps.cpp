#include "cli/overlay_maps.h"

#include <memory>
#include <optional>

namespace thinkvla::cli {

viz::AttentionStack attentionStack(const core::AttentionMaps& maps, int view) {
  viz::AttentionStack stack;
  if (maps.empty() || view < 0 || view >= maps.views || maps.layers <= 0 || maps.heads <= 0 ||
      maps.maps.size() != static_cast<std::size_t>(maps.layers * maps.heads * maps.views)) {
    return stack;
  }
  stack.layers = maps.layers;
  stack.heads = maps.heads;
  stack.maps.reserve(static_cast<std::size_t>(maps.layers * maps.heads));
  for (int l = 0; l < maps.layers; ++l) {
    for (int h = 0; h < maps.heads; ++h) stack.maps.push_back(maps.at(l, h, view));
  }
  return stack;
}

viz::CameraModel cameraModel(const core::CameraGeometry& camera) {
  viz::CameraModel model;
  model.camera_matrix = camera.camera_matrix;
  model.T_base_camera = camera.T_base_camera;
  model.image_size = camera.image_size;
  return model;
}

PathContext pathContext(const core::WorldState& state) {
  PathContext path;
  path.ee_position_m = state.ee_position_m;
  path.cameras = state.cameras;
  return path;
}

viz::CameraOverlayInputs overlayInputs(const core::InferenceResult& result, std::size_t view,
                                       const PathContext* path) {
  viz::CameraOverlayInputs in;
  const core::PolicyIntrospection& policy = result.introspection;
  if (result.has_introspection) {
    in.anchor = attentionStack(policy.anchor, static_cast<int>(view));
    in.action_queries = attentionStack(policy.action, static_cast<int>(view));
    if (view < policy.geometry.size() && policy.patch_grid > 0) {
      in.geometry = policy.geometry[view];
      in.geometry_grid = policy.patch_grid;
    }
  }
  if (path != nullptr && view < path->cameras.size()) {
    in.path = viz::chunkPath(path->ee_position_m, result.actions, path->metres_per_unit);
    in.camera = cameraModel(path->cameras[view]);
  }
  return in;
}

std::vector<ViewMaps> OverlayMaps::compose(const core::InferenceResult& result,
                                           const PathContext* path) {
  const auto& views = result.frames.views;
  std::vector<ViewMaps> out(views.size());
  if (pca_.size() < views.size()) pca_.resize(views.size());
  for (std::size_t v = 0; v < views.size(); ++v) {
    ViewMaps& maps = out[v];
    maps.camera = views[v].camera;
    const cv::Mat& rgb = views[v].rgb;
    if (!result.has_introspection || rgb.empty()) continue;
    const viz::CameraOverlayInputs in = overlayInputs(result, v, path);

    viz::CameraOverlayOptions attention;
    attention.attention = true;
    attention.attention_source = in.anchor.empty() ? viz::AttentionSource::kActionQueries
                                                   : viz::AttentionSource::kAnchor;
    attention.path = true;
    const viz::ComposedImage a = viz::composeCameraImage(rgb, in, attention, nullptr);
    if (a.attention_drawn) {
      maps.attention = a.rgb;
      maps.path_points_visible = a.path_points_visible;
    }

    viz::CameraOverlayOptions geometry;
    geometry.geometry = true;
    geometry.path = true;
    const viz::ComposedImage g = viz::composeCameraImage(rgb, in, geometry, &pca_[v]);
    if (g.geometry_drawn) maps.geometry = g.rgb;
  }
  return out;
}

core::OverlayComposeFn benchmarkOverlays() {
  auto maps = std::make_shared<OverlayMaps>();
  return [maps](const core::InferenceResult& result, const core::WorldState& state) {
    const PathContext path = pathContext(state);
    const auto views = maps->compose(result, &path);
    return !views.empty() && !views.front().attention.empty();
  };
}

}  // namespace thinkvla::cli
