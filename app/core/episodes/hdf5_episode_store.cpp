#include "core/episodes/hdf5_episode_store.h"

namespace thinkvla::core {

namespace data = model::data;

Hdf5EpisodeStore::Hdf5EpisodeStore(const std::filesystem::path& file)
    : file_(file), reader_(std::make_unique<EpisodeReader>(file)) {
  const std::string file_instruction = reader_->datasetInfo().languageInstruction();
  for (const std::string& name : reader_->episodeNames()) {
    const Episode e = reader_->readEpisode(name, EpisodeParts::kLowDim);
    data::EpisodeRecord r;
    r.name = name;
    r.num_steps = e.numSamples();
    r.instruction =
        e.annotations.instruction.empty() ? file_instruction : e.annotations.instruction;
    r.actions.reserve(static_cast<std::size_t>(r.num_steps * data::kActionDim));
    r.proprio.reserve(static_cast<std::size_t>(r.num_steps * data::kProprioDim));
    for (Eigen::Index t = 0; t < e.actions.rows(); ++t) {
      for (Eigen::Index d = 0; d < data::kActionDim; ++d)
        r.actions.push_back(static_cast<float>(e.actions(t, d)));
      for (Eigen::Index d = 0; d < 6; ++d)
        r.proprio.push_back(static_cast<float>(e.ee_states(t, d)));
      for (Eigen::Index d = 0; d < 2; ++d)
        r.proprio.push_back(static_cast<float>(e.gripper_states(t, d)));
    }
    for (const QaPair& q : e.annotations.qa_pairs)
      r.qa_pairs.push_back({q.kind, q.question, q.answer});
    r.teacher_prompts = e.annotations.teacher_prompts;
    r.has_depth = !reader_->datasetShape(name, "obs/agentview_depth").empty() &&
                  !reader_->datasetShape(name, "obs/eye_in_hand_depth").empty();
    if (e.teacher_features.shape.size() > 1) {
      r.teacher_feature_shape.assign(e.teacher_features.shape.begin() + 1,
                                     e.teacher_features.shape.end());
    }
    records_.push_back(std::move(r));
  }
  if (records_.empty()) throw EpisodeError(file_, "data", "holds no demonstrations");
}

const data::EpisodeRecord& Hdf5EpisodeStore::episode(std::int64_t index) const {
  if (index < 0 || index >= numEpisodes()) {
    throw std::out_of_range(file_.string() + ": no episode " + std::to_string(index));
  }
  return records_[static_cast<std::size_t>(index)];
}

data::StepFrames Hdf5EpisodeStore::readStep(std::int64_t episode_index, std::int64_t step,
                                            data::DepthMode depth,
                                            data::TeacherFeatureMode teacher) const {
  const data::EpisodeRecord& r = episode(episode_index);
  if (step < 0 || step >= r.num_steps) {
    throw std::out_of_range(file_.string() + ": data/" + r.name + " has no step " +
                            std::to_string(step));
  }
  const bool want_depth = depth == data::DepthMode::kRead && r.has_depth;
  data::StepFrames out;
  std::lock_guard<std::mutex> lock(mutex_);
  StepImages images =
      reader_->readStep(r.name, step, want_depth ? StepDepth::kRead : StepDepth::kSkip);
  out.rgb = {std::move(images.agentview_rgb), std::move(images.eye_in_hand_rgb)};
  if (want_depth)
    out.depth_m = {std::move(images.agentview_depth), std::move(images.eye_in_hand_depth)};
  if (teacher == data::TeacherFeatureMode::kRead && !r.teacher_feature_shape.empty()) {
    out.teacher_features = reader_->readStepTeacherFeatures(r.name, step);
  }
  return out;
}

}  // namespace thinkvla::core
