#include "core/sim/scripted_expert.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/sim/scene_catalog.h"

namespace thinkvla::core::sim {

namespace {
const Eigen::Quaterniond kDown(0.0, 1.0, 0.0, 0.0);
constexpr double kCarryClearanceM = 0.06;  // above the highest thing to pass over
constexpr double kSettledStepM = 0.004;    // tool motion in one step below which it has settled
// takeOver(): an object is in hand when its centre is this close to the grip site and the
// fingers' opening (both together) lies between these two.
constexpr double kHeldWithinM = 0.05;
constexpr double kFingersShutM = 0.004;
constexpr double kFingersOpenM = 0.075;

double bottomOf(const TabletopEnv& env, const std::string& object) {
  return env.bodyPosition(object).z() - objectInfo(object).origin_height_m;
}
}  // namespace

ScriptedExpert::ScriptedExpert(const TaskSpec& task, std::uint64_t seed, ExpertOptions options)
    : rng_(seed * 0xD1B54A32D192ED03ULL + 0xE7E7ULL), options_(options) {
  speed_scale_ = std::uniform_real_distribution<double>(0.75, 1.0)(rng_);
  buildPlan(task);
}

void ScriptedExpert::takeOver(const TaskSpec& task, const TabletopEnv& env) {
  // buildPlan() makes one primitive per goal, in the goals' order.
  if (primitives_.size() != task.goals.size() || primitive_ != 0 || waypoint_started_)
    throw std::logic_error("takeOver: another task, or the expert has already acted");
  std::vector<Primitive> left;
  for (std::size_t g = 0; g < task.goals.size(); ++g) {
    if (!goalSatisfied(env, task.goals[g])) left.push_back(std::move(primitives_[g]));
  }
  primitives_ = std::move(left);
  if (primitives_.empty() || primitives_.front().held_object.empty()) return;
  // In hand: the object's centre within the fingers' reach and the fingers on something (a
  // grasp on air shuts them, an open hand holds nothing). The lift's check still tests the grasp
  // and retries the primitive from the start when it was not one.
  const std::string& object = primitives_.front().held_object;
  const double opening = env.gripperOpening_m();
  const bool in_hand = (env.bodyPosition(object) - env.eePosition()).norm() < kHeldWithinM &&
                       opening > kFingersShutM && opening < kFingersOpenM;
  if (in_hand) waypoint_ = primitives_.front().check_after;  // the lift
}

Eigen::Vector2d ScriptedExpert::noise2() {
  std::normal_distribution<double> n(0.0, options_.waypoint_noise_m);
  return {n(rng_), n(rng_)};
}

void ScriptedExpert::buildPlan(const TaskSpec& task) {
  for (const auto& goal : task.goals) {
    switch (goal.kind) {
      case GoalKind::kDrawerOpen: primitives_.push_back(openDrawer()); break;
      case GoalKind::kPushed: primitives_.push_back(push(goal)); break;
      case GoalKind::kOn:
      case GoalKind::kIn:
      case GoalKind::kInDrawer: primitives_.push_back(pickAndPlace(goal.object, goal)); break;
    }
  }
}

ScriptedExpert::Primitive ScriptedExpert::pickAndPlace(const std::string& object, const Goal& goal) {
  const auto& info = objectInfo(object);
  // Bowls fill most of the gripper's opening: less slack for noise.
  const double noise_scale = info.category == ObjectCategory::kBowl ? 0.4 : 1.0;
  const Eigen::Vector2d grasp_noise = noise2() * noise_scale;
  const Eigen::Vector2d place_noise = noise2();
  const double pause = std::uniform_int_distribution<int>(0, 2)(rng_);

  // Release point and the height to carry at.
  TargetFn place;
  if (goal.kind == GoalKind::kInDrawer) {
    place = [&info, place_noise](const TabletopEnv& env) {
      const Eigen::Vector3d cab = env.bodyPosition(kCabinetBody);
      const Eigen::Vector3d drawer = env.bodyPosition(kDrawerBody);
      const double x = std::max(drawer.x() + kDrawerInsideMinXM + info.radius_m + 0.01,
                                cab.x() - kCabinetHalfXM - 0.065);
      return Eigen::Vector3d(x, drawer.y() + place_noise.y(),
                             drawer.z() + kDrawerWallTopZM + 0.012 + info.grasp_height_m);
    };
  } else if (goal.target == kCabinetBody) {
    place = [&info, place_noise](const TabletopEnv& env) {
      const Eigen::Vector3d cab = env.bodyPosition(kCabinetBody);
      return Eigen::Vector3d(cab.x() + place_noise.x(), cab.y() + place_noise.y(),
                             kCabinetTopZM + info.grasp_height_m + 0.012);
    };
  } else {
    const auto& target = objectInfo(goal.target);
    const bool inside_basket = target.category == ObjectCategory::kBasket;
    place = [&info, &target, inside_basket, place_noise, object, name = goal.target](
                const TabletopEnv& env) {
      Eigen::Vector3d t = env.bodyPosition(name);
      if (inside_basket) {
        // The quarter of the basket farthest from what is already in it.
        const double r = target.inner_radius_m - info.radius_m - 0.005;
        const double off = std::max(0.0, std::min(0.04, r));
        Eigen::Vector3d best = t;
        double best_clearance = -1.0;
        for (const auto& [sx, sy] : {std::pair{-1.0, 1.0}, {1.0, 1.0}, {-1.0, -1.0}, {1.0, -1.0}}) {
          const Eigen::Vector3d spot = t + Eigen::Vector3d(sx * off, sy * off, 0.0);
          double clearance = 1.0;
          for (const auto& other : env.objectsOnTable()) {
            if (other == object || other == name) continue;
            const Eigen::Vector3d o = env.bodyPosition(other);
            if ((o - t).head<2>().cwiseAbs().maxCoeff() > target.inner_radius_m) continue;
            clearance = std::min(clearance, (o - spot).head<2>().norm());
          }
          if (clearance > best_clearance + 1e-9) {
            best_clearance = clearance;
            best = spot;
          }
        }
        t.x() = best.x();
        t.y() = best.y();
      }
      const double target_bottom = t.z() - target.origin_height_m;
      const double release_bottom = inside_basket ? target_bottom + 0.025
                                                  : target_bottom + target.height_m + 0.012;
      return Eigen::Vector3d(t.x() + place_noise.x(), t.y() + place_noise.y(),
                             release_bottom + info.grasp_height_m);
    };
  }
  // Carry with the object's bottom above the release height (and at least 10 cm up).
  auto carryZ = [&info, place](const TabletopEnv& env) {
    const double bottom = std::max(place(env).z() - info.grasp_height_m, 0.1);
    return bottom + info.grasp_height_m + kCarryClearanceM;
  };

  Primitive p;
  p.name = "pick " + object;
  p.held_object = object;
  auto& w = p.waypoints;
  w.push_back({"above", [object, &info, grasp_noise](const TabletopEnv& env) {
                 const Eigen::Vector3d o = env.bodyPosition(object);
                 return Eigen::Vector3d(o.x() + grasp_noise.x(), o.y() + grasp_noise.y(),
                                        o.z() - info.origin_height_m + info.grasp_height_m + 0.10);
               },
               -1.0, 0.006, 1.0, 1, 60, true});
  // Line up just above the object's top before going down: bowls leave 4 mm per finger.
  w.push_back({"line up", [object, &info, grasp_noise](const TabletopEnv& env) {
                 const Eigen::Vector3d o = env.bodyPosition(object);
                 return Eigen::Vector3d(o.x() + grasp_noise.x(), o.y() + grasp_noise.y(),
                                        o.z() - info.origin_height_m + info.height_m + 0.02);
               },
               -1.0, 0.003, 0.4, 1, 30, false});
  w.push_back({"descend", [object, &info, grasp_noise](const TabletopEnv& env) {
                 const Eigen::Vector3d o = env.bodyPosition(object);
                 return Eigen::Vector3d(o.x() + grasp_noise.x(), o.y() + grasp_noise.y(),
                                        std::max(0.014, o.z() - info.origin_height_m + info.grasp_height_m));
               },
               -1.0, 0.006, 0.3, 1 + static_cast<int>(pause), 40, false});
  w.push_back({"close", [](const TabletopEnv& env) { return env.eePosition(); }, 1.0, 1.0, 0.0,
               7, 7, false});
  w.push_back({"lift", [carryZ](const TabletopEnv& env) {
                 Eigen::Vector3d e = env.eePosition();
                 e.z() = carryZ(env);
                 return e;
               },
               1.0, 0.02, 0.8, 0, 40, false});
  p.check_after = w.size() - 1;
  p.check = [object](const TabletopEnv& env) {
    return bottomOf(env, object) > 0.03 && env.gripperOpening_m() > 0.004;
  };
  w.push_back({"carry", [place, carryZ](const TabletopEnv& env) {
                 Eigen::Vector3d t = place(env);
                 t.z() = carryZ(env);
                 return t;
               },
               1.0, 0.012, 1.0, 0, 80, true});
  w.push_back({"lower", place, 1.0, 0.008, 0.4, 1, 40, false});
  w.push_back({"release", [](const TabletopEnv& env) { return env.eePosition(); }, -1.0, 1.0, 0.0,
               6, 6, false});
  w.push_back({"retreat", [](const TabletopEnv& env) {
                 Eigen::Vector3d e = env.eePosition();
                 e.z() += 0.08;
                 return e;
               },
               -1.0, 0.02, 0.8, 0, 20, false});
  return p;
}

ScriptedExpert::Primitive ScriptedExpert::openDrawer() {
  const Eigen::Vector2d n = noise2() * 0.5;
  Primitive p;
  p.name = "open drawer";
  auto handle = [n](const TabletopEnv& env) {
    Eigen::Vector3d h = env.sitePosition(kDrawerHandleSite);
    h.y() += n.y();
    return h;
  };
  auto& w = p.waypoints;
  w.push_back({"front of handle", [handle](const TabletopEnv& env) {
                 Eigen::Vector3d h = handle(env);
                 h.z() += 0.10;
                 return h;
               },
               -1.0, 0.012, 1.0, 0, 60, true});
  w.push_back({"to handle", handle, -1.0, 0.006, 0.5, 1, 40, false});
  w.push_back({"grip", [](const TabletopEnv& env) { return env.eePosition(); }, 1.0, 1.0, 0.0, 7,
               7, false});
  w.push_back({"pull", [](const TabletopEnv& env) {
                 const Eigen::Vector3d h = env.sitePosition(kDrawerHandleSite);
                 return Eigen::Vector3d(h.x() - (kDrawerTravelM - env.drawerOpening_m()) + 0.01,
                                        h.y(), h.z());
               },
               1.0, 0.01, 0.35, 0, 60, false});
  w.push_back({"let go", [](const TabletopEnv& env) { return env.eePosition(); }, -1.0, 1.0, 0.0,
               5, 5, false});
  p.check_after = w.size() - 1;
  p.check = [](const TabletopEnv& env) { return env.drawerOpening_m() >= kDrawerOpenM + 0.01; };
  w.push_back({"clear", [](const TabletopEnv& env) {
                 Eigen::Vector3d e = env.eePosition();
                 e.x() -= 0.03;
                 e.z() += 0.12;
                 return e;
               },
               -1.0, 0.02, 0.8, 0, 20, false});
  return p;
}

ScriptedExpert::Primitive ScriptedExpert::push(const Goal& goal) {
  const auto& info = objectInfo(goal.object);
  const Eigen::Vector2d dir = goal.direction.normalized();
  const double back = info.radius_m + 0.045;
  const double travel = goal.distance_m + 0.035;
  Primitive p;
  p.name = "push " + goal.object;
  auto start = [object = goal.object, dir, back](const TabletopEnv& env) {
    const Eigen::Vector3d o = env.bodyPosition(object);
    return Eigen::Vector3d(o.x() - dir.x() * back, o.y() - dir.y() * back, 0.024);
  };
  auto& w = p.waypoints;
  w.push_back({"above start", [start](const TabletopEnv& env) {
                 Eigen::Vector3d s = start(env);
                 s.z() = 0.12;
                 return s;
               },
               1.0, 0.012, 1.0, 0, 60, true});
  w.push_back({"down", start, 1.0, 0.008, 0.5, 0, 40, false});
  w.push_back({"push", [dir, travel](const TabletopEnv& env) {
                 Eigen::Vector3d e = env.eePosition();
                 e.x() += dir.x() * travel;
                 e.y() += dir.y() * travel;
                 e.z() = 0.024;
                 return e;
               },
               1.0, 0.01, 0.3, 0, 60, false});
  w.push_back({"up", [](const TabletopEnv& env) {
                 Eigen::Vector3d e = env.eePosition();
                 e.z() += 0.1;
                 return e;
               },
               1.0, 0.02, 0.8, 0, 20, false});
  p.check_after = w.size() - 1;
  p.check = [goal](const TabletopEnv& env) { return goalSatisfied(env, goal); };
  return p;
}

std::string ScriptedExpert::stage() const {
  if (planDone()) return "done";
  const auto& p = primitives_[primitive_];
  return p.name + ": " + p.waypoints[std::min(waypoint_, p.waypoints.size() - 1)].name;
}

Action ScriptedExpert::act(const TabletopEnv& env) {
  Action a{0, 0, 0, 0, 0, 0, -1.0};
  // Orientation: always back to pointing down.
  const Eigen::Quaterniond q = env.eeQuaternion();
  Eigen::Quaterniond err = kDown * q.inverse();
  if (err.w() < 0) err.coeffs() = -err.coeffs();
  const Eigen::AngleAxisd aa(err);
  const Eigen::Vector3d rot = aa.axis() * aa.angle() / kActionRotationScaleRad;
  for (int i = 0; i < 3; ++i) a[3 + i] = std::clamp(rot[i], -1.0, 1.0);

  if (planDone()) return a;  // hold still, gripper open
  auto& prim = primitives_[primitive_];
  const Waypoint& wp = prim.waypoints[waypoint_];
  if (!waypoint_started_) {
    target_ = wp.target(env);
    waypoint_started_ = true;
    steps_in_waypoint_ = 0;
    held_ = 0;
  }
  const Eigen::Vector3d ee = env.eePosition();
  const Eigen::Vector3d delta = target_ - ee;
  const double speed = wp.speed * (wp.noisy ? speed_scale_ : 1.0);
  Eigen::Vector3d move = delta / kActionPositionScaleM;
  const double largest = move.cwiseAbs().maxCoeff();
  if (speed > 0 && largest > speed) move *= speed / largest;
  if (speed <= 0) move.setZero();
  if (wp.noisy && delta.norm() > 0.04) {
    std::normal_distribution<double> n(0.0, options_.action_noise);
    for (int i = 0; i < 3; ++i) move[i] += n(rng_);
  }
  for (int i = 0; i < 3; ++i) a[i] = std::clamp(move[i], -1.0, 1.0);
  a[6] = wp.gripper;

  ++steps_in_waypoint_;
  // Reached: close to the target and no longer moving fast (the servos trail their targets; a
  // tool passing through a waypoint at speed has not lined up).
  const bool settled = !have_last_ee_ || (ee - last_ee_).norm() < kSettledStepM;
  const bool reached = delta.norm() < wp.tolerance_m && (settled || wp.tolerance_m >= 0.01);
  last_ee_ = ee;
  have_last_ee_ = true;
  if (reached) ++held_;
  if ((reached && held_ > wp.hold_steps) || steps_in_waypoint_ >= wp.max_steps) {
    waypoint_started_ = false;
    if (prim.check && waypoint_ == prim.check_after && !prim.check(env) &&
        retries_ < options_.max_retries) {
      ++retries_;
      // Open the gripper on the way back up, then start the primitive again.
      waypoint_ = 0;
      return a;
    }
    ++waypoint_;
    if (waypoint_ >= prim.waypoints.size()) {
      ++primitive_;
      waypoint_ = 0;
      retries_ = 0;
    }
  }
  return a;
}

}  // namespace thinkvla::core::sim
