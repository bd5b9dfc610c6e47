// The 3DThinkVLA network (arXiv 2606.04436) in LibTorch, built for a CPU from scratch:
//
//   camera views --conv stem--> visual features (patch grid G x G per view)
//        |                           \--Geometry Adapter--> geometry latent (per patch)
//        |                                 |--Alignment Projector--> vs the 3D teacher (training)
//        |                                 |--Depth Probe (detached input)--> per-patch depth
//        |                                 \--Geometry Projector--> low-level condition tokens
//        +--pool--> image tokens
//   backbone transformer over [image | proprio (+ progress) | text | <anchor> | K action queries]
//        <anchor> state --Reasoning Adapter--> reasoning (distilled to the teacher branch's anchor)
//                                 \--Reasoning Projector--> high-level condition tokens
//   action head: K query tokens, early blocks cross-attend geometry tokens, later blocks reasoning
//   tokens; regresses K x action_dim normalized actions in one pass.
//
// Masks: image tokens see only image tokens; proprio sees images; text is causal (token i sees text
// j <= i, never a later one) so the same backbone generates spatial answers; the anchor sees all
// the text before it; action queries see everything, each other included. Padding keys are masked.
//
// The teacher branch is the same network run under torch::NoGradGuard on the instruction followed
// by the explicit 3D reasoning prompt; it returns the anchor state only.
//
// Ownership and threads: a ThinkVlaNet is a torch module holder (shared ownership). Forward passes
// may not run concurrently with training steps on the same instance; inference from one thread.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/policy_config.h"

namespace thinkvla::model {

// A batch of observations. images: [B, V, H, W, 3] uint8 (0..255) or float (0..1), any H and W
// (resized inside to image_size); proprio: [B, proprio_dim] float, normalized; text_ids: [B, T]
// int64, right-padded with pad_token_id, T <= max_text_tokens; progress: [B] int64, the gripper
// releases so far (model/gripper_progress.h), read only when config.progress_levels > 0 (values
// above progress_levels - 1 are clipped; undefined: 0 for every sample).
struct PolicyInputs {
  torch::Tensor images;
  torch::Tensor proprio;
  torch::Tensor text_ids;
  torch::Tensor progress;
};

// Per-layer attention maps, filled only when asked for (otherwise undefined and never computed).
struct Introspection {
  torch::Tensor anchor_attention;  // [B, layers, heads, image_tokens] anchor -> image patches
  torch::Tensor action_attention;  // [B, layers, heads, K, L] action queries -> whole sequence
};

struct ActionOutput {
  torch::Tensor actions;          // [B, K, action_dim], normalized
  torch::Tensor anchor_state;     // [B, width] final hidden state at <anchor>; undefined w/o anchor
  torch::Tensor reasoning;        // [B, width] Reasoning Adapter output; undefined when disabled
  torch::Tensor geometry_latent;  // [B, V, G*G, geometry_dim]; undefined when disabled
  torch::Tensor depth;            // [B, V, G, G] depth-probe output (metres); undefined w/o geometry
  torch::Tensor image_tokens;     // [B, image_tokens, width] backbone input, for the teacher branch
  Introspection introspection;
};

// Multi-head attention that can hand back its attention probabilities.
class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(int width, int heads, bool cross);
  // x: [B, Lq, W]; context: [B, Lk, W] (x itself when undefined); mask: additive, broadcastable
  // to [B, heads, Lq, Lk]. probs, when non-null, receives [B, heads, Lq, Lk].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context,
                        const torch::Tensor& mask, torch::Tensor* probs = nullptr);

 private:
  int heads_;
  bool cross_;
  torch::nn::Linear q_{nullptr}, kv_{nullptr}, qkv_{nullptr}, out_{nullptr};
};
TORCH_MODULE(Attention);

// Pre-norm transformer block of the backbone.
class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(int width, int heads, int mlp_ratio);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask,
                        torch::Tensor* probs = nullptr);

 private:
  torch::nn::LayerNorm ln1_{nullptr}, ln2_{nullptr};
  Attention attn_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(Block);

// Action-head block: self-attention among the queries, then (when it has a condition) cross-
// attention to the condition tokens, then an MLP.
class ActionBlockImpl : public torch::nn::Module {
 public:
  ActionBlockImpl(int width, int heads, int mlp_ratio, bool conditioned);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& condition);

 private:
  bool conditioned_;
  torch::nn::LayerNorm ln1_{nullptr}, ln_q_{nullptr}, ln_c_{nullptr}, ln2_{nullptr};
  Attention self_attn_{nullptr}, cross_attn_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(ActionBlock);

class ThinkVlaNetImpl : public torch::nn::Module {
 public:
  explicit ThinkVlaNetImpl(const PolicyConfig& config);

  const PolicyConfig& config() const { return config_; }

  // VLA mode: actions and, for the losses, the anchor state, reasoning, geometry latent and depth.
  ActionOutput forward(const PolicyInputs& inputs, bool introspect = false);

  // 3D-VLM (spatial QA) mode: next-token logits [B, T, vocab] for the text after the image prefix.
  torch::Tensor textLogits(const PolicyInputs& inputs);

  // The teacher branch: the anchor state [B, width] of this network on `teacher_text_ids`
  // (instruction + reasoning prompt), computed without gradient. Needs use_anchor. Pass the
  // student's ActionOutput::image_tokens for the same images to skip recomputing the vision
  // encoder (same weights, so the same values; they are detached here).
  torch::Tensor teacherAnchorState(const PolicyInputs& teacher_inputs,
                                   const torch::Tensor& image_tokens = {});

  // Training only: geometry latent [B, V, N, geometry_dim] -> [B, V, N, teacher_feature_dim].
  // Throws on a deployed model (the projector is stripped).
  torch::Tensor alignFeatures(const torch::Tensor& geometry_latent);

  // The Reasoning Adapter alone: anchor state [B, width] -> reasoning [B, width]. Needs
  // reasoningEnabled().
  torch::Tensor reason(const torch::Tensor& anchor_state);

  // Greedy decoding from `prompt_ids` (one sample: images [1, V, H, W, 3], proprio [1, P]) until
  // eos or `max_new_tokens`; returns the generated ids (eos excluded).
  std::vector<int64_t> generate(const torch::Tensor& images, const torch::Tensor& proprio,
                                const std::vector<int64_t>& prompt_ids, int max_new_tokens);

  // Named groups of parameters ("vision", "backbone", "geometry_adapter", ...), for `info` and tests.
  std::vector<std::pair<std::string, int64_t>> componentParameterCounts() const;

 private:
  struct Encoded {
    torch::Tensor tokens;           // [B, L, W]
    torch::Tensor mask;             // [B, 1, L, L] additive
    torch::Tensor visual_features;  // [B*V, C, G, G]; undefined when image tokens were given
    torch::Tensor image_tokens;     // [B, Ni, W]
    int64_t text_begin = 0, text_len = 0, anchor_index = -1, queries_begin = -1;
  };
  Encoded encode(const PolicyInputs& inputs, bool with_anchor, bool with_queries,
                 const torch::Tensor& image_tokens = {});
  torch::Tensor runBackbone(const Encoded& e, std::vector<torch::Tensor>* probs);
  torch::Tensor preprocessImages(const torch::Tensor& images) const;

  PolicyConfig config_;
  torch::nn::Sequential stem_{nullptr};
  torch::nn::Linear patch_proj_{nullptr};
  torch::Tensor image_pos_, view_embed_;
  torch::nn::Embedding token_embed_{nullptr};
  torch::Tensor text_pos_, action_queries_;
  torch::nn::Linear proprio_proj_{nullptr};
  torch::nn::Embedding progress_embed_{nullptr};  // progress_levels > 0 only; starts at zero
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::LayerNorm ln_f_{nullptr};
  // Geometry path.
  torch::nn::Sequential geometry_adapter_{nullptr};
  torch::nn::Sequential alignment_projector_{nullptr};  // training only
  torch::nn::Sequential depth_probe_{nullptr};
  torch::nn::Linear geometry_projector_{nullptr};
  // Reasoning path.
  torch::nn::Sequential reasoning_adapter_{nullptr};
  torch::nn::Linear reasoning_projector_{nullptr};
  // Action head.
  torch::nn::ModuleList head_blocks_{nullptr};
  int geometry_blocks_ = 0;
  torch::nn::LayerNorm ln_head_{nullptr};
  torch::nn::Linear action_out_{nullptr};
};
TORCH_MODULE(ThinkVlaNet);

// Right-pads token sequences into [B, T] int64 (T = longest, or `length` when > 0; longer
// sequences are cut to it).
torch::Tensor padTokenBatch(const std::vector<std::vector<int64_t>>& sequences, int64_t pad_id,
                            int64_t length = 0);

// Parameter names that exist only for training (stripped by export).
bool isTrainingOnlyParameter(const std::string& name);

}  // namespace thinkvla::model
