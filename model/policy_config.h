// The shape and switches of a 3DThinkVLA policy: presets (tiny, small, base), the paper's ablation
// switches, loss weights, and the config.json of a checkpoint. A plain value type.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace thinkvla::model {

// Thrown for a config that cannot describe a network; the message names the file and the field.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Which spatial question-answering data joins VLA training (the paper's ablation rows).
enum class CoTraining { kNone, k2D, k3D };
std::string toString(CoTraining c);

struct LossWeights {
  double action = 1.0;        // L1 on the normalized action chunk
  double alignment = 0.5;     // 1 - mean cosine against the 3D teacher (Spatial Forcing)
  double distillation = 1.0;  // reasoning adapter vs the teacher branch's anchor state
  double language = 1.0;      // next-token loss of spatial QA co-training
  double depth_probe = 0.1;   // the probe only: its input is detached

  // "loss_weights" in config.json and train.json: one number per term.
  nlohmann::json toJson() const;
  // Reads the terms `json` names and keeps the others. Both return what is wrong, naming the
  // field ("loss_weights.language must be a number"), or "" when all is well; the caller throws
  // it with its file's name.
  std::string readJson(const nlohmann::json& json);
  std::string problem() const;  // a weight that is negative or not finite
};

struct PolicyConfig {
  std::string preset = "tiny";
  // Inputs. Camera images of any size are resized inside the network to image_size.
  int num_views = 2;
  int image_size = 32;  // pixels, square, after resizing; a multiple of 8
  int proprio_dim = 8;
  int action_dim = 7;
  int chunk_size = 8;  // K actions regressed in one pass
  // Subtask progress input (model/gripper_progress.h): the gripper releases so far this episode,
  // clipped to progress_levels - 1, embedded and added to the proprio token. 0: no such input
  // (every checkpoint before it; "progress_levels" may be absent from their config.json).
  int progress_levels = 0;
  // Vision encoder: three stride-2 convolutions (patch grid = image_size / 8), then token_pool x
  // token_pool average pooling for the backbone's image tokens.
  int stem_channels = 16;
  int token_pool = 2;
  // Backbone transformer.
  int width = 64;
  int layers = 2;
  int heads = 4;
  int mlp_ratio = 2;
  int max_text_tokens = 48;
  // From the tokenizer (checked against it when a checkpoint loads).
  int vocab_size = 0;
  int pad_token_id = 3;
  int eos_token_id = 2;
  int anchor_token_id = 4;
  // Adapters, projectors and the action head.
  int geometry_dim = 32;
  int teacher_feature_dim = 29;  // channels of the 3D teacher's per-patch features (point map: 29)
  int reasoning_tokens = 2;
  int head_blocks = 2;  // first half conditioned on geometry, second half on reasoning
  // Ablation switches.
  CoTraining cotraining = CoTraining::k3D;
  bool use_geometry_adapter = true;
  bool use_reasoning_adapter = true;
  bool use_anchor = true;
  // True for an exported (deployment) model: no alignment projector.
  bool deployed = false;
  LossWeights loss;

  int patchGrid() const { return image_size / 8; }
  int tokenGrid() const { return patchGrid() / token_pool; }
  int imageTokens() const { return num_views * tokenGrid() * tokenGrid(); }
  bool reasoningEnabled() const { return use_anchor && use_reasoning_adapter; }

  // tiny (tests, < 2M parameters), small (the CPU demo), base (GPU scale). ConfigError otherwise.
  static PolicyConfig fromPreset(const std::string& name);
  // Throws ConfigError naming `source` and the field at fault.
  void validate(const std::string& source = "config") const;
  nlohmann::json toJson() const;
  static PolicyConfig fromJson(const nlohmann::json& json, const std::string& source);
};

}  // namespace thinkvla::model
