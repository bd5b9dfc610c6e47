// Versions of the libraries the process runs with, for `thinkvla doctor`, the studio's About box
// and bug reports. Pure queries; safe from any thread.
#pragma once

#include <string>
#include <vector>

namespace thinkvla::core {

struct LibraryVersion {
  std::string name;     // "MuJoCo"
  std::string version;  // "2.2.2"
  std::string source;   // "runtime" when asked of the loaded library, "build" when from configure
};

// LibTorch, OpenCV, MuJoCo, HDF5, spdlog, Eigen (runtime where the library can tell), then Qt,
// VTK and Dear ImGui as found when the project was configured (core links none of them).
std::vector<LibraryVersion> libraryVersions();

std::string projectVersion();

}  // namespace thinkvla::core
