#include "studio/studio_controller.h"

#include <hdf5.h>
#include <spdlog/spdlog.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include "studio/main_window.h"
#include "studio/world_controller.h"

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

StudioController::StudioController(MainWindow* window) : QObject(window), window_(window) {
  connect(window, &MainWindow::openCheckpointRequested, this, &StudioController::openCheckpoint);
  connect(window, &MainWindow::openDatasetRequested, this, &StudioController::openDataset);
}

StudioController::~StudioController() = default;

bool StudioController::startWorld(const QString& checkpoint) {
  world_ = std::make_unique<WorldController>(window_);
  if (!world_->start()) return false;
  if (!checkpoint.isEmpty() && checkCheckpointDirectory(checkpoint).ok) {
    world_->loadPolicy(checkpoint);
  }
  return true;
}

void StudioController::openCheckpoint(const QString& directory) {
  const FileCheck check = checkCheckpointDirectory(directory);
  window_->showStatus(check.summary);
  if (!check.ok) {
    spdlog::error("open checkpoint: {}", check.summary.toStdString());
    return;
  }
  spdlog::info("{}", check.summary.toStdString());
  window_->noteRecentFile(RecentKind::kCheckpoint, directory);
  if (world_ && world_->running()) world_->loadPolicy(directory);
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
}

}  // namespace thinkvla::studio
