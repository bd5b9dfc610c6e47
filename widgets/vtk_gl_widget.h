// VtkGlWidget: VTK 9.1 rendering inside a Qt 6 QOpenGLWidget, without VTK's Qt module (Debian
// builds it for Qt 5). VTK draws with Qt's context through a vtkGenericOpenGLRenderWindow into its
// own framebuffers; paintGL() then blits VTK's display framebuffer into the widget's framebuffer
// and calls paintOverlay() so subclasses can draw on top (the ImGui HUD) in the same context.
// Mouse: left drag rotates, middle drag (or shift + left) pans, right drag or the wheel zooms.
//
// Ownership: the widget owns the render window, the renderer and the interactor; callers add
// props to renderer(). Thread: GUI thread only, like every widget.
#pragma once

#include <QOpenGLWidget>
#include <vtkSmartPointer.h>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkObject;
class vtkRenderer;

namespace thinkvla::widgets {

class VtkGlWidget : public QOpenGLWidget {
  Q_OBJECT

 public:
  explicit VtkGlWidget(QWidget* parent);
  ~VtkGlWidget() override;

  vtkGenericOpenGLRenderWindow* renderWindow() const;
  vtkRenderer* renderer() const;

  // The surface format VTK 9.1 needs (OpenGL 3.2 core, depth and stencil). Set it as the
  // application's default before the QApplication is made.
  static QSurfaceFormat defaultFormat();

 protected:
  void initializeGL() override;
  void resizeGL(int width, int height) override;
  void paintGL() override;

  // Called at the end of paintGL with the widget's framebuffer bound and VTK's picture in it.
  virtual void paintOverlay() {}
  // Subclasses with an overlay return true when the overlay takes this event (the pointer is over
  // the HUD): it then does not reach VTK's camera.
  virtual bool overlayTakesEvent(QEvent* event) { return false; }

  bool event(QEvent* event) override;

 private:
  void onVtkEvent(vtkObject* caller, unsigned long event_id, void* call_data);
  void forwardMouse(QEvent* event);
  void releaseGl();

  vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
  vtkSmartPointer<vtkRenderer> renderer_;
  vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor_;
  bool gl_ready_ = false;
  bool in_paint_ = false;
};

}  // namespace thinkvla::widgets
