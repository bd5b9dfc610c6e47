#include "studio/episodes_controller.h"

#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <vtkAssembly.h>
#include <vtkRenderer.h>

#include <fstream>
#include <random>
#include <sstream>

#include "core/episodes/episode_file.h"
#include "core/sim/spatial_qa.h"
#include "model/gripper_progress.h"
#include "studio/episode_replay.h"
#include "studio/main_window.h"
#include "studio/studio_controller.h"
#include "studio/world_controller.h"
#include "viz/scene_layers.h"
#include "widgets/episode_annotation_panel.h"
#include "widgets/episode_browser.h"
#include "widgets/recording_panel.h"
#include "widgets/scene_view.h"

namespace thinkvla::studio {

namespace fs = std::filesystem;

// One episode read from the file for the Annotation dock: its low-dimensional data and
// annotations, and every step's two colour images (upright RGB).
struct EpisodesController::LoadedEpisode {
  QString file;
  QString name;
  core::Episode episode;  // kLowDim: no pixels
  std::vector<cv::Mat> agentview;
  std::vector<cv::Mat> wrist;
  std::string file_instruction;  // data.problem_info's, for episodes without our annotations
};

namespace {

QImage toQImage(const cv::Mat& rgb) {
  if (rgb.empty() || rgb.type() != CV_8UC3) return {};
  return QImage(rgb.data, rgb.cols, rgb.rows, static_cast<int>(rgb.step), QImage::Format_RGB888)
      .copy();
}

std::string readText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "spatial/3" <-> (suite, index)
QString taskId(core::sim::Suite suite, int index) {
  return QString::fromStdString(core::sim::suiteName(suite)) + "/" + QString::number(index);
}

std::optional<std::pair<core::sim::Suite, int>> parseTaskId(const QString& id) {
  const int slash = static_cast<int>(id.indexOf('/'));
  if (slash < 0) return std::nullopt;
  const auto suite = core::sim::parseSuite(id.left(slash).toStdString());
  bool ok = false;
  const int index = id.mid(slash + 1).toInt(&ok);
  if (!suite || !ok || index < 0 ||
      index >= static_cast<int>(core::sim::suiteTasks(*suite).size())) {
    return std::nullopt;
  }
  return std::make_pair(*suite, index);
}

widgets::TimelineAnnotations toTimeline(const core::EpisodeAnnotations& a) {
  widgets::TimelineAnnotations t;
  for (const auto& s : a.subtasks) {
    // The file's end is exclusive, the timeline's inclusive.
    const int start = static_cast<int>(s.start_step);
    t.segments.push_back({start, std::max(start, static_cast<int>(s.end_step) - 1),
                          QString::fromStdString(s.label)});
  }
  for (const auto& k : a.keyframes) {
    t.keyframes.push_back({static_cast<int>(k.step), QString::fromStdString(k.label)});
  }
  return t;
}

core::sim::TabletopEnv* envOf(WorldController* world) {
  return world && world->session() ? &world->session()->env() : nullptr;
}

}  // namespace

EpisodesController::EpisodesController(MainWindow* window, StudioController* studio)
    : QObject(nullptr), window_(window), studio_(studio), tap_(std::make_shared<RecordingTap>()) {
  pool_.setMaxThreadCount(1);
  pool_.setExpiryTimeout(-1);
  scene_view_ = window_->sceneView();
  predictions_ = new PredictionWorker(this);
  connect(predictions_, &PredictionWorker::predicted, this, &EpisodesController::onPrediction);
  connect(
      predictions_, &PredictionWorker::policyLoaded, this,
      [this](const QString& dir, const QString& error) {
        if (!error.isEmpty()) {
          showStatus(tr("Predictions: cannot use %1: %2").arg(dir, error));
        } else if (loaded_ && annotation_->timeline()->length() > 0) {
          showStep(annotation_->timeline()->currentStep());  // predict again with the new policy
        }
      });

  recorded_layer_ = std::make_unique<viz::PathLayer>(viz::Colormap::kViridis, 3.0f);
  predicted_layer_ = std::make_unique<viz::PathLayer>(viz::Colormap::kInferno, 5.0f);
  if (scene_view_) {
    scene_view_->renderer()->AddViewProp(recorded_layer_->prop());
    scene_view_->renderer()->AddViewProp(predicted_layer_->prop());
  }
  buildDocks();

  reset_timer_.setInterval(1000);
  connect(&reset_timer_, &QTimer::timeout, this, [this] {
    if (state_ != RecordState::kResetting) {
      reset_timer_.stop();
      return;
    }
    if (--reset_remaining_s_ <= 0) {
      reset_timer_.stop();
      startRecording();
    }
  });
  poll_timer_.setInterval(100);
  connect(&poll_timer_, &QTimer::timeout, this, &EpisodesController::poll);
  poll_timer_.start();
  setState(RecordState::kIdle);
  poll();
}

void EpisodesController::attachWorld() {
  WorldController* world = studio_->world();
  if (world == world_) return;
  world_ = world;
  installed_loop_ = nullptr;
  if (!world) return;
  // A restarted world has a new control loop (without the tap); a stopping one must not be
  // driven by a replay any more.
  connect(world, &WorldController::started, this, [this] { installed_loop_ = nullptr; });
  connect(world, &WorldController::stopping, this, [this] {
    stopReplay();
    if (state_ != RecordState::kIdle) {
      const bool open = tap_->recording();
      tap_->end(core::EndDecision::kDiscard, {});
      setState(RecordState::kIdle);
      if (open)
        reportError(tr("The world stopped during the recording: the episode was discarded"));
    }
    installed_loop_ = nullptr;
  });
}

EpisodesController::~EpisodesController() {
  poll_timer_.stop();
  if (replay_) replay_->stop();
  replay_.reset();
  tap_->end(core::EndDecision::kDiscard, {});
  // Take the tap off the world's loop (the loop keeps running for whoever comes next).
  WorldController* world = studio_->world();
  if (world && world == world_ && world->controlLoop() && world->controlLoop() == installed_loop_) {
    world->controlLoop()->stop();
    world->controlLoop()->setTickCallback(nullptr);
    if (!world->paused()) world->controlLoop()->start();
  }
  tap_->setRecorder(nullptr);
  pool_.waitForDone();
  recorder_.reset();  // commits what was kept, joins its threads
  if (scene_view_) {
    scene_view_->renderer()->RemoveViewProp(recorded_layer_->prop());
    scene_view_->renderer()->RemoveViewProp(predicted_layer_->prop());
  }
}

void EpisodesController::buildDocks() {
  // Episodes: the file's list, then the recorder.
  episodes_dock_ = new QDockWidget(tr("Episodes"), window_);
  episodes_dock_->setObjectName("episodesDock");
  auto* holder = new QWidget(episodes_dock_);
  auto* layout = new QVBoxLayout(holder);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* file_row = new QHBoxLayout();
  auto* open = new QPushButton(tr("Open..."), holder);
  auto* refresh = new QPushButton(tr("Refresh"), holder);
  file_row->addWidget(open);
  file_row->addWidget(refresh);
  file_row->addStretch();
  layout->addLayout(file_row);
  auto* split = new QSplitter(Qt::Vertical, holder);
  browser_ = new widgets::EpisodeBrowser(split);
  recording_panel_ = new widgets::RecordingPanel(split);
  split->addWidget(browser_);
  split->addWidget(recording_panel_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  layout->addWidget(split, 1);
  episodes_dock_->setWidget(holder);
  window_->addToggleableDock(Qt::LeftDockWidgetArea, episodes_dock_);
  // The left column is one tab group (Model, Sources, Episodes): stacked, the window would not
  // fit a 1024-pixel-high screen.
  if (auto* model = window_->findChild<QDockWidget*>("modelDock");
      model != nullptr && window_->dockWidgetArea(model) == Qt::LeftDockWidgetArea) {
    window_->tabifyDocks(model, episodes_dock_);
    model->raise();
  }

  std::vector<widgets::RecordingTask> tasks;
  for (const auto suite : core::sim::allSuites()) {
    for (const auto& t : core::sim::suiteTasks(suite)) {
      tasks.push_back({taskId(suite, t.index),
                       QString::fromStdString(core::sim::suiteName(suite) + ": " + t.name),
                       QString::fromStdString(t.instruction)});
    }
  }
  recording_panel_->setTasks(tasks);

  connect(open, &QPushButton::clicked, this, [this] {
    // MainWindow's File menu has the same action; reuse its signal so the recent list follows.
    const QString path = QFileDialog::getOpenFileName(window_, tr("Open episode file"), QString(),
                                                      tr("HDF5 episode files (*.hdf5 *.h5)"));
    if (!path.isEmpty()) Q_EMIT window_->openDatasetRequested(path);
  });
  connect(refresh, &QPushButton::clicked, this, &EpisodesController::rescan);
  connect(browser_, &widgets::EpisodeBrowser::currentEpisodeChanged, this,
          [this](const QString& name) {
            if (!name.isEmpty() && name != loadedEpisode()) selectEpisode(name);
          });
  connect(browser_, &widgets::EpisodeBrowser::deleteRequested, this,
          &EpisodesController::deleteEpisodes);
  connect(recording_panel_, &widgets::RecordingPanel::recordRequested, this,
          [this] { startRecording(); });
  connect(recording_panel_, &widgets::RecordingPanel::endRequested, this,
          &EpisodesController::endEpisode);
  connect(recording_panel_, &widgets::RecordingPanel::rerecordRequested, this,
          &EpisodesController::rerecord);
  connect(recording_panel_, &widgets::RecordingPanel::discardRequested, this,
          &EpisodesController::discard);
  connect(recording_panel_, &widgets::RecordingPanel::newFileRequested, this,
          [this](const QString& path) { createFile(path); });

  // LeRobot's keys, live only while recording (so the arrows keep their usual meaning otherwise).
  end_action_ = new QAction(tr("End episode and save"), window_);
  end_action_->setShortcut(Qt::Key_Right);
  end_action_->setShortcutContext(Qt::WindowShortcut);
  rerecord_action_ = new QAction(tr("Re-record episode"), window_);
  rerecord_action_->setShortcut(Qt::Key_Left);
  rerecord_action_->setShortcutContext(Qt::WindowShortcut);
  window_->addAction(end_action_);
  window_->addAction(rerecord_action_);
  connect(end_action_, &QAction::triggered, this, &EpisodesController::endEpisode);
  connect(rerecord_action_, &QAction::triggered, this, &EpisodesController::rerecord);

  // Annotation: under the 3D view.
  annotation_dock_ = new QDockWidget(tr("Annotation"), window_);
  annotation_dock_->setObjectName("annotationDock");
  annotation_ = new widgets::EpisodeAnnotationPanel(annotation_dock_);
  annotation_dock_->setWidget(annotation_);
  window_->addToggleableDock(Qt::BottomDockWidgetArea, annotation_dock_);
  // Under the 3D view it shares a tab group with the Log; it comes to the front when an episode
  // is opened for annotation.
  if (auto* log = window_->findChild<QDockWidget*>("logDock");
      log != nullptr && window_->dockWidgetArea(log) == Qt::BottomDockWidgetArea) {
    window_->tabifyDocks(log, annotation_dock_);
    log->raise();
  }
  connect(annotation_, &widgets::EpisodeAnnotationPanel::currentStepChanged, this,
          &EpisodesController::showStep);
  connect(annotation_, &widgets::EpisodeAnnotationPanel::saveRequested, this,
          &EpisodesController::saveAnnotations);
  connect(annotation_, &widgets::EpisodeAnnotationPanel::replayRequested, this,
          [this] { startReplay(); });
  connect(annotation_, &widgets::EpisodeAnnotationPanel::stopReplayRequested, this,
          &EpisodesController::stopReplay);
}

// ---- jobs and messages ------------------------------------------------------------------------

void EpisodesController::submit(std::function<std::function<void()>()> job) {
  ++pending_jobs_;
  pool_.start([this, job = std::move(job)] {
    std::function<void()> done;
    try {
      done = job();
    } catch (const std::exception& e) {
      const QString message = QString::fromStdString(e.what());
      done = [this, message] { reportError(message); };
    }
    QMetaObject::invokeMethod(
        this,
        [this, done] {
          --pending_jobs_;
          if (done) done();
        },
        Qt::QueuedConnection);
  });
}

void EpisodesController::reportError(const QString& message) {
  spdlog::error("episodes: {}", message.toStdString());
  window_->showStatus(message, 0);
  annotation_->setStatus(message);
}

void EpisodesController::showStatus(const QString& message) {
  spdlog::info("episodes: {}", message.toStdString());
  window_->showStatus(message);
}

// ---- files ------------------------------------------------------------------------------------

bool EpisodesController::openFile(const QString& path) {
  if (state_ != RecordState::kIdle) {
    reportError(tr("Finish or discard the episode being recorded before opening another file"));
    return false;
  }
  if (!QFileInfo::exists(path)) {
    reportError(tr("%1: no such file").arg(path));
    return false;
  }
  if (!confirmUnsaved()) return false;
  stopReplay();
  file_ = QFileInfo(path).absoluteFilePath();
  loaded_.reset();
  requested_episode_.clear();
  annotation_->clearEpisode();
  clearPaths();
  browser_->setRows({});
  browser_->setFileLabel(QFileInfo(file_).fileName());
  browser_->setToolTip(file_);
  recording_panel_->setTargetFile(file_);
  // The recorder (and its recovery of what an interrupted session left) comes with the first
  // recording: browsing a file never writes beside it.
  rescan();
  Q_EMIT fileOpened(file_);
  return true;
}

bool EpisodesController::createFile(const QString& path) {
  core::DatasetInfo info;
  info.env_name = "thinkvla_tabletop";
  nlohmann::json args = {{"type", 1},
                         {"env_name", "thinkvla_tabletop"},
                         {"control_freq", 20},
                         {"camera_names", {"agentview", "robot0_eye_in_hand"}},
                         {"recorded_by", "thinkvla-studio"}};
  if (core::sim::TabletopEnv* env = envOf(studio_->world())) {
    args["image_size"] = env->options().image_width;
  }
  info.env_args_json = args.dump();
  info.bddl_file_name = "thinkvla/studio";
  try {
    QDir().mkpath(QFileInfo(path).absolutePath());
    core::createEpisodeFile(path.toStdString(), info, core::CreateMode::kFailIfExists);
  } catch (const std::exception& e) {
    reportError(QString::fromStdString(e.what()));
    return false;
  }
  showStatus(tr("New episode file %1").arg(path));
  return openFile(path);
}

bool EpisodesController::ensureRecorder() {
  if (recorder_ && recorder_file_ == file_) return true;
  tap_->setRecorder(nullptr);
  recorder_.reset();
  try {
    core::RecorderOptions options;
    options.file = file_.toStdString();
    options.dataset_info.env_name = "thinkvla_tabletop";
    options.dataset_info.env_args_json =
        R"({"type": 1, "env_name": "thinkvla_tabletop", "control_freq": 20})";
    recorder_ = std::make_shared<core::EpisodeRecorder>(options);
  } catch (const std::exception& e) {
    reportError(tr("Cannot record into %1: %2").arg(file_, QString::fromStdString(e.what())));
    return false;
  }
  recorder_file_ = file_;
  commits_seen_ = 0;
  last_recorder_error_.clear();
  tap_->setRecorder(recorder_);
  const core::RecoveryReport& recovery = recorder_->recoveryReport();
  for (const auto& m : recovery.messages) showStatus(QString::fromStdString(m));
  if (recovery.committed_kept + recovery.committed_interrupted > 0) rescan();
  return true;
}

void EpisodesController::rescan() {
  if (file_.isEmpty()) return;
  const QString file = file_;
  auto recorder = recorder_;
  submit([this, file, recorder]() -> std::function<void()> {
    if (recorder) recorder->waitUntilIdle(10.0);  // a commit in flight first
    core::EpisodeReader reader(file.toStdString());
    std::vector<core::EpisodeSummary> summaries;
    std::vector<widgets::EpisodeBrowserRow> rows;
    QString problem;
    try {
      summaries = reader.summaries();
    } catch (const core::EpisodeError& e) {
      // One broken demo must not hide the others: list them one by one, the broken ones marked.
      problem = QString::fromStdString(e.what());
      for (const std::string& name : reader.episodeNames()) {
        try {
          core::EpisodeSummary s;
          s.name = name;
          s.num_samples = reader.readActions(name).rows();
          s.annotations = reader.readAnnotations(name);
          s.has_annotations =
              !s.annotations.recording_id.empty() || !s.annotations.instruction.empty();
          summaries.push_back(std::move(s));
        } catch (const std::exception& broken) {
          widgets::EpisodeBrowserRow row;
          row.name = QString::fromStdString(name);
          row.instruction = tr("(unreadable: %1)").arg(QString::fromStdString(broken.what()));
          rows.push_back(std::move(row));
        }
      }
    }
    const std::string file_instruction = reader.datasetInfo().languageInstruction();
    for (const auto& s : summaries) {
      widgets::EpisodeBrowserRow row;
      row.name = QString::fromStdString(s.name);
      row.length_steps = static_cast<int>(s.num_samples);
      const auto& a = s.annotations;
      row.instruction =
          QString::fromStdString(a.instruction.empty() ? file_instruction : a.instruction);
      row.task = QString::fromStdString(a.source.task);
      row.success = !s.has_annotations ? widgets::EpisodeSuccess::kUnknown
                    : a.success        ? widgets::EpisodeSuccess::kSuccess
                                       : widgets::EpisodeSuccess::kFailure;
      row.interventions =
          static_cast<int>(std::count(a.intervention.begin(), a.intervention.end(), 1));
      row.recovered = a.recovered;
      if (s.num_samples > 0) {
        try {
          row.thumbnail =
              toQImage(reader.readStep(s.name, 0, core::StepDepth::kSkip).agentview_rgb);
        } catch (const std::exception& e) {
          spdlog::warn("episodes: no thumbnail for {}: {}", s.name, e.what());
        }
      }
      rows.push_back(std::move(row));
    }
    return [this, file, rows, problem] {
      if (file != file_) return;  // another file was opened meanwhile
      if (!problem.isEmpty()) reportError(problem);
      browser_->setRows(rows);
      browser_->setFileLabel(tr("%1: %n episode(s)", nullptr, static_cast<int>(rows.size()))
                                 .arg(QFileInfo(file).fileName()));
      Q_EMIT episodesListed(static_cast<int>(rows.size()));
    };
  });
}

// ---- annotation -------------------------------------------------------------------------------

bool EpisodesController::confirmUnsaved() {
  if (!loaded_ || !annotation_->dirty()) return true;
  if (unsaved_policy_ == UnsavedEdits::kDiscard) {
    spdlog::warn("episodes: unsaved annotation edits of {} dropped", loaded_->name.toStdString());
    return true;
  }
  const auto answer = QMessageBox::question(
      window_, tr("Unsaved annotations"),
      tr("%1 has unsaved annotation edits. Save them?").arg(loaded_->name),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Save) saveAnnotations();
  return true;
}

QString EpisodesController::loadedEpisode() const { return loaded_ ? loaded_->name : QString(); }

void EpisodesController::selectEpisode(const QString& name) {
  if (file_.isEmpty() || name.isEmpty()) return;
  if (loaded_ && loaded_->name == name) return;
  if (!confirmUnsaved()) {
    if (loaded_) browser_->selectEpisode(loaded_->name);
    return;
  }
  stopReplay();
  requested_episode_ = name;
  browser_->selectEpisode(name);
  annotation_->setStatus(tr("Loading %1...").arg(name));
  const QString file = file_;
  submit([this, file, name]() -> std::function<void()> {
    auto e = std::make_shared<LoadedEpisode>();
    e->file = file;
    e->name = name;
    core::EpisodeReader reader(file.toStdString());
    e->file_instruction = reader.datasetInfo().languageInstruction();
    e->episode = reader.readEpisode(name.toStdString(), core::EpisodeParts::kLowDim);
    const auto steps = e->episode.numSamples();
    e->agentview.reserve(static_cast<std::size_t>(steps));
    e->wrist.reserve(static_cast<std::size_t>(steps));
    for (std::int64_t t = 0; t < steps; ++t) {
      const core::StepImages images =
          reader.readStep(name.toStdString(), t, core::StepDepth::kSkip);
      e->agentview.push_back(images.agentview_rgb);
      e->wrist.push_back(images.eye_in_hand_rgb);
    }
    return [this, e] { onEpisodeRead(e); };
  });
}

void EpisodesController::onEpisodeRead(std::shared_ptr<LoadedEpisode> e) {
  if (e->file != file_ || e->name != requested_episode_) return;  // superseded
  loaded_ = std::move(e);
  const core::EpisodeAnnotations& a = loaded_->episode.annotations;
  const int steps = static_cast<int>(loaded_->episode.numSamples());
  std::vector<bool> interventions;
  for (const auto f : a.intervention) interventions.push_back(f != 0);
  widgets::EpisodeMeta meta;
  meta.success = a.success;
  meta.instruction =
      QString::fromStdString(a.instruction.empty() ? loaded_->file_instruction : a.instruction);
  meta.notes = QString::fromStdString(a.notes);
  const QString title =
      tr("%1 of %2: %3 steps, task %4, seed %5%6")
          .arg(loaded_->name, QFileInfo(loaded_->file).fileName())
          .arg(steps)
          .arg(a.source.task.empty() ? QString("?") : QString::fromStdString(a.source.task))
          .arg(a.source.seed)
          .arg(a.recovered ? tr(" (recovered)") : QString());
  annotation_->setEpisode(title, steps, toTimeline(a), interventions, meta);
  annotation_->setStatus(QString());
  annotation_dock_->show();
  annotation_dock_->raise();

  // The recorded end-effector path in the 3D view, gripper marks from the actions.
  std::vector<cv::Vec3d> path;
  std::vector<double> gripper;
  const auto& ee = loaded_->episode.ee_pos;
  for (Eigen::Index r = 0; r < ee.rows(); ++r) {
    path.emplace_back(ee(r, 0), ee(r, 1), ee(r, 2));
    gripper.push_back(loaded_->episode.actions(r, 6));
  }
  recorded_layer_->update(path, gripper);
  recorded_path_points_ = path.size();
  predicted_layer_->update({}, {});
  predicted_path_points_ = 0;
  if (scene_view_) scene_view_->update();
  showStep(0);
  Q_EMIT episodeLoaded(loaded_->name);
}

void EpisodesController::showStep(int step) {
  if (!loaded_ || step < 0 || step >= static_cast<int>(loaded_->agentview.size())) return;
  const auto s = static_cast<std::size_t>(step);
  annotation_->setStepFrames(loaded_->agentview[s], loaded_->wrist[s]);
  std::vector<double> recorded;
  for (int c = 0; c < 7; ++c) recorded.push_back(loaded_->episode.actions(step, c));
  const bool intervention = s < loaded_->episode.annotations.intervention.size() &&
                            loaded_->episode.annotations.intervention[s] != 0;
  annotation_->setStepActions(
      recorded, {},
      predictions_->hasPolicy()
          ? tr("step %1%2: predicting...").arg(step).arg(intervention ? tr(", human") : QString())
          : tr("step %1%2: no policy loaded (open a checkpoint to compare)")
                .arg(step)
                .arg(intervention ? tr(", human") : QString()));
  prediction_step_ = step;
  if (!predictions_->hasPolicy()) return;
  PredictionRequest request;
  request.serial = ++prediction_serial_;
  request.views = {loaded_->agentview[s], loaded_->wrist[s]};
  const auto& e = loaded_->episode;
  for (int c = 0; c < 6; ++c) request.proprio.push_back(static_cast<float>(e.ee_states(step, c)));
  for (int c = 0; c < 2; ++c)
    request.proprio.push_back(static_cast<float>(e.gripper_states(step, c)));
  // The policy's progress input as a rollout would have counted it up to this step.
  model::GripperReleaseCounter releases;
  for (int t = 0; t < step; ++t) {
    releases.observe(e.actions(t, 6), e.gripper_states(t, 0) + e.gripper_states(t, 1));
  }
  request.gripper_releases = releases.releases();
  request.instruction = annotation_->meta().instruction.toStdString();
  predictions_->request(std::move(request));
}

void EpisodesController::onPrediction(const PredictionResult& result) {
  if (!loaded_ || result.serial != prediction_serial_ || prediction_step_ < 0) return;  // stale
  const int step = prediction_step_;
  std::vector<double> recorded;
  for (int c = 0; c < 7; ++c) recorded.push_back(loaded_->episode.actions(step, c));
  if (!result.error.isEmpty() || result.actions.empty()) {
    annotation_->setStepActions(recorded, {},
                                tr("step %1: prediction failed: %2").arg(step).arg(result.error));
    return;
  }
  std::vector<double> predicted(result.actions.front().begin(), result.actions.front().end());
  double l1 = 0.0;
  for (int c = 0; c < 7 && c < static_cast<int>(predicted.size()); ++c) {
    l1 += std::abs(predicted[static_cast<std::size_t>(c)] - recorded[static_cast<std::size_t>(c)]);
  }
  annotation_->setStepActions(
      recorded, predicted,
      tr("step %1: %2 predicts a %3-step chunk (first action shown), L1 to recorded %4, %5 ms")
          .arg(step)
          .arg(QFileInfo(result.checkpoint).fileName())
          .arg(result.actions.size())
          .arg(l1 / 7.0, 0, 'f', 3)
          .arg(result.latency_ms, 0, 'f', 1));
  // The predicted chunk from the recorded end effector at this step.
  const auto& ee = loaded_->episode.ee_pos;
  cv::Vec3d p(ee(step, 0), ee(step, 1), ee(step, 2));
  std::vector<cv::Vec3d> path{p};
  std::vector<double> gripper{result.actions.front()[6]};
  for (const auto& a : result.actions) {
    p += core::sim::kActionPositionScaleM * cv::Vec3d(a[0], a[1], a[2]);
    path.push_back(p);
    gripper.push_back(a[6]);
  }
  predicted_layer_->update(path, gripper);
  predicted_path_points_ = path.size();
  if (scene_view_) scene_view_->update();
  last_prediction_ = result;
  Q_EMIT predictionShown(step);
}

void EpisodesController::saveAnnotations() {
  if (!loaded_) return;
  core::EpisodeAnnotations a = loaded_->episode.annotations;
  const widgets::EpisodeMeta meta = annotation_->meta();
  a.success = meta.success;
  a.instruction = meta.instruction.toStdString();
  a.notes = meta.notes.toStdString();
  a.subtasks.clear();
  for (const auto& s : annotation_->timeline()->annotations().segments) {
    a.subtasks.push_back({s.start_step, s.end_step + 1, s.label.toStdString()});
  }
  a.keyframes.clear();
  for (const auto& k : annotation_->timeline()->annotations().keyframes) {
    a.keyframes.push_back({k.step, k.label.toStdString()});
  }
  const QString file = loaded_->file;
  const QString name = loaded_->name;
  const int index = annotation_->undoStack()->index();
  auto recorder = recorder_;
  annotation_->setStatus(tr("Saving %1...").arg(name));
  submit([this, file, name, a, index, recorder]() -> std::function<void()> {
    if (recorder) recorder->waitUntilIdle(10.0);
    core::saveAnnotations(file.toStdString(), name.toStdString(), a);  // one transaction
    // Read back what the file now says.
    core::EpisodeAnnotations stored;
    {
      core::EpisodeReader reader(file.toStdString());
      stored = reader.readAnnotations(name.toStdString());
    }
    return [this, file, name, stored, index] {
      if (loaded_ && loaded_->file == file && loaded_->name == name) {
        loaded_->episode.annotations = stored;
        if (annotation_->undoStack()->index() == index) annotation_->markSaved();
      }
      annotation_->setStatus(tr("Saved the annotations of %1").arg(name));
      showStatus(tr("Saved the annotations of %1 in %2").arg(name, QFileInfo(file).fileName()));
      rescan();
      Q_EMIT annotationsSaved(name);
    };
  });
}

void EpisodesController::deleteEpisodes(const QStringList& names) {
  if (file_.isEmpty() || names.isEmpty()) return;
  if (loaded_ && names.contains(loaded_->name)) {
    stopReplay();
    loaded_.reset();
    requested_episode_.clear();
    annotation_->clearEpisode();
    clearPaths();
  }
  const QString file = file_;
  auto recorder = recorder_;
  submit([this, file, names, recorder]() -> std::function<void()> {
    if (recorder) recorder->waitUntilIdle(10.0);
    QStringList done;
    QString error;
    for (const QString& n : names) {
      try {
        core::deleteEpisode(file.toStdString(), n.toStdString());  // one transaction each
        done << n;
      } catch (const std::exception& e) {
        error = QString::fromStdString(e.what());
        break;
      }
    }
    return [this, done, error] {
      if (!error.isEmpty()) reportError(error);
      if (!done.isEmpty()) showStatus(tr("Deleted %1").arg(done.join(", ")));
      rescan();
      Q_EMIT episodesDeleted(done);
    };
  });
}

void EpisodesController::clearPaths() {
  recorded_layer_->update({}, {});
  predicted_layer_->update({}, {});
  recorded_path_points_ = 0;
  predicted_path_points_ = 0;
  last_prediction_.reset();
  if (scene_view_) scene_view_->update();
}

// ---- recording --------------------------------------------------------------------------------

void EpisodesController::setState(RecordState state) {
  state_ = state;
  recording_panel_->setState(static_cast<widgets::RecordingPanel::State>(static_cast<int>(state)));
  end_action_->setEnabled(state != RecordState::kIdle);
  rerecord_action_->setEnabled(state == RecordState::kRecording);
  if (state != RecordState::kResetting) reset_timer_.stop();
}

bool EpisodesController::startRecording() {
  if (state_ == RecordState::kRecording) return true;
  if (replaying()) {
    reportError(tr("Stop the replay before recording"));
    return false;
  }
  attachWorld();
  WorldController* world = studio_->world();
  if (!world || !world->running() || !world->controlLoop()) {
    reportError(tr("Recording needs the built-in world: it is not running"));
    return false;
  }
  if (world->paused()) world->run();  // recording runs the world at its 20 Hz
  if (file_.isEmpty()) {
    const QString dir =
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/recordings";
    const QString path =
        dir + "/episodes-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss") + ".hdf5";
    if (!createFile(path)) return false;
  }
  if (!ensureRecorder()) return false;
  return beginEpisodeNow();
}

void EpisodesController::resetWorld(int seed) {
  WorldController* world = studio_->world();
  if (!world || !world->session() || !world->controlLoop()) return;
  const auto task = parseTaskId(recording_panel_->taskId());
  world->resetEpisode(static_cast<std::uint64_t>(seed));  // also drops the policy's old chunk
  core::ControlLoop* loop = world->controlLoop();
  core::WorldSession* session = world->session();
  loop->stop();
  if (task) {
    session->reset(task->first, task->second, static_cast<std::uint64_t>(seed),
                   world->spec().perturbation);
  }
  const std::string instruction = recording_panel_->instruction().toStdString();
  if (!instruction.empty() && instruction != session->env().instruction())
    session->setInstruction(instruction);
  tap_->prime(*session);
  if (installed_loop_ != loop) {
    std::shared_ptr<RecordingTap> tap = tap_;
    loop->setTickCallback(
        [tap, session](const core::ControlTick& tick) { tap->onTick(tick, *session); });
    installed_loop_ = loop;
  }
  // The loop stays stopped: the caller starts it (after beginning an episode, or for the reset
  // phase).
}

bool EpisodesController::beginEpisodeNow() {
  WorldController* world = studio_->world();
  if (!world || !world->session() || !world->controlLoop()) return false;
  const int seed = recording_panel_->seed();
  resetWorld(seed);
  core::WorldSession* session = world->session();
  core::ControlLoop* loop = world->controlLoop();
  core::sim::TabletopEnv& env = session->env();

  core::EpisodeStart start;
  auto& a = start.annotations;
  a.instruction = session->instruction();
  a.operator_name = qEnvironmentVariable("USER", "operator").toStdString();
  a.source = {"sim", core::sim::suiteName(env.task().suite) + "/" + env.task().name,
              static_cast<std::int64_t>(seed), ""};
  a.teacher_prompts = {core::sim::teacherPrompt(env.task())};
  // As `thinkvla collect` writes it; replay reads it back to lay the world out the same way.
  if (env.perturbation().any()) a.notes = "perturbation " + env.perturbation().toString();
  const auto& obs = session->lastObservation();
  if (!obs.cameras.empty()) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed) ^ 0x51A7A1ULL);
    for (const auto& q : core::sim::spatialQa(env, obs.cameras.front(), 8, rng)) {
      a.qa_pairs.push_back({core::sim::qaKindName(q.kind), q.question, q.answer});
    }
  }
  start.model_file = readText(env.options().scene_file);
  start.init_state = env.physicsState();
  try {
    tap_->begin(start);
  } catch (const std::exception& e) {
    loop->start();
    reportError(tr("Cannot start recording: %1").arg(QString::fromStdString(e.what())));
    setState(RecordState::kIdle);
    return false;
  }
  loop->start();
  next_seed_ = seed;
  setState(RecordState::kRecording);
  showStatus(tr("Recording: %1 (seed %2). Right arrow ends and saves, Left arrow re-records.")
                 .arg(QString::fromStdString(a.instruction))
                 .arg(seed));
  return true;
}

void EpisodesController::endEpisode() {
  if (state_ == RecordState::kResetting) {  // Right during the reset phase: skip the rest of it
    startRecording();
    return;
  }
  if (state_ != RecordState::kRecording) return;
  core::EpisodeOutcome outcome;
  outcome.success = tap_->worldSuccess();
  const std::uint64_t steps = tap_->steps();
  if (steps == 0) {
    tap_->end(core::EndDecision::kDiscard, outcome);
    showStatus(tr("The episode had no steps: nothing saved"));
  } else {
    tap_->end(core::EndDecision::kKeep, outcome);
    showStatus(tr("Episode saved: %1 steps, %2 with interventions, %3")
                   .arg(steps)
                   .arg(tap_->interventions())
                   .arg(outcome.success ? tr("success") : tr("no success")));
  }
  recording_panel_->setSeed(next_seed_ + 1);
  enterResetPhase(next_seed_ + 1);
}

void EpisodesController::rerecord() {
  if (state_ != RecordState::kRecording) return;
  tap_->end(core::EndDecision::kDiscard, {});
  showStatus(tr("Episode discarded: re-recording from seed %1").arg(next_seed_));
  enterResetPhase(next_seed_);
}

void EpisodesController::discard() {
  if (state_ == RecordState::kIdle) return;
  if (state_ == RecordState::kRecording) {
    tap_->end(core::EndDecision::kDiscard, {});
    showStatus(tr("Episode discarded"));
  }
  setState(RecordState::kIdle);
}

void EpisodesController::enterResetPhase(int seed) {
  // The world is laid out for the next episode right away; recording starts after the pause.
  resetWorld(seed);
  if (WorldController* world = studio_->world();
      world && world->controlLoop() && !world->paused()) {
    world->controlLoop()->start();
  }
  reset_remaining_s_ = recording_panel_->resetSeconds();
  setState(RecordState::kResetting);
  if (reset_remaining_s_ > 0) reset_timer_.start();
}

// ---- replay -----------------------------------------------------------------------------------

bool EpisodesController::startReplay() {
  if (!loaded_) return false;
  if (state_ != RecordState::kIdle) {
    reportError(tr("Finish recording before replaying"));
    return false;
  }
  WorldController* world = studio_->world();
  if (!world || !world->session()) {
    reportError(tr("Replay needs the built-in world: it is not running"));
    return false;
  }
  stopReplay();
  try {
    const auto& e = loaded_->episode;
    replay_ =
        std::make_unique<EpisodeReplay>(*world->session(), world->controlLoop(),
                                        world->paused() ? EpisodeReplay::WorldLoop::kLeaveStopped
                                                        : EpisodeReplay::WorldLoop::kRestart,
                                        e.annotations, e.actions, e.init_state);
  } catch (const std::exception& e) {
    reportError(tr("Cannot replay %1: %2").arg(loaded_->name, QString::fromStdString(e.what())));
    return false;
  }
  replay_->start();
  annotation_->setReplaying(true);
  annotation_->timeline()->setCurrentStep(0);
  annotation_->setStatus(
      replay_->initialStateMatches()
          ? tr("Replaying %1 from its initial state").arg(loaded_->name)
          : tr("Replaying %1: the world's initial state differs from the recorded one "
               "(max %2)")
                .arg(loaded_->name)
                .arg(replay_->initialStateMaxDiff(), 0, 'g', 3));
  return true;
}

void EpisodesController::stopReplay() {
  if (!replay_) return;
  replay_->stop();
  const bool finished = replay_->finished();
  QString summary;
  if (loaded_ && finished) {
    // How far the replayed path ended from the recorded one.
    const auto path = replay_->path();
    const auto& ee = loaded_->episode.ee_pos;
    double max_mm = 0.0;
    for (std::size_t t = 0; t + 1 < path.size() && static_cast<Eigen::Index>(t + 1) < ee.rows();
         ++t) {
      const auto r = static_cast<Eigen::Index>(t + 1);
      const cv::Vec3d d = path[t] - cv::Vec3d(ee(r, 0), ee(r, 1), ee(r, 2));
      max_mm = std::max(max_mm, 1000.0 * cv::norm(d));
    }
    last_replay_steps_ = static_cast<int>(path.size());
    last_replay_error_mm_ = max_mm;
    summary = tr("Replay of %1 done: %2 actions; the replayed path stays within %3 mm of the "
                 "recorded one")
                  .arg(loaded_->name)
                  .arg(path.size())
                  .arg(max_mm, 0, 'f', 2);
  } else {
    summary = tr("Replay stopped");
  }
  replay_.reset();
  annotation_->setReplaying(false);
  annotation_->setStatus(summary);
  showStatus(summary);
  Q_EMIT replayFinished();
}

bool EpisodesController::replaying() const { return replay_ && replay_->running(); }

// ---- the GUI timer ----------------------------------------------------------------------------

void EpisodesController::poll() {
  WorldController* world = studio_->world();
  attachWorld();
  if (const QString ckpt = studio_->checkpointDirectory(); ckpt != prediction_checkpoint_) {
    prediction_checkpoint_ = ckpt;  // the live view's checkpoint predicts in the Annotation dock
    if (!ckpt.isEmpty()) predictions_->loadPolicy(ckpt);
  }
  if (state_ == RecordState::kRecording) {
    if (!tap_->recording()) {  // the tap stopped itself on an error
      reportError(QString::fromStdString(tap_->lastError()));
      setState(RecordState::kIdle);
    } else if (!world || world->controlLoop() != installed_loop_) {
      tap_->end(core::EndDecision::kDiscard, {});
      reportError(tr("The world restarted during the recording: the episode was discarded"));
      setState(RecordState::kIdle);
    } else if (tap_->discontinuity()) {
      tap_->end(core::EndDecision::kDiscard, {});
      reportError(tr("The world was reset during the recording: the episode was discarded"));
      setState(RecordState::kIdle);
    } else if (tap_->worldDone() && recording_panel_->endOnDone() && tap_->steps() > 0) {
      endEpisode();
    }
  }
  const double rate = world && world->controlLoop() ? world->controlLoop()->measuredRateHz() : 0.0;
  switch (state_) {
    case RecordState::kIdle:
      recording_panel_->setStatus(
          tr("Idle. Record starts an episode (seed %1).").arg(recording_panel_->seed()));
      break;
    case RecordState::kRecording:
      recording_panel_->setStatus(tr("\u25CF Recording: %1 steps, %2 with interventions, %3 Hz")
                                      .arg(tap_->steps())
                                      .arg(tap_->interventions())
                                      .arg(rate, 0, 'f', 1));
      break;
    case RecordState::kResetting:
      recording_panel_->setStatus(
          reset_remaining_s_ > 0 && reset_timer_.isActive()
              ? tr("Reset phase: next episode (seed %1) in %2 s; Right starts now")
                    .arg(recording_panel_->seed())
                    .arg(reset_remaining_s_)
              : tr("Reset phase: Record or Right starts the next episode (seed %1)")
                    .arg(recording_panel_->seed()));
      break;
  }
  if (recorder_) {
    const core::RecorderStats stats = recorder_->stats();
    recording_panel_->setRecorderStatus(
        tr("Recorder: %1 committed, %2 discarded, queue max %3, %4 steps written%5")
            .arg(stats.episodes_committed)
            .arg(stats.episodes_discarded)
            .arg(stats.queue_depth_max)
            .arg(stats.steps_written)
            .arg(stats.last_error.empty()
                     ? QString()
                     : tr("; error: %1").arg(QString::fromStdString(stats.last_error))));
    if (stats.last_error != last_recorder_error_) {
      last_recorder_error_ = stats.last_error;
      if (!stats.last_error.empty()) reportError(QString::fromStdString(stats.last_error));
    }
    if (stats.episodes_committed != commits_seen_) {
      commits_seen_ = stats.episodes_committed;
      rescan();
      Q_EMIT episodeCommitted(QString::fromStdString(stats.last_committed));
    }
  }
  if (replay_) {
    const int shown = std::min(replay_->stepsSent(), replay_->length() - 1);
    if (shown >= 0 && shown != annotation_->timeline()->currentStep())
      annotation_->timeline()->setCurrentStep(shown);
    if (replay_->finished()) stopReplay();
  }
}

}  // namespace thinkvla::studio
