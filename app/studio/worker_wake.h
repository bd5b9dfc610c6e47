// WorkerWake: the hand-off from a frame slot's notify (on the producing thread) to the inference
// worker that should wake, through a mutex so the worker can be replaced or removed (on the GUI
// thread) while the producer keeps publishing. Any thread.
#pragma once

#include <mutex>

#include "core/pipeline/inference_worker.h"

namespace thinkvla::studio {

class WorkerWake {
 public:
  void set(core::InferenceWorker* worker) {
    std::lock_guard<std::mutex> lock(mutex_);
    worker_ = worker;
  }
  void notify() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (worker_ != nullptr) worker_->notifyFrame();
  }

 private:
  std::mutex mutex_;
  core::InferenceWorker* worker_ = nullptr;
};

}  // namespace thinkvla::studio
