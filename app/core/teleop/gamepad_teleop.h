// GamepadTeleop: a game controller through SDL2's GameController API. Left stick: x/y; right
// stick: yaw/pitch; shoulders: z down/up; X/Y: roll; A: toggle the gripper. The dead-man is the
// left trigger held past half-way; both triggers pressed fully are the emergency stop.
// Without a controller (or without SDL's controller subsystem) it reports connected() == false
// and polls zero motion. Control thread only (SDL is initialised on the first poll).
#pragma once

#include <memory>

#include "core/teleop/teleop_command.h"

namespace thinkvla::core {

class GamepadTeleop : public TeleopDevice {
 public:
  GamepadTeleop();
  ~GamepadTeleop() override;
  std::string name() const override;
  bool connected() const override;
  TeleopCommand poll() override;
  void setSpeed(double speed);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace thinkvla::core
