// The LIBERO-layout episode files (core/episodes/episode_file.h) as the training pipeline's
// model::data::EpisodeStore: the dependency points from app/core to model, never back.
//
// Construction reads every demo's small arrays once (no pixels) and keeps them: actions (T, 7),
// proprioception (T, 8) = obs/ee_states (position, axis-angle) followed by obs/gripper_states,
// the instruction (our annotation, else data.problem_info's language_instruction), QA pairs and
// teacher prompts. readStep reads one step's two camera images (agentview, eye_in_hand; upright
// RGB), optional depth and stored teacher features, one HDF5 chunk each.
//
// Ownership and threads: the store owns an EpisodeReader, and with it the file's HDF5 handle and
// shared lock (writes to the file fail while the store lives). All const methods may be called
// from any thread; reads are serialised inside (and HDF5 calls process-wide by hdf5Mutex(), so
// extra loader workers speed up augmentation, not reading).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/episodes/episode_file.h"
#include "model/data/episode_store.h"

namespace thinkvla::core {

class Hdf5EpisodeStore : public model::data::EpisodeStore {
 public:
  static constexpr int kNumCameras = 2;  // agentview, eye_in_hand

  // Throws EpisodeError naming the file and the dataset at fault (and when the file holds no demo).
  explicit Hdf5EpisodeStore(const std::filesystem::path& file);

  std::string describe() const override { return file_.string(); }
  int numCameras() const override { return kNumCameras; }
  std::int64_t numEpisodes() const override { return static_cast<std::int64_t>(records_.size()); }
  const model::data::EpisodeRecord& episode(std::int64_t index) const override;
  // Throws EpisodeError (file and dataset) for read errors, std::out_of_range for bad indices.
  model::data::StepFrames readStep(std::int64_t episode, std::int64_t step,
                                   model::data::DepthMode depth,
                                   model::data::TeacherFeatureMode teacher) const override;

 private:
  std::filesystem::path file_;
  std::unique_ptr<EpisodeReader> reader_;
  mutable std::mutex mutex_;
  std::vector<model::data::EpisodeRecord> records_;
};

}  // namespace thinkvla::core
