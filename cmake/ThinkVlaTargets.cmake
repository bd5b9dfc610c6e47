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
