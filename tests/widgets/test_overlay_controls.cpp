// The Camera views dock's overlay switches: each control changes the settings and says so, the
// layer and head pickers follow the model's attention shape, the HUD's quick controls land here,
// and the --overlays list parses (and names a bad entry).
#include <QtTest/QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSlider>

#include "widgets/overlay_controls.h"

using thinkvla::widgets::OverlayControls;
using thinkvla::widgets::OverlaySettings;
namespace viz = thinkvla::viz;

class TestOverlayControls : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void controlsChangeTheSettings() {
    OverlayControls controls(nullptr);
    QSignalSpy spy(&controls, &OverlayControls::settingsChanged);
    QVERIFY(!controls.settings().needsIntrospection());
    controls.findChild<QCheckBox*>("attention")->setChecked(true);
    QCOMPARE(spy.size(), 1);
    QVERIFY(controls.settings().camera.attention);
    QVERIFY(controls.settings().needsIntrospection());
    controls.findChild<QComboBox*>("attentionSource")->setCurrentIndex(1);
    QCOMPARE(controls.settings().camera.attention_source, viz::AttentionSource::kActionQueries);
    controls.findChild<QComboBox*>("colormap")->setCurrentText("turbo");
    QCOMPARE(controls.settings().camera.colormap, viz::Colormap::kTurbo);
    controls.findChild<QSlider*>("opacity")->setValue(25);
    QCOMPARE(controls.settings().camera.opacity, 0.25);
    auto* scale = controls.findChild<QComboBox*>("normalization");
    auto* fixed_max = controls.findChild<QDoubleSpinBox*>("fixedMax");
    QVERIFY(!fixed_max->isEnabled());
    scale->setCurrentIndex(1);
    QCOMPARE(controls.settings().camera.scale, viz::AttentionScale::kFixedMax);
    QVERIFY(fixed_max->isEnabled());
    fixed_max->setValue(0.5);
    QCOMPARE(controls.settings().camera.fixed_max, 0.5);
    controls.findChild<QCheckBox*>("geometry")->setChecked(true);
    controls.findChild<QCheckBox*>("path")->setChecked(false);
    controls.findChild<QCheckBox*>("probeCloud")->setChecked(true);
    controls.findChild<QCheckBox*>("trueCloud")->setChecked(true);
    controls.findChild<QCheckBox*>("trail")->setChecked(false);
    const OverlaySettings s = controls.settings();
    QVERIFY(s.camera.geometry && !s.camera.path && s.probe_cloud && s.true_cloud && !s.trail);
    QCOMPARE(spy.size(), 11);
    // Setting them from code shows them without a signal.
    controls.setSettings(OverlaySettings{});
    QCOMPARE(spy.size(), 11);
    QVERIFY(!controls.findChild<QCheckBox*>("attention")->isChecked());
    QVERIFY(controls.findChild<QCheckBox*>("path")->isChecked());
  }

  void layerAndHeadFollowTheModel() {
    OverlayControls controls(nullptr);
    auto* layer = controls.findChild<QComboBox*>("layer");
    auto* head = controls.findChild<QComboBox*>("head");
    QCOMPARE(layer->count(), 1);  // only "mean" before a model says its shape
    controls.setAttentionShape(2, 4);
    QCOMPARE(layer->count(), 3);
    QCOMPARE(head->count(), 5);
    head->setCurrentIndex(4);
    QCOMPARE(controls.settings().camera.head, 3);
    QCOMPARE(controls.settings().camera.layer, -1);
    // A smaller model: head 3 no longer exists, the choice falls back to the mean.
    QSignalSpy spy(&controls, &OverlayControls::settingsChanged);
    controls.setAttentionShape(2, 2);
    QCOMPARE(controls.settings().camera.head, -1);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(head->currentText(), QString("mean"));
  }

  void quickControlsFromTheHud() {
    OverlayControls controls(nullptr);
    controls.setAttentionShape(3, 2);
    QSignalSpy spy(&controls, &OverlayControls::settingsChanged);
    controls.setQuick(2, 1, 0.3);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(controls.settings().camera.layer, 2);
    QCOMPARE(controls.settings().camera.head, 1);
    QCOMPARE(controls.findChild<QSlider*>("opacity")->value(), 30);
    QCOMPARE(controls.findChild<QComboBox*>("layer")->currentText(), QString("2"));
    controls.setQuick(2, 1, 0.3);  // nothing new: no signal
    QCOMPARE(spy.size(), 1);
    controls.setQuick(7, -1, 0.3);  // out of range: the mean
    QCOMPARE(controls.settings().camera.layer, -1);
  }

  void overlayListParses() {
    OverlaySettings s;
    QString error;
    QVERIFY(thinkvla::widgets::applyOverlayList("attention,geometry", &s, &error));
    QVERIFY(s.camera.attention && s.camera.geometry && !s.camera.path && !s.probe_cloud && !s.trail);
    QVERIFY(thinkvla::widgets::applyOverlayList("path, depth-cloud", &s, &error));
    QVERIFY(!s.camera.attention && s.camera.path && s.probe_cloud && s.true_cloud);
    QVERIFY(thinkvla::widgets::applyOverlayList("all", &s, &error));
    QVERIFY(s.camera.attention && s.camera.geometry && s.camera.path && s.probe_cloud &&
            s.true_cloud && s.trail);
    QVERIFY(thinkvla::widgets::applyOverlayList("none", &s, &error));
    QVERIFY(!s.needsIntrospection() && !s.camera.path && !s.trail);
    QVERIFY(thinkvla::widgets::applyOverlayList("action-attention", &s, &error));
    QCOMPARE(s.camera.attention_source, viz::AttentionSource::kActionQueries);
    const OverlaySettings before = s;
    QVERIFY(!thinkvla::widgets::applyOverlayList("path,sparkles", &s, &error));
    QVERIFY(error.contains("sparkles"));
    QCOMPARE(s.camera.attention, before.camera.attention);  // untouched on error
  }
};

QTEST_MAIN(TestOverlayControls)
#include "test_overlay_controls.moc"
