// What an operator's input device says in one control tick, in the units of LIBERO's normalised
// action ([-1, 1] per axis), and the devices that say it. Plain data.
#pragma once

#include <opencv2/core.hpp>

#include <string>

namespace thinkvla::core {

// The frame an operator's motions are expressed in.
enum class TeleopFrame { kBase, kEndEffector };

struct TeleopCommand {
  cv::Vec3d translation{0, 0, 0};  // x, y, z in [-1, 1]
  cv::Vec3d rotation{0, 0, 0};     // roll, pitch, yaw rates in [-1, 1]
  double gripper = 0.0;            // -1 open, +1 close, 0 keep the current state
  bool deadman = false;            // the enabling key/button is held
  bool estop = false;              // the emergency stop was asked for in this tick

  // True when the operator moves the device beyond `threshold` (used for shared-autonomy takeover).
  bool moving(double threshold = 0.15) const {
    return cv::norm(translation, cv::NORM_INF) > threshold || cv::norm(rotation, cv::NORM_INF) > threshold;
  }
};

// An input device polled by the control loop once per tick. poll() is called from the control
// thread only; implementations that are fed from another thread (the keyboard, from the GUI) make
// their setters thread-safe.
class TeleopDevice {
 public:
  virtual ~TeleopDevice() = default;
  virtual std::string name() const = 0;
  virtual bool connected() const = 0;
  virtual TeleopCommand poll() = 0;
};

}  // namespace thinkvla::core
