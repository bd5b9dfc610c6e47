// The subcommands of `thinkvla`. Each is a function from its arguments (after the command name) to
// an exit code; later capabilities add theirs to the table in commands.cpp.
#pragma once

#include <string>
#include <vector>

namespace thinkvla::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
};

const std::vector<Command>& commands();

// Dispatches argv (without the program name): --help, --version or a subcommand.
int runCli(const std::vector<std::string>& argv);

int runDoctor(const std::vector<std::string>& args);
int runInit(const std::vector<std::string>& args);
int runInfo(const std::vector<std::string>& args);
int runExport(const std::vector<std::string>& args);
int runSim(const std::vector<std::string>& args);
int runDataset(const std::vector<std::string>& args);
int runEval(const std::vector<std::string>& args);
int runCollect(const std::vector<std::string>& args);
int runTrain(const std::vector<std::string>& args);
int runInfer(const std::vector<std::string>& args);
int runBench(const std::vector<std::string>& args);

}  // namespace thinkvla::cli
