#include "core/pipeline/live_pipeline.h"

#include <stdexcept>
#include <thread>

namespace thinkvla::core {

namespace {
// Ends a source after `limit` frames, so a camera or a stream becomes finite like a file.
class FrameLimitedSource : public FrameSource {
 public:
  FrameLimitedSource(std::unique_ptr<FrameSource> inner, std::uint64_t limit)
      : inner_(std::move(inner)), limit_(limit) {}
  std::string description() const override { return inner_->description(); }
  void open() override { inner_->open(); }
  bool read(FrameSet& out) override {
    if (read_ >= limit_) return false;
    if (!inner_->read(out)) return false;
    ++read_;
    return true;
  }
  double nominalFps() const override { return inner_->nominalFps(); }
  cv::Size resolution() const override { return inner_->resolution(); }
  bool isLive() const override { return inner_->isLive(); }
  int viewCount() const override { return inner_->viewCount(); }

 private:
  std::unique_ptr<FrameSource> inner_;
  std::uint64_t limit_;
  std::uint64_t read_ = 0;
};
}  // namespace

LivePipeline::LivePipeline(std::unique_ptr<FrameSource> source, model::Policy policy,
                           Options options)
    : frames_(std::make_shared<LatestSlot<FrameSet>>()), options_(std::move(options)) {
  if (!source) throw std::invalid_argument("live pipeline: no source");
  description_ = source->description();
  source_views_ = source->viewCount();
  policy_views_ = policy.config().num_views;
  if (source_views_ != policy_views_ && source_views_ != 1) {
    throw std::invalid_argument(description_ + " gives " + std::to_string(source_views_) +
                                " camera views per frame; the policy takes " +
                                std::to_string(policy_views_));
  }
  if (options_.max_frames > 0) {
    source = std::make_unique<FrameLimitedSource>(std::move(source), options_.max_frames);
  }
  // Every frame: as fast as the consumer goes. Latest: recorded sources play in real time, so a
  // slow policy skips frames as it would on a live camera.
  const auto pacing = options_.delivery == Delivery::kEveryFrame ? CaptureThread::Pacing::kFlatOut
                                                                 : CaptureThread::Pacing::kRealTime;
  capture_ = std::make_unique<CaptureThread>(
      std::move(source), frames_, CaptureThread::AtEnd::kStop, pacing, options_.delivery);
  worker_ = std::make_unique<InferenceWorker>(std::move(policy), frames_);
  worker_->setViewFill(InferenceWorker::ViewFill::kRepeatSingleView);
  worker_->setInstruction(options_.instruction);
  worker_->setIntrospection(options_.introspection);
  frames_->setNotify([worker = worker_.get()] { worker->notifyFrame(); });
}

LivePipeline::~LivePipeline() { stop(); }

void LivePipeline::start(std::function<void(const InferenceResult&)> on_result) {
  if (started_) return;
  worker_->setResultCallback(std::move(on_result));
  worker_->start();
  capture_->start();
  started_ = true;
}

void LivePipeline::stop() {
  // The capture first: it may be waiting for the worker to take a frame (kEveryFrame).
  if (capture_) capture_->stop();
  if (worker_) worker_->stop();
}

LivePipeline::Outcome LivePipeline::wait(const std::atomic<bool>* stop_flag,
                                         std::chrono::milliseconds no_frame_timeout) {
  const auto started = std::chrono::steady_clock::now();
  Outcome out;
  while (true) {
    const auto stats = capture_->stats();
    out.frames = stats.frames;
    out.inferences = worker_->inferences();
    out.dropped = frames_->dropped();
    if (!stats.error.empty()) {
      out.status = Status::kFailed;
      out.error = stats.error;
      break;
    }
    if (worker_->failures() > 0) {
      out.status = Status::kFailed;
      out.error =
          "the policy cannot take the frames of " + description_ + ": " + worker_->lastError();
      break;
    }
    // Done when the source ended, no frame waits in the slot and the worker has answered for
    // every frame it took.
    const std::uint64_t taken = frames_->taken();
    const bool waiting = frames_->published() > frames_->dropped() + taken;
    if (stats.finished && !waiting && worker_->inferences() + worker_->failures() >= taken) {
      out.status = Status::kFinished;
      break;
    }
    if (stop_flag != nullptr && stop_flag->load()) {
      out.status = Status::kStopped;
      break;
    }
    if (stats.frames == 0 && !stats.finished &&
        std::chrono::steady_clock::now() - started > no_frame_timeout) {
      out.status = Status::kFailed;
      out.error = description_ + ": no frame within " +
                  std::to_string(no_frame_timeout.count() / 1000) + " s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop();
  out.frames = capture_->stats().frames;
  out.inferences = worker_->inferences();
  out.dropped = frames_->dropped();
  return out;
}

}  // namespace thinkvla::core
