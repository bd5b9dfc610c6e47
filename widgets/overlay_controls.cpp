#include "widgets/overlay_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace thinkvla::widgets {

namespace {
constexpr viz::Colormap kColormaps[] = {viz::Colormap::kInferno, viz::Colormap::kViridis,
                                        viz::Colormap::kTurbo, viz::Colormap::kJet,
                                        viz::Colormap::kGray};
constexpr const char* kColormapNames[] = {"inferno", "viridis", "turbo", "jet", "gray"};
}  // namespace

bool applyOverlayList(const QString& list, OverlaySettings* settings, QString* error) {
  OverlaySettings s = *settings;
  s.camera.attention = false;
  s.camera.geometry = false;
  s.camera.path = false;
  s.probe_cloud = false;
  s.true_cloud = false;
  s.trail = false;
  for (const QString& raw : list.split(',', Qt::SkipEmptyParts)) {
    const QString name = raw.trimmed().toLower();
    if (name == "all") {
      s.camera.attention = s.camera.geometry = s.camera.path = true;
      s.probe_cloud = s.true_cloud = s.trail = true;
    } else if (name == "none") {
      // everything stays off
    } else if (name == "attention" || name == "anchor-attention") {
      s.camera.attention = true;
      s.camera.attention_source = viz::AttentionSource::kAnchor;
    } else if (name == "action-attention") {
      s.camera.attention = true;
      s.camera.attention_source = viz::AttentionSource::kActionQueries;
    } else if (name == "geometry") {
      s.camera.geometry = true;
    } else if (name == "path") {
      s.camera.path = true;
    } else if (name == "depth-cloud") {
      s.probe_cloud = s.true_cloud = true;
    } else if (name == "probe-cloud") {
      s.probe_cloud = true;
    } else if (name == "true-cloud") {
      s.true_cloud = true;
    } else if (name == "trail") {
      s.trail = true;
    } else {
      if (error != nullptr) {
        *error = QString("unknown overlay '%1' (attention, action-attention, geometry, path, "
                         "depth-cloud, probe-cloud, true-cloud, trail, all, none)")
                     .arg(raw.trimmed());
      }
      return false;
    }
  }
  *settings = s;
  return true;
}

OverlayControls::OverlayControls(QWidget* parent) : QWidget(parent) {
  setObjectName("overlayControls");
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(4, 2, 4, 2);
  grid->setHorizontalSpacing(6);
  grid->setVerticalSpacing(2);

  attention_ = new QCheckBox(tr("Attention"), this);
  attention_->setObjectName("attention");
  source_ = new QComboBox(this);
  source_->setObjectName("attentionSource");
  source_->addItems({tr("anchor"), tr("action queries")});
  layer_ = new QComboBox(this);
  layer_->setObjectName("layer");
  head_ = new QComboBox(this);
  head_->setObjectName("head");
  auto* row0 = new QHBoxLayout;
  row0->addWidget(attention_);
  row0->addWidget(source_);
  row0->addWidget(new QLabel(tr("layer"), this));
  row0->addWidget(layer_);
  row0->addWidget(new QLabel(tr("head"), this));
  row0->addWidget(head_);
  row0->addStretch(1);
  grid->addLayout(row0, 0, 0);

  colormap_ = new QComboBox(this);
  colormap_->setObjectName("colormap");
  for (const char* name : kColormapNames) colormap_->addItem(name);
  opacity_ = new QSlider(Qt::Horizontal, this);
  opacity_->setObjectName("opacity");
  opacity_->setRange(0, 100);
  opacity_->setMinimumWidth(70);
  scale_ = new QComboBox(this);
  scale_->setObjectName("normalization");
  scale_->addItems({tr("per-frame min-max"), tr("fixed [0, max]")});
  fixed_max_ = new QDoubleSpinBox(this);
  fixed_max_->setObjectName("fixedMax");
  fixed_max_->setRange(0.001, 1.0);
  fixed_max_->setDecimals(3);
  fixed_max_->setSingleStep(0.01);
  auto* row1 = new QHBoxLayout;
  row1->addWidget(colormap_);
  row1->addWidget(new QLabel(tr("opacity"), this));
  row1->addWidget(opacity_, 1);
  row1->addWidget(scale_);
  row1->addWidget(fixed_max_);
  grid->addLayout(row1, 1, 0);

  geometry_ = new QCheckBox(tr("Geometry (PCA)"), this);
  geometry_->setObjectName("geometry");
  path_ = new QCheckBox(tr("Path"), this);
  path_->setObjectName("path");
  probe_cloud_ = new QCheckBox(tr("Probe cloud"), this);
  probe_cloud_->setObjectName("probeCloud");
  probe_cloud_->setToolTip(tr("3D view: the points the policy's depth probe perceives"));
  true_cloud_ = new QCheckBox(tr("True depth"), this);
  true_cloud_->setObjectName("trueCloud");
  true_cloud_->setToolTip(tr("3D view: the rendered depth, subsampled"));
  trail_ = new QCheckBox(tr("Trail"), this);
  trail_->setObjectName("trail");
  trail_->setToolTip(tr("3D view: the executed end-effector trail"));
  auto* row2 = new QHBoxLayout;
  row2->addWidget(geometry_);
  row2->addWidget(path_);
  row2->addSpacing(8);
  row2->addWidget(new QLabel(tr("3D:"), this));
  row2->addWidget(probe_cloud_);
  row2->addWidget(true_cloud_);
  row2->addWidget(trail_);
  row2->addStretch(1);
  grid->addLayout(row2, 2, 0);

  fillIndexCombo(layer_, 0, -1);
  fillIndexCombo(head_, 0, -1);
  toWidgets();

  for (QCheckBox* box : {attention_, geometry_, path_, probe_cloud_, true_cloud_, trail_}) {
    connect(box, &QCheckBox::toggled, this, &OverlayControls::fromWidgets);
  }
  for (QComboBox* combo : {source_, layer_, head_, colormap_, scale_}) {
    connect(combo, qOverload<int>(&QComboBox::currentIndexChanged), this, &OverlayControls::fromWidgets);
  }
  connect(opacity_, &QSlider::valueChanged, this, &OverlayControls::fromWidgets);
  connect(fixed_max_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
          &OverlayControls::fromWidgets);
}

void OverlayControls::fillIndexCombo(QComboBox* combo, int count, int selected) {
  const QSignalBlocker block(combo);
  combo->clear();
  combo->addItem(tr("mean"), -1);
  for (int i = 0; i < count; ++i) combo->addItem(QString::number(i), i);
  const int at = combo->findData(selected);
  combo->setCurrentIndex(at >= 0 ? at : 0);
}

void OverlayControls::setAttentionShape(int layers, int heads) {
  if (layers == layers_ && heads == heads_) return;
  layers_ = std::max(0, layers);
  heads_ = std::max(0, heads);
  // Keep the choice when the new shape still has it; otherwise fall back to the mean.
  bool changed = false;
  if (settings_.camera.layer >= layers_) {
    settings_.camera.layer = -1;
    changed = true;
  }
  if (settings_.camera.head >= heads_) {
    settings_.camera.head = -1;
    changed = true;
  }
  fillIndexCombo(layer_, layers_, settings_.camera.layer);
  fillIndexCombo(head_, heads_, settings_.camera.head);
  if (changed) Q_EMIT settingsChanged();
}

void OverlayControls::setSettings(const OverlaySettings& settings) {
  settings_ = settings;
  toWidgets();
}

void OverlayControls::setQuick(int layer, int head, double opacity) {
  OverlaySettings s = settings_;
  s.camera.layer = layer >= 0 && layer < layers_ ? layer : -1;
  s.camera.head = head >= 0 && head < heads_ ? head : -1;
  s.camera.opacity = std::clamp(opacity, 0.0, 1.0);
  const bool changed = s.camera.layer != settings_.camera.layer ||
                       s.camera.head != settings_.camera.head ||
                       std::abs(s.camera.opacity - settings_.camera.opacity) > 1e-3;
  if (!changed) return;
  settings_ = s;
  toWidgets();
  Q_EMIT settingsChanged();
}

void OverlayControls::toWidgets() {
  updating_ = true;
  const auto& c = settings_.camera;
  const QSignalBlocker b0(attention_), b1(source_), b2(layer_), b3(head_), b4(colormap_),
      b5(opacity_), b6(scale_), b7(fixed_max_), b8(geometry_), b9(path_), b10(probe_cloud_),
      b11(true_cloud_), b12(trail_);
  attention_->setChecked(c.attention);
  source_->setCurrentIndex(c.attention_source == viz::AttentionSource::kAnchor ? 0 : 1);
  layer_->setCurrentIndex(std::max(0, layer_->findData(c.layer)));
  head_->setCurrentIndex(std::max(0, head_->findData(c.head)));
  for (int i = 0; i < static_cast<int>(std::size(kColormaps)); ++i) {
    if (kColormaps[i] == c.colormap) colormap_->setCurrentIndex(i);
  }
  opacity_->setValue(static_cast<int>(std::lround(c.opacity * 100.0)));
  scale_->setCurrentIndex(c.scale == viz::AttentionScale::kPerFrameMinMax ? 0 : 1);
  fixed_max_->setValue(c.fixed_max);
  fixed_max_->setEnabled(c.scale == viz::AttentionScale::kFixedMax);
  geometry_->setChecked(c.geometry);
  path_->setChecked(c.path);
  probe_cloud_->setChecked(settings_.probe_cloud);
  true_cloud_->setChecked(settings_.true_cloud);
  trail_->setChecked(settings_.trail);
  updating_ = false;
}

void OverlayControls::fromWidgets() {
  if (updating_) return;
  auto& c = settings_.camera;
  c.attention = attention_->isChecked();
  c.attention_source = source_->currentIndex() == 0 ? viz::AttentionSource::kAnchor
                                                    : viz::AttentionSource::kActionQueries;
  c.layer = layer_->currentData().toInt();
  c.head = head_->currentData().toInt();
  c.colormap = kColormaps[std::clamp(colormap_->currentIndex(), 0,
                                     static_cast<int>(std::size(kColormaps)) - 1)];
  c.opacity = opacity_->value() / 100.0;
  c.scale = scale_->currentIndex() == 0 ? viz::AttentionScale::kPerFrameMinMax
                                        : viz::AttentionScale::kFixedMax;
  c.fixed_max = fixed_max_->value();
  fixed_max_->setEnabled(c.scale == viz::AttentionScale::kFixedMax);
  c.geometry = geometry_->isChecked();
  c.path = path_->isChecked();
  settings_.probe_cloud = probe_cloud_->isChecked();
  settings_.true_cloud = true_cloud_->isChecked();
  settings_.trail = trail_->isChecked();
  Q_EMIT settingsChanged();
}

}  // namespace thinkvla::widgets
