// SpaceMouseTeleop: a 3Dconnexion SpaceMouse through libspnav and the spacenavd daemon (the way
// Blender reads it on Linux). Push/pull/slide: translation; tilt/twist: rotation; left button:
// toggle the gripper; right button held: dead-man. Without spacenavd running it reports
// connected() == false and polls zero motion. Control thread only.
#pragma once

#include "core/teleop/teleop_command.h"

namespace thinkvla::core {

class SpaceMouseTeleop : public TeleopDevice {
 public:
  // full_scale: the raw deflection that maps to 1.0 (spacenavd reports about +-350).
  explicit SpaceMouseTeleop(double full_scale = 350.0);
  ~SpaceMouseTeleop() override;
  std::string name() const override { return "spacemouse"; }
  bool connected() const override { return open_; }
  TeleopCommand poll() override;

 private:
  double full_scale_;
  bool open_ = false;
  bool tried_ = false;
  double motion_[6] = {0, 0, 0, 0, 0, 0};
  double gripper_ = -1.0;
  bool deadman_ = false;
};

}  // namespace thinkvla::core
