// LossChart: live training curves, one line per loss term (total, action, alignment, ...) against
// the optimiser step, drawn with Qt Charts. Terms appear the first time a value arrives; non-finite
// values (a term a step did not have) are skipped. The axes follow the data. To keep redraws cheap
// on long runs a series keeps at most kMaxPoints points (older ones are thinned 2:1).
// GUI thread only.
#pragma once

#include <QPointF>
#include <QString>
#include <QWidget>

#include <map>
#include <vector>

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace thinkvla::widgets {

class LossChart : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kMaxPoints = 2000;

  explicit LossChart(QWidget* parent);

  void addPoint(const QString& term, double step, double value);
  void clear();

  QStringList terms() const;
  std::vector<QPointF> points(const QString& term) const;  // empty for an unknown term
  QSize sizeHint() const override { return {420, 220}; }

 private:
  QLineSeries* series(const QString& term);
  void updateAxes();

  QChart* chart_ = nullptr;
  QChartView* view_ = nullptr;
  QValueAxis* x_axis_ = nullptr;
  QValueAxis* y_axis_ = nullptr;
  std::map<QString, QLineSeries*> series_;
  double min_x_ = 0, max_x_ = 1, min_y_ = 0, max_y_ = 1;
  bool has_points_ = false;
};

}  // namespace thinkvla::widgets
