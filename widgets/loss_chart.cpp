#include "widgets/loss_chart.h"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace thinkvla::widgets {

namespace {
QColor termColour(const QString& term) {
  if (term == "total") return QColor(236, 239, 241);
  if (term == "action") return QColor(66, 133, 244);
  if (term == "alignment") return QColor(52, 168, 83);
  if (term == "distillation") return QColor(251, 188, 5);
  if (term == "language") return QColor(171, 71, 188);
  if (term == "depth_probe") return QColor(0, 172, 193);
  return QColor(255, 112, 67);
}
}  // namespace

LossChart::LossChart(QWidget* parent) : QWidget(parent) {
  chart_ = new QChart();
  chart_->setTheme(QChart::ChartThemeDark);
  chart_->setAnimationOptions(QChart::NoAnimation);
  chart_->legend()->setAlignment(Qt::AlignBottom);
  chart_->setMargins(QMargins(4, 4, 4, 4));
  x_axis_ = new QValueAxis(chart_);
  x_axis_->setTitleText(tr("step"));
  x_axis_->setLabelFormat("%d");
  y_axis_ = new QValueAxis(chart_);
  y_axis_->setTitleText(tr("loss"));
  chart_->addAxis(x_axis_, Qt::AlignBottom);
  chart_->addAxis(y_axis_, Qt::AlignLeft);
  view_ = new QChartView(chart_, this);  // the view owns the chart
  view_->setRenderHint(QPainter::Antialiasing);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view_);
  updateAxes();
}

QLineSeries* LossChart::series(const QString& term) {
  auto it = series_.find(term);
  if (it != series_.end()) return it->second;
  auto* s = new QLineSeries(chart_);
  s->setName(term);
  QPen pen(termColour(term));
  pen.setWidthF(term == "total" ? 2.0 : 1.5);
  s->setPen(pen);
  chart_->addSeries(s);
  s->attachAxis(x_axis_);
  s->attachAxis(y_axis_);
  series_.emplace(term, s);
  return s;
}

void LossChart::addPoint(const QString& term, double step, double value) {
  if (!std::isfinite(step) || !std::isfinite(value)) return;
  QLineSeries* s = series(term);
  if (s->count() >= kMaxPoints) {
    // Thin the older half 2:1 so the curve keeps its shape and its end stays dense.
    QList<QPointF> pts = s->points();
    QList<QPointF> kept;
    kept.reserve(pts.size());
    const int half = static_cast<int>(pts.size()) / 2;
    for (int i = 0; i < pts.size(); ++i) {
      if (i >= half || i % 2 == 0) kept.append(pts[i]);
    }
    s->replace(kept);
  }
  s->append(step, value);
  if (!has_points_) {
    min_x_ = max_x_ = step;
    min_y_ = max_y_ = value;
    has_points_ = true;
  } else {
    min_x_ = std::min(min_x_, step);
    max_x_ = std::max(max_x_, step);
    min_y_ = std::min(min_y_, value);
    max_y_ = std::max(max_y_, value);
  }
  updateAxes();
}

void LossChart::updateAxes() {
  const double x1 = max_x_ > min_x_ ? max_x_ : min_x_ + 1;
  double y0 = min_y_, y1 = max_y_;
  if (y1 - y0 < 1e-6) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const double pad = 0.05 * (y1 - y0);
  x_axis_->setRange(min_x_, x1);
  double lo = y0 - pad;
  if (y0 >= 0 && lo < 0) lo = 0;  // losses are not negative: keep zero as the floor
  y_axis_->setRange(lo, y1 + pad);
}

void LossChart::clear() {
  for (auto& [term, s] : series_) {
    chart_->removeSeries(s);
    delete s;
  }
  series_.clear();
  has_points_ = false;
  min_x_ = 0, max_x_ = 1, min_y_ = 0, max_y_ = 1;
  updateAxes();
}

QStringList LossChart::terms() const {
  QStringList out;
  for (const auto& [term, s] : series_) out << term;
  return out;
}

std::vector<QPointF> LossChart::points(const QString& term) const {
  auto it = series_.find(term);
  if (it == series_.end()) return {};
  const QList<QPointF> pts = it->second->points();
  return {pts.begin(), pts.end()};
}

}  // namespace thinkvla::widgets
