// LIBERO-PLUS style perturbations of the built-in world: seven dimensions, each with a severity
// level from 0 (none) to 4. The environment applies them at reset (camera, robot initial state,
// lighting, background, layout), to the instruction (language) and to every rendered frame (sensor
// noise). Each dimension draws from its own random stream (seed and dimension), so one dimension
// never changes what another produces. Plain values and pure functions; safe from any thread.
#pragma once

#include <mujoco/mujoco.h>
#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace thinkvla::core::sim {

struct Placement;
struct TaskSpec;

enum class PerturbDimension { kCamera, kRobotInit, kLanguage, kLight, kBackground, kNoise, kLayout };
inline constexpr int kPerturbDimensions = 7;
inline constexpr int kMaxPerturbLevel = 4;

std::string dimensionName(PerturbDimension dimension);  // "camera", "robot", "language" ...
std::optional<PerturbDimension> parseDimension(const std::string& text);
const std::array<PerturbDimension, kPerturbDimensions>& allDimensions();

class PerturbationSpec {
 public:
  int level(PerturbDimension dimension) const { return levels_[static_cast<int>(dimension)]; }
  // Throws std::invalid_argument when level is outside 0..4.
  PerturbationSpec& set(PerturbDimension dimension, int level);
  bool any() const;
  // "camera:2,light:1" (also "none" or empty). Throws std::invalid_argument naming the bad part.
  static PerturbationSpec parse(const std::string& text);
  std::string toString() const;

 private:
  std::array<int, kPerturbDimensions> levels_{};
};

// A random stream for one dimension of one episode, independent of the others.
std::mt19937_64 perturbRng(std::uint64_t seed, PerturbDimension dimension);

// Camera viewpoint (the agent view; the wrist camera rides on the arm): moves the camera by up to
// 4 cm per level, turns it by up to 3 degrees per level and changes its field of view by up to
// 3 degrees per level. Visual only.
void perturbCamera(mjModel* model, int camera_id, int level, std::mt19937_64& rng);
// Lighting: intensity (x0.4 .. x1.6 at level 4), direction, colour temperature, shadows on from
// level 2. Visual only.
void perturbLights(mjModel* model, int level, std::mt19937_64& rng);
// Background: table, floor and wall colours (and textures from level 3). Visual only.
void perturbBackground(mjModel* model, int level, std::mt19937_64& rng);
// Robot initial state: joint offsets with standard deviation 0.03 rad per level.
std::array<double, 7> perturbRobotInit(const std::array<double, 7>& joints, int level,
                                       std::mt19937_64& rng);
// Language: paraphrases (level >= 1), filler words (>= 2), distractor clauses (>= 3) and
// typos (4). Keeps the object and target phrases intact.
std::string perturbInstruction(const std::string& instruction, int level, std::mt19937_64& rng);
// Sensor noise on an RGB frame (CV_8UC3) and its depth (CV_32FC1, may be empty): Gaussian noise,
// then blur (>= 2), then JPEG re-encoding (>= 3); depth gets Gaussian noise proportional to
// depth.
void perturbSensor(cv::Mat& rgb, cv::Mat& depth_m, int level, std::mt19937_64& rng);
// Layout: the task's objects displaced by up to 2 cm per level (kept apart) and, from level 2,
// up to (level - 1) confounder objects from the scene added on free spots of the table.
std::vector<Placement> perturbLayout(const TaskSpec& task, int level, std::mt19937_64& rng);

}  // namespace thinkvla::core::sim
