#include "model/policy.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "model/data/action_normalization.h"

namespace thinkvla::model {

Policy Policy::load(const std::string& directory) { return Policy(loadCheckpoint(directory)); }

Policy::Policy(Checkpoint checkpoint) : checkpoint_(std::move(checkpoint)) {
  checkpoint_.net->eval();
}

void Policy::reset() {
  cached_instruction_.clear();
  cached_ids_.clear();
}

const NormStats& Policy::normStatsFor(const std::string& instruction) const {
  const auto& tasks = checkpoint_.task_norm_stats;
  if (const auto own = tasks.find(instruction); own != tasks.end()) return own->second;
  return norm_stats_task_.empty() ? checkpoint_.norm_stats
                                  : checkpoint_.normStatsFor(norm_stats_task_);
}

PolicyInputs Policy::toInputs(const Observation& observation, const std::vector<int64_t>& text_ids,
                              const NormStats* stats) const {
  const auto& c = checkpoint_.config;
  if (static_cast<int>(observation.views.size()) != c.num_views) {
    throw std::invalid_argument("observation has " + std::to_string(observation.views.size()) +
                                " views, the policy expects " + std::to_string(c.num_views));
  }
  if (static_cast<int>(observation.proprio.size()) != c.proprio_dim) {
    throw std::invalid_argument("observation has " + std::to_string(observation.proprio.size()) +
                                " proprio values, the policy expects " +
                                std::to_string(c.proprio_dim));
  }
  std::vector<torch::Tensor> views;
  for (size_t i = 0; i < observation.views.size(); ++i) {
    const cv::Mat& m = observation.views[i];
    if (m.empty() || m.type() != CV_8UC3) {
      throw std::invalid_argument("view " + std::to_string(i) + " is not an 8-bit RGB image");
    }
    const cv::Mat cont = m.isContinuous() ? m : m.clone();
    views.push_back(torch::from_blob(cont.data, {cont.rows, cont.cols, 3}, torch::kUInt8).clone());
  }
  const bool same_size = std::all_of(views.begin(), views.end(), [&](const torch::Tensor& v) {
    return v.sizes() == views.front().sizes();
  });
  torch::Tensor images;
  if (same_size) {
    images = torch::stack(views).unsqueeze(0);  // [1, V, H, W, 3]; resized inside the network
  } else {
    // Views of different sizes are brought to the model's size one by one, with the network's own
    // resampling, so the result equals what the network would do with equal sizes.
    namespace F = torch::nn::functional;
    std::vector<torch::Tensor> resized;
    for (const auto& v : views) {
      auto x = v.to(torch::kFloat32).div(255.0).permute({2, 0, 1}).unsqueeze(0);
      x = F::interpolate(x, F::InterpolateFuncOptions()
                                .size(std::vector<int64_t>{c.image_size, c.image_size})
                                .mode(torch::kBilinear)
                                .align_corners(false)
                                .antialias(true));
      resized.push_back(x.squeeze(0).permute({1, 2, 0}));
    }
    images = torch::stack(resized).unsqueeze(0);
  }
  auto proprio =
      (stats ? *stats : checkpoint_.norm_stats)
          .normalizeProprio(torch::tensor(observation.proprio, torch::kFloat32).unsqueeze(0));
  if (observation.gripper_releases < 0) {
    throw std::invalid_argument("observation has " + std::to_string(observation.gripper_releases) +
                                " gripper releases; a count cannot be negative");
  }
  return {images, proprio, padTokenBatch({text_ids}, c.pad_token_id),
          torch::tensor({static_cast<int64_t>(observation.gripper_releases)}, torch::kInt64)};
}

PolicyStep Policy::step(const Observation& observation, const std::string& instruction,
                        IntrospectionMode introspection) {
  const auto start = std::chrono::steady_clock::now();
  const auto& c = checkpoint_.config;
  if (instruction != cached_instruction_ || cached_ids_.empty()) {
    cached_ids_ = checkpoint_.tokenizer.encode(instruction);
    if (cached_ids_.empty()) cached_ids_.push_back(c.pad_token_id);
    if (static_cast<int>(cached_ids_.size()) > c.max_text_tokens) cached_ids_.resize(c.max_text_tokens);
    cached_instruction_ = instruction;
  }
  torch::NoGradGuard no_grad;
  const bool introspect = introspection == IntrospectionMode::kOn;
  const NormStats& stats = normStatsFor(instruction);
  auto out = checkpoint_.net->forward(toInputs(observation, cached_ids_, &stats), introspect);
  auto actions = stats.unnormalizeActions(out.actions[0]).contiguous();
  PolicyStep step;
  // Actions in the data's layout (delta pose, gripper) carry a gripper command to snap.
  const bool snap_gripper =
      gripper_output_ == GripperOutput::kBinary && actions.size(1) == data::kActionDim;
  auto a = actions.accessor<float, 2>();
  step.actions.resize(static_cast<size_t>(actions.size(0)));
  for (int64_t k = 0; k < actions.size(0); ++k) {
    for (int64_t d = 0; d < actions.size(1); ++d) step.actions[k].push_back(a[k][d]);
    if (snap_gripper) {
      auto& g = step.actions[k][data::kGripperDim];
      g = data::binarizeGripper(g);
    }
  }
  if (introspect) {
    const int gt = c.tokenGrid();
    const int g = c.patchGrid();
    if (out.introspection.anchor_attention.defined()) {
      const auto& at = out.introspection.anchor_attention[0];  // [layers, heads, V*gt*gt]
      step.anchor_attention = at.reshape({at.size(0), at.size(1), c.num_views, gt, gt}).clone();
    }
    step.action_attention = out.introspection.action_attention[0].clone();
    if (out.geometry_latent.defined()) {
      step.geometry_latent = out.geometry_latent[0].reshape({c.num_views, g, g, c.geometry_dim}).clone();
      step.depth_m = out.depth[0].clone();
    }
  }
  step.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return step;
}

Policy::Answer Policy::answer(const Observation& observation, const std::string& question,
                              int max_tokens) {
  torch::NoGradGuard no_grad;
  const auto prompt = checkpoint_.tokenizer.encode(question);
  auto in = toInputs(observation, prompt);
  const auto ids = checkpoint_.net->generate(in.images, in.proprio, prompt, max_tokens);
  Answer a;
  a.anchor_first = !ids.empty() && ids.front() == checkpoint_.tokenizer.anchorId();
  std::vector<int64_t> rest(ids.begin() + (a.anchor_first ? 1 : 0), ids.end());
  a.text = checkpoint_.tokenizer.decode(rest);
  return a;
}

}  // namespace thinkvla::model
