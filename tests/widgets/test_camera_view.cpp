// A camera view shows the frame with its aspect kept, its caption, an error banner, and maps
// clicks back to image pixels.
#include <QtTest/QtTest>

#include "widgets/camera_view.h"

using thinkvla::widgets::CameraView;

class TestCameraView : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void drawsTheFrameLetterboxed() {
    CameraView view(nullptr);
    view.resize(400, 200);
    cv::Mat rgb(100, 100, CV_8UC3, cv::Scalar(250, 10, 10));  // red in RGB order
    rgb(cv::Rect(50, 50, 50, 50)).setTo(cv::Scalar(10, 10, 250));  // blue bottom-right quarter
    view.setFrame(rgb);
    const QRect r = view.imageRect();
    QCOMPARE(r, QRect(100, 0, 200, 200));  // square picture centred in a wide view
    const QImage shot = view.grab().toImage();
    const QColor red = shot.pixelColor(r.left() + 40, r.top() + 60);
    QVERIFY2(red.red() > 200 && red.blue() < 60, "RGB order lost");
    const QColor blue = shot.pixelColor(r.right() - 20, r.bottom() - 20);
    QVERIFY(blue.blue() > 200 && blue.red() < 60);
    const QColor bar = shot.pixelColor(20, 150);  // letterbox
    QVERIFY(bar.red() < 40 && bar.green() < 40 && bar.blue() < 40);
  }

  void captionAndErrorBanner() {
    CameraView view(nullptr);
    view.resize(320, 240);
    view.setFrame(cv::Mat(240, 320, CV_8UC3, cv::Scalar(128, 128, 128)));
    const QImage plain = view.grab().toImage();
    view.setCaption("camera:0", 29.7, 3);
    const QImage captioned = view.grab().toImage();
    int changed = 0;
    for (int x = 0; x < 320; ++x) changed += plain.pixel(x, 8) != captioned.pixel(x, 8) ? 1 : 0;
    QVERIFY(changed > 100);  // the caption strip darkens the top
    QCOMPARE(plain.pixel(160, 200), captioned.pixel(160, 200));
    view.setError("camera:0: no frame from the camera (unplugged?)");
    const QColor banner = view.grab().toImage().pixelColor(5, 120);
    QVERIFY(banner.red() > 120 && banner.green() < 60);
    view.setError({});
    QCOMPARE(view.grab().toImage().pixel(5, 120), captioned.pixel(5, 120));
  }

  void clicksMapToImagePixels() {
    CameraView view(nullptr);
    view.resize(400, 200);
    view.setFrame(cv::Mat(128, 128, CV_8UC3, cv::Scalar(0, 0, 0)));
    QSignalSpy spy(&view, &CameraView::imageClicked);
    QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, QPoint(200, 100));  // the centre
    QCOMPARE(spy.size(), 1);
    const QPointF p = spy.at(0).at(0).toPointF();
    QVERIFY(std::abs(p.x() - 64.0) < 1.0 && std::abs(p.y() - 64.0) < 1.0);
    QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, QPoint(10, 100));  // letterbox
    QCOMPARE(spy.size(), 1);
  }
};

QTEST_MAIN(TestCameraView)
#include "test_camera_view.moc"
