// ModelPanel: the Model dock. The loaded checkpoint (its directory, config, parameter counts in
// full and as deployed, its tokenizer) or the error that refused it; the instruction the policy
// follows (takes effect on the next inference); how the policy's action chunks are executed
// (how many actions of each before re-planning, and temporal ensembling of overlapping chunks with
// its decay); run, pause, single step and reset for the world's control loop. A view: it shows
// what it is told and emits the user's intents. GUI thread only.
#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTreeWidget;

namespace thinkvla::widgets {

struct ModelSummary {
  QString directory;
  QString preset;
  bool deployed = false;                    // an exported model (training-only parts stripped)
  qint64 parameters_full = 0;               // every parameter the network holds
  qint64 parameters_deployed = 0;           // what an exported model keeps
  QList<QPair<QString, qint64>> components; // per component
  int vocab_size = 0;
  QString tokenizer;                        // one line about the tokenizer
  QList<QPair<QString, QString>> config;    // config.json, key -> value
};

// How the world executes the policy's chunks of K actions.
struct ChunkExecution {
  int execute_steps = 0;  // actions of each chunk before the next; 0: all K
  bool ensemble = false;  // temporal ensembling: re-plan every execute_steps, average the overlap
  double decay = 0.01;    // the ensemble's weight exp(-decay i) for the i-th oldest chunk
};

class ModelPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPanel(QWidget* parent);

  void setSummary(const ModelSummary& summary);
  void setError(const QString& message);  // a checkpoint was refused; the summary is kept
  void clear();
  QString summaryText() const;  // the header lines (directory, parameters, tokenizer)
  QString errorText() const;

  void setInstruction(const QString& instruction);  // shows the one in force (no signal)
  QString instruction() const;
  // World controls: available only for the built-in world; step only while paused.
  void setRunControls(bool available, bool paused);
  // The chunk size K of the policy driving the world (0: none): the execution controls' range.
  // The count asked for stays across policies (clamped to K); all K stays all K.
  void setChunkSize(int chunk_size);
  ChunkExecution execution() const;  // execute_steps 0 when all K
  void setExecution(const ChunkExecution& execution);  // shows it (no signal)

 Q_SIGNALS:
  void openCheckpointRequested(const QString& directory);
  void instructionSubmitted(const QString& instruction);
  void runRequested();
  void pauseRequested();
  void stepRequested();
  void resetRequested();
  void executionChanged();  // read execution()

 private:
  void showExecuteSteps();  // the spin box's range and value for chunk_size_ and the request

  QLabel* header_ = nullptr;
  QLabel* error_ = nullptr;
  QTreeWidget* config_ = nullptr;
  QLineEdit* instruction_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* pause_ = nullptr;
  QPushButton* step_ = nullptr;
  QPushButton* reset_ = nullptr;
  QSpinBox* execute_ = nullptr;
  QLabel* execute_of_ = nullptr;
  QCheckBox* ensemble_ = nullptr;
  QDoubleSpinBox* decay_ = nullptr;
  int chunk_size_ = 0;
  int requested_steps_ = 0;  // what the user asked for; 0: all K
  bool world_available_ = false;
  bool world_paused_ = false;
};

// "1.23 M" style parameter counts.
QString formatCount(qint64 count);

}  // namespace thinkvla::widgets
