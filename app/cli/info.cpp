// `thinkvla info CHECKPOINT`: the config, parameter counts (total and deployed) and components.
#include <iomanip>
#include <iostream>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "model/checkpoint.h"

namespace thinkvla::cli {

int runInfo(const std::vector<std::string>& argv) {
  Args args("info", "Prints a checkpoint's config, parameter counts and components.");
  args.option("json", Args::Kind::kFlag, "print the config as JSON only");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << args.usage() << "\nusage: thinkvla info CHECKPOINT_DIR\n";
    return 0;
  }
  if (args.positional().size() != 1) throw UsageError("expects one checkpoint directory");
  const auto checkpoint = model::loadCheckpoint(args.positional()[0]);
  const auto& c = checkpoint.config;
  if (args.has("json")) {
    std::cout << c.toJson().dump(2) << '\n';
    return 0;
  }
  const auto counts = model::countParameters(checkpoint.net);
  std::cout << "checkpoint  " << args.positional()[0] << "\npreset      " << c.preset
            << (c.deployed ? " (deployed)" : " (training)") << "\ninputs      " << c.num_views
            << " views resized to " << c.image_size << "x" << c.image_size << ", proprio "
            << c.proprio_dim << ", up to " << c.max_text_tokens << " text tokens"
            << (c.progress_levels > 0 ? ", gripper releases so far (" +
                                            std::to_string(c.progress_levels) + " levels)"
                                      : std::string())
            << "\noutputs     "
            << c.chunk_size << " x " << c.action_dim << " action chunk\nbackbone    width "
            << c.width << ", " << c.layers << " layers, " << c.heads << " heads, "
            << c.imageTokens() << " image tokens (patch grid " << c.patchGrid() << "x"
            << c.patchGrid() << " per view)\nswitches    co-training "
            << model::toString(c.cotraining) << ", geometry adapter "
            << (c.use_geometry_adapter ? "on" : "off") << ", reasoning adapter "
            << (c.use_reasoning_adapter ? "on" : "off") << ", anchor "
            << (c.use_anchor ? "on" : "off") << "\ntokenizer   " << checkpoint.tokenizer.vocabSize()
            << " pieces (SentencePiece BPE)\nstatistics  pooled";
  if (!checkpoint.task_norm_stats.empty()) {
    std::cout << ", and per task for " << checkpoint.task_norm_stats.size()
              << " instructions (any other instruction: pooled)";
  }
  std::cout << "\nparameters  " << counts.total << " total, " << counts.deployed
            << " deployed\ncomponents\n";
  for (const auto& [name, n] : counts.components) {
    std::cout << "  " << std::left << std::setw(22) << name << std::right << std::setw(10) << n
              << '\n';
  }
  return 0;
}

}  // namespace thinkvla::cli
