// The inference side of a 3DThinkVLA checkpoint: load it, reset it at the start of an episode,
// step it with an observation and an instruction to get the next K actions in robot units.
// Optional introspection returns what the studio draws: the anchor's attention over image patches
// per layer and head, the action queries' attention, the geometry latent grid and the depth probe.
// With introspection off no attention map is kept and nothing extra is copied.
//
// Ownership and threads: a Policy holds its checkpoint's network. Module holders share ownership,
// so a Policy built from a Checkpoint shares the network with it (and puts it in eval mode): do not
// train a network that a Policy is stepping. Not thread-safe: one thread (the inference thread)
// calls reset/step/answer; the results are plain values to hand to other threads.
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/gripper_output.h"

namespace thinkvla::model {

struct Observation {
  std::vector<cv::Mat> views;  // CV_8UC3 RGB, one per camera (num_views), any size
  std::vector<float> proprio;  // proprio_dim values in robot units (normalized inside)
  // Gripper releases so far this episode (model/gripper_progress.h: a GripperReleaseCounter fed
  // with the executed actions). Read only by checkpoints with config.progress_levels > 0; 0 where
  // the actions are not known (a camera feed).
  int gripper_releases = 0;
};

enum class IntrospectionMode { kOff, kOn };

struct PolicyStep {
  std::vector<std::vector<float>> actions;  // K x action_dim, robot units (delta pose, gripper)
                                            // with the gripper as gripperOutput() says
  double latency_ms = 0.0;                  // the forward pass, preprocessing included
  // Filled only with IntrospectionMode::kOn:
  torch::Tensor anchor_attention;  // [layers, heads, V, gt, gt]; undefined without an anchor
  torch::Tensor action_attention;  // [layers, heads, K, L] over the whole token sequence
  torch::Tensor geometry_latent;   // [V, g, g, geometry_dim]; undefined without the adapter
  torch::Tensor depth_m;           // [V, g, g] depth-probe map
};

class Policy {
 public:
  // Loads a checkpoint directory; throws CheckpointError naming the file and field at fault.
  static Policy load(const std::string& directory);
  explicit Policy(Checkpoint checkpoint);

  const PolicyConfig& config() const { return checkpoint_.config; }
  const Checkpoint& checkpoint() const { return checkpoint_; }

  // Forgets the cached instruction; call at the start of each episode.
  void reset();
  // Normalisation statistics (model/checkpoint.h), for a checkpoint with per-task ones: step()
  // uses the instruction's own when the checkpoint has them, else those of the task set here (the
  // world's task, whose instruction a language perturbation paraphrased), else the pooled ones.
  // Empty (the default): no fallback task.
  void setNormStatsTask(std::string task) { norm_stats_task_ = std::move(task); }
  // The statistics step(observation, instruction) uses.
  const NormStats& normStatsFor(const std::string& instruction) const;
  // Binary by default (model/gripper_output.h).
  void setGripperOutput(GripperOutput mode) { gripper_output_ = mode; }
  GripperOutput gripperOutput() const { return gripper_output_; }
  // Throws std::invalid_argument for observations that do not fit the config.
  PolicyStep step(const Observation& observation, const std::string& instruction,
                  IntrospectionMode introspection = IntrospectionMode::kOff);
  // Spatial QA (3D-VLM mode): generates after "<question>", returns the text after <anchor>
  // (and whether the model emitted <anchor> first).
  struct Answer {
    bool anchor_first = false;
    std::string text;
  };
  Answer answer(const Observation& observation, const std::string& question, int max_tokens = 24);

  // Observation -> network inputs ([1, V, S, S, 3] uint8 at the model's image size, [1, P]), the
  // proprioception normalised with `stats` (the pooled statistics by default).
  PolicyInputs toInputs(const Observation& observation, const std::vector<int64_t>& text_ids,
                        const NormStats* stats = nullptr) const;

 private:
  Checkpoint checkpoint_;
  GripperOutput gripper_output_ = GripperOutput::kBinary;
  std::string norm_stats_task_;
  std::string cached_instruction_;
  std::vector<int64_t> cached_ids_;
};

}  // namespace thinkvla::model
