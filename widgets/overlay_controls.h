// OverlayControls: the Camera views dock's overlay switches. Attention on/off and whose (the
// <anchor> token's or the action queries'), layer and head (or the mean), colour map, opacity and
// normalisation; the geometry latent's PCA colours; the predicted path; and the 3D view's layers
// (the depth probe's point cloud, the true depth cloud, the executed trail). A view: it holds the
// settings, shows them, and says when the user changed them (the HUD's quick controls come in
// through setQuick()). GUI thread only.
#pragma once

#include <QString>
#include <QWidget>

#include "viz/camera_overlays.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSlider;

namespace thinkvla::widgets {

struct OverlaySettings {
  viz::CameraOverlayOptions camera;  // what the camera views draw
  bool probe_cloud = false;          // 3D view: the policy's depth probe, back-projected
  bool true_cloud = false;           // 3D view: the rendered (or sensed) depth, subsampled
  bool trail = true;                 // 3D view: where the end effector has been

  // The policy must return its introspection maps (attention, geometry, depth probe).
  bool needsIntrospection() const {
    return camera.attention || camera.geometry || probe_cloud;
  }
};

// Applies a comma-separated list of overlay names to `settings`: attention (anchor attention),
// action-attention, geometry, path, depth-cloud (both clouds), probe-cloud, true-cloud, trail;
// "all" and "none" too. Overlays not named are turned off. False with `error` naming the bad
// entry.
bool applyOverlayList(const QString& list, OverlaySettings* settings, QString* error);

class OverlayControls : public QWidget {
  Q_OBJECT

 public:
  explicit OverlayControls(QWidget* parent);

  OverlaySettings settings() const { return settings_; }
  void setSettings(const OverlaySettings& settings);  // no signal

  // The loaded policy's attention shape; 0 when unknown (only "mean" is offered then).
  void setAttentionShape(int layers, int heads);
  int layers() const { return layers_; }
  int heads() const { return heads_; }

  // The HUD's quick controls: layer and head (-1 = mean) and the opacity. Emits settingsChanged()
  // when something changed.
  void setQuick(int layer, int head, double opacity);

 Q_SIGNALS:
  void settingsChanged();

 private:
  void fromWidgets();  // widgets -> settings_, then settingsChanged()
  void toWidgets();    // settings_ -> widgets, without signals
  void fillIndexCombo(QComboBox* combo, int count, int selected);

  OverlaySettings settings_;
  int layers_ = 0;
  int heads_ = 0;
  bool updating_ = false;
  QCheckBox* attention_ = nullptr;
  QComboBox* source_ = nullptr;
  QComboBox* layer_ = nullptr;
  QComboBox* head_ = nullptr;
  QComboBox* colormap_ = nullptr;
  QSlider* opacity_ = nullptr;
  QComboBox* scale_ = nullptr;
  QDoubleSpinBox* fixed_max_ = nullptr;
  QCheckBox* geometry_ = nullptr;
  QCheckBox* path_ = nullptr;
  QCheckBox* probe_cloud_ = nullptr;
  QCheckBox* true_cloud_ = nullptr;
  QCheckBox* trail_ = nullptr;
};

}  // namespace thinkvla::widgets
