// Loader throughput: samples per second of model/data's DataLoader over an HDF5 episode file with
// two 128x128 RGB cameras (LIBERO's size), with and without augmentation, for 0, 1 and 2 prefetch
// workers and the output sizes the presets use. Training on this 2-core machine consumes about
// 8 samples/s (DESIGN.md): the loader must stay far above that while using little CPU.
//
//   bench_data_loader [--episodes N] [--steps T] [--batches B] [--batch-size S]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/episodes/episode_file.h"
#include "core/episodes/hdf5_episode_store.h"
#include "episode_test_data.h"
#include "model/data/action_normalization.h"
#include "model/data/data_loader.h"
#include "model/task_vocabulary.h"
#include "model/torch_runtime.h"

namespace fs = std::filesystem;
namespace md = thinkvla::model::data;
using namespace thinkvla;

int main(int argc, char** argv) {
  int episodes = 8, steps = 60, batches = 40, batch_size = 16;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (a == "--episodes")
      episodes = v;
    else if (a == "--steps")
      steps = v;
    else if (a == "--batches")
      batches = v;
    else if (a == "--batch-size")
      batch_size = v;
  }
  model::configureThreads(2);
  const fs::path file = fs::temp_directory_path() / "thinkvla_bench_data_loader.hdf5";
  {
    core::DatasetInfo info;
    info.env_name = "bench";
    core::createEpisodeFile(file, info, core::CreateMode::kReplace);
    for (int e = 0; e < episodes; ++e) {
      core::Episode ep = testdata::makeEpisode(e, steps, 128, false);
      ep.annotations.qa_pairs = {{"distance", "how far is the bowl from the plate?", "0.23 m"}};
      core::appendEpisode(file, ep);
    }
  }
  auto store = std::make_shared<core::Hdf5EpisodeStore>(file);
  const model::NormStats stats = md::computeNormStats({store.get()});
  const auto tokenizer = model::SentencePieceTokenizer::train(model::defaultTokenizerCorpus(), {});
  std::printf(
      "file: %d episodes x %d steps, 2 cameras 128x128 RGB, %.1f MB; batch %d, %d batches\n",
      episodes, steps, static_cast<double>(fs::file_size(file)) / 1e6, batch_size, batches);
  std::printf("%-6s %-5s %-8s %-7s %10s %12s\n", "size", "aug", "workers", "qa", "samples/s",
              "ms/batch");
  for (int size : {32, 64, 128}) {
    for (auto aug : {md::Augmentation::kOff, md::Augmentation::kOn}) {
      for (int workers : {0, 1, 2}) {
        md::LoaderOptions o;
        o.batch_size = batch_size;
        o.chunk_size = 8;
        o.image_size = size;
        o.augmentation = aug;
        o.num_workers = workers;
        o.queue_capacity = 4;
        o.qa_ratio = 0.1;
        md::DataLoader loader({{store, 1.0}}, stats, tokenizer, o);
        loader.next();  // warm-up (and first fill of the queue)
        const auto t0 = std::chrono::steady_clock::now();
        for (int b = 0; b < batches; ++b) loader.next();
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%-6d %-5s %-8d %-7.2f %10.0f %12.2f\n", size,
                    aug == md::Augmentation::kOn ? "on" : "off", workers, o.qa_ratio,
                    batches * batch_size / s, 1e3 * s / batches);
      }
    }
  }
  fs::remove(file);
  return 0;
}
