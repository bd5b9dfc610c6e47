// Geometry-latent colours: the PCA finds the structure, and the colours stay put from frame to
// frame even when a fresh fit would flip a component's sign or swap two components.
#include <QtTest/QtTest>

#include "viz/feature_pca.h"

using thinkvla::viz::StablePca;

namespace {
// 64 patches in D = 16 channels: three orthogonal directions (x, y and a third spatial pattern) with
// scales s0, s1, s2, plus noise.
float patternA(int i) { return static_cast<float>(i % 8) - 3.5f; }
float patternB(int i) { return static_cast<float>(i / 8) - 3.5f; }
float patternC(int i) { return static_cast<float>((i * 5 + i / 8) % 8) - 3.5f; }

cv::Mat makeFeatures(cv::RNG& rng, float s0, float s1, float s2) {
  cv::Mat f(64, 16, CV_32F);
  rng.fill(f, cv::RNG::NORMAL, 0.0, 0.01);
  for (int i = 0; i < 64; ++i) {
    f.at<float>(i, 0) += s0 * patternA(i);
    f.at<float>(i, 1) += s1 * patternB(i);
    f.at<float>(i, 2) += s2 * patternC(i);
  }
  return f;
}

double correlation(const cv::Mat& colours, int channel, float (*pattern)(int)) {
  std::vector<double> x, y;
  for (int i = 0; i < colours.rows; ++i) {
    x.push_back(colours.at<cv::Vec3b>(i, 0)[channel]);
    y.push_back(pattern(i));
  }
  cv::Mat cx(x), cy(y);
  cv::Scalar mx, sx, my, sy;
  cv::meanStdDev(cx, mx, sx);
  cv::meanStdDev(cy, my, sy);
  return cv::mean((cx - mx[0]).mul(cy - my[0]))[0] / (sx[0] * sy[0] + 1e-12);
}
}  // namespace

class TestFeaturePca : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void firstComponentFollowsTheLargestVariance() {
    cv::RNG rng(1);
    StablePca pca(0.0);
    const cv::Mat colours = pca.update(makeFeatures(rng, 3.0f, 2.0f, 1.0f));
    QCOMPARE(colours.rows, 64);
    QCOMPARE(colours.type(), CV_8UC3);
    QVERIFY(std::abs(pca.basis().at<float>(0, 0)) > 0.99f);
    QVERIFY(std::abs(correlation(colours, 0, patternA)) > 0.95);  // red follows the x pattern
    QVERIFY(std::abs(correlation(colours, 1, patternB)) > 0.95);
    const cv::Mat gram = pca.basis() * pca.basis().t();
    QVERIFY(cv::norm(gram, cv::Mat::eye(3, 3, CV_32F), cv::NORM_INF) < 1e-4);
  }

  void coloursDoNotJumpWhenComponentsSwap() {
    // Frame 2 holds the same patterns, but the second and third swap places in variance: a fresh
    // PCA would swap green and blue. The stable basis keeps green on the y pattern.
    cv::RNG rng(2);
    StablePca pca(0.8);
    const cv::Mat first = pca.update(makeFeatures(rng, 3.0f, 2.0f, 1.0f));
    const double green_before = correlation(first, 1, patternB);
    const cv::Mat second = pca.update(makeFeatures(rng, 3.0f, 1.0f, 2.0f));
    const double green_after = correlation(second, 1, patternB);
    QVERIFY2(std::abs(green_after) > 0.9, qPrintable(QString::number(green_after)));
    QVERIFY2(green_before * green_after > 0, "green changed sign");  // the same sign as before
    StablePca fresh(0.0);
    const cv::Mat unstable = fresh.update(makeFeatures(rng, 3.0f, 1.0f, 2.0f));
    QVERIFY(std::abs(correlation(unstable, 1, patternB)) < 0.5);  // what the stabiliser prevents
  }

  void gridLayout() {
    cv::RNG rng(3);
    StablePca pca;
    const cv::Mat grid = pca.updateGrid(makeFeatures(rng, 3.0f, 2.0f, 1.0f), 8, 8, cv::Size(128, 128));
    QCOMPARE(grid.size(), cv::Size(128, 128));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             pca.updateGrid(makeFeatures(rng, 3.0f, 2.0f, 1.0f), 7, 8, cv::Size(8, 8)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pca.update(cv::Mat(10, 2, CV_32F)));
  }
};

QTEST_GUILESS_MAIN(TestFeaturePca)
#include "test_feature_pca.moc"
