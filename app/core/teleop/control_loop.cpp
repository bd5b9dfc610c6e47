#include "core/teleop/control_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace thinkvla::core {

using Clock = std::chrono::steady_clock;

ControlLoop::ControlLoop(RobotInterface& robot, SafetyFilter& safety, Options options)
    : robot_(robot), safety_(safety), options_(options), frame_(options.frame) {}

ControlLoop::~ControlLoop() { stop(); }

void ControlLoop::setDevice(std::shared_ptr<TeleopDevice> device) {
  std::lock_guard<std::mutex> lock(inputs_mutex_);
  device_ = std::move(device);
}

void ControlLoop::setPolicy(PolicyFn policy) {
  std::lock_guard<std::mutex> lock(inputs_mutex_);
  policy_ = std::move(policy);
}

void ControlLoop::setMode(ControlMode mode) { mode_ = mode; }

void ControlLoop::setTickCallback(std::function<void(const ControlTick&)> callback) {
  on_tick_ = std::move(callback);
}

void ControlLoop::start() {
  if (thread_.joinable()) return;
  stop_requested_ = false;
  thread_ = std::thread([this] { run(); });
}

void ControlLoop::stop() {
  stop_requested_ = true;
  if (thread_.joinable()) thread_.join();
}

double ControlLoop::measuredRateHz() const {
  std::lock_guard<std::mutex> lock(rate_mutex_);
  if (recent_.size() < 2) return 0.0;
  const double span_s = std::chrono::duration<double>(recent_.back() - recent_.front()).count();
  return span_s > 0 ? static_cast<double>(recent_.size() - 1) / span_s : 0.0;
}

Action7 ControlLoop::humanAction(const TeleopCommand& c) {
  cv::Vec3d t = c.translation;
  cv::Vec3d r = c.rotation;
  if (frame_ == TeleopFrame::kEndEffector) {
    // Motions given in the gripper's frame, sent in the base frame the controller expects.
    const cv::Matx33d R = robot_.endEffectorRotation();
    t = R * t;
    r = R * r;
  }
  return Action7(t[0], t[1], t[2], r[0], r[1], r[2], c.gripper);
}

ControlTick ControlLoop::stepOnce() {
  std::shared_ptr<TeleopDevice> device;
  PolicyFn policy;
  {
    std::lock_guard<std::mutex> lock(inputs_mutex_);
    device = device_;
    policy = policy_;
  }
  const ControlMode mode = mode_;
  TeleopCommand command;
  if (device) command = device->poll();
  if (command.estop) safety_.triggerStop();

  const cv::Vec3d ee = robot_.endEffectorPosition();
  ControlTick tick;
  tick.index = ticks_;
  tick.mode = mode;
  tick.deadman = command.deadman;
  Action7 requested = holdAction(last_gripper_);
  DeadmanRule rule = DeadmanRule::kNotRequired;
  bool deadman = true;

  switch (mode) {
    case ControlMode::kHuman:
      requested = humanAction(command);
      rule = DeadmanRule::kRequired;
      deadman = command.deadman;
      tick.intervention = true;
      break;
    case ControlMode::kPolicy: {
      const auto a = policy ? policy() : std::nullopt;
      if (a) requested = *a;
      break;
    }
    case ControlMode::kShared: {
      const auto a = policy ? policy() : std::nullopt;
      const Action7 from_policy = a ? *a : holdAction(last_gripper_);
      const bool moving = command.moving();
      if (moving) {
        idle_ticks_ = 0;
        if (!operator_active_) spdlog::info("control: operator takes over");
        operator_active_ = true;
      } else if (operator_active_ && ++idle_ticks_ >= options_.handback_ticks) {
        operator_active_ = false;
        spdlog::info("control: back to the policy");
      }
      takeover_level_ = std::clamp(takeover_level_ + (operator_active_ ? 1 : -1), 0,
                                   std::max(1, options_.blend_ticks));
      const double w = static_cast<double>(takeover_level_) / std::max(1, options_.blend_ticks);
      const Action7 from_human = humanAction(command);
      requested = (1.0 - w) * from_policy + w * from_human;
      // The gripper is a switch, not a blend: whoever leads decides.
      requested[6] = w >= 0.5 ? from_human[6] : from_policy[6];
      tick.intervention = takeover_level_ > 0;
      break;
    }
  }
  const auto result = safety_.filter(requested, ee, deadman, rule);
  robot_.applyAction(result.action);
  tick.action = result.action;
  last_gripper_ = result.action[6];
  tick.stopped = result.stopped;
  tick.time = Clock::now();
  ++ticks_;
  {
    std::lock_guard<std::mutex> lock(rate_mutex_);
    recent_.push_back(tick.time);
    while (recent_.size() > 2 && recent_.front() < tick.time - std::chrono::seconds(1)) recent_.pop_front();
  }
  if (on_tick_) on_tick_(tick);
  latest_.publish(tick);
  return tick;
}

void ControlLoop::run() {
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / std::max(1.0, options_.rate_hz)));
  auto next = Clock::now();
  while (!stop_requested_) {
    try {
      stepOnce();
    } catch (const std::exception& e) {
      spdlog::error("control: tick failed, stopping the loop: {}", e.what());
      safety_.triggerStop();
      return;
    }
    next += period;
    const auto now = Clock::now();
    if (next < now) next = now;  // overran: keep the rate from here, no burst of catch-up ticks
    std::this_thread::sleep_until(next);
  }
}

}  // namespace thinkvla::core
