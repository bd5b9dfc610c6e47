#include "widgets/vtk_gl_widget.h"

#include <QMouseEvent>
#include <QOpenGLContext>
#include <QWheelEvent>
#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

namespace thinkvla::widgets {

VtkGlWidget::VtkGlWidget(QWidget* parent)
    : QOpenGLWidget(parent),
      window_(vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New()),
      renderer_(vtkSmartPointer<vtkRenderer>::New()),
      interactor_(vtkSmartPointer<vtkGenericRenderWindowInteractor>::New()) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  setUpdateBehavior(QOpenGLWidget::NoPartialUpdate);
  setMinimumSize(160, 120);

  window_->AddRenderer(renderer_);
  // Nothing renders until initializeGL has handed VTK Qt's context.
  window_->SetReadyForRendering(false);
  // Qt presents the picture; VTK must not blit to framebuffer 0 of a context it does not own.
  window_->SetFrameBlitModeToNoBlit();
  window_->SetMultiSamples(0);
  window_->AddObserver(vtkCommand::WindowMakeCurrentEvent, this, &VtkGlWidget::onVtkEvent);
  window_->AddObserver(vtkCommand::WindowIsCurrentEvent, this, &VtkGlWidget::onVtkEvent);
  window_->AddObserver(vtkCommand::WindowFrameEvent, this, &VtkGlWidget::onVtkEvent);

  // The interactor turns forwarded Qt events into camera motion; rendering stays with Qt (update()).
  interactor_->SetRenderWindow(window_);
  interactor_->EnableRenderOff();
  auto style = vtkSmartPointer<vtkInteractorStyleTrackballCamera>::New();
  interactor_->SetInteractorStyle(style);
  interactor_->Initialize();
}

VtkGlWidget::~VtkGlWidget() {
  makeCurrent();
  releaseGl();
  doneCurrent();
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
  format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
  return format;
}

void VtkGlWidget::initializeGL() {
  // Qt may recreate the context (re-parenting into a new top-level window): start clean each time.
  connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] {
    makeCurrent();
    releaseGl();
    doneCurrent();
  });
  window_->SetOwnContext(0);
  window_->SetReadyForRendering(true);
  window_->SetForceMaximumHardwareLineWidth(1);
  // OpenGLInitContext loads VTK's GL entry points (GLEW) from the current (Qt's) context and sets up
  // VTK's state tracker. The framebuffers are made later, in Render's Start(), at the window size.
  window_->OpenGLInitContext();
  gl_ready_ = true;
}

void VtkGlWidget::releaseGl() {
  if (!gl_ready_) return;
  gl_ready_ = false;
  window_->ReleaseGraphicsResources(window_);
  window_->SetReadyForRendering(false);
}

void VtkGlWidget::resizeGL(int width, int height) {
  const qreal dpr = devicePixelRatioF();
  const int w = std::max(1, static_cast<int>(width * dpr));
  const int h = std::max(1, static_cast<int>(height * dpr));
  interactor_->UpdateSize(w, h);  // also sets the render window's size
  window_->SetSize(w, h);
}

void VtkGlWidget::paintGL() {
  if (!gl_ready_) return;
  in_paint_ = true;
  window_->Render();
  // VTK may have changed the current context (an observer rendering another view): be sure.
  makeCurrent();
  const qreal dpr = devicePixelRatioF();
  const int w = static_cast<int>(width() * dpr);
  const int h = static_cast<int>(height() * dpr);

  // Every state change goes through VTK's state tracker: VTK caches GL state (clear colour,
  // viewport, bindings) and skips calls it believes redundant, so a change made behind its back
  // shows up next frame as a wrong (black) background.
  vtkOpenGLState* state = window_->GetState();
  state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  GLenum buffers[1] = {GL_COLOR_ATTACHMENT0};
  state->vtkglDrawBuffers(1, buffers);
  state->vtkglDisable(GL_SCISSOR_TEST);
  const int* size = window_->GetRenderFramebuffer()->GetLastSize();
  window_->BlitDisplayFramebuffer(0, 0, 0, size[0], size[1], 0, 0, w, h, GL_COLOR_BUFFER_BIT,
                                  GL_LINEAR);
  // Opaque alpha, or the compositor blends the view with what lies behind the window (Mesa).
  state->vtkglColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  state->vtkglClearColor(0.0f, 0.0f, 0.0f, 1.0f);
  state->vtkglClear(GL_COLOR_BUFFER_BIT);
  state->vtkglColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
  state->vtkglBindFramebuffer(GL_FRAMEBUFFER, defaultFramebufferObject());
  state->vtkglViewport(0, 0, w, h);

  // The overlay saves and restores the GL state it touches (imgui_impl_opengl3 does).
  paintOverlay();
  in_paint_ = false;
}

void VtkGlWidget::onVtkEvent(vtkObject*, unsigned long event_id, void* call_data) {
  switch (event_id) {
    case vtkCommand::WindowMakeCurrentEvent:
      // Not QOpenGLWidget::makeCurrent(): that also binds the widget's framebuffer, behind the
      // back of VTK's state tracker. VTK asks for the context in the middle of building its own
      // framebuffers; a rebind there attaches VTK's textures to Qt's framebuffer and leaves VTK's
      // incomplete (GL_FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT: a black view).
      if (QOpenGLContext::currentContext() != context()) {
        context()->makeCurrent(context()->surface());
      }
      break;
    case vtkCommand::WindowIsCurrentEvent: {
      bool& current = *static_cast<bool*>(call_data);
      current = QOpenGLContext::currentContext() == context();
      break;
    }
    case vtkCommand::WindowFrameEvent:
      // A render started by VTK itself (not from paintGL): show it.
      if (!in_paint_) update();
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
      return QOpenGLWidget::event(event);
    default:
      return QOpenGLWidget::event(event);
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
