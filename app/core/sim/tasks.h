// The task suites of the built-in world, after LIBERO's four: Spatial (the same objects in
// different layouts, the target named by where it is), Object (a different object to put in the
// basket each time), Goal (one layout, different goals) and Long (two goals in a row). Each task
// has a language instruction, a layout (where each object starts, with a seeded jitter), goals that
// are predicates on the physics state, and the suite's step limit. Constant data and pure
// functions; safe from any thread (the predicates read one environment, see TabletopEnv's rules).
#pragma once

#include <Eigen/Core>

#include <optional>
#include <string>
#include <vector>

namespace thinkvla::core::sim {

class TabletopEnv;

enum class Suite { kSpatial, kObject, kGoal, kLong };

std::string suiteName(Suite suite);  // "spatial", "object", "goal", "long"
// Accepts the names above and LIBERO's ("libero_spatial" ...), any case.
std::optional<Suite> parseSuite(const std::string& text);
const std::vector<Suite>& allSuites();
// LIBERO's per-suite limits: spatial 220, object 280, goal 300, long 520 control steps (20 Hz).
int suiteMaxSteps(Suite suite);

struct Placement {
  std::string object;  // scene object name (scene_catalog.h)
  double x_m = 0;      // nominal position on the table, base frame
  double y_m = 0;
  double yaw_rad = 0;
  double jitter_m = 0.015;  // uniform jitter of x and y per seed
};

enum class GoalKind {
  kOn,          // object rests on target (plate, bowl ...): above it, inside its radius, touching it
  kIn,          // object inside a container (basket, bowl): within its inner radius, below its rim
  kInDrawer,    // object inside the drawer
  kDrawerOpen,  // drawer pulled out by at least kDrawerOpenM
  kPushed,      // object moved by at least distance_m along direction from where it started
};
inline constexpr double kDrawerOpenM = 0.12;

struct Goal {
  GoalKind kind = GoalKind::kOn;
  std::string object;
  std::string target;
  Eigen::Vector2d direction = Eigen::Vector2d::Zero();  // kPushed: unit vector in the table plane
  double distance_m = 0.0;                              // kPushed
};

struct TaskSpec {
  Suite suite = Suite::kSpatial;
  int index = 0;         // within the suite
  std::string name;      // snake_case, unique within the suite
  std::string instruction;
  std::vector<Placement> placements;  // objects on the table; the rest are parked out of sight
  bool cabinet = false;               // the cabinet stands at cabinet_x/y, else it is parked
  double cabinet_x_m = 0.62;
  double cabinet_y_m = 0.30;
  std::vector<Goal> goals;  // all must hold (in any order) for success
  int max_steps = 300;
};

const std::vector<TaskSpec>& suiteTasks(Suite suite);
// Throws std::out_of_range naming the suite and index.
const TaskSpec& task(Suite suite, int index);

// One goal / all goals on the environment's current physics state.
bool goalSatisfied(const TabletopEnv& env, const Goal& goal);
bool taskSucceeded(const TabletopEnv& env, const TaskSpec& task);

// The explicit 3D reasoning prompt given to the teacher branch for a task (the method's "3D
// reasoning prompt"): the instruction followed by the spatial questions whose answers plan it.
std::string teacherPrompt(const TaskSpec& task);

}  // namespace thinkvla::core::sim
