// A camera picture composed with its overlays: each overlay changes the pixels where it should,
// opacity 0 leaves the picture as it was, the geometry colours stay put across frames of the same
// features, and depth grids and images back-project to the points they came from.
#include <QtTest/QtTest>

#include <opencv2/imgproc.hpp>

#include <limits>
#include <random>
#include <set>

#include "viz/camera_overlays.h"

using namespace thinkvla::viz;

namespace {
// A camera 1 m above the base origin looking straight down (as in test_trajectory_overlay).
CameraModel downwardCamera() {
  CameraModel cam;
  cam.camera_matrix = cv::Matx33d(100, 0, 63.5, 0, 100, 63.5, 0, 0, 1);
  cam.T_base_camera = cv::Matx44d(1, 0, 0, 0,
                                  0, -1, 0, 0,
                                  0, 0, -1, 1,
                                  0, 0, 0, 1);
  cam.image_size = cv::Size(128, 128);
  return cam;
}

cv::Mat grey() { return cv::Mat(128, 128, CV_8UC3, cv::Scalar(100, 100, 100)); }

// 2 layers x 2 heads of 4 x 4 grids; layer 1 head 0 looks at the top-left patch only.
AttentionStack stack() {
  AttentionStack s;
  s.layers = 2;
  s.heads = 2;
  for (int i = 0; i < 4; ++i) {
    cv::Mat m(4, 4, CV_32F, cv::Scalar(1.0f / 16.0f));
    if (i == 2) {
      m.setTo(0.0f);
      m.at<float>(0, 0) = 1.0f;
    }
    s.maps.push_back(m);
  }
  return s;
}

cv::Mat features(int n, int d, unsigned seed) {
  cv::Mat f(n, d, CV_32F);
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < d; ++c) f.at<float>(r, c) = noise(rng) * (c < 3 ? 3.0f - c : 0.2f);
  }
  return f;
}

int changedPixels(const cv::Mat& a, const cv::Mat& b, const cv::Rect& where) {
  cv::Mat diff;
  cv::absdiff(a(where), b(where), diff);
  cv::Mat grey_diff;
  cv::transform(diff, grey_diff, cv::Matx13f(1, 1, 1));
  return cv::countNonZero(grey_diff > 6);
}
}  // namespace

class TestCameraOverlays : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void selectsOneLayerAndHeadOrTheMean() {
    const AttentionStack s = stack();
    const cv::Mat one = selectAttention(s, 1, 0);
    QCOMPARE(one.at<float>(0, 0), 1.0f);
    QCOMPARE(one.at<float>(3, 3), 0.0f);
    const cv::Mat mean = selectAttention(s, -1, -1);
    QVERIFY(std::abs(mean.at<float>(0, 0) - (3.0f / 16.0f + 1.0f) / 4.0f) < 1e-6f);
    const cv::Mat layer1 = selectAttention(s, 1, -1);  // mean over layer 1's heads
    QVERIFY(std::abs(layer1.at<float>(0, 0) - (1.0f + 1.0f / 16.0f) / 2.0f) < 1e-6f);
    QVERIFY(selectAttention(AttentionStack{}, 0, 0).empty());
  }

  void attentionColoursWhereTheModelLooks() {
    CameraOverlayInputs in;
    in.anchor = stack();
    CameraOverlayOptions o;
    o.attention = true;
    o.layer = 1;
    o.head = 0;
    o.path = false;
    o.opacity = 0.8;
    const cv::Mat plain = grey();
    const ComposedImage c = composeCameraImage(plain, in, o, nullptr);
    QVERIFY(c.attention_drawn);
    // The top-left patch (32 x 32 px) is hot and strongly coloured; the far corner hardly changes
    // (low attention leaves the picture visible).
    const cv::Vec3b hot = c.rgb.at<cv::Vec3b>(8, 8);
    QVERIFY2(std::abs(hot[0] - 100) + std::abs(hot[1] - 100) + std::abs(hot[2] - 100) > 120,
             "the attended patch is not coloured");
    const cv::Mat diff_far = cv::abs(c.rgb(cv::Rect(100, 100, 20, 20)) - plain(cv::Rect(100, 100, 20, 20)));
    const cv::Mat diff_hot = cv::abs(c.rgb(cv::Rect(4, 4, 20, 20)) - plain(cv::Rect(4, 4, 20, 20)));
    QVERIFY(cv::sum(diff_hot)[0] + cv::sum(diff_hot)[1] + cv::sum(diff_hot)[2] >
            2.0 * (cv::sum(diff_far)[0] + cv::sum(diff_far)[1] + cv::sum(diff_far)[2]));
    // The action queries' stack is another source: empty here, so nothing is drawn.
    o.attention_source = AttentionSource::kActionQueries;
    const ComposedImage none = composeCameraImage(plain, in, o, nullptr);
    QVERIFY(!none.attention_drawn);
    QCOMPARE(cv::norm(none.rgb, plain, cv::NORM_INF), 0.0);
    // Another colour map gives other colours.
    o.attention_source = AttentionSource::kAnchor;
    o.colormap = Colormap::kViridis;
    const ComposedImage viridis = composeCameraImage(plain, in, o, nullptr);
    QVERIFY(cv::norm(viridis.rgb, c.rgb, cv::NORM_INF) > 20);
  }

  void fixedScaleKeepsWeakAttentionWeak() {
    // A flat, weak map: per-frame min-max has nothing to stretch (all zeros), the fixed scale
    // shows it as weak; a stronger map under the fixed scale gets more colour.
    CameraOverlayInputs in;
    in.anchor.layers = 1;
    in.anchor.heads = 1;
    cv::Mat weak(4, 4, CV_32F, cv::Scalar(0.02f));
    weak.at<float>(2, 2) = 0.05f;
    in.anchor.maps = {weak};
    CameraOverlayOptions o;
    o.attention = true;
    o.path = false;
    o.opacity = 1.0;
    o.colormap = Colormap::kGray;
    const cv::Mat plain(128, 128, CV_8UC3, cv::Scalar(0, 0, 0));
    const cv::Mat minmax = composeCameraImage(plain, in, o, nullptr).rgb;
    o.scale = AttentionScale::kFixedMax;
    o.fixed_max = 0.1;
    const cv::Mat fixed = composeCameraImage(plain, in, o, nullptr).rgb;
    // Min-max: the 0.05 patch is the brightest there is; fixed: it is half of 0.1, dimmer.
    QVERIFY(minmax.at<cv::Vec3b>(80, 80)[0] > fixed.at<cv::Vec3b>(80, 80)[0] + 40);
    in.anchor.maps = {weak * 2.0};
    const cv::Mat stronger = composeCameraImage(plain, in, o, nullptr).rgb;
    QVERIFY(stronger.at<cv::Vec3b>(80, 80)[0] > fixed.at<cv::Vec3b>(80, 80)[0] + 40);
  }

  void geometryColoursThePatchesAndStaysStable() {
    CameraOverlayInputs in;
    in.geometry = features(64, 16, 7);
    in.geometry_grid = 8;
    CameraOverlayOptions o;
    o.geometry = true;
    o.path = false;
    o.opacity = 1.0;
    StablePca pca;
    const cv::Mat plain = grey();
    const ComposedImage first = composeCameraImage(plain, in, o, &pca);
    QVERIFY(first.geometry_drawn);
    QVERIFY(changedPixels(first.rgb, plain, cv::Rect(0, 0, 128, 128)) > 128 * 128 / 2);
    // Patches with different features get different colours: many distinct colours.
    std::set<int> colours;
    for (int r = 8; r < 128; r += 16) {
      for (int c = 8; c < 128; c += 16) {
        const cv::Vec3b p = first.rgb.at<cv::Vec3b>(r, c);
        colours.insert(p[0] << 16 | p[1] << 8 | p[2]);
      }
    }
    QVERIFY2(colours.size() > 40, qPrintable(QString("%1 colours").arg(colours.size())));
    // The same features again: the same colours, within rounding.
    const ComposedImage second = composeCameraImage(plain, in, o, &pca);
    QVERIFY(cv::norm(first.rgb, second.rgb, cv::NORM_INF) <= 2.0);
    // The next frame's features differ by a little noise: the colours hardly move (no flicker).
    in.geometry += features(64, 16, 99) * 0.02;
    const ComposedImage third = composeCameraImage(plain, in, o, &pca);
    QVERIFY(cv::norm(first.rgb, third.rgb, cv::NORM_L1) / (128.0 * 128.0 * 3.0) < 8.0);
  }

  void pathIsDrawnWhereItProjects() {
    CameraOverlayInputs in;
    in.camera = downwardCamera();
    in.path = {{{0.0, 0.0, 0.0}, -1.0}, {{0.1, 0.0, 0.0}, -1.0}, {{0.2, 0.0, 0.0}, 1.0}};
    CameraOverlayOptions o;
    o.path = true;
    const cv::Mat plain = grey();
    const ComposedImage c = composeCameraImage(plain, in, o, nullptr);
    QCOMPARE(c.path_points_visible, 3);
    // The path runs along the image's middle row from x = 64 to 84 (0.2 m at f = 100 px, 1 m):
    // changed pixels there, none in the top quarter.
    QVERIFY(changedPixels(c.rgb, plain, cv::Rect(60, 58, 30, 12)) > 40);
    QCOMPARE(changedPixels(c.rgb, plain, cv::Rect(0, 0, 128, 32)), 0);
    // Without a calibration there is nowhere to draw it.
    in.camera.reset();
    const ComposedImage none = composeCameraImage(plain, in, o, nullptr);
    QCOMPARE(none.path_points_visible, 0);
    QCOMPARE(cv::norm(none.rgb, plain, cv::NORM_INF), 0.0);
  }

  void upscalingKeepsThePathInPlace() {
    CameraOverlayInputs in;
    in.camera = downwardCamera();
    in.path = {{{0.0, 0.0, 0.0}, -1.0}, {{0.0, -0.3, 0.0}, -1.0}};  // down the image from the centre
    CameraOverlayOptions o;
    o.min_display_px = 384;
    const ComposedImage c = composeCameraImage(grey(), in, o, nullptr);
    QCOMPARE(c.rgb.size(), cv::Size(384, 384));
    QCOMPARE(c.path_points_visible, 2);
    // The centre of the picture (192, 192) and 30 px below it at the original scale (90 px here).
    const cv::Mat up = grey();
    cv::Mat plain_up;
    cv::resize(up, plain_up, cv::Size(384, 384), 0, 0, cv::INTER_NEAREST);
    QVERIFY(changedPixels(c.rgb, plain_up, cv::Rect(186, 200, 12, 60)) > 30);
    QCOMPARE(changedPixels(c.rgb, plain_up, cv::Rect(0, 0, 384, 150)), 0);
  }

  void opacityZeroChangesNothing() {
    CameraOverlayInputs in;
    in.anchor = stack();
    in.action_queries = stack();
    in.geometry = features(16, 8, 3);
    in.geometry_grid = 4;
    CameraOverlayOptions o;
    o.attention = true;
    o.geometry = true;
    o.path = false;
    o.opacity = 0.0;
    StablePca pca;
    const cv::Mat plain = grey();
    const ComposedImage c = composeCameraImage(plain, in, o, &pca);
    QCOMPARE(cv::norm(c.rgb, plain, cv::NORM_INF), 0.0);
    QVERIFY(!c.attention_drawn && !c.geometry_drawn);
  }

  void badInputIsRefused() {
    CameraOverlayInputs in;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             composeCameraImage(cv::Mat(8, 8, CV_8UC1), in, {}, nullptr));
    in.geometry = features(10, 8, 1);
    in.geometry_grid = 4;  // 16 patches expected
    CameraOverlayOptions o;
    o.geometry = true;
    StablePca pca;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, composeCameraImage(grey(), in, o, &pca));
  }

  void depthBackProjectsToWhereItCameFrom() {
    // A floor at base z = 0 seen from 1 m above: every patch's depth is 1 m, every point lands on
    // z = 0, and the patch centres spread over the floor as the camera sees it.
    const CameraModel cam = downwardCamera();
    const cv::Mat grid(4, 4, CV_32F, cv::Scalar(1.0f));
    const auto points = depthGridToPoints(grid, cam);
    QCOMPARE(points.size(), std::size_t{16});
    for (const auto& p : points) QVERIFY(std::abs(p[2]) < 1e-5f);
    // Patch (0, 0)'s centre is pixel (15.5, 15.5): 0.48 m left of and 0.48 m "up" from the centre.
    QVERIFY(std::abs(points[0][0] - (15.5 - 63.5) / 100.0) < 1e-5);
    QVERIFY(std::abs(points[0][1] - (63.5 - 15.5) / 100.0) < 1e-5);
    // Projecting the points again lands on the patch centres.
    std::vector<cv::Vec3d> back(points.begin(), points.end());
    const auto px = projectPoints(back, cam);
    QVERIFY(std::abs(px[5].pixel.x - 47.5) < 1e-3 && std::abs(px[5].pixel.y - 47.5) < 1e-3);
    // Zero and non-finite depths are skipped.
    cv::Mat holes = grid.clone();
    holes.at<float>(0, 0) = 0.0f;
    holes.at<float>(1, 1) = std::numeric_limits<float>::quiet_NaN();
    QCOMPARE(depthGridToPoints(holes, cam).size(), std::size_t{14});

    // A full depth image every 4 pixels: 32 x 32 points on the floor.
    const cv::Mat depth(128, 128, CV_32F, cv::Scalar(1.0f));
    const auto dense = depthImageToPoints(depth, cam, 4);
    QCOMPARE(dense.size(), std::size_t{32 * 32});
    for (const auto& p : dense) QVERIFY(std::abs(p[2]) < 1e-5f);
  }
};

QTEST_APPLESS_MAIN(TestCameraOverlays)
#include "test_camera_overlays.moc"
