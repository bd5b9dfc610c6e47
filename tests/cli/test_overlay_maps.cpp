// The command line's overlay maps (cli/overlay_maps.h): core's introspection, results and world
// state converted for viz::composeCameraImage. The chunk becomes end-effector positions; one
// view's attention is picked out of core's [layer][head][view] maps; a real inference of a tiny
// policy (introspection on) gives attention and geometry maps for both views whose pixels differ
// from the plain frames, with the same geometry colours for the same features; a calibrated camera
// adds the path; a policy without an anchor shows the action queries' attention; and the live
// benchmark's composition step draws from a result and a world state. Drawing details (colours,
// PCA stability, projection) are viz's and tested in tests/viz.
#include <QtTest/QtTest>
#include <opencv2/imgproc.hpp>

#include "cli/overlay_maps.h"
#include "model/checkpoint.h"
#include "model/torch_runtime.h"

using namespace thinkvla;
using namespace thinkvla::cli;

namespace {
double meanAbsDiff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  const cv::Scalar m = cv::mean(d);
  return (m[0] + m[1] + m[2]) / 3.0;
}

// One inference of a freshly initialised policy on two smooth random 96 x 96 views.
core::InferenceResult inferOnce(const model::PolicyConfig& config, std::uint64_t seed) {
  model::configureThreads(1);
  model::Policy policy(model::initCheckpoint(config, seed));
  model::Observation obs;
  cv::RNG rng(3);
  for (int v = 0; v < 2; ++v) {
    cv::Mat m(96, 96, CV_8UC3);
    rng.fill(m, cv::RNG::UNIFORM, 0, 255);
    cv::GaussianBlur(m, m, cv::Size(9, 9), 3.0);
    obs.views.push_back(m);
  }
  obs.proprio.assign(static_cast<std::size_t>(config.proprio_dim), 0.0f);
  const auto step = policy.step(obs, "put the bowl on the plate", model::IntrospectionMode::kOn);
  core::InferenceResult result;
  result.actions = step.actions;
  result.has_introspection = true;
  result.introspection = core::toIntrospection(step, config);
  for (int v = 0; v < 2; ++v)
    result.frames.views.push_back({"cam" + std::to_string(v), obs.views[v], {}});
  return result;
}

// A camera at the base origin looking along +z: the end effector 1 m ahead is in the middle.
core::CameraGeometry cameraAhead() {
  core::CameraGeometry camera;
  camera.name = "ahead";
  camera.camera_matrix = cv::Matx33d(80, 0, 48, 0, 80, 48, 0, 0, 1);
  camera.T_base_camera = cv::Matx44d::eye();
  camera.image_size = cv::Size(96, 96);
  return camera;
}
}  // namespace

class TestOverlayMaps : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void attentionOfOneView() {
    // 2 layers x 3 heads x 2 views; each map holds its own (layer, head, view) code.
    core::AttentionMaps maps;
    maps.layers = 2;
    maps.heads = 3;
    maps.views = 2;
    for (int l = 0; l < 2; ++l)
      for (int h = 0; h < 3; ++h)
        for (int v = 0; v < 2; ++v)
          maps.maps.push_back(cv::Mat(4, 4, CV_32F, cv::Scalar(100 * l + 10 * h + v)));
    const viz::AttentionStack stack = attentionStack(maps, 1);
    QCOMPARE(stack.layers, 2);
    QCOMPARE(stack.heads, 3);
    QCOMPARE(stack.maps.size(), std::size_t{6});
    QCOMPARE(stack.maps[4].at<float>(0, 0), 100.0f + 10.0f + 1.0f);  // layer 1, head 1, view 1
    // The mean over layers and heads is core's mean of that view.
    QVERIFY(cv::norm(viz::selectAttention(stack, -1, -1), maps.mean(1), cv::NORM_INF) < 1e-4);
    QVERIFY(attentionStack(maps, 2).empty());
    QVERIFY(attentionStack(core::AttentionMaps{}, 0).empty());
  }

  void mapsOfARealResult() {
    const auto result = inferOnce(model::PolicyConfig::fromPreset("tiny"), 11);
    QVERIFY(!result.introspection.anchor.empty());
    OverlayMaps maps;
    const auto views = maps.compose(result);
    QCOMPARE(views.size(), std::size_t{2});
    for (std::size_t v = 0; v < 2; ++v) {
      const cv::Mat& plain = result.frames.views[v].rgb;
      QCOMPARE(views[v].camera, "cam" + std::to_string(v));
      QCOMPARE(views[v].attention.size(), plain.size());
      QCOMPARE(views[v].geometry.size(), plain.size());
      QCOMPARE(views[v].attention.type(), CV_8UC3);
      QVERIFY2(meanAbsDiff(views[v].attention, plain) > 5, "attention drawn over the frame");
      QVERIFY2(meanAbsDiff(views[v].geometry, plain) > 5, "geometry drawn over the frame");
      QVERIFY(meanAbsDiff(views[v].attention, views[v].geometry) > 5);
      QCOMPARE(views[v].path_points_visible, 0);  // no calibration: no path
    }
    // The same features again: the view's StablePca keeps the geometry colours where they were.
    const auto again = maps.compose(result);
    for (std::size_t v = 0; v < 2; ++v) {
      QVERIFY2(meanAbsDiff(again[v].geometry, views[v].geometry) < 0.05,
               qPrintable(QString::number(meanAbsDiff(again[v].geometry, views[v].geometry))));
      QCOMPARE(meanAbsDiff(again[v].attention, views[v].attention), 0.0);
    }

    // With a calibrated camera in front of the end effector the path is drawn into both maps.
    PathContext path;
    path.ee_position_m = cv::Vec3d(0, 0, 1.0);
    path.cameras = {cameraAhead(), cameraAhead()};
    path.metres_per_unit = 0.01;
    const auto with_path = maps.compose(result, &path);
    QVERIFY(with_path[0].path_points_visible > 0);
    QVERIFY(meanAbsDiff(with_path[0].attention, views[0].attention) > 0.1);
    QVERIFY(meanAbsDiff(with_path[0].geometry, views[0].geometry) > 0.1);
    // A camera list shorter than the views: the second view has no path.
    path.cameras.resize(1);
    QCOMPARE(maps.compose(result, &path)[1].path_points_visible, 0);

    // Without introspection there is nothing to draw.
    core::InferenceResult bare = result;
    bare.has_introspection = false;
    const auto none = maps.compose(bare);
    QCOMPARE(none.size(), std::size_t{2});
    QVERIFY(none[0].attention.empty() && none[0].geometry.empty());

    // One source view that filled both policy views: one pair of maps, from the policy's view 0.
    core::InferenceResult single = result;
    single.frames.views.resize(1);
    const auto one = OverlayMaps().compose(single);
    QCOMPARE(one.size(), std::size_t{1});
    QCOMPARE(meanAbsDiff(one[0].attention, views[0].attention), 0.0);
  }

  void actionQueriesWhenThereIsNoAnchor() {
    auto config = model::PolicyConfig::fromPreset("tiny");
    config.use_anchor = false;
    config.use_reasoning_adapter = false;  // it reads the anchor state
    const auto result = inferOnce(config, 5);
    QVERIFY(result.introspection.anchor.empty());
    QVERIFY(!result.introspection.action.empty());
    const auto views = OverlayMaps().compose(result);
    QCOMPARE(views.size(), std::size_t{2});
    QVERIFY(!views[0].attention.empty());
    QVERIFY(meanAbsDiff(views[0].attention, result.frames.views[0].rgb) > 5);
  }

  void benchmarkCompositionUsesTheWorldState() {
    const auto result = inferOnce(model::PolicyConfig::fromPreset("tiny"), 11);
    const core::OverlayComposeFn compose = benchmarkOverlays();
    core::WorldState state;
    state.ee_position_m = cv::Vec3d(0, 0, 1.0);
    state.cameras = {cameraAhead(), cameraAhead()};
    const PathContext path = pathContext(state);
    QCOMPARE(path.cameras.size(), std::size_t{2});
    QCOMPARE(path.ee_position_m, state.ee_position_m);
    QCOMPARE(path.metres_per_unit, core::sim::kActionPositionScaleM);
    QVERIFY(compose(result, state));
    QVERIFY(compose(result, core::WorldState{}));  // no calibration: maps without a path
    core::InferenceResult bare = result;
    bare.has_introspection = false;
    QVERIFY(!compose(bare, state));
  }
};

QTEST_GUILESS_MAIN(TestOverlayMaps)
#include "test_overlay_maps.moc"
