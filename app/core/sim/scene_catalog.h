// What the tabletop scene (resources/scenes/tabletop.xml) contains, as the tasks, the scripted
// experts and the QA generator need to know it: every movable object with its name in language,
// its category and the few dimensions used to grasp it and to put things on or in it. Constant
// data; safe from any thread.
#pragma once

#include <string>
#include <vector>

namespace thinkvla::core::sim {

enum class ObjectCategory { kCube, kBlock, kCan, kCarton, kBall, kMug, kBowl, kPlate, kBasket };

struct ObjectInfo {
  std::string name;         // MJCF body name; its free joint is <name>_joint
  std::string phrase;       // in instructions: "red cube"
  std::string colour;       // "red"
  std::string shape;        // "cube", "bowl" ...
  ObjectCategory category;
  double origin_height_m;   // body origin above the object's bottom face
  double height_m;          // bottom to top
  double grasp_height_m;    // where the fingers close, above the bottom face
  double radius_m;          // horizontal footprint radius (half-diagonal for boxes)
  bool graspable;           // the expert can pick it up
  double inner_radius_m;    // for containers (bowl, basket, plate): radius of the usable inside
};

const std::vector<ObjectInfo>& sceneObjects();
// Throws std::out_of_range naming the object when it is not in the scene.
const ObjectInfo& objectInfo(const std::string& name);

// Fixed scene furniture.
inline constexpr const char* kCabinetBody = "cabinet";
inline constexpr const char* kDrawerBody = "drawer";
inline constexpr const char* kDrawerJoint = "drawer_slide";
inline constexpr const char* kDrawerHandleSite = "drawer_handle_site";
inline constexpr double kDrawerTravelM = 0.17;
// Drawer inside, relative to the drawer body: floor top z, walls' top z, x range of the inside.
inline constexpr double kDrawerFloorTopZM = 0.01;
inline constexpr double kDrawerWallTopZM = 0.065;
inline constexpr double kDrawerInsideMinXM = -0.089;
inline constexpr double kDrawerInsideMaxXM = 0.08;
inline constexpr double kDrawerInsideHalfYM = 0.095;
inline constexpr double kCabinetHalfXM = 0.1;
inline constexpr double kCabinetTopZM = 0.16;

}  // namespace thinkvla::core::sim
