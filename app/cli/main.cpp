#include "cli/commands.h"

int main(int argc, char** argv) {
  return thinkvla::cli::runCli(std::vector<std::string>(argv + 1, argv + argc));
}
