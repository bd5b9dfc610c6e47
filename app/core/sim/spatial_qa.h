// Question-answer pairs from the simulator's ground truth, for the 3D-VLM co-training of the method:
// spatial questions (3D location of an object in the camera or the robot frame, distance between
// two objects or to the gripper, relative direction, orientation and angle) with numeric answers,
// and a 2D set (colour, left/right in the image, counting) for the 2D co-training ablation.
// Pure functions of an environment's state and a rendered frame; they only read the environment
// (same thread rules as TabletopEnv).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/sim/tabletop_env.h"

namespace thinkvla::core::sim {

enum class QaKind {
  kLocation,          // 3D location of an object (camera or robot frame), metres
  kDistance,          // between two objects' centres, metres
  kGripperDistance,   // from the gripper (grip site) to an object, metres
  kDirection,         // unit vector from one object to another, robot frame
  kOrientation,       // yaw of an object about the vertical, degrees
  kAngle,             // angle at the gripper between two objects, degrees
  kColour,            // 2D: colour of a named object
  kLeftRight,         // 2D: is A left or right of B in the image
  kCount,             // 2D: how many objects of a kind are visible
};
std::string qaKindName(QaKind kind);
bool isSpatial(QaKind kind);  // the first six

struct QaItem {
  QaKind kind = QaKind::kLocation;
  std::string camera;              // the frame the question is about ("agentview")
  std::string question;
  std::string answer;              // text, numbers rounded to centimetres or degrees
  std::vector<double> values;      // the exact numeric answer (empty for colour / left-right)
  std::vector<std::string> objects;
};

// Objects of the current task visible in the frame: at least min_pixels pixels in its
// segmentation (the frame must carry segmentation; if not, every object on the table counts).
std::vector<std::string> visibleObjects(const TabletopEnv& env, const CameraFrame& frame,
                                        int min_pixels = 12);

// Up to `count` spatial questions about the visible objects, drawn with rng.
std::vector<QaItem> spatialQa(const TabletopEnv& env, const CameraFrame& frame, int count,
                              std::mt19937_64& rng);
// Up to `count` 2D questions; the frame must carry segmentation (std::invalid_argument if not).
std::vector<QaItem> imageQa(const TabletopEnv& env, const CameraFrame& frame, int count,
                            std::mt19937_64& rng);

}  // namespace thinkvla::core::sim
