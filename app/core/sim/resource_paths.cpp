#include "core/sim/resource_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include "core/build_info.h"

namespace thinkvla::core::sim {

namespace {
std::filesystem::path executableDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}
}  // namespace

std::vector<std::filesystem::path> resourceSearchPath() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("THINKVLA_RESOURCE_DIR"); env != nullptr && *env != '\0') {
    dirs.emplace_back(env);
  }
  const auto exe_dir = executableDir();
  if (!exe_dir.empty()) {
    dirs.push_back(exe_dir / ".." / "share" / "thinkvla-studio");
    dirs.push_back(exe_dir / ".." / "resources");
    dirs.push_back(exe_dir / ".." / ".." / "resources");
  }
  dirs.push_back(std::filesystem::path(build::kSourceDir) / "resources");
  return dirs;
}

std::filesystem::path findResource(const std::string& relative) {
  std::string tried;
  for (const auto& dir : resourceSearchPath()) {
    const auto candidate = dir / relative;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) {
      return std::filesystem::weakly_canonical(candidate, ec);
    }
    tried += "\n  " + candidate.string();
  }
  throw std::runtime_error("resource '" + relative + "' not found; tried:" + tried);
}

}  // namespace thinkvla::core::sim
