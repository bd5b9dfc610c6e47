#include "studio/training_controller.h"

#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QStandardPaths>
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "core/episodes/hdf5_episode_store.h"
#include "core/eval/evaluator.h"
#include "model/checkpoint.h"
#include "studio/main_window.h"
#include "studio/studio_controller.h"
#include "widgets/loss_chart.h"

namespace thinkvla::studio {

namespace fs = std::filesystem;
namespace mt = model::train;

// Training thread -> GUI: the newest progress, the loss points and checkpoints since the last
// drain, and how the run ended.
struct TrainingController::Mailbox {
  std::mutex mutex;
  std::optional<mt::TrainProgress> progress;
  std::vector<std::pair<std::int64_t, mt::LossValues>> losses;
  std::vector<std::pair<std::int64_t, QString>> checkpoints;
  QString message;  // what the thread is doing before the first step
  bool finished = false;
  mt::TrainState final_state = mt::TrainState::kIdle;
  QString error;
  std::int64_t last_checkpoint_step = -1;  // training thread only
};

struct TrainingController::EvalBox {
  std::mutex mutex;
  bool finished = false;
  QString error;
  std::vector<widgets::EvalRow> rows;
  QString summary;
};

namespace {

const char* const kCheckpointFiles[] = {"config.json", "model.safetensors", "tokenizer.model",
                                        "norm_stats.json"};

// OUT/checkpoint (just written) -> OUT/checkpoints/step_NNNNNN, complete or not at all.
fs::path snapshotCheckpoint(const fs::path& out_dir, std::int64_t step) {
  char name[32];
  std::snprintf(name, sizeof(name), "step_%06lld", static_cast<long long>(step));
  const fs::path dir = out_dir / "checkpoints" / name;
  const fs::path tmp = out_dir / "checkpoints" / (std::string(".") + name + ".tmp");
  fs::create_directories(dir.parent_path());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  for (const char* f : kCheckpointFiles) {
    const fs::path src = out_dir / "checkpoint" / f;
    if (fs::exists(src)) fs::copy_file(src, tmp / f, fs::copy_options::overwrite_existing);
  }
  fs::remove_all(dir);
  fs::rename(tmp, dir);
  return dir;
}

QString stateName(mt::TrainState s) { return QString::fromStdString(mt::toString(s)); }

}  // namespace

TrainingController::TrainingController(MainWindow* window, StudioController* studio)
    : QObject(nullptr), window_(window), studio_(studio) {
  dock_ = new QDockWidget(tr("Training"), window_);
  dock_->setObjectName("trainingDock");
  panel_ = new widgets::TrainingPanel(dock_);
  dock_->setWidget(panel_);
  window_->addToggleableDock(Qt::RightDockWidgetArea, dock_);
  panel_->setOutputDirectory(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                             "/runs/finetune-" +
                             QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss"));
  connect(panel_, &widgets::TrainingPanel::startRequested, this,
          [this](const widgets::TrainingRequest& r) { start(r); });
  connect(panel_, &widgets::TrainingPanel::pauseRequested, this, &TrainingController::pause);
  connect(panel_, &widgets::TrainingPanel::resumeRequested, this, &TrainingController::resume);
  connect(panel_, &widgets::TrainingPanel::cancelRequested, this, &TrainingController::cancel);
  connect(panel_, &widgets::TrainingPanel::loadCheckpointRequested, this,
          [this](const QString& dir) { loadIntoLiveView(dir); });
  connect(panel_, &widgets::TrainingPanel::evaluateRequested, this,
          [this](const QString& dir, int n) { evaluate(dir, n); });
  timer_.setInterval(200);
  connect(&timer_, &QTimer::timeout, this, &TrainingController::drain);
  timer_.start();
  drain();
}

TrainingController::~TrainingController() {
  timer_.stop();
  cancel_requested_ = true;
  {
    std::lock_guard<std::mutex> lock(trainer_mutex_);
    if (trainer_) trainer_->cancel();
  }
  if (thread_.joinable()) thread_.join();
  if (eval_thread_.joinable()) eval_thread_.join();
}

bool TrainingController::start(const widgets::TrainingRequest& request) {
  const auto refuse = [this](const QString& why) {
    last_error_ = why;
    panel_->setStatus(why);
    window_->showStatus(why, 0);
    spdlog::error("training: {}", why.toStdString());
    return false;
  };
  if (thread_.joinable()) return refuse(tr("A run is already going: cancel it first"));
  if (request.episode_files.isEmpty())
    return refuse(tr("Choose at least one episode file to train on"));
  for (const QString& f : request.episode_files) {
    if (!QFileInfo::exists(f)) return refuse(tr("%1: no such episode file").arg(f));
  }
  if (request.out_dir.isEmpty()) return refuse(tr("Choose an output directory"));
  if (!request.init_checkpoint.isEmpty() &&
      !QFileInfo::exists(request.init_checkpoint + "/config.json")) {
    return refuse(
        tr("%1 is not a checkpoint directory (no config.json)").arg(request.init_checkpoint));
  }
  if (request.steps < 1 || request.batch_size < 1 || !(request.lr > 0)) {
    return refuse(tr("Steps and batch must be at least 1 and the learning rate positive"));
  }
  if (!QDir().mkpath(request.out_dir))
    return refuse(tr("%1: cannot create the directory").arg(request.out_dir));

  out_dir_ = QFileInfo(request.out_dir).absoluteFilePath();
  last_error_.clear();
  last_checkpoint_seen_.clear();
  cancel_requested_ = false;
  pause_requested_ = false;
  state_ = mt::TrainState::kRunning;
  panel_->lossChart()->clear();
  panel_->clearCheckpoints();
  panel_->setProgress(0, request.steps, std::numeric_limits<double>::quiet_NaN(), 0.0);
  panel_->setStatus(tr("Preparing: reading the episodes..."));
  panel_->setRunState(widgets::TrainingPanel::RunState::kRunning);
  mailbox_ = std::make_shared<Mailbox>();
  widgets::TrainingRequest r = request;
  r.out_dir = out_dir_;
  thread_ = std::thread([this, r, box = mailbox_] { run(r, box); });
  spdlog::info("training: started in {} ({} steps, batch {}, lr {}) from {}",
               out_dir_.toStdString(), r.steps, r.batch_size, r.lr,
               r.init_checkpoint.isEmpty() ? ("a fresh " + r.preset + " network").toStdString()
                                           : r.init_checkpoint.toStdString());
  return true;
}

void TrainingController::run(widgets::TrainingRequest request, std::shared_ptr<Mailbox> box) {
  const auto say = [&](const QString& text) {
    std::lock_guard<std::mutex> lock(box->mutex);
    box->message = text;
  };
  mt::TrainState final_state = mt::TrainState::kFailed;
  QString error;
  try {
    std::vector<model::data::WeightedStore> stores;
    bool has_qa = false;
    for (const QString& f : request.episode_files) {
      auto store = std::make_shared<core::Hdf5EpisodeStore>(f.toStdString());
      for (std::int64_t e = 0; e < store->numEpisodes(); ++e)
        has_qa |= !store->episode(e).qa_pairs.empty();
      stores.push_back({store, 1.0});
    }
    model::Checkpoint initial;
    if (!request.init_checkpoint.isEmpty()) {
      say(tr("Preparing: loading %1...").arg(request.init_checkpoint));
      initial = model::loadCheckpoint(request.init_checkpoint.toStdString());
    } else {
      initial =
          model::initCheckpoint(model::PolicyConfig::fromPreset(request.preset.toStdString()), 0);
    }
    mt::TrainConfig config;
    config.steps = request.steps;
    config.batch_size = request.batch_size;
    config.lr = request.lr;
    config.warmup_steps = std::max<std::int64_t>(1, std::min<std::int64_t>(50, request.steps / 10));
    config.checkpoint_every = std::max<std::int64_t>(1, request.steps / 4);
    config.qa_ratio = has_qa ? 0.25 : 0.0;  // co-train when the episodes carry spatial QA
    // A handful of new episodes: keep the checkpoint's action normalisation when fine-tuning.
    config.norm_stats = request.init_checkpoint.isEmpty() ? "data" : "checkpoint";
    // Leave a core to the GUI and the live world on a small machine.
    config.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - 1);
    config.loader_workers = 1;
    mt::TrainerOptions options;
    options.config = config;
    options.out_dir = request.out_dir.toStdString();
    const fs::path out = options.out_dir;
    options.on_progress = [box, out](const mt::TrainProgress& p) {
      // Training thread, after every step: snapshot a new checkpoint, then hand the numbers over.
      std::optional<std::pair<std::int64_t, QString>> snapshot;
      if (p.last_checkpoint_step >= 0 && p.last_checkpoint_step != box->last_checkpoint_step) {
        box->last_checkpoint_step = p.last_checkpoint_step;
        try {
          snapshot.emplace(
              p.last_checkpoint_step,
              QString::fromStdString(snapshotCheckpoint(out, p.last_checkpoint_step).string()));
        } catch (const std::exception& e) {
          spdlog::error("training: cannot keep the checkpoint of step {}: {}",
                        p.last_checkpoint_step, e.what());
        }
      }
      std::lock_guard<std::mutex> lock(box->mutex);
      const bool new_step = !box->progress || box->progress->step != p.step;
      box->progress = p;
      if (new_step && p.step > 0) box->losses.emplace_back(p.step, p.losses);
      if (snapshot) box->checkpoints.push_back(*snapshot);
    };
    say(tr("Preparing: building the trainer..."));
    mt::Trainer trainer(std::move(initial), std::move(stores), options);
    {
      std::lock_guard<std::mutex> lock(trainer_mutex_);
      trainer_ = &trainer;
      if (pause_requested_) trainer.pause();
      if (cancel_requested_) trainer.cancel();
    }
    say(QString());
    try {
      final_state = trainer.run();
    } catch (...) {
      std::lock_guard<std::mutex> lock(trainer_mutex_);
      trainer_ = nullptr;
      throw;
    }
    std::lock_guard<std::mutex> lock(trainer_mutex_);
    trainer_ = nullptr;
  } catch (const std::exception& e) {
    error = QString::fromStdString(e.what());
    final_state = mt::TrainState::kFailed;
  }
  std::lock_guard<std::mutex> lock(box->mutex);
  box->finished = true;
  box->final_state = final_state;
  box->error = error;
}

void TrainingController::pause() {
  pause_requested_ = true;
  std::lock_guard<std::mutex> lock(trainer_mutex_);
  if (trainer_) trainer_->pause();
}

void TrainingController::resume() {
  pause_requested_ = false;
  std::lock_guard<std::mutex> lock(trainer_mutex_);
  if (trainer_) trainer_->resume();
}

void TrainingController::cancel() {
  if (!thread_.joinable()) return;
  cancel_requested_ = true;
  {
    std::lock_guard<std::mutex> lock(trainer_mutex_);
    if (trainer_) trainer_->cancel();  // stops after the step in flight; never blocks here
  }
  panel_->setRunState(widgets::TrainingPanel::RunState::kStopping);
  panel_->setStatus(tr("Cancelling after the current step..."));
}

void TrainingController::drain() {
  if (mailbox_) {
    std::optional<mt::TrainProgress> progress;
    std::vector<std::pair<std::int64_t, mt::LossValues>> losses;
    std::vector<std::pair<std::int64_t, QString>> checkpoints;
    QString message;
    bool finished = false;
    mt::TrainState final_state = mt::TrainState::kIdle;
    QString error;
    {
      std::lock_guard<std::mutex> lock(mailbox_->mutex);
      progress = mailbox_->progress;
      losses.swap(mailbox_->losses);
      checkpoints.swap(mailbox_->checkpoints);
      message = mailbox_->message;
      finished = mailbox_->finished;
      final_state = mailbox_->final_state;
      error = mailbox_->error;
    }
    for (const auto& [step, l] : losses) {
      const double s = static_cast<double>(step);
      panel_->lossChart()->addPoint("total", s, l.total);
      panel_->lossChart()->addPoint("action", s, l.action);
      panel_->lossChart()->addPoint("alignment", s, l.alignment);
      panel_->lossChart()->addPoint("distillation", s, l.distillation);
      panel_->lossChart()->addPoint("language", s, l.language);
      panel_->lossChart()->addPoint("depth_probe", s, l.depth_probe);
    }
    for (const auto& [step, dir] : checkpoints) {
      panel_->addCheckpoint(tr("step %1").arg(step), dir);
      last_checkpoint_seen_ = dir;
      Q_EMIT checkpointWritten(dir);
    }
    if (progress && !finished) {
      state_ = progress->state;
      panel_->setProgress(static_cast<long>(progress->step),
                          static_cast<long>(progress->total_steps), progress->eta_s,
                          progress->samples_per_s);
      if (cancel_requested_) {
        panel_->setRunState(widgets::TrainingPanel::RunState::kStopping);
      } else {
        panel_->setRunState(progress->state == mt::TrainState::kPaused
                                ? widgets::TrainingPanel::RunState::kPaused
                                : widgets::TrainingPanel::RunState::kRunning);
        panel_->setStatus(tr("%1: step %2 of %3, loss %4, lr %5")
                              .arg(stateName(progress->state))
                              .arg(progress->step)
                              .arg(progress->total_steps)
                              .arg(progress->losses.total, 0, 'g', 4)
                              .arg(progress->lr, 0, 'g', 3));
      }
    } else if (!message.isEmpty() && !finished) {
      panel_->setStatus(message);
    }
    if (finished) {
      if (thread_.joinable()) thread_.join();
      mailbox_.reset();
      state_ = final_state;
      panel_->setRunState(widgets::TrainingPanel::RunState::kIdle);
      if (progress) {
        panel_->setProgress(static_cast<long>(progress->step),
                            static_cast<long>(progress->total_steps), 0.0, progress->samples_per_s);
      }
      QString text;
      if (final_state == mt::TrainState::kFailed) {
        last_error_ = error;
        text = tr("The run failed: %1").arg(error);
        window_->showStatus(text, 0);
        spdlog::error("training: {}", text.toStdString());
      } else if (final_state == mt::TrainState::kCancelled) {
        text = last_checkpoint_seen_.isEmpty()
                   ? tr("Cancelled at step %1: no checkpoint was written")
                         .arg(progress ? progress->step : 0)
                   : tr("Cancelled at step %1: the last checkpoint is %2")
                         .arg(progress ? progress->step : 0)
                         .arg(last_checkpoint_seen_);
        window_->showStatus(text);
        spdlog::info("training: {}", text.toStdString());
      } else {
        text = tr("Finished %1 steps: checkpoint %2")
                   .arg(progress ? progress->step : 0)
                   .arg(last_checkpoint_seen_);
        window_->showStatus(text);
        spdlog::info("training: {}", text.toStdString());
      }
      panel_->setStatus(text);
      Q_EMIT runFinished(stateName(final_state));
    }
  }
  // The live view's checkpoint is the default starting point of the next run.
  const QString live = studio_->checkpointDirectory();
  static const char* kProperty = "thinkvlaLoadedCheckpoint";
  if (panel_->property(kProperty).toString() != live) {
    panel_->setProperty(kProperty, live);
    panel_->setLoadedCheckpoint(live);
  }
  if (eval_box_) {
    bool finished = false;
    {
      std::lock_guard<std::mutex> lock(eval_box_->mutex);
      finished = eval_box_->finished;
    }
    if (finished) {
      eval_thread_.join();
      panel_->setEvaluationRunning(false);
      if (!eval_box_->error.isEmpty()) {
        window_->showStatus(tr("Evaluation failed: %1").arg(eval_box_->error), 0);
        spdlog::error("training: evaluation failed: {}", eval_box_->error.toStdString());
      } else {
        panel_->setEvaluation(eval_box_->rows);
        window_->showStatus(eval_box_->summary);
      }
      eval_box_.reset();
      Q_EMIT evaluationFinished();
    }
  }
}

QStringList TrainingController::checkpoints() const { return panel_->checkpointDirectories(); }

bool TrainingController::loadIntoLiveView(const QString& directory) {
  if (!studio_->loadCheckpoint(directory)) return false;  // also notes it in the recent files
  window_->showStatus(tr("Loaded %1 into the live view").arg(directory));
  return true;
}

bool TrainingController::evaluate(const QString& directory, int episodes_per_task) {
  if (eval_thread_.joinable()) return false;
  eval_box_ = std::make_shared<EvalBox>();
  panel_->setEvaluationRunning(true);
  panel_->setStatus(tr("Evaluating %1 in the world (%2 episode(s) per task)...")
                        .arg(directory)
                        .arg(episodes_per_task));
  eval_thread_ = std::thread([box = eval_box_, directory, episodes_per_task] {
    std::vector<widgets::EvalRow> rows;
    QString error, summary;
    try {
      core::eval::EvalOptions o;
      o.actor = core::eval::ActorKind::kPolicy;
      o.checkpoint = directory.toStdString();
      o.suites = {core::sim::Suite::kSpatial};
      o.episodes_per_task = episodes_per_task;
      o.tasks = {0, 1};  // a quick check from the dock; `thinkvla eval` runs the full table
      o.workers = 1;
      o.torch_threads = 1;
      const core::eval::EvalReport report = core::eval::Evaluator(o).run();
      int episodes = 0, successes = 0;
      for (const auto& t : report.tasks) {
        rows.push_back({QString::fromStdString(core::sim::suiteName(t.suite) + "/" + t.task_name),
                        t.episodes, t.successes, t.mean_length_steps});
        episodes += t.episodes;
        successes += t.successes;
      }
      summary =
          QString("Evaluation of %1: %2/%3 successful").arg(directory).arg(successes).arg(episodes);
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    std::lock_guard<std::mutex> lock(box->mutex);
    box->rows = std::move(rows);
    box->error = error;
    box->summary = summary;
    box->finished = true;
  });
  return true;
}

}  // namespace thinkvla::studio
