// KeyboardTeleop: the keyboard as a teleop device. The GUI forwards key presses and releases
// (setKey, from the GUI thread); the control loop polls (from its thread). Bindings:
//   W/S +x/-x, A/D +y/-y, R/F +z/-z, Q/E yaw, Z/X pitch, C/V roll, G toggles the gripper,
//   Space is the dead-man key (hold to move), Escape the emergency stop.
// setSpeed scales every motion axis, in (0, 1].
#pragma once

#include <array>
#include <atomic>

#include "core/teleop/teleop_command.h"

namespace thinkvla::core {

enum class TeleopKey {
  kW, kS, kA, kD, kR, kF, kQ, kE, kZ, kX, kC, kV, kG, kSpace, kEscape, kCount
};

class KeyboardTeleop : public TeleopDevice {
 public:
  std::string name() const override { return "keyboard"; }
  bool connected() const override { return true; }
  TeleopCommand poll() override;

  void setKey(TeleopKey key, bool pressed);  // any thread
  void setSpeed(double speed);               // any thread
  void releaseAll();                         // focus lost: nothing stays held

 private:
  std::array<std::atomic<bool>, static_cast<int>(TeleopKey::kCount)> down_{};
  std::atomic<bool> gripper_toggle_pending_{false};
  std::atomic<bool> estop_pending_{false};
  std::atomic<double> speed_{0.5};
  double gripper_state_ = -1.0;  // control thread only
};

}  // namespace thinkvla::core
