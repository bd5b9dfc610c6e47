// Finds the project's resource files (scene MJCF, textures) at run time. Looks, in order, in
// $THINKVLA_RESOURCE_DIR, beside the executable (<exe>/../share/thinkvla-studio, the installed
// layout, then <exe>/../resources and <exe>/../../resources), and in the source tree the build was
// configured from (core/build_info.h's kSourceDir). Pure function of the file system and the
// environment; safe from any thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace thinkvla::core::sim {

// The directories searched, in order (existing or not).
std::vector<std::filesystem::path> resourceSearchPath();

// The first existing `<dir>/<relative>` on the search path. Throws std::runtime_error listing the
// places tried when there is none.
std::filesystem::path findResource(const std::string& relative);

}  // namespace thinkvla::core::sim
