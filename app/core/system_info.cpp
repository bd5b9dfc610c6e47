#include "core/system_info.h"

#include <H5public.h>
#include <mujoco/mujoco.h>
#include <spdlog/version.h>

#include <Eigen/Core>
#include <opencv2/core/version.hpp>
#include <opencv2/core/utility.hpp>

#include "core/build_info.h"
#include "model/torch_runtime.h"

namespace thinkvla::core {

std::vector<LibraryVersion> libraryVersions() {
  std::vector<LibraryVersion> v;
  v.push_back({"LibTorch", model::torchVersion(), "runtime"});
  v.push_back({"OpenCV", cv::getVersionString(), "runtime"});
  v.push_back({"MuJoCo", mj_versionString(), "runtime"});
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  v.push_back({"HDF5", std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel),
               "runtime"});
  v.push_back({"spdlog", std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) +
                             "." + std::to_string(SPDLOG_VER_PATCH),
               "build"});
  v.push_back({"Eigen", std::to_string(EIGEN_WORLD_VERSION) + "." +
                            std::to_string(EIGEN_MAJOR_VERSION) + "." +
                            std::to_string(EIGEN_MINOR_VERSION),
               "build"});
  // The GUI libraries only matter to a build with the studio.
  const char* gui = build::kStudioBuilt ? "build" : "not used by this headless build";
  v.push_back({"Qt", build::kStudioBuilt ? build::kQtVersion : "-", gui});
  v.push_back({"VTK", build::kStudioBuilt ? build::kVtkVersion : "-", gui});
  v.push_back({"Dear ImGui", build::kStudioBuilt ? build::kImGuiVersion : "-", gui});
  return v;
}

std::string projectVersion() { return build::kProjectVersion; }

}  // namespace thinkvla::core
