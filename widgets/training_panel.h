// TrainingPanel: the Training dock's controls and read-outs. What to train on (episode files),
// where to start (the checkpoint loaded in the live view, or a fresh preset), a few
// hyperparameters (steps, batch, learning rate), the output directory; start, pause, resume and
// cancel; a progress bar with the ETA, live loss curves per term (LossChart), the checkpoints the
// run wrote with "Load into live view", and an optional evaluation with its success table.
// A view: it emits the user's intents and shows what it is told; it never trains anything itself.
// GUI thread only.
#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace thinkvla::widgets {

class LossChart;

// What the user asked for when pressing Start.
struct TrainingRequest {
  QStringList episode_files;
  QString init_checkpoint;  // empty: a fresh network of `preset`
  QString preset = "tiny";
  int steps = 100;
  int batch_size = 4;
  double lr = 1e-4;
  QString out_dir;
};

// One row of the evaluation table.
struct EvalRow {
  QString task;
  int episodes = 0;
  int successes = 0;
  double mean_steps = 0.0;
};

class TrainingPanel : public QWidget {
  Q_OBJECT

 public:
  enum class RunState { kIdle, kRunning, kPaused, kStopping };

  explicit TrainingPanel(QWidget* parent);

  // The checkpoint loaded in the live view ("" when none): offered as the starting point.
  void setLoadedCheckpoint(const QString& directory);
  void setEpisodeFiles(const QStringList& files);
  void addEpisodeFile(const QString& file);  // ignored when already listed
  void setOutputDirectory(const QString& directory);
  void setHyperparameters(int steps, int batch_size, double lr);
  void setStartFrom(const QString& checkpoint_or_empty, const QString& preset);
  TrainingRequest request() const;

  // The run's state as the controller sees it: which buttons are live.
  void setRunState(RunState state);
  RunState runState() const { return state_; }
  void setProgress(long step, long total_steps, double eta_s, double samples_per_s);
  void setStatus(const QString& text);
  QString statusText() const;
  int progressValue() const;  // 0..1000
  QString etaText() const;

  LossChart* lossChart() const { return chart_; }

  // Checkpoints written by the run, newest last: (label, directory).
  void addCheckpoint(const QString& label, const QString& directory);
  void clearCheckpoints();
  QStringList checkpointDirectories() const;
  void selectCheckpoint(int row);

  void setEvaluationRunning(bool running);
  void setEvaluation(const std::vector<EvalRow>& rows);
  int evaluationRows() const;

 Q_SIGNALS:
  void startRequested(const thinkvla::widgets::TrainingRequest& request);
  void pauseRequested();
  void resumeRequested();
  void cancelRequested();
  void loadCheckpointRequested(const QString& directory);
  void evaluateRequested(const QString& directory, int episodes_per_task);

 private:
  void updateButtons();
  QString selectedCheckpoint() const;

  QListWidget* files_ = nullptr;
  QComboBox* start_from_ = nullptr;
  QSpinBox* steps_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QDoubleSpinBox* lr_ = nullptr;
  QLineEdit* out_dir_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* pause_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* eta_ = nullptr;
  QLabel* status_ = nullptr;
  LossChart* chart_ = nullptr;
  QListWidget* checkpoints_ = nullptr;
  QPushButton* load_ = nullptr;
  QPushButton* evaluate_ = nullptr;
  QSpinBox* eval_episodes_ = nullptr;
  QTableWidget* eval_table_ = nullptr;
  QString loaded_checkpoint_;
  RunState state_ = RunState::kIdle;
  bool evaluating_ = false;
};

}  // namespace thinkvla::widgets
