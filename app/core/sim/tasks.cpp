#include "core/sim/tasks.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/sim/scene_catalog.h"
#include "core/sim/tabletop_env.h"

namespace thinkvla::core::sim {

namespace {
using P = Placement;

Goal on(const std::string& object, const std::string& target) {
  return {GoalKind::kOn, object, target, Eigen::Vector2d::Zero(), 0.0};
}
Goal in(const std::string& object, const std::string& target) {
  return {GoalKind::kIn, object, target, Eigen::Vector2d::Zero(), 0.0};
}
Goal inDrawer(const std::string& object) {
  return {GoalKind::kInDrawer, object, kDrawerBody, Eigen::Vector2d::Zero(), 0.0};
}
Goal drawerOpen() { return {GoalKind::kDrawerOpen, kDrawerBody, "", Eigen::Vector2d::Zero(), 0.0}; }
Goal pushed(const std::string& object, const Eigen::Vector2d& direction, double distance_m) {
  return {GoalKind::kPushed, object, "", direction, distance_m};
}

TaskSpec make(Suite suite, std::string name, std::string instruction,
              std::vector<Placement> placements, std::vector<Goal> goals, bool cabinet = false,
              double cabinet_x = 0.66, double cabinet_y = 0.26) {
  TaskSpec t;
  t.suite = suite;
  t.name = std::move(name);
  t.instruction = std::move(instruction);
  t.placements = std::move(placements);
  t.goals = std::move(goals);
  t.cabinet = cabinet;
  t.cabinet_x_m = cabinet_x;
  t.cabinet_y_m = cabinet_y;
  t.max_steps = suiteMaxSteps(suite);
  return t;
}

std::vector<TaskSpec> numbered(std::vector<TaskSpec> tasks) {
  for (std::size_t i = 0; i < tasks.size(); ++i) tasks[i].index = static_cast<int>(i);
  return tasks;
}

// Spatial: two identical black bowls, a plate and a mug in ten layouts; the bowl to move is named
// by where it is. black_bowl_a is always the one meant.
std::vector<TaskSpec> spatialTasks() {
  const auto S = Suite::kSpatial;
  const std::string put = " and place it on the plate";
  auto layout = [](double ax, double ay, double bx, double by, double px, double py, double mx,
                   double my) {
    return std::vector<Placement>{P{"black_bowl_a", ax, ay}, P{"black_bowl_b", bx, by},
                                  P{"white_plate", px, py}, P{"white_mug", mx, my}};
  };
  const std::vector<Goal> goal = {on("black_bowl_a", "white_plate")};
  std::vector<TaskSpec> t;
  t.push_back(make(S, "bowl_between_plate_and_mug",
                   "pick up the black bowl between the plate and the mug" + put,
                   layout(0.46, 0.0, 0.64, -0.04, 0.44, -0.21, 0.48, 0.19), goal));
  t.push_back(make(S, "bowl_next_to_mug", "pick up the black bowl next to the mug" + put,
                   layout(0.50, 0.20, 0.40, -0.04, 0.56, -0.20, 0.63, 0.20), goal));
  t.push_back(make(S, "bowl_at_table_centre", "pick up the black bowl at the centre of the table" + put,
                   layout(0.50, 0.0, 0.36, 0.22, 0.40, -0.22, 0.66, 0.20), goal));
  auto next_to_cabinet = make(S, "bowl_next_to_cabinet", "pick up the black bowl next to the cabinet" + put,
                              layout(0.64, 0.06, 0.40, -0.08, 0.56, -0.22, 0.34, 0.18), goal, true,
                              0.68, 0.28);
  t.push_back(next_to_cabinet);
  t.push_back(make(S, "bowl_next_to_plate", "pick up the black bowl next to the plate" + put,
                   layout(0.59, -0.20, 0.45, 0.14, 0.44, -0.20, 0.63, 0.12), goal));
  t.push_back(make(S, "bowl_closest_to_robot", "pick up the black bowl closest to the robot" + put,
                   layout(0.36, 0.04, 0.64, 0.04, 0.50, -0.20, 0.50, 0.22), goal));
  t.push_back(make(S, "bowl_farthest_from_robot", "pick up the black bowl farthest from the robot" + put,
                   layout(0.66, -0.02, 0.40, 0.06, 0.46, -0.22, 0.52, 0.21), goal));
  t.push_back(make(S, "bowl_on_robot_left", "pick up the black bowl on the robot's left" + put,
                   layout(0.50, 0.20, 0.52, -0.04, 0.38, -0.22, 0.66, 0.02), goal));
  t.push_back(make(S, "bowl_on_robot_right", "pick up the black bowl on the robot's right" + put,
                   layout(0.47, -0.21, 0.47, 0.13, 0.63, -0.06, 0.36, 0.21), goal));
  t.push_back(make(S, "bowl_behind_mug", "pick up the black bowl behind the mug" + put,
                   layout(0.60, 0.13, 0.44, -0.08, 0.60, -0.18, 0.43, 0.13), goal));
  return numbered(t);
}

// Object: a different object to put in the basket, among three others.
std::vector<TaskSpec> objectTasks() {
  const std::vector<std::string> objects = {"red_cube",   "green_cube",   "blue_block",
                                            "yellow_can", "orange_carton", "purple_ball",
                                            "white_mug",  "green_mug",    "red_bowl",
                                            "blue_bowl"};
  const double slots[3][2] = {{0.40, 0.16}, {0.60, 0.16}, {0.40, -0.10}};
  std::vector<TaskSpec> t;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    std::vector<Placement> placements = {P{"basket", 0.60, -0.16, 0.0, 0.01}};
    for (int s = 0; s < 3; ++s) {
      const auto& name = objects[(i + static_cast<std::size_t>(s) * 3) % objects.size()];
      const int slot = (static_cast<int>(i) + s) % 3;
      placements.push_back(P{name, slots[slot][0], slots[slot][1]});
    }
    t.push_back(make(Suite::kObject, "pick_" + objects[i] + "_place_in_basket",
                     "pick up the " + objectInfo(objects[i]).phrase + " and place it in the basket",
                     placements, {in(objects[i], "basket")}));
  }
  return numbered(t);
}

// Goal: one layout, different goals.
std::vector<Placement> goalLayout() {
  return {P{"white_plate", 0.40, -0.22}, P{"red_bowl", 0.60, -0.22}, P{"green_cube", 0.42, -0.02},
          P{"yellow_can", 0.56, -0.04}, P{"white_mug", 0.32, 0.09}};
}

std::vector<TaskSpec> goalTasks() {
  const auto G = Suite::kGoal;
  const auto L = goalLayout();
  std::vector<TaskSpec> t;
  t.push_back(make(G, "open_drawer", "open the drawer of the cabinet", L, {drawerOpen()}, true));
  t.push_back(make(G, "bowl_on_plate", "put the red bowl on the plate", L,
                   {on("red_bowl", "white_plate")}, true));
  t.push_back(make(G, "cube_on_plate", "put the green cube on the plate", L,
                   {on("green_cube", "white_plate")}, true));
  t.push_back(make(G, "cube_in_bowl", "put the green cube in the red bowl", L,
                   {in("green_cube", "red_bowl")}, true));
  t.push_back(make(G, "mug_on_plate", "put the white mug on the plate", L,
                   {on("white_mug", "white_plate")}, true));
  t.push_back(make(G, "push_can_forward", "push the yellow can away from the robot", L,
                   {pushed("yellow_can", {1.0, 0.0}, 0.08)}, true));
  t.push_back(make(G, "can_on_plate", "put the yellow can on the plate", L,
                   {on("yellow_can", "white_plate")}, true));
  t.push_back(make(G, "can_in_bowl", "put the yellow can in the red bowl", L,
                   {in("yellow_can", "red_bowl")}, true));
  t.push_back(make(G, "push_cube_left", "push the green cube to the robot's left", L,
                   {pushed("green_cube", {0.0, 1.0}, 0.08)}, true));
  t.push_back(make(G, "cube_on_cabinet", "put the green cube on top of the cabinet", L,
                   {on("green_cube", kCabinetBody)}, true));
  t.push_back(make(G, "bowl_on_cabinet", "put the red bowl on top of the cabinet", L,
                   {on("red_bowl", kCabinetBody)}, true));
  return numbered(t);
}

// Long: two goals in a row.
std::vector<TaskSpec> longTasks() {
  const auto Lg = Suite::kLong;
  std::vector<TaskSpec> t;
  t.push_back(make(Lg, "open_drawer_put_cube_inside",
                   "open the drawer and put the green cube inside it", goalLayout(),
                   {drawerOpen(), inDrawer("green_cube")}, true));
  t.push_back(make(Lg, "open_drawer_bowl_on_plate",
                   "open the drawer and put the red bowl on the plate", goalLayout(),
                   {drawerOpen(), on("red_bowl", "white_plate")}, true));
  const std::vector<Placement> basket_scene = {
      P{"basket", 0.60, -0.16, 0.0, 0.01}, P{"red_bowl", 0.40, 0.18}, P{"white_plate", 0.60, 0.16},
      P{"green_cube", 0.40, -0.10}, P{"red_cube", 0.44, 0.02}};
  t.push_back(make(Lg, "bowl_on_plate_cube_in_basket",
                   "put the red bowl on the plate and the green cube in the basket", basket_scene,
                   {on("red_bowl", "white_plate"), in("green_cube", "basket")}));
  t.push_back(make(Lg, "both_cubes_in_basket", "put both cubes in the basket", basket_scene,
                   {in("red_cube", "basket"), in("green_cube", "basket")}));
  t.push_back(make(Lg, "mugs_on_plates",
                   "put the white mug on the white plate and the green mug on the pink plate",
                   {P{"white_mug", 0.40, 0.16}, P{"green_mug", 0.40, -0.14},
                    P{"white_plate", 0.60, -0.18}, P{"pink_plate", 0.62, 0.14}},
                   {on("white_mug", "white_plate"), on("green_mug", "pink_plate")}));
  t.push_back(make(Lg, "can_and_carton_in_basket",
                   "put the yellow can and the orange carton in the basket",
                   {P{"basket", 0.60, -0.16, 0.0, 0.01}, P{"yellow_can", 0.40, 0.16},
                    P{"orange_carton", 0.40, -0.08}, P{"red_bowl", 0.62, 0.16}},
                   {in("yellow_can", "basket"), in("orange_carton", "basket")}));
  t.push_back(make(Lg, "block_and_cube_on_plates",
                   "put the blue block on the pink plate and the red cube on the white plate",
                   {P{"blue_block", 0.42, 0.16}, P{"red_cube", 0.40, -0.06},
                    P{"white_plate", 0.60, -0.18}, P{"pink_plate", 0.62, 0.14}},
                   {on("blue_block", "pink_plate"), on("red_cube", "white_plate")}));
  t.push_back(make(Lg, "cube_in_bowl_and_cube_on_plate",
                   "put the red cube in the blue bowl and the green cube on the plate",
                   {P{"red_cube", 0.40, 0.16}, P{"green_cube", 0.40, -0.08},
                    P{"blue_bowl", 0.60, 0.14}, P{"white_plate", 0.60, -0.18}},
                   {in("red_cube", "blue_bowl"), on("green_cube", "white_plate")}));
  t.push_back(make(Lg, "ball_and_block_in_basket",
                   "put the purple ball and the blue block in the basket",
                   {P{"basket", 0.60, -0.16, 0.0, 0.01}, P{"purple_ball", 0.40, 0.16},
                    P{"blue_block", 0.42, -0.08}, P{"green_mug", 0.62, 0.16}},
                   {in("purple_ball", "basket"), in("blue_block", "basket")}));
  t.push_back(make(Lg, "bowl_on_plate_push_can",
                   "put the red bowl on the plate and push the yellow can away from the robot",
                   goalLayout(), {on("red_bowl", "white_plate"), pushed("yellow_can", {1.0, 0.0}, 0.08)},
                   true));
  return numbered(t);
}

double bottomZ(const TabletopEnv& env, const std::string& object) {
  return env.bodyPosition(object).z() - objectInfo(object).origin_height_m;
}
}  // namespace

std::string suiteName(Suite suite) {
  switch (suite) {
    case Suite::kSpatial: return "spatial";
    case Suite::kObject: return "object";
    case Suite::kGoal: return "goal";
    case Suite::kLong: return "long";
  }
  return "unknown";
}

std::optional<Suite> parseSuite(const std::string& text) {
  std::string s;
  for (char c : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.rfind("libero_", 0) == 0) s = s.substr(7);
  if (s == "10") s = "long";
  for (Suite suite : allSuites()) {
    if (suiteName(suite) == s) return suite;
  }
  return std::nullopt;
}

const std::vector<Suite>& allSuites() {
  static const std::vector<Suite> suites = {Suite::kSpatial, Suite::kObject, Suite::kGoal,
                                            Suite::kLong};
  return suites;
}

int suiteMaxSteps(Suite suite) {
  switch (suite) {
    case Suite::kSpatial: return 220;
    case Suite::kObject: return 280;
    case Suite::kGoal: return 300;
    case Suite::kLong: return 520;
  }
  return 300;
}

const std::vector<TaskSpec>& suiteTasks(Suite suite) {
  static const std::vector<TaskSpec> spatial = spatialTasks();
  static const std::vector<TaskSpec> object = objectTasks();
  static const std::vector<TaskSpec> goal = goalTasks();
  static const std::vector<TaskSpec> long_tasks = longTasks();
  switch (suite) {
    case Suite::kSpatial: return spatial;
    case Suite::kObject: return object;
    case Suite::kGoal: return goal;
    case Suite::kLong: return long_tasks;
  }
  return spatial;
}

const TaskSpec& task(Suite suite, int index) {
  const auto& tasks = suiteTasks(suite);
  if (index < 0 || index >= static_cast<int>(tasks.size())) {
    throw std::out_of_range("suite " + suiteName(suite) + " has no task " + std::to_string(index) +
                            " (it has " + std::to_string(tasks.size()) + ")");
  }
  return tasks[static_cast<std::size_t>(index)];
}

bool goalSatisfied(const TabletopEnv& env, const Goal& goal) {
  switch (goal.kind) {
    case GoalKind::kDrawerOpen:
      return env.drawerOpening_m() >= kDrawerOpenM;
    case GoalKind::kPushed: {
      const Eigen::Vector3d moved =
          env.bodyPosition(goal.object) - env.initialBodyPosition(goal.object);
      return moved.head<2>().dot(goal.direction) >= goal.distance_m &&
             bottomZ(env, goal.object) < 0.02;
    }
    case GoalKind::kInDrawer: {
      const Eigen::Vector3d local = env.bodyQuaternion(kDrawerBody).inverse() *
                                    (env.bodyPosition(goal.object) - env.bodyPosition(kDrawerBody));
      const double bottom = local.z() - objectInfo(goal.object).origin_height_m;
      return local.x() > kDrawerInsideMinXM && local.x() < kDrawerInsideMaxXM &&
             std::abs(local.y()) < kDrawerInsideHalfYM && bottom < kDrawerFloorTopZM + 0.02 &&
             env.inContact(goal.object, kDrawerBody);
    }
    case GoalKind::kOn: {
      const Eigen::Vector3d p = env.bodyPosition(goal.object);
      const double bottom = bottomZ(env, goal.object);
      if (goal.target == kCabinetBody) {
        const Eigen::Vector3d c = env.bodyPosition(kCabinetBody);
        return std::abs(p.x() - c.x()) < kCabinetHalfXM && std::abs(p.y() - c.y()) < 0.12 &&
               bottom > kCabinetTopZM - 0.01 && bottom < kCabinetTopZM + 0.02 &&
               env.inContact(goal.object, kCabinetBody);
      }
      const auto& target = objectInfo(goal.target);
      const Eigen::Vector3d t = env.bodyPosition(goal.target);
      const double target_bottom = t.z() - target.origin_height_m;
      return (p - t).head<2>().norm() < target.inner_radius_m + 0.01 &&
             bottom > target_bottom + 0.5 * target.height_m &&
             bottom < target_bottom + target.height_m + 0.02 &&
             env.inContact(goal.object, goal.target);
    }
    case GoalKind::kIn: {
      const auto& container = objectInfo(goal.target);
      const Eigen::Vector3d local =
          env.bodyQuaternion(goal.target).inverse() *
          (env.bodyPosition(goal.object) - env.bodyPosition(goal.target));
      const double bottom = local.z() - objectInfo(goal.object).origin_height_m;
      const double container_bottom = -container.origin_height_m;
      if (container.category == ObjectCategory::kBasket) {
        return std::abs(local.x()) < container.inner_radius_m &&
               std::abs(local.y()) < container.inner_radius_m &&
               bottom < container_bottom + container.height_m - 0.01 &&
               bottom > container_bottom - 0.01;
      }
      // A bowl: inside its rim and touching it.
      return local.head<2>().norm() < container.radius_m &&
             bottom < container_bottom + container.height_m &&
             env.inContact(goal.object, goal.target);
    }
  }
  return false;
}

bool taskSucceeded(const TabletopEnv& env, const TaskSpec& task) {
  if (task.goals.empty()) return false;
  for (const auto& g : task.goals) {
    if (!goalSatisfied(env, g)) return false;
  }
  return true;
}

std::string teacherPrompt(const TaskSpec& task) {
  std::ostringstream s;
  s << "Task: " << task.instruction << ".\n"
    << "Think in 3D before acting, in the robot base frame (x away from the robot, y to its left, "
       "z up, metres).\n";
  int n = 1;
  auto phrase = [](const std::string& name) {
    if (name == kCabinetBody) return std::string("cabinet");
    if (name == kDrawerBody) return std::string("drawer handle");
    return objectInfo(name).phrase;
  };
  for (const auto& g : task.goals) {
    switch (g.kind) {
      case GoalKind::kDrawerOpen:
        s << n++ << ". Where is the drawer handle, and how far must it be pulled towards the robot?\n";
        break;
      case GoalKind::kPushed:
        s << n++ << ". Where is the " << phrase(g.object) << ", and from which side must the gripper "
          << "push it to move it " << g.distance_m << " m along (" << g.direction.x() << ", "
          << g.direction.y() << ")?\n";
        break;
      case GoalKind::kInDrawer:
        s << n++ << ". Where is the " << phrase(g.object)
          << " and how far is it from the gripper?\n";
        s << n++ << ". Where is the inside of the open drawer, and at what height must the "
          << phrase(g.object) << " be released?\n";
        break;
      case GoalKind::kOn:
      case GoalKind::kIn:
        s << n++ << ". Where is the " << phrase(g.object) << " (x, y, z), and how far is it from the "
          << "gripper?\n";
        s << n++ << ". Where is the " << phrase(g.target) << ", what is the distance and direction "
          << "from the " << phrase(g.object) << " to it, and at what height must the "
          << phrase(g.object) << " be released " << (g.kind == GoalKind::kOn ? "on" : "in")
          << " it?\n";
        break;
    }
  }
  s << "Answer with the anchor, then act.";
  return s.str();
}

}  // namespace thinkvla::core::sim
