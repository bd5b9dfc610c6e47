// PredictionWorker: runs a policy on recorded steps for the Annotation dock, off the GUI thread.
// It owns a model::Policy (its own copy, loaded from the checkpoint the live view uses) and one
// thread. The GUI asks for the prediction at a step (both camera images, proprioception,
// instruction); only the newest request is kept (scrubbing fast skips the steps in between). The
// result comes back on the GUI thread through the `predicted` signal, tagged with the request's
// serial so the receiver can drop answers to steps it has left.
//
// Threads: every public method from the GUI thread; the policy is touched only by the worker
// thread, which the destructor joins (a forward pass in flight finishes first).
#pragma once

#include <QObject>
#include <QString>
#include <opencv2/core.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace thinkvla::studio {

struct PredictionRequest {
  std::uint64_t serial = 0;
  std::vector<cv::Mat> views;  // CV_8UC3 RGB, agentview then eye_in_hand
  std::vector<float> proprio;  // LIBERO's 8-D state
  int gripper_releases = 0;    // before this step (model/gripper_progress.h)
  std::string instruction;
};

struct PredictionResult {
  std::uint64_t serial = 0;
  std::vector<std::vector<float>> actions;  // K x 7, the world's normalised action units
  double latency_ms = 0.0;
  QString checkpoint;
  QString error;  // non-empty: the prediction failed
};

class PredictionWorker : public QObject {
  Q_OBJECT

 public:
  explicit PredictionWorker(QObject* parent);
  ~PredictionWorker() override;

  // Loads the checkpoint on the worker thread; policyLoaded reports the outcome.
  void loadPolicy(const QString& directory);
  void request(PredictionRequest request);
  QString checkpoint() const;  // the loaded one ("" when none)
  bool hasPolicy() const;

 Q_SIGNALS:
  void predicted(const thinkvla::studio::PredictionResult& result);
  void policyLoaded(const QString& directory, const QString& error);

 private:
  struct Impl;
  void run();

  std::unique_ptr<Impl> impl_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<QString> pending_load_;
  std::optional<PredictionRequest> pending_request_;
  QString checkpoint_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace thinkvla::studio
