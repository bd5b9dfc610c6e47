// RecordingPanel: the recording half of the Episodes dock. The file episodes go to, the task and
// instruction of the next episode, its seed, the reset phase between episodes; the buttons of
// LeRobot's habits (record, end and save = Right arrow, re-record = Left arrow, discard) and what
// the recorder reports (state, steps, interventions, commits, errors).
// A view: it emits the user's intents and shows what it is told. GUI thread only.
#pragma once

#include <QString>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace thinkvla::widgets {

struct RecordingTask {
  QString id;  // "spatial/3"
  QString label;
  QString instruction;  // the task's default instruction
};

class RecordingPanel : public QWidget {
  Q_OBJECT

 public:
  enum class State { kIdle, kRecording, kResetting };

  explicit RecordingPanel(QWidget* parent);

  void setTargetFile(const QString& path);  // "" when none: Record creates one
  void setTasks(const std::vector<RecordingTask>& tasks);
  void setTask(const QString& id);  // also resets the instruction to the task's
  QString taskId() const;
  void setInstruction(const QString& text);
  QString instruction() const;
  void setSeed(int seed);
  int seed() const;
  void setResetSeconds(int seconds);
  int resetSeconds() const;
  void setEndOnDone(bool on);
  bool endOnDone() const;  // end and save when the world says success or the step limit

  void setState(State state);
  State state() const { return state_; }
  void setStatus(const QString& text);
  void setRecorderStatus(const QString& text);
  QString statusText() const;
  QString recorderStatusText() const;

 Q_SIGNALS:
  void recordRequested();
  void endRequested();       // end and save (Right arrow)
  void rerecordRequested();  // discard and record again (Left arrow)
  void discardRequested();
  void newFileRequested(const QString& path);

 private:
  QLabel* file_ = nullptr;
  QComboBox* task_ = nullptr;
  QLineEdit* instruction_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QSpinBox* reset_s_ = nullptr;
  QCheckBox* end_on_done_ = nullptr;
  QPushButton* record_ = nullptr;
  QPushButton* end_ = nullptr;
  QPushButton* rerecord_ = nullptr;
  QPushButton* discard_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* recorder_ = nullptr;
  std::vector<RecordingTask> tasks_;
  State state_ = State::kIdle;
};

}  // namespace thinkvla::widgets
