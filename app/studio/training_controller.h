// TrainingController: the Training dock. It fine-tunes the policy on recorded episode files in the
// background: one thread builds the data stores and the starting checkpoint (the one loaded in the
// live view, or a fresh preset) and runs model::train::Trainer; pause, resume and cancel reach the
// trainer through its thread-safe calls. The trainer's progress callback (training thread) only
// copies the step's numbers into a mutex-guarded mailbox; a GUI timer drains it into the panel:
// progress bar, ETA, loss curves per term. Each checkpoint the trainer writes (OUT/checkpoint,
// replaced atomically) is also kept as OUT/checkpoints/step_NNNNNN (copied on the training thread
// right after the save, through a temporary directory and a rename), so every checkpoint the run
// wrote can be loaded into the live view (StudioController::loadCheckpoint). Optionally a
// checkpoint is evaluated in the world (core Evaluator, own thread and world) with a success table.
//
// Ownership: made by StudioController; the dock is the main window's child. GUI thread only; the
// destructor cancels a run and joins its thread (the step in flight finishes first).
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "model/train/trainer.h"
#include "widgets/training_panel.h"

class QDockWidget;

namespace thinkvla::studio {

class MainWindow;
class StudioController;

class TrainingController : public QObject {
  Q_OBJECT

 public:
  TrainingController(MainWindow* window, StudioController* studio);
  ~TrainingController() override;

  // Starts a run; false (error in the dock, the status bar and the log) when the request cannot
  // run: no episode file, a missing file, no output directory, a run already going.
  bool start(const widgets::TrainingRequest& request);
  void pause();
  void resume();
  void cancel();
  bool busy() const { return thread_.joinable(); }  // a run's thread exists (until drained)
  model::train::TrainState state() const { return state_; }
  QString outputDirectory() const { return out_dir_; }
  QStringList checkpoints() const;  // directories written by the last run, oldest first
  QString lastError() const { return last_error_; }
  // Loads one of them (or any checkpoint directory) into the live view.
  bool loadIntoLiveView(const QString& directory);

  bool evaluating() const { return eval_thread_.joinable(); }
  bool evaluate(const QString& directory, int episodes_per_task);

  widgets::TrainingPanel* panel() const { return panel_; }
  QDockWidget* dock() const { return dock_; }

 Q_SIGNALS:
  void runFinished(const QString& state);
  void checkpointWritten(const QString& directory);
  void evaluationFinished();

 private:
  struct Mailbox;
  void run(widgets::TrainingRequest request, std::shared_ptr<Mailbox> mailbox);
  void drain();  // the GUI timer

  MainWindow* window_;
  StudioController* studio_;
  QDockWidget* dock_ = nullptr;
  widgets::TrainingPanel* panel_ = nullptr;
  QTimer timer_;

  std::shared_ptr<Mailbox> mailbox_;
  std::thread thread_;
  std::mutex trainer_mutex_;
  model::train::Trainer* trainer_ = nullptr;  // alive while run() runs; guarded
  std::atomic<bool> cancel_requested_{false};
  std::atomic<bool> pause_requested_{false};
  model::train::TrainState state_ = model::train::TrainState::kIdle;
  QString out_dir_;
  QString last_error_;
  QString last_checkpoint_seen_;

  struct EvalBox;
  std::shared_ptr<EvalBox> eval_box_;
  std::thread eval_thread_;
};

}  // namespace thinkvla::studio
