#include "core/pipeline/policy_introspection.h"

#include "model/policy.h"

namespace thinkvla::core {

namespace {
cv::Mat toMat(const torch::Tensor& t2d) {
  const auto c = t2d.to(torch::kFloat32).contiguous();
  return cv::Mat(static_cast<int>(c.size(0)), static_cast<int>(c.size(1)), CV_32F,
                 const_cast<float*>(c.data_ptr<float>()))
      .clone();
}

// t: [layers, heads, views, grid, grid]
AttentionMaps toMaps(const torch::Tensor& t) {
  AttentionMaps m;
  if (!t.defined() || t.dim() != 5) return m;
  m.layers = static_cast<int>(t.size(0));
  m.heads = static_cast<int>(t.size(1));
  m.views = static_cast<int>(t.size(2));
  for (int l = 0; l < m.layers; ++l) {
    for (int h = 0; h < m.heads; ++h) {
      for (int v = 0; v < m.views; ++v) m.maps.push_back(toMat(t[l][h][v]));
    }
  }
  return m;
}
}  // namespace

cv::Mat AttentionMaps::mean(int view) const {
  cv::Mat sum;
  for (int l = 0; l < layers; ++l) {
    for (int h = 0; h < heads; ++h) {
      if (sum.empty()) sum = at(l, h, view).clone();
      else sum += at(l, h, view);
    }
  }
  if (!sum.empty()) sum /= static_cast<double>(layers * heads);
  return sum;
}

PolicyIntrospection toIntrospection(const model::PolicyStep& step, const model::PolicyConfig& config) {
  torch::NoGradGuard no_grad;
  PolicyIntrospection out;
  out.patch_grid = config.patchGrid();
  out.token_grid = config.tokenGrid();
  const int views = config.num_views;
  const int gt = out.token_grid;
  out.anchor = toMaps(step.anchor_attention);
  if (step.action_attention.defined() && step.action_attention.dim() == 4) {
    // [layers, heads, K, L]: the image tokens come first in the sequence, view by view.
    const auto image = step.action_attention.slice(3, 0, static_cast<int64_t>(views) * gt * gt);
    const auto mean_queries = image.mean(2);  // [layers, heads, V*gt*gt]
    out.action = toMaps(mean_queries.reshape({mean_queries.size(0), mean_queries.size(1), views, gt, gt}));
  }
  if (step.geometry_latent.defined()) {
    const auto g = step.geometry_latent;  // [V, g, g, D]
    for (int v = 0; v < static_cast<int>(g.size(0)); ++v) {
      out.geometry.push_back(toMat(g[v].reshape({g.size(1) * g.size(2), g.size(3)})));
    }
  }
  if (step.depth_m.defined()) {
    for (int v = 0; v < static_cast<int>(step.depth_m.size(0)); ++v) {
      out.depth_m.push_back(toMat(step.depth_m[v]));
    }
  }
  return out;
}

}  // namespace thinkvla::core
