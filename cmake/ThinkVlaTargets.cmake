# Helpers shared by the folders' CMakeLists.

# thinkvla_warnings(target): the project's warning set, on our own code only.
function(thinkvla_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# _thinkvla_link_closure(target out): what a target links, directly and through the link
# interfaces of our own targets (aliases resolved; imported targets are listed, not opened).
function(_thinkvla_link_closure target out)
  set(seen)
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue item)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" item "${item}")
    if(item IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${item})
    if(NOT TARGET ${item})
      continue()
    endif()
    get_target_property(real ${item} ALIASED_TARGET)
    if(NOT real)
      set(real ${item})
    endif()
    get_target_property(imported ${real} IMPORTED)
    if(imported)
      continue()
    endif()
    get_target_property(direct ${real} LINK_LIBRARIES)
    get_target_property(interface ${real} INTERFACE_LINK_LIBRARIES)
    foreach(lib IN LISTS direct interface)
      if(lib AND NOT lib MATCHES "-NOTFOUND$")
        list(APPEND queue ${lib})
      endif()
    endforeach()
  endwhile()
  list(REMOVE_ITEM seen ${target})
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

# _thinkvla_forbid_links(target pattern reason): fails the configure step when what `target` links
# (see _thinkvla_link_closure) matches `pattern`.
function(_thinkvla_forbid_links target pattern reason)
  _thinkvla_link_closure(${target} libs)
  foreach(lib IN LISTS libs)
    if(lib MATCHES "${pattern}")
      message(FATAL_ERROR "${target} must not link ${lib}: ${reason}")
    endif()
  endforeach()
endfunction()

# thinkvla_forbid_qt(target): for the targets that must stay free of Qt (model, core, viz_image,
# the command-line tool): no Qt, no OpenCV highgui (Qt 5 on Debian), no VTK Qt module, directly or
# through one of our targets. Checked again at test time by tests/packaging/test_link_rules.
function(thinkvla_forbid_qt target)
  _thinkvla_forbid_links(${target} "Qt[56]::|opencv_highgui|GUISupportQt|RenderingQt"
    "model/, app/core/, viz_image and the command-line tool stay free of Qt")
endfunction()

# thinkvla_forbid_vtk(target): for the targets the headless build (THINKVLA_BUILD_STUDIO=OFF)
# makes: no VTK and no Dear ImGui, directly or through one of our targets (thinkvla::viz brings
# both, thinkvla::viz_image neither).
function(thinkvla_forbid_vtk target)
  _thinkvla_forbid_links(${target} "^VTK::|vtk|imgui|IMGUI"
    "it is built without the studio's VTK and Dear ImGui (link thinkvla::viz_image, not thinkvla::viz)")
endfunction()

# thinkvla_check_link_rules(): after every target is defined, fails the configure step when any
# target of ours links OpenCV's highgui or a VTK Qt module (both built for Qt 5 on Debian 12), or
# when model/, app/core/, viz_image or the command-line tool link Qt at all or (what the headless
# build makes) VTK or ImGui. tests/packaging/test_link_rules checks the binaries too.
function(_thinkvla_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _thinkvla_collect_targets(${sub} sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(thinkvla_check_link_rules)
  _thinkvla_collect_targets(${PROJECT_SOURCE_DIR} targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "UTILITY")
      continue()
    endif()
    get_target_property(libs ${target} LINK_LIBRARIES)
    if(NOT libs)
      continue()
    endif()
    foreach(lib IN LISTS libs)
      if(lib MATCHES "opencv_highgui|GUISupportQt|RenderingQt|ViewsQt|Qt5::")
        message(FATAL_ERROR "${target} links ${lib}: Debian builds it for Qt 5; never link it")
      endif()
    endforeach()
  endforeach()
  foreach(target thinkvla_model thinkvla_core thinkvla_viz_image thinkvla_cli_lib thinkvla)
    thinkvla_forbid_qt(${target})
    thinkvla_forbid_vtk(${target})
  endforeach()
endfunction()
