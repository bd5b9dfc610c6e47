// A small command-line parser for the subcommands: declared options with help text, clear errors
// for unknown options and missing values. Single-threaded use.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace thinkvla::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  Args(std::string command, std::string summary);

  // Declares `--name VALUE` (with_value) or the flag `--name`.
  enum class Kind { kFlag, kValue };
  Args& option(const std::string& name, Kind kind, const std::string& help,
               const std::string& default_value = {});

  // Throws UsageError naming the offending argument. `--help` sets helpRequested().
  void parse(const std::vector<std::string>& argv);
  // parse() for a command that takes options only: prints the usage to stdout and returns false
  // when --help was given (the command then exits 0); throws UsageError for a positional argument.
  bool parseOptions(const std::vector<std::string>& argv);

  bool helpRequested() const { return help_; }
  bool has(const std::string& name) const;
  std::string value(const std::string& name) const;  // declared default when absent
  int intValue(const std::string& name) const;        // UsageError when not an integer
  double doubleValue(const std::string& name) const;
  // intValue() that must be >= min ("--name must be >= min"), or within [min, max]
  // ("--name must be min..max"); UsageError otherwise.
  int intAtLeast(const std::string& name, int min) const;
  int intInRange(const std::string& name, int min, int max) const;
  const std::vector<std::string>& positional() const { return positional_; }
  std::string usage() const;

 private:
  struct Option {
    Kind kind;
    std::string help;
    std::string default_value;
  };
  std::string command_;
  std::string summary_;
  std::vector<std::string> order_;
  std::map<std::string, Option> options_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

}  // namespace thinkvla::cli
