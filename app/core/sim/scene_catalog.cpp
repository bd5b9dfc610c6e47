#include "core/sim/scene_catalog.h"

#include <stdexcept>

namespace thinkvla::core::sim {

const std::vector<ObjectInfo>& sceneObjects() {
  using C = ObjectCategory;
  static const std::vector<ObjectInfo> objects = {
      {"red_cube", "red cube", "red", "cube", C::kCube, 0.02, 0.04, 0.02, 0.028, true, 0},
      {"green_cube", "green cube", "green", "cube", C::kCube, 0.02, 0.04, 0.02, 0.028, true, 0},
      {"blue_block", "blue block", "blue", "block", C::kBlock, 0.025, 0.05, 0.025, 0.04, true, 0},
      {"yellow_can", "yellow can", "yellow", "can", C::kCan, 0.04, 0.08, 0.045, 0.024, true, 0},
      {"orange_carton", "orange carton", "orange", "carton", C::kCarton, 0.05, 0.10, 0.06, 0.031,
       true, 0},
      {"purple_ball", "purple ball", "purple", "ball", C::kBall, 0.025, 0.05, 0.025, 0.025, true,
       0},
      {"white_mug", "white mug", "white", "mug", C::kMug, 0.04, 0.08, 0.045, 0.047, true, 0},
      {"green_mug", "green mug", "green", "mug", C::kMug, 0.04, 0.08, 0.045, 0.047, true, 0},
      {"red_bowl", "red bowl", "red", "bowl", C::kBowl, 0.0, 0.04, 0.022, 0.036, true, 0.026},
      {"blue_bowl", "blue bowl", "blue", "bowl", C::kBowl, 0.0, 0.04, 0.022, 0.036, true, 0.026},
      {"black_bowl_a", "black bowl", "black", "bowl", C::kBowl, 0.0, 0.04, 0.022, 0.036, true,
       0.026},
      {"black_bowl_b", "black bowl", "black", "bowl", C::kBowl, 0.0, 0.04, 0.022, 0.036, true,
       0.026},
      {"white_plate", "white plate", "white", "plate", C::kPlate, 0.006, 0.012, 0.006, 0.065,
       false, 0.055},
      {"pink_plate", "pink plate", "pink", "plate", C::kPlate, 0.006, 0.012, 0.006, 0.065, false,
       0.055},
      {"basket", "basket", "brown", "basket", C::kBasket, 0.0, 0.06, 0.03, 0.127, false, 0.08},
  };
  return objects;
}

const ObjectInfo& objectInfo(const std::string& name) {
  for (const auto& o : sceneObjects()) {
    if (o.name == name) return o;
  }
  throw std::out_of_range("no object '" + name + "' in the tabletop scene");
}

}  // namespace thinkvla::core::sim
