#include "model/data/episode_store.h"

#include <numeric>

namespace thinkvla::model::data {

InMemoryEpisodeStore::InMemoryEpisodeStore(std::string name, int num_cameras)
    : name_(std::move(name)), num_cameras_(num_cameras) {
  if (num_cameras_ < 1) throw DataError(name_ + ": needs at least one camera");
}

void InMemoryEpisodeStore::addEpisode(EpisodeRecord record, std::vector<Step> steps) {
  const std::string where = name_ + ": episode '" + record.name + "': ";
  const auto t = static_cast<std::size_t>(record.num_steps);
  if (record.num_steps <= 0) throw DataError(where + "has no steps");
  if (steps.size() != t) {
    throw DataError(where + std::to_string(steps.size()) + " steps of images for " +
                    std::to_string(t) + " steps");
  }
  if (record.actions.size() != t * kActionDim) throw DataError(where + "actions are not (T, 7)");
  if (record.proprio.size() != t * kProprioDim) throw DataError(where + "proprio is not (T, 8)");
  const std::int64_t features =
      std::accumulate(record.teacher_feature_shape.begin(), record.teacher_feature_shape.end(),
                      std::int64_t{1}, std::multiplies<>());
  for (const Step& s : steps) {
    if (static_cast<int>(s.rgb.size()) != num_cameras_)
      throw DataError(where + "wrong camera count");
    for (const cv::Mat& m : s.rgb) {
      if (m.type() != CV_8UC3 || m.empty()) throw DataError(where + "images must be CV_8UC3");
    }
    if (record.has_depth) {
      if (static_cast<int>(s.depth_m.size()) != num_cameras_)
        throw DataError(where + "missing depth");
      for (const cv::Mat& m : s.depth_m) {
        if (m.type() != CV_32FC1) throw DataError(where + "depth must be CV_32FC1");
      }
    }
    if (!record.teacher_feature_shape.empty() &&
        static_cast<std::int64_t>(s.teacher_features.size()) != features) {
      throw DataError(where + "teacher features do not match their shape");
    }
  }
  records_.push_back(std::move(record));
  steps_.push_back(std::move(steps));
}

const EpisodeRecord& InMemoryEpisodeStore::episode(std::int64_t index) const {
  if (index < 0 || index >= numEpisodes()) {
    throw std::out_of_range(name_ + ": no episode " + std::to_string(index));
  }
  return records_[static_cast<std::size_t>(index)];
}

StepFrames InMemoryEpisodeStore::readStep(std::int64_t episode_index, std::int64_t step,
                                          DepthMode depth, TeacherFeatureMode teacher) const {
  const EpisodeRecord& record = episode(episode_index);
  if (step < 0 || step >= record.num_steps) {
    throw std::out_of_range(name_ + ": episode '" + record.name + "' has no step " +
                            std::to_string(step));
  }
  const Step& s = steps_[static_cast<std::size_t>(episode_index)][static_cast<std::size_t>(step)];
  StepFrames out;
  out.rgb = s.rgb;
  if (depth == DepthMode::kRead && record.has_depth) out.depth_m = s.depth_m;
  if (teacher == TeacherFeatureMode::kRead) out.teacher_features = s.teacher_features;
  return out;
}

}  // namespace thinkvla::model::data
