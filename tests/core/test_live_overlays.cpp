// The overlays the command line and the live benchmark draw without viz/: attention and geometry
// PCA over a view change its pixels where they should and keep its size; the PCA colours stay put
// for the same features and follow a sign flip of the basis; the predicted path lands where the
// camera sees it; and a real inference result gives one attention and one geometry image per view.
#include <QtTest/QtTest>
#include <opencv2/imgproc.hpp>

#include "core/pipeline/inference_worker.h"
#include "core/pipeline/live_overlays.h"
#include "model/checkpoint.h"
#include "model/torch_runtime.h"

using namespace thinkvla;
using namespace thinkvla::core;

namespace {
double meanAbsDiff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  const cv::Scalar m = cv::mean(d);
  return (m[0] + m[1] + m[2]) / 3.0;
}

cv::Mat features(int n, int d, float scale, std::uint64_t seed) {
  cv::RNG rng(seed);
  cv::Mat f(n, d, CV_32F);
  rng.fill(f, cv::RNG::NORMAL, 0.0, 1.0);
  f.col(0) *= 4.0f * scale;
  f.col(1) *= 2.0f * scale;
  return f;
}
}  // namespace

class TestLiveOverlays : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void attentionColoursWhereTheWeightIs() {
    const cv::Mat image(64, 64, CV_8UC3, cv::Scalar(90, 90, 90));
    cv::Mat weights = cv::Mat::zeros(4, 4, CV_32F);
    weights.at<float>(0, 3) = 1.0f;  // top right
    const cv::Mat out = drawAttentionOverlay(image, weights);
    QCOMPARE(out.size(), image.size());
    QCOMPARE(out.type(), CV_8UC3);
    const double hot = meanAbsDiff(out(cv::Rect(48, 0, 16, 16)), image(cv::Rect(48, 0, 16, 16)));
    const double cold = meanAbsDiff(out(cv::Rect(0, 48, 16, 16)), image(cv::Rect(0, 48, 16, 16)));
    QVERIFY2(hot > 3 * cold && hot > 40, qPrintable(QString("%1 vs %2").arg(hot).arg(cold)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             drawAttentionOverlay(cv::Mat(4, 4, CV_8UC1), weights));
  }

  void pcaColoursAreStable() {
    StableFeaturePca pca(0.8);
    const cv::Mat f = features(16, 8, 1.0f, 1);
    const cv::Mat a = pca.colours(f, 4, 4, cv::Size(32, 32));
    QCOMPARE(a.size(), cv::Size(32, 32));
    QCOMPARE(a.type(), CV_8UC3);
    QVERIFY(meanAbsDiff(a, cv::Mat(a.size(), CV_8UC3, a.at<cv::Vec3b>(0, 0))) > 5);  // not flat
    const cv::Mat b = pca.colours(f, 4, 4, cv::Size(32, 32));
    QCOMPARE(meanAbsDiff(a, b), 0.0);
    // A new sample of the same distribution: whatever signs a fresh fit picks, the stable basis
    // keeps the previous components' order and direction (the colours do not flip).
    const cv::Mat b0 = pca.basis().clone();
    for (std::uint64_t seed = 2; seed < 8; ++seed) {
      pca.colours(features(16, 8, 1.0f, seed), 4, 4, cv::Size(32, 32));
      for (int i = 0; i < 2; ++i) {
        const double cosine = b0.row(i).dot(pca.basis().row(i));
        QVERIFY2(cosine > 0.8, qPrintable(QString("component %1: cos %2").arg(i).arg(cosine)));
      }
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pca.colours(f, 3, 3, cv::Size(8, 8)));
  }

  void pathLandsWhereTheCameraSeesIt() {
    CameraGeometry camera;
    camera.camera_matrix = cv::Matx33d(100, 0, 64, 0, 100, 64, 0, 0, 1);
    camera.T_base_camera = cv::Matx44d::eye();  // camera at the base origin looking along +z
    camera.image_size = cv::Size(128, 128);
    std::vector<cv::Vec3d> points;
    std::vector<double> gripper;
    chunkPath(cv::Vec3d(0, 0, 1.0), {{0.2f, 0, 0, 0, 0, 0, -1}, {0.2f, 0, 0, 0, 0, 0, 1}}, 0.5,
              points, gripper);
    QCOMPARE(points.size(), std::size_t{3});
    QVERIFY(std::abs(points[2][0] - 0.2) < 1e-6);  // two steps of 0.2 units x 0.5 m
    QCOMPARE(gripper.back(), 1.0);
    cv::Mat image(128, 128, CV_8UC3, cv::Scalar(0, 0, 0));
    QCOMPARE(drawPathOverlay(image, points, gripper, camera), 3);
    // From (64, 64) to (84, 64): drawn pixels along that row, none in the far corner.
    QVERIFY(cv::countNonZero(image.reshape(1)(cv::Rect(60 * 3, 60, 28 * 3, 8))) > 20);
    QCOMPARE(cv::countNonZero(image.reshape(1)(cv::Rect(0, 100, 3 * 20, 20))), 0);
    // Behind the camera: nothing visible.
    cv::Mat behind(128, 128, CV_8UC3, cv::Scalar(0, 0, 0));
    for (auto& p : points) p[2] = -1.0;
    QCOMPARE(drawPathOverlay(behind, points, gripper, camera), 0);
    QCOMPARE(cv::countNonZero(behind.reshape(1)), 0);
  }

  void composesTheMapsOfARealResult() {
    model::configureThreads(1);
    const auto config = model::PolicyConfig::fromPreset("tiny");
    model::Policy policy(model::initCheckpoint(config, 11));
    model::Observation obs;
    cv::RNG rng(3);
    for (int v = 0; v < 2; ++v) {
      cv::Mat m(96, 96, CV_8UC3);
      rng.fill(m, cv::RNG::UNIFORM, 0, 255);
      cv::GaussianBlur(m, m, cv::Size(9, 9), 3.0);
      obs.views.push_back(m);
    }
    obs.proprio.assign(8, 0.0f);
    const auto step = policy.step(obs, "put the bowl on the plate", model::IntrospectionMode::kOn);
    InferenceResult result;
    result.actions = step.actions;
    result.has_introspection = true;
    result.introspection = toIntrospection(step, config);
    for (int v = 0; v < 2; ++v)
      result.frames.views.push_back({"cam" + std::to_string(v), obs.views[v], {}});

    OverlayComposer composer;
    const auto plain = composer.compose(result);
    QCOMPARE(plain.size(), std::size_t{2});
    for (int v = 0; v < 2; ++v) {
      QCOMPARE(plain[v].camera, "cam" + std::to_string(v));
      QCOMPARE(plain[v].attention.size(), obs.views[v].size());
      QCOMPARE(plain[v].geometry.size(), obs.views[v].size());
      QVERIFY(meanAbsDiff(plain[v].attention, obs.views[v]) > 5);
      QVERIFY(meanAbsDiff(plain[v].geometry, obs.views[v]) > 5);
      QCOMPARE(plain[v].path_points_visible, 0);
    }
    // With a camera in front of the end effector the path is drawn into the maps too.
    PathContext path;
    path.ee_position_m = cv::Vec3d(0, 0, 1.0);
    CameraGeometry camera;
    camera.camera_matrix = cv::Matx33d(80, 0, 48, 0, 80, 48, 0, 0, 1);
    camera.T_base_camera = cv::Matx44d::eye();
    camera.image_size = cv::Size(96, 96);
    path.cameras = {camera, camera};
    path.metres_per_unit = 0.01;
    const auto with_path = composer.compose(result, &path);
    QVERIFY(with_path[0].path_points_visible > 0);
    QVERIFY(meanAbsDiff(with_path[0].attention, plain[0].attention) > 0.1);

    InferenceResult bare = result;
    bare.has_introspection = false;
    const auto none = composer.compose(bare);
    QVERIFY(none[0].attention.empty() && none[0].geometry.empty());
  }
};

QTEST_GUILESS_MAIN(TestLiveOverlays)
#include "test_live_overlays.moc"
