#include "studio/camera_dock.h"

#include <QGridLayout>
#include <QVBoxLayout>
#include <spdlog/spdlog.h>

#include "studio/main_window.h"
#include "widgets/camera_view.h"
#include "widgets/scene_view.h"

namespace thinkvla::studio {

namespace {
constexpr int kMinDisplayPx = 384;   // the world's 128 px cameras are drawn on at 3x
constexpr int kMaxDisplayPx = 1280;  // ... but a wide strip is not blown up past this

viz::AttentionStack stackFor(const core::AttentionMaps& maps, int view) {
  viz::AttentionStack s;
  if (maps.empty() || maps.views <= 0) return s;
  const int v = std::clamp(view, 0, maps.views - 1);
  s.layers = maps.layers;
  s.heads = maps.heads;
  for (int l = 0; l < maps.layers; ++l) {
    for (int h = 0; h < maps.heads; ++h) s.maps.push_back(maps.at(l, h, v));
  }
  return s;
}
}  // namespace

viz::CameraOverlayInputs overlayInputs(const core::PolicyIntrospection& introspection, int view) {
  viz::CameraOverlayInputs in;
  in.anchor = stackFor(introspection.anchor, view);
  in.action_queries = stackFor(introspection.action, view);
  if (!introspection.geometry.empty()) {
    const int v = std::clamp(view, 0, static_cast<int>(introspection.geometry.size()) - 1);
    in.geometry = introspection.geometry[static_cast<std::size_t>(v)];
    in.geometry_grid = introspection.patch_grid;
  }
  return in;
}

CameraDock* CameraDock::ensure(MainWindow* window) {
  if (auto* dock = window->findChild<CameraDock*>("cameraViewsDock")) return dock;
  auto* dock = new CameraDock(window);
  window->addToggleableDock(Qt::RightDockWidgetArea, dock, MainWindow::DockContent::kFixed);
  return dock;
}

CameraDock::CameraDock(MainWindow* window) : QDockWidget(tr("Camera views"), window), window_(window) {
  setObjectName("cameraViewsDock");
  auto* holder = new QWidget(this);
  auto* layout = new QVBoxLayout(holder);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->setSpacing(2);
  controls_ = new widgets::OverlayControls(holder);
  layout->addWidget(controls_);
  grid_holder_ = new QWidget(holder);
  auto* grid = new QGridLayout(grid_holder_);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setSpacing(2);
  layout->addWidget(grid_holder_, 1);
  grid_holder_->setMinimumHeight(220);  // the views keep a useful size beside tall docks
  setWidget(holder);
  setViewCount(2);

  connect(controls_, &widgets::OverlayControls::settingsChanged, this, [this] {
    syncHud();
    Q_EMIT settingsChanged();
  });
  connect(window_->sceneView(), &widgets::SceneView::quickControlsChanged, controls_,
          &widgets::OverlayControls::setQuick);
  syncHud();
}

widgets::OverlaySettings CameraDock::settings() const { return controls_->settings(); }

void CameraDock::setSettings(const widgets::OverlaySettings& settings) {
  controls_->setSettings(settings);
  syncHud();
  Q_EMIT settingsChanged();
}

void CameraDock::syncHud() {
  const auto s = controls_->settings();
  window_->sceneView()->setQuickControls(controls_->layers(), controls_->heads(), s.camera.layer,
                                         s.camera.head, s.camera.opacity);
}

void CameraDock::setViewCount(int count) {
  count = std::max(1, count);
  auto* grid = static_cast<QGridLayout*>(grid_holder_->layout());
  while (static_cast<int>(views_.size()) > count) {
    widgets::CameraView* view = views_.back();
    views_.pop_back();
    grid->removeWidget(view);
    delete view;
  }
  while (static_cast<int>(views_.size()) < count) {
    auto* view = new widgets::CameraView(grid_holder_);
    view->setObjectName(QString("cameraView%1").arg(views_.size()));
    view->setFocusPolicy(Qt::ClickFocus);
    const int i = static_cast<int>(views_.size());
    grid->addWidget(view, i / 2, i % 2);  // two per row
    views_.push_back(view);
  }
  pcas_.resize(views_.size());
  composed_.resize(views_.size());
  raw_.resize(views_.size());
  names_.resize(views_.size());
}

void CameraDock::present(const core::FrameSet& frames, const core::InferenceResult* result,
                         const std::vector<std::optional<viz::CameraModel>>& cameras,
                         const std::vector<viz::PathPoint>& path, double source_fps,
                         quint64 dropped, Timing timing) {
  if (frames.views.empty()) return;
  if (frames.views.size() != views_.size()) setViewCount(static_cast<int>(frames.views.size()));
  const widgets::OverlaySettings s = controls_->settings();
  const bool introspection = result != nullptr && result->has_introspection;
  if (introspection) {
    const auto& maps = result->introspection.anchor.empty() ? result->introspection.action
                                                            : result->introspection.anchor;
    if (maps.layers != controls_->layers() || maps.heads != controls_->heads()) {
      controls_->setAttentionShape(maps.layers, maps.heads);
      syncHud();
    }
  }
  viz::CameraOverlayOptions options = s.camera;
  options.min_display_px = kMinDisplayPx;
  options.max_display_px = kMaxDisplayPx;
  for (std::size_t i = 0; i < frames.views.size(); ++i) {
    const core::CameraFrame& frame = frames.views[i];
    if (frame.rgb.empty()) continue;
    viz::CameraOverlayInputs in;
    if (introspection) in = overlayInputs(result->introspection, static_cast<int>(i));
    in.path = path;
    if (i < cameras.size()) in.camera = cameras[i];
    try {
      composed_[i] = viz::composeCameraImage(frame.rgb, in, options, &pcas_[i]).rgb;
    } catch (const std::exception& e) {
      // Maps that do not fit the picture (a model of another shape): show the plain picture.
      spdlog::warn("camera view {}: overlays skipped: {}", frame.camera, e.what());
      composed_[i] = frame.rgb;
      pcas_[i].reset();
    }
    raw_[i] = frame.rgb;
    names_[i] = frame.camera;
    views_[i]->setFrame(composed_[i]);
    views_[i]->setCaption(QString::fromStdString(frame.camera), source_fps, dropped);
    if (!views_[i]->error().isEmpty()) views_[i]->setError({});
  }
  if (timing == Timing::kLive) {
    // Camera -> pixels: from the capture to the composed picture handed to its view.
    if (frames.captured_at.time_since_epoch().count() != 0) {
      const auto now = std::chrono::steady_clock::now();
      camera_to_pixels_.add(std::chrono::duration<double, std::milli>(now - frames.captured_at).count());
    }
    view_rate_.tick();
    ++presented_;
  }
  Q_EMIT framePresented();
}

void CameraDock::setError(const QString& message) {
  for (widgets::CameraView* view : views_) view->setError(message);
}

void CameraDock::clear() {
  for (widgets::CameraView* view : views_) {
    view->setFrame(cv::Mat());
    view->setCaption({}, 0.0, 0);
    view->setError({});
  }
  for (auto& pca : pcas_) pca.reset();
  for (auto& c : composed_) c.release();
  for (auto& r : raw_) r.release();
  camera_to_pixels_.clear();
  view_rate_.clear();
}

}  // namespace thinkvla::studio
