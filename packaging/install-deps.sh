#!/usr/bin/env bash
# Installs every Debian 12 package that ThinkVLA Studio needs to build, test, package and run.
# Idempotent: packages already present are skipped, and nothing is fetched when all are there.
# Usage: packaging/install-deps.sh   (as root, or with sudo available)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git file dpkg-dev
  # GUI: Qt 6
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev libqt6openglwidgets6 qt6-charts-dev
  libqt6svg6 qt6-qpa-plugins libgl-dev libglx-dev libegl-dev libxkbcommon-dev
  # model: LibTorch (CPU) with a threaded OpenBLAS, SentencePiece, JSON
  libtorch-dev libgloo-dev libopenblas0-pthread libopenblas-dev nlohmann-json3-dev
  # vision, rendering, HUD
  libopencv-dev libvtk9-dev libimgui-dev libglfw3-dev libeigen3-dev
  # world, data, logging, input devices
  libmujoco-dev libhdf5-dev libspdlog-dev libfmt-dev libsdl2-dev libspnav-dev
  # headless rendering for tests and screenshots
  xvfb xauth libgl1-mesa-dri libegl-mesa0 mesa-utils
  # packaging checks
  appstream desktop-file-utils
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
