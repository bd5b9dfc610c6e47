// CameraDock: the Camera views dock, one per main window, shared by whichever source runs (the
// built-in world or a camera, file, folder or stream). It holds the overlay controls and one
// CameraView per camera of the source, composes each camera's picture with the chosen overlays
// (viz::composeCameraImage, a StablePca per view) from a frame set and the newest inference, hands
// it to its view, and measures what the user sees: frames shown per second and the latency from
// capture to the composed picture handed to the view. It keeps the HUD's quick controls (layer,
// head, opacity) and the overlay controls in step.
// Owned by the main window (a dock); GUI thread only.
#pragma once

#include <QDockWidget>
#include <optional>
#include <vector>

#include "core/pipeline/inference_worker.h"
#include "studio/view_metrics.h"
#include "viz/camera_overlays.h"
#include "widgets/overlay_controls.h"

namespace thinkvla::widgets {
class CameraView;
}

namespace thinkvla::studio {

class MainWindow;

// One view's overlay inputs from the policy's introspection (view index clamped to what it has).
viz::CameraOverlayInputs overlayInputs(const core::PolicyIntrospection& introspection, int view);

class CameraDock : public QDockWidget {
  Q_OBJECT

 public:
  // The window's camera dock, made and added (right dock area) on first use.
  static CameraDock* ensure(MainWindow* window);

  widgets::OverlayControls* overlayControls() const { return controls_; }
  widgets::OverlaySettings settings() const;
  void setSettings(const widgets::OverlaySettings& settings);  // as if the user chose them

  void setViewCount(int count);
  const std::vector<widgets::CameraView*>& views() const { return views_; }

  // Composes view i of `frames` with the overlays (introspection from `result` when it has it;
  // `cameras[i]` places the path, nullopt: no calibration) and shows it, with its caption.
  // kLive frames count for the view rate and the camera -> pixels latency; a kRedraw (the same
  // frames again with other overlay settings) does not.
  enum class Timing { kLive, kRedraw };
  void present(const core::FrameSet& frames, const core::InferenceResult* result,
               const std::vector<std::optional<viz::CameraModel>>& cameras,
               const std::vector<viz::PathPoint>& path, double source_fps, quint64 dropped,
               Timing timing = Timing::kLive);
  void setError(const QString& message);  // on every view; empty clears
  void clear();                           // blank views, metrics and colour bases reset

  // The pictures as last composed (RGB) and their cameras' names, for export and recording.
  const std::vector<cv::Mat>& composed() const { return composed_; }
  const std::vector<cv::Mat>& raw() const { return raw_; }  // the pictures before composing
  const std::vector<std::string>& cameraNames() const { return names_; }
  std::uint64_t framesPresented() const { return presented_; }

  double viewFps() const { return view_rate_.hz(); }
  const LatencyStats& cameraToPixels() const { return camera_to_pixels_; }

 Q_SIGNALS:
  // After each present(): the composed pictures are in composed().
  void framePresented();
  // The overlay settings changed (controls or HUD): controllers re-draw a still picture.
  void settingsChanged();

 private:
  CameraDock(MainWindow* window);
  void syncHud();

  MainWindow* window_;
  widgets::OverlayControls* controls_ = nullptr;
  QWidget* grid_holder_ = nullptr;
  std::vector<widgets::CameraView*> views_;
  std::vector<viz::StablePca> pcas_;
  std::vector<cv::Mat> composed_;
  std::vector<cv::Mat> raw_;
  std::vector<std::string> names_;
  std::uint64_t presented_ = 0;
  RateMeter view_rate_;
  LatencyStats camera_to_pixels_;
};

}  // namespace thinkvla::studio
