// Normalisation, colour maps and blending of the overlay images.
#include <QtTest/QtTest>

#include "viz/colormap.h"

using namespace thinkvla::viz;

class TestColormap : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void normalizations() {
    cv::Mat m = (cv::Mat_<float>(1, 5) << 2.0f, 4.0f, 6.0f, 8.0f, 10.0f);
    const cv::Mat mm = normalizeMap(m, Normalization::kMinMax);
    QCOMPARE(mm.at<float>(0, 0), 0.0f);
    QCOMPARE(mm.at<float>(0, 2), 0.5f);
    QCOMPARE(mm.at<float>(0, 4), 1.0f);
    // One outlier does not flatten the rest under the percentile normalisation.
    cv::Mat spike = cv::Mat::zeros(10, 10, CV_32F);
    for (int i = 0; i < 100; ++i) spike.at<float>(i / 10, i % 10) = static_cast<float>(i % 10);
    spike.at<float>(0, 0) = 1000.0f;
    const cv::Mat robust = normalizeMap(spike, Normalization::kPercentile);
    QVERIFY(robust.at<float>(5, 5) > 0.4f && robust.at<float>(5, 5) < 0.7f);
    QCOMPARE(robust.at<float>(0, 0), 1.0f);
    const cv::Mat minmax = normalizeMap(spike, Normalization::kMinMax);
    QVERIFY(minmax.at<float>(5, 5) < 0.01f);
    // Fixed: probabilities kept, out-of-range clamped; constant maps become zero otherwise.
    cv::Mat probs = (cv::Mat_<float>(1, 3) << 0.2f, 0.7f, 1.5f);
    const cv::Mat fixed = normalizeMap(probs, Normalization::kFixed);
    QCOMPARE(fixed.at<float>(0, 1), 0.7f);
    QCOMPARE(fixed.at<float>(0, 2), 1.0f);
    QCOMPARE(cv::countNonZero(normalizeMap(cv::Mat::ones(3, 3, CV_32F), Normalization::kMinMax)), 0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, normalizeMap(cv::Mat(), Normalization::kMinMax));
  }

  void colourMapsRunDarkToBright() {
    cv::Mat ramp(1, 2, CV_32F);
    ramp.at<float>(0, 0) = 0.0f;
    ramp.at<float>(0, 1) = 1.0f;
    for (Colormap c : {Colormap::kViridis, Colormap::kInferno, Colormap::kGray}) {
      const cv::Mat rgb = colorize(ramp, c);
      QCOMPARE(rgb.type(), CV_8UC3);
      const cv::Vec3b lo = rgb.at<cv::Vec3b>(0, 0), hi = rgb.at<cv::Vec3b>(0, 1);
      QVERIFY(lo[0] + lo[1] + lo[2] < hi[0] + hi[1] + hi[2]);
    }
    // Viridis ends in yellow (RGB order: red and green high, blue low).
    const cv::Vec3b top = colorize(ramp, Colormap::kViridis).at<cv::Vec3b>(0, 1);
    QVERIFY(top[0] > 200 && top[1] > 200 && top[2] < 80);
  }

  void blending() {
    const cv::Mat black(4, 4, CV_8UC3, cv::Scalar(0, 0, 0));
    const cv::Mat white(4, 4, CV_8UC3, cv::Scalar(200, 200, 200));
    QCOMPARE(blend(black, white, 0.5).at<cv::Vec3b>(1, 1)[0], uchar(100));
    cv::Mat weight = cv::Mat::zeros(4, 4, CV_32F);
    weight.at<float>(2, 3) = 1.0f;
    const cv::Mat w = blend(black, white, 1.0, weight);
    QCOMPARE(w.at<cv::Vec3b>(2, 3)[1], uchar(200));
    QCOMPARE(w.at<cv::Vec3b>(0, 0)[1], uchar(0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, blend(black, cv::Mat(2, 2, CV_8UC3), 0.5));
  }
};

QTEST_GUILESS_MAIN(TestColormap)
#include "test_colormap.moc"
