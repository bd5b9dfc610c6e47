// EpisodeReplay: plays a recorded episode back in the built-in world. It lays the world out as the
// episode started (its source task and seed; the physics state is compared with the episode's
// init_state) and sends the recorded actions, one per tick, through a SafetyFilter with the
// world's limits, at 20 Hz on its own ControlLoop. The world's own control loop is stopped for the
// replay and restarted afterwards, so exactly one thread drives the session at a time. The
// end-effector path the replay produces is kept for comparison with the recorded one.
//
// Threads: construct, start(), stop() and the queries on the GUI thread; the loop's tick callback
// runs on the replay thread. Ownership: the session and the world's loop belong to the
// WorldController and must outlive the replay (stop() it before the world stops).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/episodes/episode_types.h"
#include "core/pipeline/world_session.h"
#include "core/teleop/control_loop.h"

namespace thinkvla::studio {

// "spatial/<task name>" (EpisodeSource::task) -> the world's task; throws std::runtime_error with
// a clear message when the text names no task of the built-in world.
const core::sim::TaskSpec& taskFromSource(const std::string& source_task);

class EpisodeReplay {
 public:
  // What to do with the world's own loop when the replay ends: restart it, or leave it stopped
  // (the world was paused).
  enum class WorldLoop { kRestart, kLeaveStopped };

  // `actions` (T, 7) in the world's normalised units; the annotations give the source task, seed
  // and (in the notes, as `thinkvla collect` writes it) the perturbation. Throws
  // std::runtime_error when the episode cannot be replayed (not from the built-in world, no
  // actions). Stops the world's loop and resets the world.
  EpisodeReplay(core::WorldSession& session, core::ControlLoop* world_loop, WorldLoop after,
                const core::EpisodeAnnotations& annotations, const core::RowMatrixXd& actions,
                const std::vector<double>& init_state);
  ~EpisodeReplay();
  EpisodeReplay(const EpisodeReplay&) = delete;
  EpisodeReplay& operator=(const EpisodeReplay&) = delete;

  void start();
  // Stops the replay loop and gives the world back to its own loop. Idempotent.
  void stop();
  bool running() const { return running_; }

  int stepsSent() const { return sent_; }  // actions applied so far
  int length() const { return static_cast<int>(actions_.size()); }
  bool finished() const { return sent_ >= length(); }
  // Whether the world's physics state after the reset equals the episode's init_state.
  bool initialStateMatches() const { return initial_matches_; }
  double initialStateMaxDiff() const { return initial_max_diff_; }
  // End-effector positions after each replayed action.
  std::vector<cv::Vec3d> path() const;

 private:
  core::WorldSession& session_;
  core::ControlLoop* world_loop_;
  WorldLoop after_;
  std::vector<core::Action7> actions_;
  std::unique_ptr<core::SafetyFilter> safety_;
  std::unique_ptr<core::ControlLoop> loop_;
  std::atomic<int> sent_{0};
  std::atomic<bool> running_{false};
  bool world_stopped_ = false;  // the world's loop waits for stop()
  bool initial_matches_ = false;
  double initial_max_diff_ = 0.0;
  mutable std::mutex path_mutex_;
  std::vector<cv::Vec3d> path_;
};

}  // namespace thinkvla::studio
