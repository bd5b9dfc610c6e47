#include "studio/studio_controller.h"

#include <hdf5.h>
#include <spdlog/spdlog.h>

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>

#include "core/pipeline/temporal_ensemble.h"
#include "core/sim/perturbation.h"
#include "core/sim/tasks.h"
#include "model/policy.h"
#include "studio/camera_dock.h"
#include "studio/episodes_controller.h"
#include "studio/live_controller.h"
#include "studio/main_window.h"
#include "studio/training_controller.h"
#include "studio/world_controller.h"
#include "widgets/camera_view.h"
#include "widgets/model_panel.h"
#include "widgets/scene_view.h"
#include "widgets/sources_panel.h"

namespace thinkvla::studio {

FileCheck checkCheckpointDirectory(const QString& directory) {
  const QDir dir(directory);
  if (!dir.exists()) return {false, QString("%1: no such directory").arg(directory)};
  for (const char* required : {"config.json", "model.safetensors", "tokenizer.model"}) {
    if (!dir.exists(required)) {
      return {false, QString("%1: not a checkpoint, %2 is missing").arg(directory, required)};
    }
  }
  QFile config(dir.filePath("config.json"));
  if (!config.open(QIODevice::ReadOnly)) {
    return {false, QString("%1: cannot read").arg(config.fileName())};
  }
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(config.readAll(), &error);
  if (doc.isNull() || !doc.isObject()) {
    return {false, QString("%1: invalid JSON at offset %2: %3")
                       .arg(config.fileName())
                       .arg(error.offset)
                       .arg(error.errorString())};
  }
  const QJsonObject o = doc.object();
  const qint64 weights_bytes = QFileInfo(dir.filePath("model.safetensors")).size();
  return {true, QString("checkpoint %1: preset '%2', %3 MB of weights")
                    .arg(dir.absolutePath(), o.value("preset").toString("?"))
                    .arg(static_cast<double>(weights_bytes) / 1e6, 0, 'f', 1)};
}

FileCheck checkEpisodeFile(const QString& path) {
  const QByteArray native = QFile::encodeName(path);
  if (!QFileInfo::exists(path)) return {false, QString("%1: no such file").arg(path)};
  H5E_auto2_t old_func = nullptr;
  void* old_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &old_func, &old_data);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported by us, not printed by HDF5
  FileCheck result;
  if (H5Fis_hdf5(native.constData()) <= 0) {
    result = {false, QString("%1: not an HDF5 file").arg(path)};
  } else if (const hid_t file = H5Fopen(native.constData(), H5F_ACC_RDONLY, H5P_DEFAULT); file < 0) {
    result = {false, QString("%1: HDF5 file cannot be opened (truncated or damaged?)").arg(path)};
  } else {
    const hid_t data = H5Gopen2(file, "data", H5P_DEFAULT);
    if (data < 0) {
      result = {false, QString("%1: no 'data' group, not a LIBERO/robomimic episode file").arg(path)};
    } else {
      H5G_info_t info{};
      H5Gget_info(data, &info);
      result = {true, QString("episode file %1: %2 demos").arg(path).arg(info.nlinks)};
      H5Gclose(data);
    }
    H5Fclose(file);
  }
  H5Eset_auto2(H5E_DEFAULT, old_func, old_data);
  return result;
}

namespace {
constexpr const char* kDefaultWorld = "sim:spatial/0";

widgets::ModelSummary summarize(const model::Policy& policy, const QString& directory) {
  widgets::ModelSummary s;
  const model::PolicyConfig& c = policy.config();
  s.directory = QDir(directory).absolutePath();
  s.preset = QString::fromStdString(c.preset);
  s.deployed = c.deployed;
  const model::ParameterCounts counts = model::countParameters(policy.checkpoint().net);
  s.parameters_full = counts.total;
  s.parameters_deployed = counts.deployed;
  for (const auto& [name, count] : counts.components) {
    s.components.append({QString::fromStdString(name), count});
  }
  s.vocab_size = policy.checkpoint().tokenizer.vocabSize();
  s.tokenizer = QString("SentencePiece BPE; pad %1, eos %2, <anchor> %3")
                    .arg(c.pad_token_id)
                    .arg(c.eos_token_id)
                    .arg(c.anchor_token_id);
  const nlohmann::json json = c.toJson();
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.value().is_object()) {
      for (auto sub = it.value().begin(); sub != it.value().end(); ++sub) {
        s.config.append({QString::fromStdString(it.key() + "." + sub.key()),
                         QString::fromStdString(sub.value().dump())});
      }
    } else {
      const std::string value = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
      s.config.append({QString::fromStdString(it.key()), QString::fromStdString(value)});
    }
  }
  return s;
}

QJsonObject latencyJson(const LatencyStats& stats) {
  return QJsonObject{{"median", stats.medianMs()}, {"p95", stats.p95Ms()},
                     {"samples", static_cast<qint64>(stats.count())}};
}
}  // namespace

StudioController::StudioController(MainWindow* window) : QObject(window), window_(window) {
  connect(window, &MainWindow::openCheckpointRequested, this, &StudioController::openCheckpoint);
  connect(window, &MainWindow::openDatasetRequested, this, &StudioController::openDataset);
  connect(window, &MainWindow::exportViewsRequested, this,
          [this](const QString& directory) { exportViews(directory); });
  connect(window, &MainWindow::recordRolloutRequested, this, [this](const QString& file) {
    if (!startRecording(file)) window_->setRecordingChecked(false);
  });
  connect(window, &MainWindow::stopRecordingRequested, this, [this] { stopRecording(); });

  camera_dock_ = CameraDock::ensure(window_);
  connect(camera_dock_, &CameraDock::framePresented, this, &StudioController::onFramePresented);

  // Sources dock: the world's tasks and perturbations, the cameras on this machine.
  auto* sources_dock = new QDockWidget(tr("Sources"), window_);
  sources_dock->setObjectName("sourcesDock");
  sources_panel_ = new widgets::SourcesPanel(sources_dock);
  sources_dock->setWidget(sources_panel_);
  window_->addToggleableDock(Qt::LeftDockWidgetArea, sources_dock);
  QList<widgets::WorldSuite> suites;
  for (const core::sim::Suite suite : core::sim::allSuites()) {
    widgets::WorldSuite w;
    w.name = QString::fromStdString(core::sim::suiteName(suite));
    for (const auto& task : core::sim::suiteTasks(suite)) w.tasks << QString::fromStdString(task.name);
    suites << w;
  }
  QStringList dimensions;
  for (const auto d : core::sim::allDimensions()) dimensions << QString::fromStdString(core::sim::dimensionName(d));
  sources_panel_->setWorldCatalogue(suites, dimensions);
  sources_panel_->setCameras(findCameras());
  connect(sources_panel_, &widgets::SourcesPanel::sourceRequested, this,
          [this](const QString& spec) { openSource(spec); });
  connect(sources_panel_, &widgets::SourcesPanel::rescanRequested, this,
          [this] { sources_panel_->setCameras(findCameras()); });
  connect(sources_panel_, &widgets::SourcesPanel::calibrationRequested, this,
          &StudioController::setCalibration);

  // Model dock: the checkpoint, the instruction, run / pause / step / reset.
  auto* model_dock = new QDockWidget(tr("Model"), window_);
  model_dock->setObjectName("modelDock");
  model_panel_ = new widgets::ModelPanel(model_dock);
  model_dock->setWidget(model_panel_);
  window_->addToggleableDock(Qt::LeftDockWidgetArea, model_dock);
  // Sources and Model share the left column as tabs (Model in front: instruction and run
  // controls); the camera views get a generous width on the right.
  window_->tabifyDocks(sources_dock, model_dock);
  model_dock->raise();
  window_->resizeDocks({camera_dock_}, {620}, Qt::Horizontal);
  connect(model_panel_, &widgets::ModelPanel::openCheckpointRequested, this,
          &StudioController::openCheckpoint);
  connect(model_panel_, &widgets::ModelPanel::instructionSubmitted, this,
          &StudioController::setInstruction);
  connect(model_panel_, &widgets::ModelPanel::runRequested, this, [this] {
    if (world_ && world_->running()) world_->run();
    updatePanels();
  });
  connect(model_panel_, &widgets::ModelPanel::pauseRequested, this, [this] {
    if (world_ && world_->running()) world_->pause();
    updatePanels();
  });
  connect(model_panel_, &widgets::ModelPanel::stepRequested, this, [this] {
    if (world_ && world_->running()) world_->stepOnce();
  });
  connect(model_panel_, &widgets::ModelPanel::resetRequested, this, [this] {
    if (world_ && world_->running()) world_->reset();
  });
  connect(model_panel_, &widgets::ModelPanel::executionChanged, this,
          &StudioController::applyExecution);

  panel_timer_.setInterval(250);
  connect(&panel_timer_, &QTimer::timeout, this, &StudioController::updatePanels);
  panel_timer_.start();

  // Episodes, Annotation and Training docks: recording, annotating and fine-tuning.
  episodes_ = std::make_unique<EpisodesController>(window_, this);
  training_ = std::make_unique<TrainingController>(window_, this);
  connect(episodes_.get(), &EpisodesController::fileOpened, this,
          [this](const QString& file) { training_->panel()->addEpisodeFile(file); });
}

StudioController::~StudioController() {
  stopRecording();
  stopSources();
}

QStringList StudioController::findCameras() {
  QStringList cameras;
  QList<int> indices;
  const QDir dev("/dev");
  for (const QString& name : dev.entryList({"video*"}, QDir::System | QDir::Files)) {
    bool ok = false;
    const int index = name.mid(5).toInt(&ok);
    if (ok) indices << index;
  }
  std::sort(indices.begin(), indices.end());
  for (int index : indices) cameras << QString("camera:%1").arg(index);
  return cameras;
}

bool StudioController::startWorld(const QString& checkpoint) {
  if (!checkpoint.isEmpty()) loadCheckpoint(checkpoint);
  return openSource(kDefaultWorld);
}

void StudioController::stopSources() {
  if (world_) world_->stop();
  if (live_) live_->stop();
}

std::unique_ptr<model::Policy> StudioController::makePolicy(QString* error) const {
  if (checkpoint_dir_.isEmpty()) return nullptr;
  try {
    return std::make_unique<model::Policy>(model::Policy::load(checkpoint_dir_.toStdString()));
  } catch (const std::exception& e) {
    if (error != nullptr) *error = QString("%1: %2").arg(checkpoint_dir_, e.what());
    return nullptr;
  }
}

bool StudioController::openSource(const QString& spec) {
  const QString trimmed = spec.trimmed();
  stopSources();
  active_source_ = trimmed;
  QString error;
  bool ok = false;
  if (trimmed.startsWith("sim:")) {
    std::string parse_error;
    const auto world_spec = parseWorldSpec(trimmed.toStdString(), &parse_error);
    if (!world_spec) {
      error = QString::fromStdString(parse_error);
    } else {
      if (!world_) {
        world_ = std::make_unique<WorldController>(window_);
        applyExecution();
      }
      ok = world_->start(*world_spec);
      if (!ok) error = tr("%1: the built-in world could not start (see the log)").arg(trimmed);
      if (ok && !checkpoint_dir_.isEmpty()) {
        QString policy_error;
        auto policy = makePolicy(&policy_error);
        if (policy && !world_->setPolicy(std::move(policy), &policy_error)) {
          policy_error = QString("%1: %2").arg(checkpoint_dir_, policy_error);
        }
        if (!policy_error.isEmpty()) {
          model_panel_->setError(policy_error);
          window_->showStatus(policy_error, 0);
          spdlog::error("world: {}", policy_error.toStdString());
        }
      }
      if (ok && !instruction_.isEmpty()) world_->setInstruction(instruction_);
    }
  } else {
    if (!live_) {
      live_ = std::make_unique<LiveController>(window_);
      connect(live_.get(), &LiveController::failed, this, [this] { updatePanels(); });
    }
    ok = live_->start(trimmed);
    if (!ok) {
      error = live_->error();
    } else {
      QString policy_error;
      live_->setPolicy(makePolicy(&policy_error));
      if (!policy_error.isEmpty()) model_panel_->setError(policy_error);
      if (!calibration_path_.isEmpty()) live_->setCalibration(calibration_path_);
      if (!instruction_.isEmpty()) live_->setInstruction(instruction_);
    }
  }
  if (!ok) {
    spdlog::error("source: {}", error.toStdString());
    window_->showStatus(error, 0);
    camera_dock_->setError(error);
  }
  updatePanels();
  return ok;
}

QString StudioController::sourceError() const {
  if (active_source_.startsWith("sim:")) return world_ && world_->running() ? QString() : tr("world not running");
  return live_ ? live_->status().error : QString();
}

bool StudioController::loadCheckpoint(const QString& directory) {
  const auto refuse = [&](const QString& message) {
    spdlog::error("open checkpoint: {}", message.toStdString());
    window_->showStatus(message, 0);
    model_panel_->setError(message);
    return false;
  };
  const FileCheck check = checkCheckpointDirectory(directory);
  if (!check.ok) return refuse(check.summary);
  std::unique_ptr<model::Policy> policy;
  try {
    policy = std::make_unique<model::Policy>(model::Policy::load(directory.toStdString()));
  } catch (const std::exception& e) {
    return refuse(QString("%1: %2").arg(directory, e.what()));
  }
  const widgets::ModelSummary summary = summarize(*policy, directory);
  if (world_ && world_->running()) {
    QString error;
    if (!world_->setPolicy(std::move(policy), &error)) {
      return refuse(QString("%1: %2").arg(directory, error));
    }
  } else if (live_ && live_->running()) {
    live_->setPolicy(std::move(policy));
  }
  model_panel_->setSummary(summary);
  checkpoint_dir_ = directory;
  spdlog::info("{}", check.summary.toStdString());
  window_->showStatus(check.summary);
  window_->noteRecentFile(RecentKind::kCheckpoint, directory);
  return true;
}

void StudioController::openCheckpoint(const QString& directory) { loadCheckpoint(directory); }

bool StudioController::setCalibration(const QString& path) {
  QString error;
  if (!path.isEmpty()) {
    // Check it now, whatever the source, so a bad file is reported when it is chosen.
    try {
      core::loadCameraCalibration(path.toStdString());
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
  }
  if (error.isEmpty() && live_ && live_->running()) live_->setCalibration(path, &error);
  if (!error.isEmpty()) {
    spdlog::error("calibration: {}", error.toStdString());
    window_->showStatus(error, 0);
    return false;
  }
  calibration_path_ = path;
  sources_panel_->setCalibrationPath(path);
  window_->showStatus(path.isEmpty() ? tr("Calibration cleared") : tr("Calibration %1").arg(path));
  return true;
}

void StudioController::setInstruction(const QString& instruction) {
  instruction_ = instruction.trimmed();
  if (world_ && world_->running()) world_->setInstruction(instruction_);
  if (live_ && live_->running()) live_->setInstruction(instruction_);
  window_->showStatus(instruction_.isEmpty() ? tr("Instruction: the task's own")
                                             : tr("Instruction: %1").arg(instruction_));
}

bool StudioController::setExecution(int execute_steps, std::optional<double> ensemble_decay) {
  if (ensemble_decay && !core::TemporalEnsemble::validDecay(*ensemble_decay)) {
    const QString error = tr("the ensemble decay must be >= 0, not %1").arg(*ensemble_decay);
    spdlog::error("{}", error.toStdString());
    window_->showStatus(error, 0);
    return false;
  }
  widgets::ChunkExecution e = model_panel_->execution();
  e.execute_steps = std::max(0, execute_steps);
  e.ensemble = ensemble_decay.has_value();
  if (ensemble_decay) e.decay = *ensemble_decay;
  model_panel_->setExecution(e);
  applyExecution();
  return true;
}

void StudioController::applyExecution() {
  if (!world_) return;
  const widgets::ChunkExecution e = model_panel_->execution();
  QString error;
  if (!world_->setExecution(e.execute_steps, e.ensemble ? std::optional<double>(e.decay)
                                                        : std::nullopt,
                            &error)) {
    window_->showStatus(error, 0);
    return;
  }
  if (world_->running() && world_->chunkSize() > 0) {
    window_->showStatus(e.ensemble ? tr("Re-planning every %1 of %2 actions, temporally "
                                        "ensembled (decay %3)")
                                         .arg(world_->executeSteps())
                                         .arg(world_->chunkSize())
                                         .arg(e.decay)
                                   : tr("Executing %1 of %2 actions per chunk")
                                         .arg(world_->executeSteps())
                                         .arg(world_->chunkSize()));
  }
}

void StudioController::updatePanels() {
  const bool world_active = world_ && world_->running();
  model_panel_->setChunkSize(world_active ? world_->chunkSize() : 0);
  model_panel_->setRunControls(world_active, world_active && world_->paused());
  widgets::SourceStatus status;
  if (world_active) {
    status.spec = active_source_;
    if (world_->lastState() && !world_->lastState()->cameras.empty()) {
      status.width = world_->lastState()->cameras.front().image_size.width;
      status.height = world_->lastState()->cameras.front().image_size.height;
    }
    status.measured_fps = world_->controlRateHz();
    status.frames = world_->controlTicks();
    status.dropped = world_->framesDropped();
    model_panel_->setInstruction(world_->instruction());
  } else if (live_ && live_->running()) {
    status = live_->status();
    model_panel_->setInstruction(live_->instruction());
  } else {
    status.spec = active_source_;
    status.error = active_source_.isEmpty() ? QString() : tr("not running");
    if (live_ && !live_->error().isEmpty() && !active_source_.startsWith("sim:")) status.error = live_->error();
  }
  sources_panel_->setStatus(status);
}

QStringList StudioController::exportViews(const QString& directory) {
  QStringList written;
  if (!QDir().mkpath(directory)) {
    const QString message = tr("Cannot create the folder %1").arg(directory);
    spdlog::error("{}", message.toStdString());
    window_->showStatus(message, 0);
    return written;
  }
  const QDir dir(directory);
  const auto& images = camera_dock_->composed();
  const auto& names = camera_dock_->cameraNames();
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (images[i].empty()) continue;
    QString name = i < names.size() ? QString::fromStdString(names[i]) : QString::number(i);
    name.replace(QRegularExpression("[^A-Za-z0-9_.-]"), "_");
    const QString path = dir.filePath(QString("camera_%1.png").arg(name));
    const cv::Mat& rgb = images[i];
    const QImage image(rgb.data, rgb.cols, rgb.rows, static_cast<qsizetype>(rgb.step), QImage::Format_RGB888);
    if (image.save(path, "PNG")) written << path;
  }
  const QString scene = dir.filePath("scene.png");
  if (window_->sceneView()->grabFramebuffer().save(scene, "PNG")) written << scene;
  const QString message = written.isEmpty() ? tr("Nothing exported to %1").arg(directory)
                                             : tr("Exported %1 views to %2").arg(written.size()).arg(directory);
  spdlog::info("{}", message.toStdString());
  window_->showStatus(message);
  return written;
}

bool StudioController::startRecording(const QString& file) {
  std::string error;
  const double fps = active_source_.startsWith("sim:") ? 20.0 : 30.0;
  if (!recorder_.start(file.toStdString(), fps, &error)) {
    spdlog::error("record: {}", error);
    window_->showStatus(QString::fromStdString(error), 0);
    return false;
  }
  spdlog::info("recording the camera views to {}", file.toStdString());
  window_->showStatus(tr("Recording to %1").arg(file));
  window_->setRecordingChecked(true);
  return true;
}

int StudioController::stopRecording() {
  if (!recorder_.recording()) return recorder_.framesWritten();
  const int frames = recorder_.stop();
  spdlog::info("recording stopped: {} frames in {}", frames, recorder_.path());
  window_->showStatus(tr("Recorded %1 frames to %2").arg(frames).arg(QString::fromStdString(recorder_.path())));
  window_->setRecordingChecked(false);
  return frames;
}

void StudioController::onFramePresented() {
  if (!recorder_.recording()) return;
  std::string error;
  if (!recorder_.addFrame(camera_dock_->composed(), &error)) {
    spdlog::error("record: {}", error);
    window_->showStatus(QString::fromStdString(error), 0);
    window_->setRecordingChecked(false);
  }
}

QJsonObject StudioController::benchSnapshot() const {
  QJsonObject o;
  o["source"] = active_source_;
  o["checkpoint"] = checkpoint_dir_;
  const auto& frames = window_->sceneView()->frameStats();
  o["gui_fps"] = frames.fps();
  o["gui_frame_ms_mean"] = frames.meanMs();
  o["camera_view_fps"] = camera_dock_->viewFps();
  o["camera_frames_presented"] = static_cast<qint64>(camera_dock_->framesPresented());
  o["camera_to_pixels_ms"] = latencyJson(camera_dock_->cameraToPixels());
  if (world_ && world_->running()) {
    o["control_hz"] = world_->controlRateHz();
    o["inferences"] = static_cast<qint64>(world_->inferences());
    o["camera_to_action_ms"] = latencyJson(world_->cameraToAction());
    o["inference_ms"] = latencyJson(world_->inferenceMs());
    o["execute_steps"] = world_->executeSteps();
    o["ensemble_decay"] = world_->ensembleDecay() ? QJsonValue(*world_->ensembleDecay())
                                                  : QJsonValue(QJsonValue::Null);
  } else if (live_ && live_->running()) {
    o["capture_fps"] = live_->status().measured_fps;
    o["inferences"] = static_cast<qint64>(live_->inferences());
    o["camera_to_action_ms"] = latencyJson(live_->cameraToAction());
    o["inference_ms"] = latencyJson(live_->inferenceMs());
  }
  return o;
}

void StudioController::openDataset(const QString& path) {
  const FileCheck check = checkEpisodeFile(path);
  window_->showStatus(check.summary);
  if (!check.ok) {
    spdlog::error("open dataset: {}", check.summary.toStdString());
    return;
  }
  spdlog::info("{}", check.summary.toStdString());
  window_->noteRecentFile(RecentKind::kDataset, path);
  if (episodes_) episodes_->openFile(path);
}

}  // namespace thinkvla::studio
