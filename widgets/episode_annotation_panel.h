// EpisodeAnnotationPanel: the Annotation dock, for the episode selected in the Episodes dock. Both
// cameras at the scrubbed step, the step's recorded action beside the loaded policy's prediction
// there, the AnnotationTimeline (scrubber, subtask segments, keyframes, interventions), and the
// episode's success flag, instruction and notes. Every edit, on the timeline or in the fields, is
// one entry of the same undo stack (undo/redo); the stack's clean state is "saved". Buttons ask to
// save, to replay the episode in the world and to stop the replay.
// A view: the controller feeds it frames and actions and writes the edits to the file.
// GUI thread only.
#pragma once

#include <QString>
#include <QWidget>
#include <opencv2/core.hpp>

#include <vector>

#include "widgets/annotation_timeline.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace thinkvla::widgets {

class CameraView;

struct EpisodeMeta {
  bool success = false;
  QString instruction;
  QString notes;
  bool operator==(const EpisodeMeta& o) const {
    return success == o.success && instruction == o.instruction && notes == o.notes;
  }
  bool operator!=(const EpisodeMeta& o) const { return !(*this == o); }
};

class EpisodeAnnotationPanel : public QWidget {
  Q_OBJECT

 public:
  explicit EpisodeAnnotationPanel(QWidget* parent);

  // A new episode: clears the undo stack and marks it saved.
  void setEpisode(const QString& title, int length_steps, const TimelineAnnotations& annotations,
                  const std::vector<bool>& interventions, const EpisodeMeta& meta);
  void clearEpisode();
  bool hasEpisode() const { return timeline_->length() > 0; }

  AnnotationTimeline* timeline() const { return timeline_; }
  QUndoStack* undoStack() const { return timeline_->undoStack(); }
  EpisodeMeta meta() const { return meta_; }
  // One undoable edit of the success flag, instruction and notes (the fields show it).
  void editMeta(const EpisodeMeta& after);
  bool dirty() const;
  void markSaved();

  // What the scrubbed step shows. `recorded` / `predicted`: 7-D actions (predicted empty: none).
  void setStepFrames(const cv::Mat& agentview_rgb, const cv::Mat& wrist_rgb);
  void setStepActions(const std::vector<double>& recorded, const std::vector<double>& predicted,
                      const QString& prediction_note);
  std::vector<CameraView*> cameraViews() const { return {agent_view_, wrist_view_}; }
  QString predictionText() const;
  void setReplaying(bool replaying);
  void setStatus(const QString& text);
  QString statusText() const;

 Q_SIGNALS:
  void saveRequested();
  void replayRequested();
  void stopReplayRequested();
  void currentStepChanged(int step);
  void metaEdited(const thinkvla::widgets::EpisodeMeta& meta);

 private:
  friend class MetaEditCommand;
  void applyMeta(const EpisodeMeta& meta);  // undo/redo
  void commitFields();                      // the fields' values as one edit, when changed
  bool eventFilter(QObject* watched, QEvent* event) override;
  void updateButtons();

  CameraView* agent_view_ = nullptr;
  CameraView* wrist_view_ = nullptr;
  QTableWidget* actions_ = nullptr;
  QLabel* prediction_note_ = nullptr;
  AnnotationTimeline* timeline_ = nullptr;
  QLabel* title_ = nullptr;
  QCheckBox* success_ = nullptr;
  QLineEdit* instruction_ = nullptr;
  QPlainTextEdit* notes_ = nullptr;
  QPushButton* undo_ = nullptr;
  QPushButton* redo_ = nullptr;
  QPushButton* save_ = nullptr;
  QPushButton* replay_ = nullptr;
  QPushButton* stop_ = nullptr;
  QLabel* status_ = nullptr;
  EpisodeMeta meta_;
  bool replaying_ = false;
  bool applying_ = false;
};

}  // namespace thinkvla::widgets
