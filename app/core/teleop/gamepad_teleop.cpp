#include "core/teleop/gamepad_teleop.h"

#include <SDL2/SDL.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace thinkvla::core {

namespace {
constexpr double kDeadzone = 0.12;

double axis(SDL_GameController* pad, SDL_GameControllerAxis a) {
  const double v = SDL_GameControllerGetAxis(pad, a) / 32767.0;
  if (std::abs(v) < kDeadzone) return 0.0;
  return std::clamp((v - std::copysign(kDeadzone, v)) / (1.0 - kDeadzone), -1.0, 1.0);
}
}  // namespace

struct GamepadTeleop::Impl {
  bool sdl_ready = false;
  bool tried = false;
  SDL_GameController* pad = nullptr;
  std::string pad_name;
  std::atomic<double> speed{0.6};
  double gripper = -1.0;
  bool a_was_down = false;

  void ensureOpen() {
    if (!tried) {
      tried = true;
      SDL_SetHint(SDL_HINT_JOYSTICK_ALLOW_BACKGROUND_EVENTS, "1");
      sdl_ready = SDL_InitSubSystem(SDL_INIT_GAMECONTROLLER) == 0;
      if (!sdl_ready) spdlog::warn("gamepad: SDL game controllers unavailable: {}", SDL_GetError());
    }
    if (!sdl_ready) return;
    SDL_GameControllerUpdate();
    if (pad != nullptr && !SDL_GameControllerGetAttached(pad)) {
      spdlog::warn("gamepad: {} disconnected", pad_name);
      SDL_GameControllerClose(pad);
      pad = nullptr;
    }
    if (pad == nullptr) {
      for (int i = 0; i < SDL_NumJoysticks(); ++i) {
        if (SDL_IsGameController(i) && (pad = SDL_GameControllerOpen(i)) != nullptr) {
          pad_name = SDL_GameControllerName(pad) ? SDL_GameControllerName(pad) : "game controller";
          spdlog::info("gamepad: using {}", pad_name);
          break;
        }
      }
    }
  }
};

GamepadTeleop::GamepadTeleop() : impl_(std::make_unique<Impl>()) {}

GamepadTeleop::~GamepadTeleop() {
  if (impl_->pad != nullptr) SDL_GameControllerClose(impl_->pad);
  if (impl_->sdl_ready) SDL_QuitSubSystem(SDL_INIT_GAMECONTROLLER);
}

std::string GamepadTeleop::name() const {
  return impl_->pad != nullptr ? "gamepad: " + impl_->pad_name : "gamepad (none connected)";
}

bool GamepadTeleop::connected() const { return impl_->pad != nullptr; }

void GamepadTeleop::setSpeed(double speed) { impl_->speed = std::clamp(speed, 0.05, 1.0); }

TeleopCommand GamepadTeleop::poll() {
  impl_->ensureOpen();
  TeleopCommand c;
  SDL_GameController* pad = impl_->pad;
  if (pad == nullptr) return c;
  const double s = impl_->speed;
  const auto button = [&](SDL_GameControllerButton b) {
    return SDL_GameControllerGetButton(pad, b) != 0 ? 1.0 : 0.0;
  };
  // Stick up is negative in SDL: forward (+x) is up.
  c.translation = {-s * axis(pad, SDL_CONTROLLER_AXIS_LEFTY), -s * axis(pad, SDL_CONTROLLER_AXIS_LEFTX),
                   s * (button(SDL_CONTROLLER_BUTTON_RIGHTSHOULDER) -
                        button(SDL_CONTROLLER_BUTTON_LEFTSHOULDER))};
  c.rotation = {s * (button(SDL_CONTROLLER_BUTTON_Y) - button(SDL_CONTROLLER_BUTTON_X)),
                -s * axis(pad, SDL_CONTROLLER_AXIS_RIGHTY), -s * axis(pad, SDL_CONTROLLER_AXIS_RIGHTX)};
  const bool a_down = button(SDL_CONTROLLER_BUTTON_A) > 0;
  if (a_down && !impl_->a_was_down) impl_->gripper = -impl_->gripper;
  impl_->a_was_down = a_down;
  c.gripper = impl_->gripper;
  const double lt = SDL_GameControllerGetAxis(pad, SDL_CONTROLLER_AXIS_TRIGGERLEFT) / 32767.0;
  const double rt = SDL_GameControllerGetAxis(pad, SDL_CONTROLLER_AXIS_TRIGGERRIGHT) / 32767.0;
  c.estop = lt > 0.9 && rt > 0.9;
  c.deadman = lt > 0.5 && !c.estop;
  return c;
}

}  // namespace thinkvla::core
