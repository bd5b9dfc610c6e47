# Every third-party dependency, found once, from Debian 12's packages (packaging/install-deps.sh).

find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# --- model: LibTorch (CPU), JSON, OpenCV core -------------------------------------
find_package(Torch REQUIRED)
# TorchConfig appends its ABI flag to CMAKE_CXX_FLAGS; keep it but nothing else global.
find_package(nlohmann_json 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs videoio calib3d)
# Debian's libsentencepiece embeds its own protobuf-lite and exports it; loaded beside LibTorch's
# libprotobuf it crashes the process before main(). The tokenizer is therefore our own code that
# reads and writes SentencePiece's model file format (model/), and libsentencepiece is never linked.

# --- core: MuJoCo, HDF5 (serial, with the C++ API), Eigen, GLFW for headless GL ------------------
find_package(mujoco REQUIRED)
set(HDF5_PREFER_PARALLEL OFF)
find_package(HDF5 REQUIRED COMPONENTS C CXX)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(glfw3 3.3 REQUIRED)
find_package(OpenGL REQUIRED COMPONENTS OpenGL GLX EGL)
# Teleoperation devices: game controllers through SDL2, the SpaceMouse through libspnav/spacenavd.
find_package(SDL2 REQUIRED)
find_library(SPNAV_LIBRARY spnav REQUIRED)
find_path(SPNAV_INCLUDE_DIR spnav.h REQUIRED)
add_library(thinkvla_spnav INTERFACE)
target_link_libraries(thinkvla_spnav INTERFACE ${SPNAV_LIBRARY})
target_include_directories(thinkvla_spnav SYSTEM INTERFACE ${SPNAV_INCLUDE_DIR})
add_library(thinkvla::spnav ALIAS thinkvla_spnav)
add_library(thinkvla_hdf5 INTERFACE)
target_link_libraries(thinkvla_hdf5 INTERFACE ${HDF5_CXX_LIBRARIES} ${HDF5_LIBRARIES})
target_include_directories(thinkvla_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_compile_definitions(thinkvla_hdf5 INTERFACE ${HDF5_DEFINITIONS})
add_library(thinkvla::hdf5 ALIAS thinkvla_hdf5)

# --- studio: Qt 6, VTK 9.1 (no Qt module: Debian's is Qt 5), Dear ImGui ---------------------------
# Qt's keyword macros clash with LibTorch: Q_SIGNALS, Q_SLOTS and Q_EMIT everywhere.
add_compile_definitions(QT_NO_KEYWORDS)
if(THINKVLA_BUILD_TESTS OR THINKVLA_BUILD_STUDIO)
  # Qt Test drives every test suite, including those of the Qt-free libraries.
  find_package(Qt6 6.2 REQUIRED COMPONENTS Core Test)
endif()
if(THINKVLA_BUILD_STUDIO)
  find_package(Qt6 6.2 REQUIRED COMPONENTS Core Gui Widgets OpenGL OpenGLWidgets Charts Test)

  # VTK's config asks for MPI::MPI_C through its parallel modules; an empty target satisfies it.
  find_package(MPI QUIET COMPONENTS C)
  if(NOT TARGET MPI::MPI_C)
    add_library(MPI::MPI_C INTERFACE IMPORTED)
  endif()
  find_package(VTK 9.1 REQUIRED COMPONENTS
    CommonCore CommonDataModel CommonColor FiltersSources FiltersCore FiltersGeneral
    RenderingCore RenderingOpenGL2 RenderingFreeType RenderingAnnotation InteractionStyle
    InteractionWidgets RenderingUI IOImage)

  pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
  add_library(thinkvla_imgui INTERFACE)
  target_link_libraries(thinkvla_imgui INTERFACE PkgConfig::IMGUI ${CMAKE_DL_LIBS})
  add_library(thinkvla::imgui ALIAS thinkvla_imgui)
endif()
