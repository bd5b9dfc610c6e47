#include "widgets/scene_view.h"

#include <vtkAxesActor.h>
#include <vtkRenderer.h>

#include "viz/scene_basics.h"
#include "widgets/imgui_overlay.h"

namespace thinkvla::widgets {

SceneView::SceneView(QWidget* parent)
    : VtkGlWidget(parent), overlay_(std::make_unique<ImGuiOverlay>(this)) {
  setObjectName("sceneView");
  viz::setupTabletopView(renderer());
  renderer()->AddActor(viz::makeGroundGrid());
  renderer()->AddActor(viz::makeWorldAxes(0.3));
  repaint_timer_.setTimerType(Qt::PreciseTimer);
  connect(&repaint_timer_, &QTimer::timeout, this, qOverload<>(&QWidget::update));
  // Up to 60 frames a second: the view draws as fast as the machine allows (35 fps with every
  // overlay on 2 cores and llvmpipe, docs/benchmarks.md); a 33 ms timer would cap it below 30.
  setRepaintInterval(16);
}

SceneView::~SceneView() {
  // The overlay's GL objects live in this widget's context: free them while it still exists.
  if (makeCurrent()) {
    overlay_->releaseGl();
    doneCurrent();
  }
  overlay_.reset();
}

void SceneView::setHudVisible(bool visible) {
  hud_visible_ = visible;
  update();
}

void SceneView::setHudLines(std::vector<std::pair<std::string, std::string>> lines) {
  hud_lines_ = std::move(lines);
  update();
}

void SceneView::setQuickControls(int layers, int heads, int layer, int head, double opacity) {
  quick_.layers = layers;
  quick_.heads = heads;
  quick_.layer = layer;
  quick_.head = head;
  quick_.opacity = static_cast<float>(opacity);
  quick_shown_ = true;
  update();
}

void SceneView::setRepaintInterval(int interval_ms) {
  repaint_timer_.stop();
  if (interval_ms > 0) {
    repaint_timer_.setInterval(interval_ms);
    if (isVisible()) repaint_timer_.start();
  }
}

void SceneView::showEvent(QShowEvent* event) {
  VtkGlWidget::showEvent(event);
  if (repaint_timer_.interval() > 0) repaint_timer_.start();
}

void SceneView::hideEvent(QHideEvent* event) {
  repaint_timer_.stop();
  VtkGlWidget::hideEvent(event);
}

void SceneView::resetCamera() {
  viz::setupTabletopView(renderer());
  update();
}

void SceneView::initializeGL() {
  VtkGlWidget::initializeGL();
  overlay_->initialize();
}

void SceneView::paintOverlay() {
  // Interval between the starts of successive frames: what the user perceives as the frame rate.
  if (frame_clock_.isValid()) {
    frames_.addFrame(static_cast<double>(frame_clock_.nsecsElapsed()) * 1e-6);
  }
  frame_clock_.start();
  if (!overlay_->isInitialized()) return;
  overlay_->beginFrame();
  if (hud_visible_) {
    viz::HudContent content;
    content.frames = &frames_;
    content.lines = hud_lines_;
    content.corner = viz::HudCorner::kTopLeft;
    if (quick_shown_) content.controls = &quick_;
    const viz::HudRect r = viz::drawHud(content);
    hud_rect_ = QRectF(r.x, r.y, r.width, r.height);
    if (r.controls_changed) {
      // Not from inside the frame: a receiver may touch this widget (or others) in turn.
      QMetaObject::invokeMethod(
          this,
          [this, q = quick_] { Q_EMIT quickControlsChanged(q.layer, q.head, q.opacity); },
          Qt::QueuedConnection);
    }
  } else {
    hud_rect_ = QRectF();
  }
  overlay_->endFrame();
}

bool SceneView::overlayTakesEvent(QEvent* event) { return overlay_->handleEvent(event); }

}  // namespace thinkvla::widgets
