// `thinkvla export CHECKPOINT --out DIR`: the deployment checkpoint. Strips what only training uses
// (the alignment projector; the 3D teacher and the teacher branch hold no weights of their own),
// then checks that the exported model gives bit-identical actions on a random observation.
#include <filesystem>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "model/checkpoint.h"

namespace thinkvla::cli {

int runExport(const std::vector<std::string>& argv) {
  Args args("export", "Writes the deployment model of a checkpoint (no training-only parts).");
  args.option("out", Args::Kind::kValue, "directory of the exported checkpoint");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << args.usage() << "\nusage: thinkvla export CHECKPOINT_DIR --out DIR\n";
    return 0;
  }
  if (args.positional().size() != 1) throw UsageError("expects one checkpoint directory");
  if (!args.has("out")) throw UsageError("--out DIR is required");
  namespace fs = std::filesystem;
  const std::string in_dir = args.positional()[0];
  const std::string out_dir = args.value("out");
  if (fs::exists(out_dir) && fs::equivalent(in_dir, out_dir)) {
    throw UsageError("--out must differ from the source checkpoint");
  }
  const auto source = model::loadCheckpoint(in_dir);
  const auto deployed = model::exportCheckpoint(source);
  model::saveCheckpoint(deployed, out_dir);

  // Same inputs, same actions, bit for bit.
  const auto reloaded = model::loadCheckpoint(out_dir);
  const auto& c = source.config;
  torch::manual_seed(0);
  model::PolicyInputs in;
  in.images = torch::randint(0, 256, {2, c.num_views, 128, 128, 3}, torch::kUInt8);
  in.proprio = torch::randn({2, c.proprio_dim});
  in.text_ids = model::padTokenBatch({source.tokenizer.encode("put the bowl on the plate")},
                                     c.pad_token_id)
                    .expand({2, -1});
  torch::NoGradGuard no_grad;
  auto src_net = source.net;
  auto dst_net = reloaded.net;
  src_net->eval();
  dst_net->eval();
  const bool identical = torch::equal(src_net->forward(in).actions, dst_net->forward(in).actions);
  const auto before = model::countParameters(source.net);
  const auto after = model::countParameters(reloaded.net);
  std::cout << "exported " << out_dir << ": " << after.total << " parameters (was " << before.total
            << "), model.safetensors " << fs::file_size(fs::path(out_dir) / "model.safetensors")
            << " bytes (was " << fs::file_size(fs::path(in_dir) / "model.safetensors")
            << "); actions " << (identical ? "bit-identical" : "DIFFER") << '\n';
  return identical ? 0 : 1;
}

}  // namespace thinkvla::cli
