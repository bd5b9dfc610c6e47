// CameraView: one camera's picture, scaled to fit with its aspect kept, with a caption (camera,
// resolution, measured fps, dropped frames) and an error banner when the source failed. The image
// arrives already composed (overlays are drawn by viz/ on the frame before it gets here).
// GUI thread only.
#pragma once

#include <QImage>
#include <QWidget>
#include <opencv2/core.hpp>

namespace thinkvla::widgets {

class CameraView : public QWidget {
  Q_OBJECT

 public:
  explicit CameraView(QWidget* parent);

  // rgb: CV_8UC3 RGB (copied). An empty Mat clears the view.
  void setFrame(const cv::Mat& rgb);
  void setCaption(const QString& camera, double fps, quint64 dropped);
  void setError(const QString& message);  // empty clears it
  QString error() const { return error_; }
  QImage frame() const { return image_; }  // the picture as shown (overlays composed in)
  QRect imageRect() const;  // where the picture is drawn, in widget pixels
  QSize sizeHint() const override { return {320, 240}; }

 Q_SIGNALS:
  // The user clicked the picture; the position in image pixels.
  void imageClicked(QPointF image_px);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  QImage image_;
  QString camera_;
  double fps_ = 0.0;
  quint64 dropped_ = 0;
  QString error_;
};

}  // namespace thinkvla::widgets
