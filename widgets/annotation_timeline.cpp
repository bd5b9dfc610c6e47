#include "widgets/annotation_timeline.h"

#include <QInputDialog>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QUndoCommand>
#include <algorithm>

namespace thinkvla::widgets {

namespace {
constexpr int kMargin = 8;
constexpr int kEdgeGrabPx = 5;

void normalize(TimelineAnnotations& a) {
  std::sort(a.segments.begin(), a.segments.end(),
            [](const auto& x, const auto& y) { return x.start_step < y.start_step; });
  std::sort(a.keyframes.begin(), a.keyframes.end(),
            [](const auto& x, const auto& y) { return x.step < y.step; });
}

QColor segmentColour(int i) {
  static const QColor kColours[] = {QColor(66, 133, 244), QColor(52, 168, 83), QColor(251, 188, 5),
                                    QColor(171, 71, 188), QColor(0, 172, 193), QColor(255, 112, 67)};
  return kColours[i % 6];
}
}  // namespace

// One undoable edit: the annotations before and after.
class TimelineEditCommand : public QUndoCommand {
 public:
  TimelineEditCommand(AnnotationTimeline* timeline, TimelineAnnotations before,
                      TimelineAnnotations after, const QString& text)
      : QUndoCommand(text), timeline_(timeline), before_(std::move(before)), after_(std::move(after)) {}
  void undo() override { timeline_->apply(before_); }
  void redo() override { timeline_->apply(after_); }

 private:
  AnnotationTimeline* timeline_;
  TimelineAnnotations before_;
  TimelineAnnotations after_;
};

AnnotationTimeline::AnnotationTimeline(QWidget* parent) : QWidget(parent), undo_(this) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  setMinimumHeight(80);
}

void AnnotationTimeline::setEpisode(int length_steps, const TimelineAnnotations& annotations,
                                    const std::vector<bool>& interventions) {
  length_ = std::max(0, length_steps);
  annotations_ = annotations;
  normalize(annotations_);
  interventions_ = interventions;
  current_ = 0;
  selected_ = -1;
  undo_.clear();
  update();
}

QRect AnnotationTimeline::rulerLane() const { return {0, 0, width(), 22}; }
QRect AnnotationTimeline::segmentLane() const { return {0, 24, width(), 30}; }
QRect AnnotationTimeline::keyframeLane() const { return {0, 56, width(), 18}; }

double AnnotationTimeline::xForStep(int step) const {
  if (length_ <= 1) return kMargin;
  return kMargin + (width() - 2.0 * kMargin) * step / (length_ - 1);
}

int AnnotationTimeline::stepAtX(double x) const {
  if (length_ <= 1) return 0;
  const double t = (x - kMargin) / std::max(1.0, width() - 2.0 * kMargin);
  return std::clamp(static_cast<int>(std::lround(t * (length_ - 1))), 0, length_ - 1);
}

void AnnotationTimeline::setCurrentStep(int step) {
  const int s = length_ > 0 ? std::clamp(step, 0, length_ - 1) : 0;
  if (s == current_) return;
  current_ = s;
  update();
  Q_EMIT currentStepChanged(current_);
}

void AnnotationTimeline::apply(const TimelineAnnotations& annotations) {
  annotations_ = annotations;
  if (selected_ >= static_cast<int>(annotations_.segments.size())) selected_ = -1;
  update();
  Q_EMIT annotationsEdited(annotations_);
}

void AnnotationTimeline::edit(const TimelineAnnotations& after, const QString& what) {
  TimelineAnnotations sorted = after;
  normalize(sorted);
  if (sorted == annotations_) return;
  undo_.push(new TimelineEditCommand(this, annotations_, sorted, what));  // push() calls redo()
}

void AnnotationTimeline::addSegment(int start_step, int end_step, const QString& label) {
  if (length_ == 0) return;
  TimelineSegment s{std::clamp(std::min(start_step, end_step), 0, length_ - 1),
                    std::clamp(std::max(start_step, end_step), 0, length_ - 1), label};
  TimelineAnnotations after = annotations_;
  after.segments.push_back(s);
  edit(after, tr("Add segment"));
}

void AnnotationTimeline::setSegmentLabel(int index, const QString& label) {
  if (index < 0 || index >= static_cast<int>(annotations_.segments.size())) return;
  TimelineAnnotations after = annotations_;
  after.segments[static_cast<std::size_t>(index)].label = label;
  edit(after, tr("Rename segment"));
}

void AnnotationTimeline::removeSegment(int index) {
  if (index < 0 || index >= static_cast<int>(annotations_.segments.size())) return;
  TimelineAnnotations after = annotations_;
  after.segments.erase(after.segments.begin() + index);
  selected_ = -1;
  edit(after, tr("Delete segment"));
}

void AnnotationTimeline::addKeyframe(int step, const QString& label) {
  if (length_ == 0) return;
  TimelineAnnotations after = annotations_;
  const int s = std::clamp(step, 0, length_ - 1);
  for (const auto& k : after.keyframes) {
    if (k.step == s) return;  // one keyframe per step
  }
  after.keyframes.push_back({s, label});
  edit(after, tr("Add keyframe"));
}

void AnnotationTimeline::setKeyframeLabel(int step, const QString& label) {
  TimelineAnnotations after = annotations_;
  for (auto& k : after.keyframes) {
    if (k.step == step) {
      k.label = label;
      edit(after, tr("Label keyframe"));
      return;
    }
  }
}

void AnnotationTimeline::removeKeyframe(int step) {
  TimelineAnnotations after = annotations_;
  const auto it = std::find_if(after.keyframes.begin(), after.keyframes.end(),
                               [&](const auto& k) { return k.step == step; });
  if (it == after.keyframes.end()) return;
  after.keyframes.erase(it);
  edit(after, tr("Delete keyframe"));
}

int AnnotationTimeline::segmentAt(int step) const {
  for (int i = 0; i < static_cast<int>(annotations_.segments.size()); ++i) {
    const auto& s = annotations_.segments[static_cast<std::size_t>(i)];
    if (step >= s.start_step && step <= s.end_step) return i;
  }
  return -1;
}

void AnnotationTimeline::mousePressEvent(QMouseEvent* event) {
  if (length_ == 0) return;
  const QPointF p = event->position();
  const int step = stepAtX(p.x());
  if (rulerLane().contains(p.toPoint())) {
    drag_ = Drag::kScrub;
    setCurrentStep(step);
  } else if (segmentLane().contains(p.toPoint()) && event->button() == Qt::LeftButton) {
    // On an edge: resize; inside: select; on empty space: start creating.
    drag_before_ = annotations_;
    for (int i = 0; i < static_cast<int>(annotations_.segments.size()); ++i) {
      const auto& s = annotations_.segments[static_cast<std::size_t>(i)];
      if (std::abs(p.x() - xForStep(s.start_step)) <= kEdgeGrabPx) {
        drag_ = Drag::kResizeStart;
        drag_index_ = i;
        selected_ = i;
        update();
        return;
      }
      if (std::abs(p.x() - xForStep(s.end_step)) <= kEdgeGrabPx) {
        drag_ = Drag::kResizeEnd;
        drag_index_ = i;
        selected_ = i;
        update();
        return;
      }
    }
    selected_ = segmentAt(step);
    if (selected_ < 0) {
      drag_ = Drag::kCreate;
      drag_anchor_ = step;
      last_drag_step_ = step;
    }
    update();
  } else if (keyframeLane().contains(p.toPoint())) {
    if (event->button() == Qt::RightButton) {
      // The nearest keyframe within a few pixels.
      for (const auto& k : annotations_.keyframes) {
        if (std::abs(xForStep(k.step) - p.x()) <= kEdgeGrabPx) {
          removeKeyframe(k.step);
          return;
        }
      }
    } else {
      addKeyframe(step, tr("keyframe"));
    }
  }
}

void AnnotationTimeline::mouseMoveEvent(QMouseEvent* event) {
  const int step = stepAtX(event->position().x());
  switch (drag_) {
    case Drag::kScrub:
      setCurrentStep(step);
      break;
    case Drag::kCreate:
      update();
      break;
    case Drag::kResizeStart:
    case Drag::kResizeEnd: {
      // Live feedback without undo entries; the release records one edit.
      auto& s = annotations_.segments[static_cast<std::size_t>(drag_index_)];
      if (drag_ == Drag::kResizeStart) s.start_step = std::min(step, s.end_step);
      else s.end_step = std::max(step, s.start_step);
      update();
      break;
    }
    case Drag::kNone: {
      bool on_edge = false;
      if (segmentLane().contains(event->position().toPoint())) {
        for (const auto& s : annotations_.segments) {
          on_edge |= std::abs(event->position().x() - xForStep(s.start_step)) <= kEdgeGrabPx ||
                     std::abs(event->position().x() - xForStep(s.end_step)) <= kEdgeGrabPx;
        }
      }
      setCursor(on_edge ? Qt::SizeHorCursor : Qt::ArrowCursor);
      break;
    }
  }
  last_drag_step_ = step;
}

void AnnotationTimeline::mouseReleaseEvent(QMouseEvent* event) {
  const int step = stepAtX(event->position().x());
  const Drag drag = drag_;
  drag_ = Drag::kNone;
  if (drag == Drag::kCreate && step != drag_anchor_) {
    addSegment(drag_anchor_, step,
               tr("segment %1").arg(static_cast<int>(annotations_.segments.size()) + 1));
    selected_ = segmentAt(std::min(step, drag_anchor_));
  } else if (drag == Drag::kResizeStart || drag == Drag::kResizeEnd) {
    const TimelineAnnotations after = annotations_;
    annotations_ = drag_before_;
    edit(after, tr("Resize segment"));
  }
  update();
}

void AnnotationTimeline::mouseDoubleClickEvent(QMouseEvent* event) {
  if (keyframeLane().contains(event->position().toPoint())) {
    for (const auto& k : annotations_.keyframes) {
      if (std::abs(xForStep(k.step) - event->position().x()) > kEdgeGrabPx) continue;
      bool ok = false;
      const QString label = QInputDialog::getText(this, tr("Keyframe label"), tr("Label:"),
                                                  QLineEdit::Normal, k.label, &ok);
      if (ok) setKeyframeLabel(k.step, label);
      return;
    }
    return;
  }
  if (!segmentLane().contains(event->position().toPoint())) return;
  const int index = segmentAt(stepAtX(event->position().x()));
  if (index < 0) return;
  bool ok = false;
  const QString label = QInputDialog::getText(
      this, tr("Segment label"), tr("Label:"), QLineEdit::Normal,
      annotations_.segments[static_cast<std::size_t>(index)].label, &ok);
  if (ok) setSegmentLabel(index, label);
}

void AnnotationTimeline::keyPressEvent(QKeyEvent* event) {
  if ((event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) && selected_ >= 0) {
    removeSegment(selected_);
  } else if (event->matches(QKeySequence::Undo)) {
    undo_.undo();
  } else if (event->matches(QKeySequence::Redo)) {
    undo_.redo();
  } else if (event->key() == Qt::Key_Left) {
    setCurrentStep(current_ - 1);
  } else if (event->key() == Qt::Key_Right) {
    setCurrentStep(current_ + 1);
  } else {
    QWidget::keyPressEvent(event);
  }
}

void AnnotationTimeline::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(28, 31, 36));
  p.setRenderHint(QPainter::Antialiasing, false);
  if (length_ == 0) {
    p.setPen(QColor(140, 146, 156));
    p.drawText(rect(), Qt::AlignCenter, tr("No episode"));
    return;
  }
  // Ruler: a tick every so many steps.
  const QRect ruler = rulerLane();
  p.fillRect(ruler, QColor(38, 42, 48));
  const int every = std::max(1, length_ / 20);
  p.setPen(QColor(120, 126, 136));
  for (int s = 0; s < length_; s += every) {
    const int x = static_cast<int>(xForStep(s));
    p.drawLine(x, ruler.bottom() - 5, x, ruler.bottom());
  }
  // Interventions: red ticks along the bottom of the ruler.
  p.setPen(QColor(239, 83, 80));
  for (int s = 0; s < static_cast<int>(interventions_.size()) && s < length_; ++s) {
    if (interventions_[static_cast<std::size_t>(s)]) {
      const int x = static_cast<int>(xForStep(s));
      p.drawLine(x, ruler.top() + 2, x, ruler.top() + 8);
    }
  }
  // Segments.
  const QRect lane = segmentLane();
  const auto paintSegment = [&](const TimelineSegment& s, const QColor& c, bool selected) {
    const int x0 = static_cast<int>(xForStep(s.start_step));
    const int x1 = static_cast<int>(xForStep(s.end_step));
    const QRect r(x0, lane.top() + 2, std::max(2, x1 - x0), lane.height() - 4);
    p.fillRect(r, c);
    if (selected) {
      p.setPen(QPen(Qt::white, 2));
      p.drawRect(r.adjusted(1, 1, -1, -1));
    }
    p.setPen(Qt::white);
    p.drawText(r.adjusted(4, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft, s.label);
  };
  for (int i = 0; i < static_cast<int>(annotations_.segments.size()); ++i) {
    paintSegment(annotations_.segments[static_cast<std::size_t>(i)], segmentColour(i), i == selected_);
  }
  if (drag_ == Drag::kCreate) {
    TimelineSegment preview{std::min(drag_anchor_, last_drag_step_), std::max(drag_anchor_, last_drag_step_), {}};
    paintSegment(preview, QColor(255, 255, 255, 70), false);
  }
  // Keyframes: diamonds.
  const QRect keys = keyframeLane();
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setBrush(QColor(255, 202, 40));
  p.setPen(Qt::NoPen);
  for (const auto& k : annotations_.keyframes) {
    const double x = xForStep(k.step);
    const double cy = keys.center().y();
    const QPointF diamond[4] = {{x, cy - 6}, {x + 5, cy}, {x, cy + 6}, {x - 5, cy}};
    p.drawPolygon(diamond, 4);
  }
  // Their labels beside them, where there is room.
  p.setPen(QColor(255, 224, 130));
  for (const auto& k : annotations_.keyframes) {
    if (k.label.isEmpty()) continue;
    p.drawText(QRectF(xForStep(k.step) + 7, keys.top(), 120, keys.height()),
               Qt::AlignVCenter | Qt::AlignLeft, k.label);
  }
  p.setPen(Qt::NoPen);
  // The scrubber over everything.
  const int cx = static_cast<int>(xForStep(current_));
  p.setPen(QPen(QColor(236, 239, 241), 2));
  p.drawLine(cx, 0, cx, height());
}

}  // namespace thinkvla::widgets
