#include "studio/recording_tap.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace thinkvla::studio {

namespace {
double unixNowS() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool stepLimitReached(core::sim::TabletopEnv& env) {
  return env.stepCount() >= env.task().max_steps;
}
}  // namespace

void RecordingTap::setRecorder(std::shared_ptr<core::EpisodeRecorder> recorder) {
  std::lock_guard<std::mutex> lock(mutex_);
  recorder_ = std::move(recorder);
}

std::shared_ptr<core::EpisodeRecorder> RecordingTap::recorder() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return recorder_;
}

void RecordingTap::prime(core::WorldSession& session) {
  std::lock_guard<std::mutex> lock(mutex_);
  before_ = session.lastObservation();
  state_before_ = session.env().physicsState();
  last_step_count_ = session.env().stepCount();
  primed_ = true;
  world_success_ = session.env().success();
  world_done_ = world_success_ || stepLimitReached(session.env());
}

void RecordingTap::onTick(const core::ControlTick& tick, core::WorldSession& session) {
  std::lock_guard<std::mutex> lock(mutex_);
  const int step_count = session.env().stepCount();
  if (recording_ && step_count != last_step_count_ + 1) discontinuity_ = true;
  last_step_count_ = step_count;
  if (recording_ && recorder_ && primed_ && !discontinuity_) {
    try {
      core::RecordedStep step;
      if (before_.cameras.size() < 2)
        throw std::runtime_error("the world rendered fewer than 2 cameras");
      step.agentview_rgb = before_.cameras[0].rgb;
      step.eye_in_hand_rgb = before_.cameras[1].rgb;
      step.agentview_depth = before_.cameras[0].depth_m;
      step.eye_in_hand_depth = before_.cameras[1].depth_m;
      step.joint_states = before_.joint_pos_rad;
      step.gripper_states = before_.gripper_qpos_m;
      step.ee_states << before_.ee_pos_m, before_.ee_axis_angle;
      for (int i = 0; i < 7; ++i) step.action[i] = tick.action[i];
      step.state = Eigen::Map<const Eigen::VectorXd>(
          state_before_.data(), static_cast<Eigen::Index>(state_before_.size()));
      step.intervention = tick.intervention;
      step.timestamp_unix_s = unixNowS();
      recorder_->appendStep(step);  // deep-copies; blocks only on a full queue
      ticks_.push_back(tick);
      ++steps_;
      if (tick.intervention) ++interventions_;
    } catch (const std::exception& e) {
      error_ = std::string("recording stopped at step ") + std::to_string(steps_) + ": " + e.what();
      spdlog::error("episodes: {}", error_);
      try {
        recorder_->endEpisode(core::EndDecision::kDiscard, {});
      } catch (const std::exception&) {
      }
      recording_ = false;
    }
  }
  // What the world looks like now is the observation before the next tick's action.
  before_ = session.lastObservation();
  state_before_ = session.env().physicsState();
  primed_ = true;
  world_success_ = session.env().success();
  world_done_ = world_success_ || stepLimitReached(session.env());
}

void RecordingTap::begin(const core::EpisodeStart& start) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!recorder_)
    throw core::EpisodeError("(none)", "(recorder)", "no episode file to record into");
  recorder_->beginEpisode(start);
  ticks_.clear();
  steps_ = 0;
  interventions_ = 0;
  error_.clear();
  discontinuity_ = false;
  recording_ = true;
}

std::uint64_t RecordingTap::end(core::EndDecision decision, const core::EpisodeOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!recording_) return 0;
  recording_ = false;
  if (recorder_ && recorder_->episodeOpen()) recorder_->endEpisode(decision, outcome);
  return steps_;
}

std::vector<core::ControlTick> RecordingTap::ticks() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ticks_;
}

std::vector<core::Action7> RecordingTap::actions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<core::Action7> out;
  for (const auto& t : ticks_) out.push_back(t.action);
  return out;
}

std::vector<bool> RecordingTap::interventionFlags() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<bool> out;
  for (const auto& t : ticks_) out.push_back(t.intervention);
  return out;
}

std::string RecordingTap::lastError() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

}  // namespace thinkvla::studio
