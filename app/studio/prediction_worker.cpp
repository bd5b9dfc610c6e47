#include "studio/prediction_worker.h"

#include <QMetaObject>
#include <spdlog/spdlog.h>

#include <memory>

#include "model/policy.h"

namespace thinkvla::studio {

struct PredictionWorker::Impl {
  std::unique_ptr<model::Policy> policy;  // worker thread only
  std::string instruction;                // the one the policy was last reset for
};

PredictionWorker::PredictionWorker(QObject* parent)
    : QObject(parent), impl_(std::make_unique<Impl>()) {
  thread_ = std::thread([this] { run(); });
}

PredictionWorker::~PredictionWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PredictionWorker::loadPolicy(const QString& directory) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_load_ = directory;
  }
  wake_.notify_all();
}

void PredictionWorker::request(PredictionRequest request) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_request_ = std::move(request);  // the newest wins
  }
  wake_.notify_all();
}

QString PredictionWorker::checkpoint() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return checkpoint_;
}

bool PredictionWorker::hasPolicy() const { return !checkpoint().isEmpty(); }

void PredictionWorker::run() {
  for (;;) {
    std::optional<QString> load;
    std::optional<PredictionRequest> request;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || pending_load_ || pending_request_; });
      if (stop_) return;
      load.swap(pending_load_);
      if (!load) request.swap(pending_request_);  // a new policy first, then the newest request
    }
    if (load) {
      QString error;
      try {
        auto policy = std::make_unique<model::Policy>(model::Policy::load(load->toStdString()));
        if (policy->config().num_views != 2) {
          throw std::runtime_error("the episodes have 2 cameras, the policy wants " +
                                   std::to_string(policy->config().num_views));
        }
        impl_->policy = std::move(policy);
        impl_->instruction.clear();
      } catch (const std::exception& e) {
        error = QString::fromStdString(e.what());
        spdlog::error("annotation: cannot load {} for predictions: {}", load->toStdString(),
                      e.what());
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (error.isEmpty()) checkpoint_ = *load;
      }
      const QString dir = *load;
      QMetaObject::invokeMethod(
          this, [this, dir, error] { Q_EMIT policyLoaded(dir, error); }, Qt::QueuedConnection);
      continue;
    }
    PredictionResult result;
    result.serial = request->serial;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      result.checkpoint = checkpoint_;
    }
    if (!impl_->policy) {
      result.error = "no policy loaded";
    } else {
      try {
        if (request->instruction != impl_->instruction) {
          impl_->policy->reset();
          impl_->instruction = request->instruction;
        }
        model::Observation obs;
        obs.views = request->views;
        obs.proprio = request->proprio;
        obs.gripper_releases = request->gripper_releases;
        const model::PolicyStep step = impl_->policy->step(obs, request->instruction);
        result.actions = step.actions;
        result.latency_ms = step.latency_ms;
      } catch (const std::exception& e) {
        result.error = QString::fromStdString(e.what());
      }
    }
    QMetaObject::invokeMethod(
        this, [this, result] { Q_EMIT predicted(result); }, Qt::QueuedConnection);
  }
}

}  // namespace thinkvla::studio
