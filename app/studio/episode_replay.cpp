#include "studio/episode_replay.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <stdexcept>

namespace thinkvla::studio {

const core::sim::TaskSpec& taskFromSource(const std::string& source_task) {
  const auto slash = source_task.find('/');
  if (slash == std::string::npos) {
    throw std::runtime_error(
        "the episode does not say which task of the built-in world it comes from"
        " (source task '" +
        source_task + "')");
  }
  const auto suite = core::sim::parseSuite(source_task.substr(0, slash));
  if (!suite)
    throw std::runtime_error("unknown suite in the episode's source task '" + source_task + "'");
  const std::string name = source_task.substr(slash + 1);
  for (const auto& t : core::sim::suiteTasks(*suite)) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("the built-in world has no task '" + source_task + "'");
}

namespace {
// "perturbation SPEC" at the start of the notes (or after "; "), as the collector writes it.
core::sim::PerturbationSpec perturbationFromNotes(const std::string& notes) {
  const std::string key = "perturbation ";
  const auto at = notes.find(key);
  if (at == std::string::npos || (at != 0 && notes.compare(at - 2, 2, "; ") != 0)) return {};
  const auto end = notes.find(';', at);
  const std::string text = notes.substr(
      at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
  try {
    return core::sim::PerturbationSpec::parse(text);
  } catch (const std::exception& e) {
    spdlog::warn("replay: ignoring the perturbation '{}' in the notes: {}", text, e.what());
    return {};
  }
}
}  // namespace

EpisodeReplay::EpisodeReplay(core::WorldSession& session, core::ControlLoop* world_loop,
                             WorldLoop after, const core::EpisodeAnnotations& annotations,
                             const core::RowMatrixXd& actions,
                             const std::vector<double>& init_state)
    : session_(session), world_loop_(world_loop), after_(after) {
  const core::EpisodeSource& source = annotations.source;
  if (source.kind != "sim") {
    throw std::runtime_error(
        "only episodes recorded in the built-in world can be replayed (source '" +
        (source.kind.empty() ? std::string("unknown") : source.kind) + "')");
  }
  const core::sim::TaskSpec& task = taskFromSource(source.task);
  if (actions.rows() == 0 || actions.cols() != 7) {
    throw std::runtime_error("the episode has no (T, 7) actions to replay");
  }
  for (Eigen::Index r = 0; r < actions.rows(); ++r) {
    core::Action7 a;
    for (int c = 0; c < 7; ++c) a[c] = actions(r, c);
    actions_.push_back(a);
  }

  // The world as the episode started: same task, same seed (the world is deterministic).
  if (world_loop_) world_loop_->stop();
  world_stopped_ = true;
  try {
    session_.reset(task.suite, task.index, static_cast<std::uint64_t>(source.seed),
                   perturbationFromNotes(annotations.notes));
    if (!annotations.instruction.empty()) session_.setInstruction(annotations.instruction);
  } catch (...) {
    if (world_loop_ && after_ == WorldLoop::kRestart) world_loop_->start();
    throw;
  }
  const std::vector<double> now = session_.env().physicsState();
  initial_matches_ = !init_state.empty() && now.size() == init_state.size();
  for (std::size_t i = 0; initial_matches_ && i < now.size(); ++i) {
    initial_max_diff_ = std::max(initial_max_diff_, std::abs(now[i] - init_state[i]));
  }
  initial_matches_ = initial_matches_ && initial_max_diff_ < 1e-9;
  if (!initial_matches_) {
    spdlog::warn(
        "replay: the world's initial state differs from the episode's init_state "
        "(max difference {:.3g}); replaying anyway",
        initial_max_diff_);
  }

  // The world's limits, as its own loop applies them.
  core::SafetyLimits limits;
  limits.metres_per_unit = core::sim::kActionPositionScaleM;
  limits.radians_per_unit = core::sim::kActionRotationScaleRad;
  const auto& box = session_.env().options().workspace;
  limits.workspace_min_m = {box.min_m.x(), box.min_m.y(), box.min_m.z()};
  limits.workspace_max_m = {box.max_m.x(), box.max_m.y(), box.max_m.z()};
  limits.max_translation_per_tick_m = core::sim::kActionPositionScaleM;
  safety_ = std::make_unique<core::SafetyFilter>(limits);
  loop_ = std::make_unique<core::ControlLoop>(session_, *safety_, core::ControlLoop::Options{});
  loop_->setMode(core::ControlMode::kPolicy);
  loop_->setPolicy([this]() -> std::optional<core::Action7> {
    const int i = sent_;
    if (i >= static_cast<int>(actions_.size())) return std::nullopt;  // done: hold still
    return actions_[static_cast<std::size_t>(i)];
  });
  loop_->setTickCallback([this](const core::ControlTick&) {
    if (sent_ >= static_cast<int>(actions_.size())) return;
    const auto& ee = session_.lastObservation().ee_pos_m;
    {
      std::lock_guard<std::mutex> lock(path_mutex_);
      path_.emplace_back(ee.x(), ee.y(), ee.z());
    }
    ++sent_;
  });
}

EpisodeReplay::~EpisodeReplay() { stop(); }

void EpisodeReplay::start() {
  if (running_) return;
  running_ = true;
  loop_->start();
  spdlog::info("replay: {} actions from the start of '{}'", actions_.size(),
               session_.env().task().name);
}

void EpisodeReplay::stop() {
  if (running_) {
    loop_->stop();
    running_ = false;
  }
  if (world_stopped_) {
    world_stopped_ = false;
    if (world_loop_ && after_ == WorldLoop::kRestart) world_loop_->start();
  }
}

std::vector<cv::Vec3d> EpisodeReplay::path() const {
  std::lock_guard<std::mutex> lock(path_mutex_);
  return path_;
}

}  // namespace thinkvla::studio
