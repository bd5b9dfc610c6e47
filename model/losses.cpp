#include "model/losses.h"

#include "model/sentencepiece_tokenizer.h"

namespace thinkvla::model {

namespace F = torch::nn::functional;

torch::Tensor actionL1Loss(const torch::Tensor& predicted, const torch::Tensor& target,
                           const torch::Tensor& valid) {
  TORCH_CHECK(predicted.sizes() == target.sizes(), "action shapes differ: ", predicted.sizes(),
              " vs ", target.sizes());
  auto err = (predicted - target.to(predicted.dtype())).abs();
  if (!valid.defined()) return err.mean();
  auto m = valid.to(err.dtype()).unsqueeze(-1).expand_as(err);
  return (err * m).sum() / m.sum().clamp_min(1.0);
}

torch::Tensor alignmentLoss(const torch::Tensor& projected, const torch::Tensor& teacher) {
  TORCH_CHECK(projected.sizes() == teacher.sizes(), "alignment shapes differ: ", projected.sizes(),
              " vs ", teacher.sizes());
  auto cos = F::cosine_similarity(projected, teacher.detach().to(projected.dtype()),
                                  F::CosineSimilarityFuncOptions().dim(-1).eps(1e-8));
  return 1.0 - cos.mean();
}

torch::Tensor distillationLoss(const torch::Tensor& reasoning, const torch::Tensor& teacher_anchor) {
  TORCH_CHECK(reasoning.sizes() == teacher_anchor.sizes(), "distillation shapes differ: ",
              reasoning.sizes(), " vs ", teacher_anchor.sizes());
  return F::mse_loss(reasoning, teacher_anchor.detach());
}

torch::Tensor languageModelLoss(const torch::Tensor& logits, const torch::Tensor& ids,
                                const torch::Tensor& target_mask) {
  const auto t = ids.size(1);
  TORCH_CHECK(t >= 2, "language loss needs at least two tokens");
  auto pred = logits.narrow(1, 0, t - 1).reshape({-1, logits.size(2)});
  auto next = ids.narrow(1, 1, t - 1).reshape({-1});
  auto mask = target_mask.narrow(1, 0, t - 1).reshape({-1}).to(torch::kFloat32);
  auto ce = F::cross_entropy(pred, next, F::CrossEntropyFuncOptions().reduction(torch::kNone));
  return (ce * mask).sum() / mask.sum().clamp_min(1.0);
}

torch::Tensor depthProbeLoss(const torch::Tensor& predicted, const torch::Tensor& depth_m) {
  const auto b = predicted.size(0);
  const auto v = predicted.size(1);
  const auto g = predicted.size(2);
  auto d = depth_m.to(torch::kFloat32).reshape({b * v, 1, depth_m.size(2), depth_m.size(3)});
  auto valid = (d > 0).to(torch::kFloat32);
  auto opts = F::AdaptiveAvgPool2dFuncOptions({g, predicted.size(3)});
  auto frac = F::adaptive_avg_pool2d(valid, opts);
  auto target = F::adaptive_avg_pool2d(d * valid, opts) / frac.clamp_min(1e-6);
  auto cell_ok = (frac > 0).to(torch::kFloat32).view({b, v, g, predicted.size(3)});
  auto err = (predicted - target.view_as(predicted)).abs() * cell_ok;
  return err.sum() / cell_ok.sum().clamp_min(1.0);
}

torch::Tensor combineLosses(const LossTerms& terms, const PolicyConfig& config) {
  torch::Tensor total;
  auto add = [&](const torch::Tensor& term, double weight) {
    if (!term.defined() || weight == 0.0) return;
    total = total.defined() ? total + weight * term : weight * term;
  };
  add(terms.action, config.loss.action);
  if (config.use_geometry_adapter) add(terms.alignment, config.loss.alignment);
  if (config.reasoningEnabled()) add(terms.distillation, config.loss.distillation);
  if (config.cotraining != CoTraining::kNone) add(terms.language, config.loss.language);
  add(terms.depth_probe, config.loss.depth_probe);
  return total.defined() ? total : torch::zeros({});
}

QaSequence makeQaSequence(const SentencePieceTokenizer& tokenizer, const std::string& question,
                          const std::string& answer) {
  QaSequence s;
  s.ids = tokenizer.encode(question);
  s.target.assign(s.ids.size(), 0);
  if (!s.target.empty()) s.target.back() = 1;  // the last question token predicts <anchor>
  s.ids.push_back(tokenizer.anchorId());
  s.target.push_back(1);
  for (const auto id : tokenizer.encode(answer)) {
    s.ids.push_back(id);
    s.target.push_back(1);
  }
  s.ids.push_back(tokenizer.eosId());
  s.target.push_back(0);
  return s;
}

}  // namespace thinkvla::model
