# Helpers shared by the folders' CMakeLists.

# thinkvla_warnings(target): the project's warning set, on our own code only.
function(thinkvla_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# thinkvla_forbid_qt(target): fails the configure step when a target that must stay free of Qt
# (model, core) links Qt, OpenCV's highgui (Qt 5 on Debian) or a VTK Qt module, directly or through
# an interface dependency. Checked again at test time by tests/check_link_rules.cmake.
function(thinkvla_forbid_qt target)
  get_target_property(libs ${target} LINK_LIBRARIES)
  foreach(lib IN LISTS libs)
    if(lib MATCHES "Qt[56]::|opencv_highgui|GUISupportQt|RenderingQt")
      message(FATAL_ERROR "${target} must not link ${lib}: model/ and app/core/ stay free of Qt")
    endif()
  endforeach()
endfunction()

# thinkvla_check_link_rules(): after every target is defined, fails the configure step when any
# target of ours links OpenCV's highgui or a VTK Qt module (both built for Qt 5 on Debian 12), or
# when model/ or app/core/ link Qt at all. tests/packaging/test_link_rules checks the binaries too.
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
  foreach(target thinkvla_model thinkvla_core thinkvla_cli_lib)
    thinkvla_forbid_qt(${target})
  endforeach()
endfunction()
