# CPack: a Debian package with both executables, the .desktop entry, the icon and AppStream data.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "thinkvla-studio")
set(CPACK_PACKAGE_VENDOR "ThinkVLA Studio")
set(CPACK_PACKAGE_CONTACT "ThinkVLA Studio developers <dev@thinkvla.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libqt6widgets6, libqt6openglwidgets6, libqt6charts6, libtorch1.13, libgloo0, libopenblas0-pthread, libvtk9.1, libmujoco2.2.2, libhdf5-103-1, libhdf5-cpp-103-1, libspdlog1.10, libglfw3, libopencv-videoio406, libopencv-calib3d406, libsdl2-2.0-0, libspnav0, libgl1-mesa-dri, libegl1, libegl-mesa0")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
include(CPack)

install(FILES ${PROJECT_SOURCE_DIR}/packaging/thinkvla-studio.desktop DESTINATION share/applications)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/thinkvla-studio.svg
        DESTINATION share/icons/hicolor/scalable/apps)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.github.thinkvla.Studio.metainfo.xml
        DESTINATION share/metainfo)
# The world's scene files (and the demo checkpoint once it ships), found beside the executables.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/scenes DESTINATION share/thinkvla-studio)
if(EXISTS ${PROJECT_SOURCE_DIR}/resources/models)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models DESTINATION share/thinkvla-studio)
endif()
