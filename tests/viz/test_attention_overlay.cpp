// Attention over patches lands on the right part of the image.
#include <QtTest/QtTest>

#include "viz/attention_overlay.h"

using namespace thinkvla::viz;

class TestAttentionOverlay : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void hotPatchColoursItsRegion() {
    const cv::Mat image(128, 128, CV_8UC3, cv::Scalar(60, 60, 60));
    cv::Mat weights = cv::Mat::zeros(8, 8, CV_32F);
    weights.at<float>(2, 5) = 1.0f;  // patch row 2, column 5 -> pixels y 32..47, x 80..95
    AttentionStyle style;
    style.smooth = false;
    style.opacity = 0.8;
    const cv::Mat out = drawAttention(image, weights, style);
    QCOMPARE(out.size(), image.size());
    const cv::Vec3b hot = out.at<cv::Vec3b>(40, 88);
    const cv::Vec3b cold = out.at<cv::Vec3b>(100, 10);
    // Inferno's top is bright yellow-white; its bottom nearly black.
    QVERIFY2(hot[0] > 180 && hot[1] > 150, "hot patch not bright");
    QVERIFY(cold[0] < 60 && cold[1] < 60);
    // Exactly that patch changed colour, not its neighbours.
    QCOMPARE(out.at<cv::Vec3b>(40, 78), out.at<cv::Vec3b>(100, 10));
    QVERIFY(out.at<cv::Vec3b>(40, 88) != out.at<cv::Vec3b>(40, 97));
  }

  void opacityZeroLeavesTheImage() {
    cv::Mat image(64, 64, CV_8UC3);
    cv::randu(image, 0, 255);
    cv::Mat weights(4, 4, CV_32F);
    cv::randu(weights, 0.0f, 1.0f);
    AttentionStyle style;
    style.opacity = 0.0;
    const cv::Mat out = drawAttention(image, weights, style);
    QCOMPARE(cv::norm(out, image, cv::NORM_INF), 0.0);
  }

  void badInputIsRejected() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             drawAttention(cv::Mat(4, 4, CV_8UC1), cv::Mat::ones(2, 2, CV_32F), {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             drawAttention(cv::Mat(4, 4, CV_8UC3), cv::Mat(), {}));
  }
};

QTEST_GUILESS_MAIN(TestAttentionOverlay)
#include "test_attention_overlay.moc"
