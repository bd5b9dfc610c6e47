#include "core/pipeline/inference_worker.h"

#include <spdlog/spdlog.h>

namespace thinkvla::core {

using Clock = std::chrono::steady_clock;

InferenceWorker::InferenceWorker(model::Policy policy, std::shared_ptr<LatestSlot<FrameSet>> frames)
    : policy_(std::move(policy)), frames_(std::move(frames)) {
  proprio_.assign(static_cast<std::size_t>(policy_.config().proprio_dim), 0.0f);
}

InferenceWorker::~InferenceWorker() { stop(); }

void InferenceWorker::setInstruction(const std::string& instruction) {
  std::lock_guard<std::mutex> lock(inputs_mutex_);
  instruction_ = instruction;
}

void InferenceWorker::setNormStatsTask(const std::string& task) {
  std::lock_guard<std::mutex> lock(inputs_mutex_);
  norm_stats_task_ = task;
}

void InferenceWorker::setProprio(const std::vector<float>& proprio) {
  std::lock_guard<std::mutex> lock(inputs_mutex_);
  proprio_ = proprio;
}

void InferenceWorker::setGripperReleases(int releases) {
  std::lock_guard<std::mutex> lock(inputs_mutex_);
  gripper_releases_ = releases;
}

std::string InferenceWorker::lastError() const {
  std::lock_guard<std::mutex> lock(inputs_mutex_);
  return last_error_;
}

void InferenceWorker::notifyFrame() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    frame_pending_ = true;
  }
  wake_.notify_one();
}

void InferenceWorker::start() {
  if (thread_.joinable()) return;
  stop_requested_ = false;
  thread_ = std::thread([this] { run(); });
}

void InferenceWorker::stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void InferenceWorker::run() {
  policy_.reset();
  std::string last_instruction;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      // Also poll now and then: a producer that publishes without notifying is still served.
      wake_.wait_for(lock, std::chrono::milliseconds(50),
                     [this] { return frame_pending_ || stop_requested_; });
      if (stop_requested_) return;
      frame_pending_ = false;
    }
    auto frames = frames_->take();
    if (!frames) continue;

    std::string instruction;
    std::vector<float> proprio;
    int gripper_releases = 0;
    {
      std::lock_guard<std::mutex> lock(inputs_mutex_);
      instruction = instruction_;
      proprio = proprio_;
      gripper_releases = gripper_releases_;
      policy_.setNormStatsTask(norm_stats_task_);
    }
    if (instruction != last_instruction) {
      policy_.reset();  // a new instruction is a new episode for the policy's caches
      last_instruction = instruction;
    }
    model::Observation observation;
    for (const auto& view : frames->views) observation.views.push_back(view.rgb);
    const auto wanted = static_cast<std::size_t>(policy_.config().num_views);
    if (view_fill_ == ViewFill::kRepeatSingleView && observation.views.size() == 1 && wanted > 1) {
      observation.views.resize(wanted, observation.views.front());
    }
    observation.proprio = proprio;
    observation.gripper_releases = gripper_releases;
    const bool introspect = introspection_;
    try {
      const auto step = policy_.step(observation, instruction,
                                     introspect ? model::IntrospectionMode::kOn
                                                : model::IntrospectionMode::kOff);
      InferenceResult result;
      result.ready_at = Clock::now();
      result.frame_sequence = frames->sequence;
      result.actions = step.actions;
      result.instruction = instruction;
      result.inference_ms = step.latency_ms;
      result.camera_to_action_ms =
          std::chrono::duration<double, std::milli>(result.ready_at - frames->captured_at).count();
      if (introspect) {
        result.introspection = toIntrospection(step, policy_.config());
        result.has_introspection = true;
      }
      result.frames = std::move(*frames);
      {
        std::lock_guard<std::mutex> lock(inputs_mutex_);
        last_error_.clear();
      }
      if (on_result_) on_result_(result);
      display_.publish(result);
      results_.publish(std::move(result));
      ++inferences_;  // counted once the result is out, so a count seen implies a result there
    } catch (const std::exception& e) {
      // A frame the policy cannot take (wrong number of views, say): report and go on.
      std::lock_guard<std::mutex> lock(inputs_mutex_);
      if (last_error_ != e.what()) spdlog::error("inference: {}", e.what());
      last_error_ = e.what();
      ++failures_;
    }
  }
}

}  // namespace thinkvla::core
