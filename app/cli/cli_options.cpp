#include "cli/cli_options.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace thinkvla::cli {

namespace fs = std::filesystem;

std::vector<int> parseIndexList(const std::string& text, const std::string& option) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    try {
      std::size_t used = 0;
      const int v = std::stoi(part, &used);
      if (used != part.size() || v < 0) throw std::invalid_argument(part);
      out.push_back(v);
    } catch (const std::exception&) {
      throw UsageError("--" + option + " expects task indices like 0,3,5; got '" + part + "'");
    }
  }
  if (out.empty()) throw UsageError("--" + option + " is empty");
  return out;
}

void checkWritable(const std::string& file, const std::string& option) {
  const fs::path p(file);
  if (p.has_parent_path() && !fs::is_directory(p.parent_path())) {
    throw UsageError("--" + option + " " + file + ": directory " + p.parent_path().string() +
                     " does not exist");
  }
  if (fs::is_directory(p)) throw UsageError("--" + option + " " + file + " is a directory");
  const bool existed = fs::exists(p);
  std::ofstream out(p, std::ios::app);
  if (!out) throw UsageError("--" + option + " " + file + ": cannot write there");
  out.close();
  if (!existed) fs::remove(p);
}

fs::path ensureDirectory(const std::string& dir, const std::string& option) {
  const fs::path p(dir);
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec || !fs::is_directory(p)) {
    throw UsageError("--" + option + " " + dir + ": cannot create the directory");
  }
  return p;
}

void checkCheckpointDirectory(const std::string& dir) {
  if (!fs::is_directory(dir)) {
    throw UsageError("--checkpoint " + dir + ": no such checkpoint directory");
  }
}

core::sim::PerturbationSpec perturbationOption(const Args& args, const std::string& option) {
  try {
    return core::sim::PerturbationSpec::parse(args.value(option));
  } catch (const std::invalid_argument& e) {
    throw UsageError("--" + option + ": " + e.what());
  }
}

model::GripperOutput gripperOutputOption(const Args& args) {
  const std::string value = args.value("gripper");
  if (const auto mode = model::parseGripperOutput(value)) return *mode;
  throw UsageError("unknown --gripper '" + value + "' (binary, continuous)");
}

void writeTextFile(const std::string& file, const std::string& text) {
  const std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error(file + ": cannot write");
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error(file + ": cannot write");
  }
}

}  // namespace thinkvla::cli
