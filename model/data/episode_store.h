// The training side's view of recorded demonstrations. model/ never depends on app/core, so the
// data pipeline reads episodes through this interface: app/core/episodes implements it over the
// LIBERO-layout HDF5 files (core/episodes/hdf5_episode_store.h), InMemoryEpisodeStore below holds
// episodes built in memory (tests, data generated on the fly).
//
// An EpisodeStore keeps the small per-episode data (actions, proprioception, instruction, QA pairs,
// teacher prompts) in memory and reads pixels step by step on demand: images are the expensive part
// and a loader only needs the steps it samples.
//
// Threads: after construction every const method may be called concurrently from any thread (the
// loader's prefetch workers do); implementations serialise what needs serialising.
// Errors: readStep throws std::runtime_error (or a subclass) naming the file and dataset at fault.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace thinkvla::model::data {

// Thrown by the data pipeline for inputs it cannot use; the message names the source, the episode
// or the parameter at fault.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr int kActionDim =
    7;  // delta position, delta axis-angle, gripper (-1 open, +1 close)
inline constexpr int kProprioDim =
    8;  // end-effector position (3), axis-angle (3), gripper fingers (2)
inline constexpr int kGripperDim = 6;  // index of the gripper in an action
inline constexpr int kFingerDim = 6;   // index of the first of the two fingers in the proprio

// A spatial question-answer pair for 3D-VLM co-training. It describes the scene at the episode's
// first step (where `thinkvla collect` asks its questions).
struct QaExample {
  std::string kind;  // "distance", "location", ...
  std::string question;
  std::string answer;
};

// The in-memory part of one episode. Per-step arrays are row-major float, robot units.
struct EpisodeRecord {
  std::string name;  // "demo_3"
  std::int64_t num_steps = 0;
  std::string instruction;
  std::vector<float> actions;  // num_steps x kActionDim
  std::vector<float> proprio;  // num_steps x kProprioDim
  std::vector<QaExample> qa_pairs;
  std::vector<std::string> teacher_prompts;         // explicit 3D reasoning prompts; may be empty
  bool has_depth = false;                           // readStep can return depth maps
  std::vector<std::int64_t> teacher_feature_shape;  // per step (without T); empty: none stored
};

// Which optional per-step data readStep returns besides the colour images.
enum class DepthMode { kSkip, kRead };
enum class TeacherFeatureMode { kSkip, kRead };

// Images may share memory with the store: treat them as read-only.
struct StepFrames {
  std::vector<cv::Mat> rgb;      // one per camera, CV_8UC3, RGB, upright
  std::vector<cv::Mat> depth_m;  // one per camera, CV_32FC1 metres; empty unless asked and stored
  std::vector<float> teacher_features;  // product(teacher_feature_shape) values; empty unless asked
};

class EpisodeStore {
 public:
  virtual ~EpisodeStore() = default;

  // For messages and logs: the file or a name.
  virtual std::string describe() const = 0;
  // Cameras per step, in a fixed order (HDF5: agentview, eye_in_hand).
  virtual int numCameras() const = 0;
  virtual std::int64_t numEpisodes() const = 0;
  // The record stays valid as long as the store lives. Throws std::out_of_range for a bad index.
  virtual const EpisodeRecord& episode(std::int64_t index) const = 0;
  virtual StepFrames readStep(std::int64_t episode, std::int64_t step, DepthMode depth,
                              TeacherFeatureMode teacher) const = 0;
};

// Episodes held in memory: the store owns copies of everything it is given.
class InMemoryEpisodeStore : public EpisodeStore {
 public:
  struct Step {
    std::vector<cv::Mat> rgb;
    std::vector<cv::Mat> depth_m;
    std::vector<float> teacher_features;
  };

  InMemoryEpisodeStore(std::string name, int num_cameras);

  // Checks the record against the steps (counts, array sizes, image types); DataError otherwise.
  // Not thread-safe: add everything before handing the store to a loader.
  void addEpisode(EpisodeRecord record, std::vector<Step> steps);

  std::string describe() const override { return name_; }
  int numCameras() const override { return num_cameras_; }
  std::int64_t numEpisodes() const override { return static_cast<std::int64_t>(records_.size()); }
  const EpisodeRecord& episode(std::int64_t index) const override;
  StepFrames readStep(std::int64_t episode, std::int64_t step, DepthMode depth,
                      TeacherFeatureMode teacher) const override;

 private:
  std::string name_;
  int num_cameras_;
  std::vector<EpisodeRecord> records_;
  std::vector<std::vector<Step>> steps_;
};

}  // namespace thinkvla::model::data
