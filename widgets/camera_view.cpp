#include "widgets/camera_view.h"

#include <QMouseEvent>
#include <QPainter>

namespace thinkvla::widgets {

CameraView::CameraView(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  setMinimumSize(96, 72);
}

void CameraView::setFrame(const cv::Mat& rgb) {
  if (rgb.empty()) {
    image_ = QImage();
  } else {
    CV_Assert(rgb.type() == CV_8UC3);
    image_ = QImage(rgb.data, rgb.cols, rgb.rows, static_cast<qsizetype>(rgb.step),
                    QImage::Format_RGB888)
                 .copy();
  }
  update();
}

void CameraView::setCaption(const QString& camera, double fps, quint64 dropped) {
  camera_ = camera;
  fps_ = fps;
  dropped_ = dropped;
  update();
}

void CameraView::setError(const QString& message) {
  error_ = message;
  update();
}

QRect CameraView::imageRect() const {
  if (image_.isNull()) return {};
  const QSize scaled = image_.size().scaled(size(), Qt::KeepAspectRatio);
  return QRect(QPoint((width() - scaled.width()) / 2, (height() - scaled.height()) / 2), scaled);
}

void CameraView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(18, 20, 24));
  const QRect target = imageRect();
  if (!image_.isNull()) {
    p.setRenderHint(QPainter::SmoothPixmapTransform, target.width() < image_.width());
    p.drawImage(target, image_);
  }
  // Caption: top-left, on a translucent strip.
  QString caption = camera_;
  if (!image_.isNull()) caption += QString("  %1x%2").arg(image_.width()).arg(image_.height());
  if (fps_ > 0) caption += QString("  %1 fps").arg(fps_, 0, 'f', 1);
  if (dropped_ > 0) caption += QString("  %1 dropped").arg(dropped_);
  if (!caption.isEmpty()) {
    const QRect strip(0, 0, width(), fontMetrics().height() + 6);
    p.fillRect(strip, QColor(0, 0, 0, 140));
    p.setPen(QColor(230, 232, 236));
    p.drawText(strip.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft, caption);
  }
  if (!error_.isEmpty()) {
    const QRect banner(0, height() / 2 - 24, width(), 48);
    p.fillRect(banner, QColor(150, 30, 30, 220));
    p.setPen(Qt::white);
    p.drawText(banner.adjusted(8, 0, -8, 0), Qt::AlignCenter | Qt::TextWordWrap, error_);
  }
}

void CameraView::mousePressEvent(QMouseEvent* event) {
  const QRect target = imageRect();
  if (target.isEmpty() || !target.contains(event->position().toPoint())) return;
  const QPointF rel = event->position() - QPointF(target.topLeft());
  Q_EMIT imageClicked(QPointF(rel.x() * image_.width() / target.width(),
                              rel.y() * image_.height() / target.height()));
}

}  // namespace thinkvla::widgets
