#include "core/teleop/spacemouse_teleop.h"

#include <spdlog/spdlog.h>
#include <spnav.h>

#include <algorithm>

namespace thinkvla::core {

SpaceMouseTeleop::SpaceMouseTeleop(double full_scale) : full_scale_(full_scale) {}

SpaceMouseTeleop::~SpaceMouseTeleop() {
  if (open_) spnav_close();
}

TeleopCommand SpaceMouseTeleop::poll() {
  if (!tried_) {
    tried_ = true;
    open_ = spnav_open() != -1;
    if (!open_) spdlog::info("spacemouse: spacenavd not running; SpaceMouse unavailable");
  }
  TeleopCommand c;
  if (!open_) return c;
  spnav_event event;
  // Drain everything queued since the last tick; motion events carry absolute deflections.
  while (spnav_poll_event(&event) != 0) {
    if (event.type == SPNAV_EVENT_MOTION) {
      const int raw[6] = {event.motion.z, -event.motion.x, event.motion.y,
                          event.motion.rz, -event.motion.rx, event.motion.ry};
      for (int i = 0; i < 6; ++i) motion_[i] = std::clamp(raw[i] / full_scale_, -1.0, 1.0);
    } else if (event.type == SPNAV_EVENT_BUTTON) {
      if (event.button.bnum == 0 && event.button.press) gripper_ = -gripper_;
      if (event.button.bnum == 1) deadman_ = event.button.press != 0;
    }
  }
  c.translation = {motion_[0], motion_[1], motion_[2]};
  c.rotation = {motion_[3], motion_[4], motion_[5]};
  c.gripper = gripper_;
  c.deadman = deadman_;
  return c;
}

}  // namespace thinkvla::core
