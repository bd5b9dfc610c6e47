// RecordingTap: the glue between the world's control loop and the crash-safe EpisodeRecorder.
// Installed as the ControlLoop's tick callback, it turns each tick of an open episode into one
// RecordedStep: the observation before the tick's action (kept from the previous tick, or taken at
// the reset by prime()), the physics state then, the action actually sent (after the safety
// filter) and whether a human drove the step (ControlTick::intervention). It also remembers the
// current episode's actions and flags (for the dock's read-out and for checks) and whether the
// world reported success or its step limit.
//
// Threads: onTick() runs on the control thread; everything else on the GUI thread. One mutex
// serialises them, so the recorder is used by one thread at a time as its contract asks; onTick
// holds it only for appendStep(), which blocks only on the recorder's (bounded) queue. prime()
// must be called while the loop is stopped (it reads the session). onTick() never throws: a failed
// step ends the episode (discarded) and is reported through lastError().
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/episodes/episode_recorder.h"
#include "core/pipeline/world_session.h"
#include "core/teleop/control_loop.h"

namespace thinkvla::studio {

class RecordingTap {
 public:
  void setRecorder(std::shared_ptr<core::EpisodeRecorder> recorder);
  std::shared_ptr<core::EpisodeRecorder> recorder() const;

  // GUI thread, loop stopped: the session's current observation is the state before the next
  // action.
  void prime(core::WorldSession& session);
  // Control thread.
  void onTick(const core::ControlTick& tick, core::WorldSession& session);

  // GUI thread. begin() throws core::EpisodeError (no recorder, an episode already open).
  void begin(const core::EpisodeStart& start);
  // Ends the open episode (no-op when none). Returns the number of steps it had.
  std::uint64_t end(core::EndDecision decision, const core::EpisodeOutcome& outcome);

  bool recording() const { return recording_; }
  std::uint64_t steps() const { return steps_; }
  std::uint64_t interventions() const { return interventions_; }
  bool worldSuccess() const { return world_success_; }
  bool worldDone() const { return world_done_; }
  // The world was reset (or stepped by someone else) during the open episode: its steps no longer
  // follow one another.
  bool discontinuity() const { return discontinuity_; }
  // The ticks recorded in the open (or last) episode, in order: the action sent, the intervention
  // and dead-man flags, when it was applied.
  std::vector<core::ControlTick> ticks() const;
  std::vector<core::Action7> actions() const;
  std::vector<bool> interventionFlags() const;
  std::string lastError() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<core::EpisodeRecorder> recorder_;
  std::atomic<bool> recording_{false};
  std::atomic<std::uint64_t> steps_{0};
  std::atomic<std::uint64_t> interventions_{0};
  std::atomic<bool> world_success_{false};
  std::atomic<bool> world_done_{false};
  std::atomic<bool> discontinuity_{false};
  int last_step_count_ = 0;
  bool primed_ = false;
  core::sim::Observation before_;     // observation before the next action
  std::vector<double> state_before_;  // physics state then
  std::vector<core::ControlTick> ticks_;
  std::string error_;
};

}  // namespace thinkvla::studio
