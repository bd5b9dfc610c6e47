// Policy checkpoints: a directory holding
//   config.json        the PolicyConfig (format "thinkvla-policy", version 1)
//   model.safetensors  every parameter, float32, readable by Python's safetensors
//   tokenizer.model    the SentencePiece BPE model
//   norm_stats.json    per-dimension q01/q99 of actions and proprioception, pooled over the
//                      training data, and optionally per task ("tasks": instruction -> the same)
// Saving is atomic: everything is written to a sibling temporary directory that is renamed into
// place. Loading checks every file against the others and throws CheckpointError naming the file
// and the field at fault. Exporting strips what only training uses (the alignment projector) and
// produces a model whose actions are bit-identical.
//
// A Checkpoint owns its network (a module holder, shared with whoever copies it). Functions here
// are safe to call from any thread for distinct checkpoints.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/policy_config.h"
#include "model/sentencepiece_tokenizer.h"
#include "model/think_vla.h"

namespace thinkvla::model {

struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Per-dimension 1st and 99th percentiles; values map linearly from [q01, q99] to [-1, 1].
// With action_mu_law = mu > 0 each action value u in [-1, 1] is then companded to
// sign(u) ln(1 + mu |u|) / ln(1 + mu): small motions get finer network units, full-speed ones
// coarser (+-1 and 0 map onto themselves, so a binary gripper command is unchanged).
struct NormStats {
  std::vector<float> action_q01, action_q99;
  std::vector<float> proprio_q01, proprio_q99;
  float action_mu_law = 0.0f;  // 0: linear

  static NormStats identity(int action_dim, int proprio_dim);  // [-1, 1] in both
  torch::Tensor normalizeProprio(const torch::Tensor& proprio) const;     // [..., P]
  torch::Tensor normalizeActions(const torch::Tensor& actions) const;     // [..., A]
  torch::Tensor unnormalizeActions(const torch::Tensor& actions) const;   // [..., A]
  nlohmann::json toJson() const;
  static NormStats fromJson(const nlohmann::json& json, const std::string& source);
};

// Statistics of each task's own data, keyed by the task's instruction. OpenVLA keys its statistics
// by dataset (`unnorm_key`); here a key is one task, because the tasks of one suite differ up to
// eightfold in the range of a dimension (docs/results.md), and pooled statistics squeeze the small
// motions of the narrow ones.
using TaskNormStats = std::map<std::string, NormStats>;

struct Checkpoint {
  PolicyConfig config;
  ThinkVlaNet net{nullptr};
  SentencePieceTokenizer tokenizer;
  NormStats norm_stats;           // pooled over all training data
  TaskNormStats task_norm_stats;  // empty unless trained with per-task statistics

  // The statistics a step of `task` (its instruction) is normalised with: the task's own, or the
  // pooled ones for a task the training data did not hold.
  const NormStats& normStatsFor(const std::string& task) const;
};

// norm_stats.json: the pooled statistics at the top level (what Python readers of LIBERO-style
// statistics expect) and, when there are any, "tasks": {instruction: {"action", "proprio"}}.
nlohmann::json normStatsJson(const NormStats& pooled, const TaskNormStats& tasks);
// Reads both from norm_stats.json's content; every set must have the config's dimensions. Throws
// CheckpointError naming `source` and the task or field at fault.
void readNormStatsJson(const nlohmann::json& json, const std::string& source,
                       const PolicyConfig& config, NormStats& pooled, TaskNormStats& tasks);

struct ParameterCounts {
  int64_t total = 0;
  int64_t deployed = 0;  // without training-only parameters
  std::vector<std::pair<std::string, int64_t>> components;
};

// A freshly initialised checkpoint: tokenizer trained on the task vocabulary, weights from `seed`.
Checkpoint initCheckpoint(const PolicyConfig& config_template, uint64_t seed = 0);

void saveCheckpoint(const Checkpoint& checkpoint, const std::string& directory);
Checkpoint loadCheckpoint(const std::string& directory);

// The deployment model: same weights minus training-only tensors, config.deployed = true.
Checkpoint exportCheckpoint(const Checkpoint& checkpoint);

// The same checkpoint with the subtask progress input (PolicyConfig::progress_levels) set to
// `levels`: a new network with every other weight copied. Progress rows the source lacks start at
// zero, so on progress 0 the result computes what `checkpoint` computes (the start of a
// fine-tune that adds the input). Throws ConfigError for levels outside 0..16.
Checkpoint withProgressLevels(const Checkpoint& checkpoint, int levels);

ParameterCounts countParameters(const ThinkVlaNet& net);

}  // namespace thinkvla::model
