// ModelPanel: the Model dock. The loaded checkpoint (its directory, config, parameter counts in
// full and as deployed, its tokenizer) or the error that refused it; the instruction the policy
// follows (takes effect on the next inference); run, pause, single step and reset for the world's
// control loop. A view: it shows what it is told and emits the user's intents. GUI thread only.
#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
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

 Q_SIGNALS:
  void openCheckpointRequested(const QString& directory);
  void instructionSubmitted(const QString& instruction);
  void runRequested();
  void pauseRequested();
  void stepRequested();
  void resetRequested();

 private:
  QLabel* header_ = nullptr;
  QLabel* error_ = nullptr;
  QTreeWidget* config_ = nullptr;
  QLineEdit* instruction_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* pause_ = nullptr;
  QPushButton* step_ = nullptr;
  QPushButton* reset_ = nullptr;
};

// "1.23 M" style parameter counts.
QString formatCount(qint64 count);

}  // namespace thinkvla::widgets
