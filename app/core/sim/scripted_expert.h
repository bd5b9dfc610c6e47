// ScriptedExpert: a demonstrator for every task of the built-in world. It turns the task's goals
// into motion primitives (pick and place, open the drawer, push) and each primitive into waypoints
// for the grip site, which it tracks with 7-D actions like a policy would. It reads the true
// physics state of the environment (object poses) and retries a grasp or a pull that failed.
// Per-episode noise (waypoint offsets, speeds, pauses and small action noise, all from the seed)
// makes the demonstrations diverse.
//
// Ownership: holds no pointer to the environment; act() reads the one it is given.
// Threads: one instance per episode, used from the environment's thread.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/sim/tabletop_env.h"
#include "core/sim/tasks.h"

namespace thinkvla::core::sim {

struct ExpertOptions {
  double waypoint_noise_m = 0.003;  // standard deviation of the offsets of approach waypoints
  double action_noise = 0.03;       // standard deviation added to translation actions in transit
  int max_retries = 2;              // per primitive
};

class ScriptedExpert {
 public:
  ScriptedExpert(const TaskSpec& task, std::uint64_t seed, ExpertOptions options = {});

  // The next action for the environment's current state. After the plan is done it holds still
  // with the gripper open.
  Action act(const TabletopEnv& env);
  bool planDone() const { return primitive_ >= primitives_.size(); }
  // Takes over a world that someone else (a policy) has been acting in: drops the primitives of
  // the task's goals that already hold in `env`, so the plan finishes only what is left, and when
  // the hand already holds the object of the next pick and place (the fingers around it, neither
  // open nor shut), starts that primitive at its lift instead of opening the hand to grasp again.
  // Call before the first act(); `task` must be the one the expert was made for, else
  // std::logic_error.
  void takeOver(const TaskSpec& task, const TabletopEnv& env);
  // A short name of what the expert is doing ("pick red_cube: descend"), for logs and the GUI.
  std::string stage() const;

 private:
  using TargetFn = std::function<Eigen::Vector3d(const TabletopEnv&)>;
  using CheckFn = std::function<bool(const TabletopEnv&)>;
  struct Waypoint {
    std::string name;
    TargetFn target;    // evaluated when the waypoint starts
    double gripper = -1.0;
    double tolerance_m = 0.01;
    double speed = 1.0;  // largest translation action component
    int hold_steps = 0;  // steps to stay once reached (gripper closing, opening)
    int max_steps = 60;
    bool noisy = false;  // transit: action noise allowed
  };
  struct Primitive {
    std::string name;
    std::vector<Waypoint> waypoints;
    std::size_t check_after = 0;  // index of the waypoint after which `check` must hold
    CheckFn check;                // empty: none; false: retry the primitive from the start
    std::string held_object;      // pick and place: the object it carries (takeOver())
  };

  void buildPlan(const TaskSpec& task);
  Primitive pickAndPlace(const std::string& object, const Goal& goal);
  Primitive openDrawer();
  Primitive push(const Goal& goal);
  Eigen::Vector2d noise2();

  std::mt19937_64 rng_;
  ExpertOptions options_;
  double speed_scale_ = 1.0;
  std::vector<Primitive> primitives_;
  std::size_t primitive_ = 0;
  std::size_t waypoint_ = 0;
  bool waypoint_started_ = false;
  Eigen::Vector3d target_ = Eigen::Vector3d::Zero();
  int steps_in_waypoint_ = 0;
  int held_ = 0;
  int retries_ = 0;
  Eigen::Vector3d last_ee_ = Eigen::Vector3d::Zero();
  bool have_last_ee_ = false;
};

}  // namespace thinkvla::core::sim
