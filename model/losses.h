// The loss terms of 3DThinkVLA co-training, as pure functions the training runner combines with
// the config's LossWeights. All return scalar tensors that carry autograd history where their
// inputs do. Any thread.
#pragma once

#include <torch/torch.h>

#include "model/policy_config.h"

namespace thinkvla::model {

// L1 between predicted and target normalized action chunks [B, K, A]. `valid` [B, K] (optional)
// masks padded steps at the end of an episode.
torch::Tensor actionL1Loss(const torch::Tensor& predicted, const torch::Tensor& target,
                           const torch::Tensor& valid = {});

// Spatial Forcing alignment: 1 - mean cosine similarity between projected geometry latents and the
// frozen teacher's features, per patch: [B, V, N, C] each. The teacher side is detached here too.
torch::Tensor alignmentLoss(const torch::Tensor& projected, const torch::Tensor& teacher);

// Token-level reasoning distillation: mean squared error between the Reasoning Adapter's output and
// the teacher branch's anchor state (detached), both [B, W].
torch::Tensor distillationLoss(const torch::Tensor& reasoning, const torch::Tensor& teacher_anchor);

// Next-token cross entropy for spatial QA. logits [B, T, vocab] from textLogits on ids [B, T];
// `target_mask` [B, T] marks the tokens to predict (the <anchor> and answer after the question).
torch::Tensor languageModelLoss(const torch::Tensor& logits, const torch::Tensor& ids,
                                const torch::Tensor& target_mask);

// L1 between the depth probe [B, V, g, g] and the depth map [B, V, H, W] area-averaged onto the
// grid over valid (> 0) pixels; cells without valid depth are ignored.
torch::Tensor depthProbeLoss(const torch::Tensor& predicted, const torch::Tensor& depth_m);

struct LossTerms {
  torch::Tensor action, alignment, distillation, language, depth_probe;  // undefined when absent
};
// Weighted sum of the defined terms (the co-training switch zeroes language for CoTraining::kNone).
torch::Tensor combineLosses(const LossTerms& terms, const PolicyConfig& config);

// A spatial QA example for teacher forcing: "<question> <anchor> <answer> </s>", with the mask of
// the positions whose next token is a target (the <anchor>, the answer and eos).
struct QaSequence {
  std::vector<int64_t> ids;
  std::vector<uint8_t> target;  // target[i]: ids[i + 1] is predicted from position i
};
class SentencePieceTokenizer;
QaSequence makeQaSequence(const SentencePieceTokenizer& tokenizer, const std::string& question,
                          const std::string& answer);

}  // namespace thinkvla::model
