#include "studio/versions.h"

#include <imgui.h>
#include <vtkVersion.h>

#include <QtGlobal>

#include "model/torch_runtime.h"

namespace thinkvla::studio {

std::vector<core::LibraryVersion> studioLibraryVersions() {
  auto versions = core::libraryVersions();
  for (auto& v : versions) {
    if (v.name == "Qt") v = {"Qt", qVersion(), "runtime"};
    if (v.name == "VTK") v = {"VTK", vtkVersion::GetVTKVersion(), "runtime"};
    if (v.name == "Dear ImGui") v = {"Dear ImGui", ImGui::GetVersion(), "runtime"};
  }
  return versions;
}

QString aboutText() {
  QString rows;
  for (const auto& v : studioLibraryVersions()) {
    rows += QString("<tr><td>%1</td><td>&nbsp;&nbsp;%2</td></tr>")
                .arg(QString::fromStdString(v.name), QString::fromStdString(v.version));
  }
  const auto blas = model::blasInfo();
  return QString("<h3>ThinkVLA Studio %1</h3>"
                 "<p>Debug, demo and collect data for 3DThinkVLA vision-language-action "
                 "policies.</p><table>%2</table><p>BLAS: %3</p>")
      .arg(QString::fromStdString(core::projectVersion()), rows,
           QString::fromStdString(blas.name).toHtmlEscaped());
}

}  // namespace thinkvla::studio
