// AnnotationTimeline: the strip under the camera views when browsing an episode. From top to
// bottom: a ruler with the scrubber (click or drag to show any step), the subtask segments (drag on
// empty space to create one, drag an edge to resize, double-click to rename, Delete removes the
// selected one), the keyframes (click to add, double-click to label, right-click to remove) and
// the steps where a human
// intervened. Every edit goes on an undo stack (undo/redo) and is announced with annotationsEdited.
// The widget holds a copy of the annotations it shows; the controller saves them.
// GUI thread only.
#pragma once

#include <QString>
#include <QUndoStack>
#include <QWidget>
#include <vector>

namespace thinkvla::widgets {

struct TimelineSegment {
  int start_step = 0;
  int end_step = 0;  // inclusive
  QString label;
  bool operator==(const TimelineSegment& o) const {
    return start_step == o.start_step && end_step == o.end_step && label == o.label;
  }
};

struct TimelineKeyframe {
  int step = 0;
  QString label;
  bool operator==(const TimelineKeyframe& o) const { return step == o.step && label == o.label; }
};

struct TimelineAnnotations {
  std::vector<TimelineSegment> segments;  // kept sorted by start
  std::vector<TimelineKeyframe> keyframes;  // kept sorted by step
  bool operator==(const TimelineAnnotations& o) const {
    return segments == o.segments && keyframes == o.keyframes;
  }
};

class AnnotationTimeline : public QWidget {
  Q_OBJECT

 public:
  explicit AnnotationTimeline(QWidget* parent);

  // A new episode: its length, annotations and intervention flags. Clears the undo stack.
  void setEpisode(int length_steps, const TimelineAnnotations& annotations,
                  const std::vector<bool>& interventions = {});
  const TimelineAnnotations& annotations() const { return annotations_; }
  int length() const { return length_; }
  int currentStep() const { return current_; }
  int selectedSegment() const { return selected_; }
  QUndoStack* undoStack() { return &undo_; }

  void setCurrentStep(int step);
  // Edits as the mouse makes them, also for keyboard and menu use; each is one undo step.
  void addSegment(int start_step, int end_step, const QString& label);
  void setSegmentLabel(int index, const QString& label);
  void removeSegment(int index);
  void addKeyframe(int step, const QString& label);
  void setKeyframeLabel(int step, const QString& label);
  void removeKeyframe(int step);

  // Geometry shared with the tests: the x of a step, the lanes' vertical bands.
  double xForStep(int step) const;
  int stepAtX(double x) const;
  QRect rulerLane() const;
  QRect segmentLane() const;
  QRect keyframeLane() const;
  QSize sizeHint() const override { return {640, 96}; }

 Q_SIGNALS:
  void currentStepChanged(int step);
  void annotationsEdited(const thinkvla::widgets::TimelineAnnotations& annotations);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  friend class TimelineEditCommand;
  void apply(const TimelineAnnotations& annotations);  // used by the undo commands
  void edit(const TimelineAnnotations& after, const QString& what);
  int segmentAt(int step) const;

  enum class Drag { kNone, kScrub, kCreate, kResizeStart, kResizeEnd };
  Drag drag_ = Drag::kNone;
  int drag_anchor_ = 0;
  int last_drag_step_ = 0;
  int drag_index_ = -1;
  TimelineAnnotations drag_before_;

  int length_ = 0;
  int current_ = 0;
  int selected_ = -1;
  TimelineAnnotations annotations_;
  std::vector<bool> interventions_;
  QUndoStack undo_;
};

}  // namespace thinkvla::widgets
