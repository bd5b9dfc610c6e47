// The versions the studio runs with, for Help > About: the core's list, with Qt, VTK and Dear
// ImGui asked of the loaded libraries. GUI thread.
#pragma once

#include <QString>

#include "core/system_info.h"

namespace thinkvla::studio {

std::vector<core::LibraryVersion> studioLibraryVersions();
QString aboutText();  // rich text for the About box

}  // namespace thinkvla::studio
