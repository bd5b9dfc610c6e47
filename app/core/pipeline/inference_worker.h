// InferenceWorker: the inference thread of the live pipeline. It owns a Policy, waits for frames,
// always takes the newest frame set (never a queued stale one), runs the policy with the current
// instruction and robot state, and publishes the action chunk, its latencies and, on request, the
// introspection maps into a LatestSlot for the GUI (and the control loop) to pull.
//
// Ownership: the worker owns the policy and its thread; the input slot is shared with the capture
// side. Thread-safety: setInstruction(), setProprio(), setIntrospection(), stats() from any thread;
// start()/stop() from the owner. A new instruction takes effect on the next inference.
// setResultCallback() and setViewFill() before start(); the result callback runs on the inference
// thread for every result (the slots keep only the newest), so a consumer that must see each one
// (the CLI's JSON lines) queues them there; it must not block for long.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/pipeline/latest_slot.h"
#include "core/pipeline/policy_introspection.h"
#include "core/sources/frame.h"
#include "model/policy.h"

namespace thinkvla::core {

struct InferenceResult {
  std::uint64_t frame_sequence = 0;
  FrameSet frames;                                  // the frames the actions were computed from
  std::vector<std::vector<float>> actions;          // K x 7, robot units
  std::string instruction;
  double inference_ms = 0.0;                        // the forward pass
  double camera_to_action_ms = 0.0;                 // capture -> actions ready
  std::chrono::steady_clock::time_point ready_at{};
  bool has_introspection = false;
  PolicyIntrospection introspection;
};

class InferenceWorker {
 public:
  // What to do when a frame set has fewer views than the policy takes.
  enum class ViewFill {
    kExact,             // the views must match the policy's num_views (otherwise an error)
    kRepeatSingleView,  // a single view fills every view the policy takes (one camera, two views)
  };

  InferenceWorker(model::Policy policy, std::shared_ptr<LatestSlot<FrameSet>> frames);
  ~InferenceWorker();
  InferenceWorker(const InferenceWorker&) = delete;
  InferenceWorker& operator=(const InferenceWorker&) = delete;

  void setInstruction(const std::string& instruction);
  // The task whose normalisation statistics apply when the instruction has none of its own
  // (model::Policy::setNormStatsTask): the world's task. Empty: none.
  void setNormStatsTask(const std::string& task);
  void setProprio(const std::vector<float>& proprio);  // robot state; zeros when unknown
  // Gripper releases so far this episode (model::Observation::gripper_releases); 0 when unknown.
  void setGripperReleases(int releases);
  void setIntrospection(bool on) { introspection_ = on; }
  void setViewFill(ViewFill fill) { view_fill_ = fill; }
  void setResultCallback(std::function<void(const InferenceResult&)> callback) {
    on_result_ = std::move(callback);
  }

  void start();
  void stop();  // joins

  // Wakes the worker when a frame arrives; the capture side's slot notify should call it.
  void notifyFrame();

  // Two consumers, two slots with the same results: the control loop's chunk executor takes from
  // results(), the GUI from display().
  LatestSlot<InferenceResult>& results() { return results_; }
  LatestSlot<InferenceResult>& display() { return display_; }
  const model::PolicyConfig& config() const { return policy_.config(); }
  std::uint64_t inferences() const { return inferences_; }
  std::uint64_t failures() const { return failures_; }  // frames the policy could not take
  std::string lastError() const;

 private:
  void run();

  model::Policy policy_;
  std::shared_ptr<LatestSlot<FrameSet>> frames_;
  LatestSlot<InferenceResult> results_;
  LatestSlot<InferenceResult> display_;

  mutable std::mutex inputs_mutex_;
  std::string instruction_;
  std::string norm_stats_task_;
  std::vector<float> proprio_;
  int gripper_releases_ = 0;
  std::string last_error_;
  std::atomic<bool> introspection_{false};
  ViewFill view_fill_ = ViewFill::kExact;
  std::function<void(const InferenceResult&)> on_result_;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool frame_pending_ = false;
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::uint64_t> inferences_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::thread thread_;
};

}  // namespace thinkvla::core
