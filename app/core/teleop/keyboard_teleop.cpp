#include "core/teleop/keyboard_teleop.h"

#include <algorithm>

namespace thinkvla::core {

void KeyboardTeleop::setKey(TeleopKey key, bool pressed) {
  auto& slot = down_[static_cast<int>(key)];
  const bool was = slot.exchange(pressed);
  // Edge-triggered keys act once per press, however long it is held.
  if (pressed && !was && key == TeleopKey::kG) gripper_toggle_pending_ = true;
  if (pressed && !was && key == TeleopKey::kEscape) estop_pending_ = true;
}

void KeyboardTeleop::setSpeed(double speed) { speed_ = std::clamp(speed, 0.05, 1.0); }

void KeyboardTeleop::releaseAll() {
  for (auto& d : down_) d = false;
}

TeleopCommand KeyboardTeleop::poll() {
  const auto held = [&](TeleopKey k) { return down_[static_cast<int>(k)].load() ? 1.0 : 0.0; };
  const double s = speed_;
  TeleopCommand c;
  c.translation = {s * (held(TeleopKey::kW) - held(TeleopKey::kS)),
                   s * (held(TeleopKey::kA) - held(TeleopKey::kD)),
                   s * (held(TeleopKey::kR) - held(TeleopKey::kF))};
  c.rotation = {s * (held(TeleopKey::kC) - held(TeleopKey::kV)),
                s * (held(TeleopKey::kZ) - held(TeleopKey::kX)),
                s * (held(TeleopKey::kQ) - held(TeleopKey::kE))};
  if (gripper_toggle_pending_.exchange(false)) gripper_state_ = -gripper_state_;
  c.gripper = gripper_state_;
  c.deadman = held(TeleopKey::kSpace) > 0.0;
  c.estop = estop_pending_.exchange(false);
  return c;
}

}  // namespace thinkvla::core
