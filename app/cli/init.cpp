// `thinkvla init`: a freshly initialised policy checkpoint (tokenizer trained on the task
// vocabulary included), the starting point for training from scratch and for tests.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "model/checkpoint.h"

namespace thinkvla::cli {

int runInit(const std::vector<std::string>& argv) {
  Args args("init", "Writes a freshly initialised 3DThinkVLA checkpoint directory.");
  args.option("preset", Args::Kind::kValue, "tiny, small or base", "small")
      .option("out", Args::Kind::kValue, "checkpoint directory to write (replaced atomically)")
      .option("seed", Args::Kind::kValue, "random seed of the initial weights", "0")
      .option("cotraining", Args::Kind::kValue, "spatial QA co-training data: none, 2d or 3d", "3d")
      .option("teacher-dim", Args::Kind::kValue,
              "channels of the 3D teacher's features (29: the built-in point-map teacher)", "29")
      .option("no-geometry-adapter", Args::Kind::kFlag, "ablation: no geometry adapter")
      .option("no-reasoning-adapter", Args::Kind::kFlag, "ablation: no reasoning adapter")
      .option("no-anchor", Args::Kind::kFlag,
              "ablation: no <anchor> token (and no reasoning adapter)")
      .option("image-size", Args::Kind::kValue,
              "side of the network's input views in pixels "
              "(default: the preset's)")
      .option("token-pool", Args::Kind::kValue,
              "image patches pooled per token side "
              "(default: the preset's)")
      .option("progress-levels", Args::Kind::kValue,
              "subtask progress input: gripper releases so far, 0..N-1 (0: none)", "0");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << args.usage();
    return 0;
  }
  if (!args.has("out")) throw UsageError("--out DIR is required");
  model::PolicyConfig config;
  try {
    config = model::PolicyConfig::fromPreset(args.value("preset"));
  } catch (const model::ConfigError& e) {
    throw UsageError(std::string("--preset: ") + e.what());
  }
  const std::string cot = args.value("cotraining");
  if (cot == "none") {
    config.cotraining = model::CoTraining::kNone;
  } else if (cot == "2d") {
    config.cotraining = model::CoTraining::k2D;
  } else if (cot == "3d") {
    config.cotraining = model::CoTraining::k3D;
  } else {
    throw UsageError("--cotraining must be none, 2d or 3d");
  }
  config.use_geometry_adapter = !args.has("no-geometry-adapter");
  config.use_reasoning_adapter = !args.has("no-reasoning-adapter") && !args.has("no-anchor");
  config.use_anchor = !args.has("no-anchor");
  if (args.has("image-size")) config.image_size = args.intValue("image-size");
  if (args.has("token-pool")) config.token_pool = args.intValue("token-pool");
  config.progress_levels = args.intValue("progress-levels");
  config.teacher_feature_dim = args.intValue("teacher-dim");
  if (config.teacher_feature_dim < 1) throw UsageError("--teacher-dim must be positive");
  const int seed = args.intValue("seed");
  if (seed < 0) throw UsageError("--seed must be >= 0");

  model::Checkpoint checkpoint;
  try {
    checkpoint = model::initCheckpoint(config, static_cast<uint64_t>(seed));
  } catch (const model::ConfigError& e) {  // --image-size, --token-pool, --progress-levels
    throw UsageError(e.what());
  }
  model::saveCheckpoint(checkpoint, args.value("out"));
  const auto counts = model::countParameters(checkpoint.net);
  std::cout << "wrote " << args.value("out") << ": preset " << checkpoint.config.preset << ", "
            << counts.total << " parameters (" << counts.deployed << " deployed), vocabulary "
            << checkpoint.tokenizer.vocabSize() << " pieces\n";
  return 0;
}

}  // namespace thinkvla::cli
