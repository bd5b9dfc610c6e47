// VtkGlWidget: VTK 9.1 rendering inside a Qt 6 widget, without VTK's Qt module (Debian builds it
// for Qt 5). VTK draws with the widget's own OpenGL context (on an offscreen surface) into VTK's
// framebuffers; renderFrame() then calls paintOverlay() so subclasses can draw on top of VTK's
// picture (the ImGui HUD) in the same context, and reads the result back into an image that
// paintEvent() draws.
//
// Why not a QOpenGLWidget: a QOpenGLWidget makes Qt compose its whole top-level window with
// OpenGL on every frame of the view. With Mesa's llvmpipe (no GPU) that costs 16 ms a frame at
// 1280x1024 before anything is drawn (a QOpenGLWidget that only clears runs at 61 fps there). A
// plain widget's window stays a raster window: a frame of the view costs its own render, one
// read-back of its pixels and the flush of its own rectangle.
//
// Mouse: left drag rotates, middle drag (or shift + left) pans, right drag or the wheel zooms.
//
// Ownership: the widget owns the GL context, the render window, the renderer and the interactor;
// callers add props to renderer(). Thread: GUI thread only, like every widget.
#pragma once

#include <QImage>
#include <QSurfaceFormat>
#include <QWidget>
#include <memory>
#include <vector>
#include <vtkSmartPointer.h>

class QOffscreenSurface;
class QOpenGLContext;
class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkObject;
class vtkRenderer;

namespace thinkvla::widgets {

class VtkGlWidget : public QWidget {
  Q_OBJECT

 public:
  explicit VtkGlWidget(QWidget* parent);
  ~VtkGlWidget() override;

  vtkGenericOpenGLRenderWindow* renderWindow() const;
  vtkRenderer* renderer() const;

  // Renders a frame now and returns it (device pixels; a null image when no GL context could be
  // made). What paintEvent() shows.
  QImage grabFramebuffer();

  // The surface format VTK 9.1 needs (OpenGL 3.2 core, depth and stencil).
  static QSurfaceFormat defaultFormat();

 protected:
  // Called once, with the context current, after VTK has loaded its GL entry points.
  virtual void initializeGL() {}
  // Called during renderFrame() with the frame's framebuffer bound and VTK's picture in it.
  virtual void paintOverlay() {}
  // Subclasses with an overlay return true when the overlay takes this event (the pointer is over
  // the HUD): it then does not reach VTK's camera.
  virtual bool overlayTakesEvent(QEvent* event) { return false; }

  // Makes the widget's context current (creating it on first use); false when there is none.
  bool makeCurrent();
  void doneCurrent();

  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;

 private:
  bool ensureGl();
  bool renderFrame();
  void onVtkEvent(vtkObject* caller, unsigned long event_id, void* call_data);
  void forwardMouse(QEvent* event);
  void releaseGl();

  vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
  vtkSmartPointer<vtkRenderer> renderer_;
  vtkSmartPointer<vtkGenericRenderWindowInteractor> interactor_;
  std::unique_ptr<QOffscreenSurface> surface_;
  std::unique_ptr<QOpenGLContext> context_;
  QImage frame_;                     // the last frame read back, upright
  std::vector<unsigned char> rows_;  // read-back scratch (bottom-up rows)
  bool gl_ready_ = false;
  bool gl_failed_ = false;
  bool in_render_ = false;
};

}  // namespace thinkvla::widgets
