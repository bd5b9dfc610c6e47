// What the policy perceived, as plain OpenCV data the studio draws (viz/ takes cv::Mat): attention
// over each view's image tokens per layer and head, for the <anchor> token and (averaged) for the
// action queries; the geometry latent per patch; the depth probe's per-patch depth.
// Made on the inference thread from the policy's tensors; then only read.
#pragma once

#include <opencv2/core.hpp>

#include <vector>

namespace thinkvla::model {
struct PolicyConfig;
struct PolicyStep;
}  // namespace thinkvla::model

namespace thinkvla::core {

// [layer][head][view] -> grid x grid CV_32F maps.
struct AttentionMaps {
  int layers = 0;
  int heads = 0;
  int views = 0;
  std::vector<cv::Mat> maps;

  bool empty() const { return maps.empty(); }
  const cv::Mat& at(int layer, int head, int view) const {
    return maps[static_cast<std::size_t>((layer * heads + head) * views + view)];
  }
  // The mean over layers and heads for one view (what "averaged" shows).
  cv::Mat mean(int view) const;
};

struct PolicyIntrospection {
  AttentionMaps anchor;              // <anchor> -> image tokens; empty without an anchor
  AttentionMaps action;              // action queries (mean over the K queries) -> image tokens
  std::vector<cv::Mat> geometry;     // per view: (g*g) x D CV_32F patch features; empty without
  std::vector<cv::Mat> depth_m;      // per view: g x g CV_32F depth-probe map
  int patch_grid = 0;                // g
  int token_grid = 0;                // the attention maps' grid
};

// Converts the tensors a PolicyStep carries (introspection on) into plain maps.
PolicyIntrospection toIntrospection(const model::PolicyStep& step, const model::PolicyConfig& config);

}  // namespace thinkvla::core
