// SourcesPanel: the Sources dock. Where the camera views' pictures come from: the cameras found on
// the machine (camera:N), a video file, an image folder, a network stream, or the built-in world
// (a task picked by suite and task, a perturbation by dimension and level 0-4, a seed); the
// active source's resolution, measured fps and dropped frames, its error; and an optional OpenCV
// YAML calibration for the path overlay. A view: it emits the user's choice as a source spec
// (the syntax of `thinkvla-studio --source`) and shows what it is told. GUI thread only.
//
// World specs: sim:SUITE/TASK[@SEED][?DIMENSION:LEVEL,...], TASK an index or a task name.
#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace thinkvla::widgets {

struct SourceStatus {
  QString spec;        // the active source
  int width = 0;       // 0: not known yet
  int height = 0;
  double measured_fps = 0.0;
  quint64 frames = 0;
  quint64 dropped = 0;
  QString error;       // empty when it runs
};

// One suite of the built-in world and its tasks, for the task picker.
struct WorldSuite {
  QString name;          // "spatial"
  QStringList tasks;     // task names, by index
};

class SourcesPanel : public QWidget {
  Q_OBJECT

 public:
  explicit SourcesPanel(QWidget* parent);

  void setCameras(const QStringList& specs);  // "camera:0", ...
  QStringList cameras() const;
  void setWorldCatalogue(const QList<WorldSuite>& suites, const QStringList& dimensions);
  // The world pickers as a spec (see above).
  QString worldSpec() const;
  // Also sets the pickers to a new active source (a world task, a camera, a stream URL), so that
  // they show what runs, e.g. after `--source`.
  void setStatus(const SourceStatus& status);
  QString statusText() const;
  QString errorText() const;
  void setCalibrationPath(const QString& path);  // empty: none loaded

 Q_SIGNALS:
  void sourceRequested(const QString& spec);
  void rescanRequested();
  void calibrationRequested(const QString& path);  // empty: drop the calibration

 private:
  void fillTasks();
  void showSpec(const QString& spec);

  QList<WorldSuite> suites_;
  QString active_spec_;
  QListWidget* cameras_ = nullptr;
  QLineEdit* url_ = nullptr;
  QComboBox* suite_ = nullptr;
  QComboBox* task_ = nullptr;
  QComboBox* dimension_ = nullptr;
  QSpinBox* level_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QLabel* active_ = nullptr;
  QLabel* stats_ = nullptr;
  QLabel* error_ = nullptr;
  QLabel* calibration_ = nullptr;
};

}  // namespace thinkvla::widgets
