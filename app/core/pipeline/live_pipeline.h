// LivePipeline: the studio's live pipeline for a camera, a video file, an image folder or a
// stream, without a screen: a FrameSource read by a CaptureThread into a LatestSlot, an
// InferenceWorker that takes the newest frame, runs the policy and hands every result to a
// callback (the CLI's `infer`, tests). Two deliveries:
//   - kLatest: latest-frame semantics as in the studio (a slow policy skips stale frames; a
//     recorded source is played in real time);
//   - kEveryFrame: every frame in order, none dropped, as fast as the policy goes (files and
//     folders processed offline); see CaptureThread::Delivery.
// Views: sources give one view; a policy that takes more (num_views 2: agent view and wrist) gets
// that one image in every view (InferenceWorker::ViewFill::kRepeatSingleView). A source with
// several views must match num_views exactly; the constructor throws std::invalid_argument
// naming both counts otherwise. Proprioception is zeros (these sources know no robot state).
//
// Ownership: the pipeline owns the source (through its capture thread), the policy (through its
// worker) and both threads; it joins them in stop() and in its destructor. Threads: construct,
// start(), wait(), stop() from one owning thread; the result callback runs on the inference thread
// (queue the result there; do not block for long).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/pipeline/capture_thread.h"
#include "core/pipeline/inference_worker.h"
#include "core/sources/frame_source.h"
#include "model/policy.h"

namespace thinkvla::core {

class LivePipeline {
 public:
  using Delivery = CaptureThread::Delivery;

  struct Options {
    Delivery delivery = Delivery::kLatest;
    std::string instruction;
    bool introspection = false;
    std::uint64_t max_frames = 0;  // stop the source after this many frames; 0: no limit
  };

  enum class Status {
    kRunning,
    kFinished,  // the source ended (or max_frames) and every frame taken was processed
    kFailed,    // the source failed or the policy could not take a frame: see error
    kStopped,   // stop() or the caller's stop flag
  };
  struct Outcome {
    Status status = Status::kRunning;
    std::string error;
    std::uint64_t frames = 0;      // frames the source delivered
    std::uint64_t inferences = 0;  // results handed to the callback
    std::uint64_t dropped = 0;     // frames replaced before the worker took them (kLatest)
  };

  LivePipeline(std::unique_ptr<FrameSource> source, model::Policy policy, Options options);
  ~LivePipeline();
  LivePipeline(const LivePipeline&) = delete;
  LivePipeline& operator=(const LivePipeline&) = delete;

  // Starts both threads; `on_result` gets every result, in order, on the inference thread.
  void start(std::function<void(const InferenceResult&)> on_result);
  // Blocks until the pipeline is done (finished, failed) or `stop_flag` (may be null) turns true;
  // `no_frame_timeout` bounds the wait for the source's first frame (a stream that never answers).
  Outcome wait(const std::atomic<bool>* stop_flag,
               std::chrono::milliseconds no_frame_timeout = std::chrono::seconds(30));
  void stop();

  int sourceViews() const { return source_views_; }
  int policyViews() const { return policy_views_; }
  const std::string& description() const { return description_; }

 private:
  std::shared_ptr<LatestSlot<FrameSet>> frames_;
  std::unique_ptr<CaptureThread> capture_;
  std::unique_ptr<InferenceWorker> worker_;
  Options options_;
  int source_views_ = 1;
  int policy_views_ = 1;
  std::string description_;
  bool started_ = false;
};

}  // namespace thinkvla::core
