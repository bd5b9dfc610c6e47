#include "cli/commands.h"

#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/args.h"
#include "core/logging.h"
#include "core/system_info.h"

namespace thinkvla::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"doctor", "check the libraries, the BLAS, LibTorch's threads and OpenGL", runDoctor},
      {"init", "write a freshly initialised policy checkpoint (--preset, --out)", runInit},
      {"info", "print a checkpoint's config, parameter counts and components", runInfo},
      {"export", "write the deployment model of a checkpoint (no training-only parts)", runExport},
      {"sim", "the built-in MuJoCo world: list tasks, render, run the scripted expert", runSim},
      {"dataset", "episode files: info, validate, stats (norm stats), export-video", runDataset},
      {"eval", "closed-loop evaluation in the built-in world (policy, random or expert)", runEval},
      {"collect", "scripted-expert demonstrations as a LIBERO-layout episode file", runCollect},
      {"train", "train or fine-tune a policy on episode files (co-training, --nproc ranks)",
       runTrain},
      {"infer", "run a policy on a camera, file, folder, stream or the world; JSON lines, maps",
       runInfer},
      {"bench", "speed on this machine: live (pipeline latency), policy (step latency)", runBench},
  };
  return table;
}

namespace {
void printHelp() {
  std::cout << "thinkvla " << core::projectVersion()
            << ": ThinkVLA Studio's command-line tool\n\n"
               "usage: thinkvla [--help] [--version] COMMAND [options]\n\ncommands:\n";
  for (const auto& c : commands()) {
    std::string name = c.name;
    name.resize(12, ' ');
    std::cout << "  " << name << c.summary << '\n';
  }
  std::cout << "\n'thinkvla COMMAND --help' describes a command's options.\n";
}
}  // namespace

int runCli(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    printHelp();
    return argv.empty() ? 2 : 0;
  }
  if (argv[0] == "--version") {
    std::cout << "thinkvla " << core::projectVersion() << '\n';
    return 0;
  }
  for (const auto& c : commands()) {
    if (argv[0] == c.name) {
      core::LogOptions log;
      log.app_name = "thinkvla-cli";
      log.level = spdlog::level::warn;
      core::initLogging(log);
      try {
        return c.run({argv.begin() + 1, argv.end()});
      } catch (const UsageError& e) {
        std::cerr << "thinkvla " << c.name << ": " << e.what() << '\n';
        return 2;
      } catch (const std::exception& e) {
        std::cerr << "thinkvla " << c.name << ": error: " << e.what() << '\n';
        return 1;
      }
    }
  }
  std::cerr << "thinkvla: unknown command '" << argv[0] << "' (see thinkvla --help)\n";
  return 2;
}

}  // namespace thinkvla::cli
