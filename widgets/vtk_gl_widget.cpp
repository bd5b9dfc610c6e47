#include "widgets/vtk_gl_widget.h"

#include <QMouseEvent>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QPainter>
#include <QWheelEvent>
#include <spdlog/spdlog.h>
#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

#include <cstring>

namespace thinkvla::widgets {

VtkGlWidget::VtkGlWidget(QWidget* parent)
    : QWidget(parent),
      window_(vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New()),
      renderer_(vtkSmartPointer<vtkRenderer>::New()),
      interactor_(vtkSmartPointer<vtkGenericRenderWindowInteractor>::New()) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  // Every paint covers the whole widget with the frame: Qt need not clear behind it.
  setAttribute(Qt::WA_OpaquePaintEvent);
  setAttribute(Qt::WA_NoSystemBackground);
  setMinimumSize(160, 120);

  window_->AddRenderer(renderer_);
  // Nothing renders until ensureGl() has handed VTK the widget's context.
  window_->SetReadyForRendering(false);
  // The frame is read back from VTK's display framebuffer; VTK has no window to blit to.
  window_->SetFrameBlitModeToNoBlit();
  window_->SetMultiSamples(0);
  window_->AddObserver(vtkCommand::WindowMakeCurrentEvent, this, &VtkGlWidget::onVtkEvent);
  window_->AddObserver(vtkCommand::WindowIsCurrentEvent, this, &VtkGlWidget::onVtkEvent);
  window_->AddObserver(vtkCommand::WindowFrameEvent, this, &VtkGlWidget::onVtkEvent);

  // The interactor turns forwarded Qt events into camera motion; rendering stays with Qt
  // (update()).
  interactor_->SetRenderWindow(window_);
  interactor_->EnableRenderOff();
  auto style = vtkSmartPointer<vtkInteractorStyleTrackballCamera>::New();
  interactor_->SetInteractorStyle(style);
  interactor_->Initialize();
}

VtkGlWidget::~VtkGlWidget() {
  if (makeCurrent()) {
    releaseGl();
    doneCurrent();
  }
  window_->RemoveAllObservers();
}

vtkGenericOpenGLRenderWindow* VtkGlWidget::renderWindow() const { return window_; }
vtkRenderer* VtkGlWidget::renderer() const { return renderer_; }

QSurfaceFormat VtkGlWidget::defaultFormat() {
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setRedBufferSize(8);
  format.setGreenBufferSize(8);
  format.setBlueBufferSize(8);
  format.setAlphaBufferSize(8);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(8);
  format.setSamples(0);
  return format;
}

bool VtkGlWidget::ensureGl() {
  if (gl_ready_) return true;
  if (gl_failed_) return false;
  surface_ = std::make_unique<QOffscreenSurface>();
  surface_->setFormat(defaultFormat());
  surface_->create();
  context_ = std::make_unique<QOpenGLContext>();
  context_->setFormat(defaultFormat());
  if (!surface_->isValid() || !context_->create() || !context_->makeCurrent(surface_.get())) {
    spdlog::error("3D view: cannot create an OpenGL 3.2 core context (offscreen surface)");
    context_.reset();
    surface_.reset();
    gl_failed_ = true;
    return false;
  }
  window_->SetOwnContext(0);
  window_->SetReadyForRendering(true);
  window_->SetForceMaximumHardwareLineWidth(1);
  // OpenGLInitContext loads VTK's GL entry points (GLEW) from the current context and sets up
  // VTK's state tracker. The framebuffers are made later, in Render's Start(), at the window size.
  window_->OpenGLInitContext();
  gl_ready_ = true;
  initializeGL();
  return true;
}

bool VtkGlWidget::makeCurrent() {
  if (!gl_ready_) return false;
  return context_->makeCurrent(surface_.get());
}

void VtkGlWidget::doneCurrent() {
  if (gl_ready_) context_->doneCurrent();
}

void VtkGlWidget::releaseGl() {
  if (!gl_ready_) return;
  window_->ReleaseGraphicsResources(window_);
  window_->SetReadyForRendering(false);
  gl_ready_ = false;
}

bool VtkGlWidget::renderFrame() {
  if (!ensureGl() || !makeCurrent()) return false;
  const qreal dpr = devicePixelRatioF();
  const int w = std::max(1, static_cast<int>(width() * dpr));
  const int h = std::max(1, static_cast<int>(height() * dpr));
  const int* size = window_->GetSize();
  if (size[0] != w || size[1] != h) {
    interactor_->UpdateSize(w, h);  // also sets the render window's size
    window_->SetSize(w, h);
  }
  in_render_ = true;
  window_->Render();
  // VTK may have changed the current context (an observer rendering another view): be sure.
  makeCurrent();

  // Every state change goes through VTK's state tracker: VTK caches GL state (clear colour,
  // viewport, bindings) and skips calls it believes redundant, so a change made behind its back
  // shows up next frame as a wrong (black) background.
  vtkOpenGLState* state = window_->GetState();
  vtkOpenGLFramebufferObject* display = window_->GetDisplayFramebuffer();
  state->vtkglBindFramebuffer(GL_FRAMEBUFFER, display->GetFBOIndex());
  GLenum buffers[1] = {GL_COLOR_ATTACHMENT0};
  state->vtkglDrawBuffers(1, buffers);
  state->vtkglReadBuffer(GL_COLOR_ATTACHMENT0);
  state->vtkglDisable(GL_SCISSOR_TEST);
  state->vtkglViewport(0, 0, w, h);
  // The overlay saves and restores the GL state it touches (imgui_impl_opengl3 does).
  paintOverlay();
  // Opaque alpha: the frame is shown and saved as an opaque image.
  state->vtkglColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  state->vtkglClearColor(0.0f, 0.0f, 0.0f, 1.0f);
  state->vtkglClear(GL_COLOR_BUFFER_BIT);
  state->vtkglColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);

  // BGRA bytes are QImage::Format_RGB32's memory order on little-endian machines; GL's rows run
  // bottom-up, the image's top-down.
  const size_t row_bytes = static_cast<size_t>(w) * 4;
  rows_.resize(row_bytes * static_cast<size_t>(h));
  state->vtkglPixelStorei(GL_PACK_ALIGNMENT, 4);
  context_->functions()->glReadPixels(0, 0, w, h, GL_BGRA, GL_UNSIGNED_BYTE, rows_.data());
  if (frame_.width() != w || frame_.height() != h) frame_ = QImage(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y) {
    std::memcpy(frame_.scanLine(h - 1 - y), rows_.data() + row_bytes * static_cast<size_t>(y),
                row_bytes);
  }
  frame_.setDevicePixelRatio(dpr);
  in_render_ = false;
  return true;
}

QImage VtkGlWidget::grabFramebuffer() {
  if (!renderFrame()) return {};
  return frame_.copy();
}

void VtkGlWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  if (!renderFrame()) {
    p.fillRect(rect(), QColor(18, 20, 24));
    p.setPen(QColor(230, 120, 120));
    p.drawText(rect(), Qt::AlignCenter, tr("No OpenGL 3.2 context: the 3D view cannot draw"));
    return;
  }
  p.drawImage(QPoint(0, 0), frame_);
}

void VtkGlWidget::onVtkEvent(vtkObject*, unsigned long event_id, void* call_data) {
  switch (event_id) {
    case vtkCommand::WindowMakeCurrentEvent:
      if (context_ && QOpenGLContext::currentContext() != context_.get()) {
        context_->makeCurrent(surface_.get());
      }
      break;
    case vtkCommand::WindowIsCurrentEvent: {
      bool& current = *static_cast<bool*>(call_data);
      current = context_ && QOpenGLContext::currentContext() == context_.get();
      break;
    }
    case vtkCommand::WindowFrameEvent:
      // A render started by VTK itself (not from renderFrame): show it.
      if (!in_render_) update();
      break;
    default:
      break;
  }
}

bool VtkGlWidget::event(QEvent* event) {
  switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseMove:
    case QEvent::Wheel:
      if (!overlayTakesEvent(event)) {
        forwardMouse(event);
      }
      update();
      return true;
    case QEvent::KeyPress:
    case QEvent::KeyRelease:
      overlayTakesEvent(event);
      update();
      return QWidget::event(event);
    default:
      return QWidget::event(event);
  }
}

void VtkGlWidget::forwardMouse(QEvent* event) {
  const qreal dpr = devicePixelRatioF();
  const auto* input = static_cast<QInputEvent*>(event);
  const bool ctrl = input->modifiers().testFlag(Qt::ControlModifier);
  const bool shift = input->modifiers().testFlag(Qt::ShiftModifier);
  if (event->type() == QEvent::Wheel) {
    const auto* wheel = static_cast<QWheelEvent*>(event);
    const QPointF p = wheel->position() * dpr;
    interactor_->SetEventInformationFlipY(static_cast<int>(p.x()), static_cast<int>(p.y()), ctrl,
                                          shift);
    const int delta = wheel->angleDelta().y();
    if (delta > 0) interactor_->MouseWheelForwardEvent();
    if (delta < 0) interactor_->MouseWheelBackwardEvent();
    return;
  }
  const auto* mouse = static_cast<QMouseEvent*>(event);
  const QPointF p = mouse->position() * dpr;
  const int repeat = event->type() == QEvent::MouseButtonDblClick ? 1 : 0;
  interactor_->SetEventInformationFlipY(static_cast<int>(p.x()), static_cast<int>(p.y()), ctrl,
                                        shift, 0, repeat);
  if (event->type() == QEvent::MouseMove) {
    interactor_->MouseMoveEvent();
    return;
  }
  const bool press = event->type() == QEvent::MouseButtonPress;
  switch (mouse->button()) {
    case Qt::LeftButton:
      press ? interactor_->LeftButtonPressEvent() : interactor_->LeftButtonReleaseEvent();
      break;
    case Qt::MiddleButton:
      press ? interactor_->MiddleButtonPressEvent() : interactor_->MiddleButtonReleaseEvent();
      break;
    case Qt::RightButton:
      press ? interactor_->RightButtonPressEvent() : interactor_->RightButtonReleaseEvent();
      break;
    default:
      break;
  }
}

}  // namespace thinkvla::widgets
