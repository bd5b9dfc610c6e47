// ControlLoop: the fixed-rate control thread (20 Hz, like LIBERO) that drives a robot from the
// operator, from the policy, or from both (shared autonomy), whatever the GUI's frame rate. Every
// action goes through the SafetyFilter. In shared mode the policy drives until the operator moves
// their device; control then passes to the operator with a short blend (no jump in commanded
// velocity), each such step is marked as an intervention, and it returns to the policy after the
// device has been idle for `handback_ticks`.
//
// Ownership: the loop owns its thread; the robot, the device and the policy callback must outlive
// the loop (or be replaced with the setters while it runs). The robot is only called from the loop's
// thread. Thread-safety: setters, start(), stop(), stats() from any thread; the tick callback runs
// on the loop thread and must not block (hand data to a recorder's queue).
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/pipeline/latest_slot.h"
#include "core/teleop/safety_filter.h"
#include "core/teleop/teleop_command.h"

namespace thinkvla::core {

// What the control loop drives: the world's arm, or a real one behind the same interface.
class RobotInterface {
 public:
  virtual ~RobotInterface() = default;
  virtual cv::Vec3d endEffectorPosition() = 0;                 // base frame, metres
  virtual cv::Matx33d endEffectorRotation() = 0;               // base <- end effector
  virtual void applyAction(const Action7& normalized_action) = 0;  // one control period
};

enum class ControlMode { kHuman, kPolicy, kShared };

struct ControlTick {
  std::uint64_t index = 0;
  Action7 action = Action7::all(0.0);  // what was sent, after the safety filter
  ControlMode mode = ControlMode::kHuman;
  bool intervention = false;  // the operator drove this step (human mode, or a takeover in shared)
  bool stopped = false;       // the emergency stop is latched
  bool deadman = false;       // the operator's dead-man was held in this tick
  std::chrono::steady_clock::time_point time{};
};

class ControlLoop {
 public:
  struct Options {
    double rate_hz = 20.0;
    TeleopFrame frame = TeleopFrame::kBase;
    int blend_ticks = 4;      // operator takeover ramps over this many ticks
    int handback_ticks = 10;  // idle ticks before the policy drives again (shared mode)
  };
  // The policy side: the next normalised action, or nothing (no chunk ready: hold still).
  using PolicyFn = std::function<std::optional<Action7>()>;

  ControlLoop(RobotInterface& robot, SafetyFilter& safety, Options options);
  ~ControlLoop();
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  void setDevice(std::shared_ptr<TeleopDevice> device);
  void setPolicy(PolicyFn policy);
  void setMode(ControlMode mode);
  ControlMode mode() const { return mode_; }
  void setFrame(TeleopFrame frame) { frame_ = frame; }
  void setTickCallback(std::function<void(const ControlTick&)> callback);  // before start()

  void start();
  void stop();
  // Runs one tick on the caller's thread (for tests and for single-stepping a paused loop).
  ControlTick stepOnce();

  double measuredRateHz() const;
  std::uint64_t tickCount() const { return ticks_; }
  LatestSlot<ControlTick>& latest() { return latest_; }

 private:
  void run();
  Action7 humanAction(const TeleopCommand& command);

  RobotInterface& robot_;
  SafetyFilter& safety_;
  Options options_;
  std::atomic<ControlMode> mode_{ControlMode::kHuman};
  std::atomic<TeleopFrame> frame_{TeleopFrame::kBase};
  std::mutex inputs_mutex_;
  std::shared_ptr<TeleopDevice> device_;
  PolicyFn policy_;
  std::function<void(const ControlTick&)> on_tick_;

  std::thread thread_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::uint64_t> ticks_{0};
  LatestSlot<ControlTick> latest_;
  mutable std::mutex rate_mutex_;
  std::deque<std::chrono::steady_clock::time_point> recent_;

  // Shared-autonomy state (loop thread only).
  int takeover_level_ = 0;  // 0 policy ... blend_ticks operator
  int idle_ticks_ = 0;
  bool operator_active_ = false;
  double last_gripper_ = -1.0;
};

}  // namespace thinkvla::core
