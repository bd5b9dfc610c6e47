// EpisodeBrowser: the Episodes dock's list of the demonstrations in one episode file. One row per
// episode: a thumbnail (its first agent-view frame), the name, instruction, task, length in steps,
// success and the number of steps where a human intervened. Filters above the list: free text
// (name, instruction, task), success (any, successful, failed) and task. Selecting a row announces
// the episode; Delete (key or button) asks for confirmation and announces the deletion.
// A view: it shows the rows it is given and emits the user's intents. GUI thread only.
#pragma once

#include <QImage>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace thinkvla::widgets {

enum class EpisodeSuccess { kUnknown, kSuccess, kFailure };

struct EpisodeBrowserRow {
  QString name;  // "demo_3": the key of the row
  QImage thumbnail;
  QString instruction;
  QString task;
  int length_steps = 0;
  EpisodeSuccess success = EpisodeSuccess::kUnknown;
  int interventions = 0;   // steps a human drove
  bool recovered = false;  // committed from an interrupted recording
};

enum class SuccessFilter { kAny, kSuccessful, kFailed };
enum class DeleteConfirmation { kAsk, kSkip };

class EpisodeBrowser : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kThumbnailPx = 56;

  explicit EpisodeBrowser(QWidget* parent);

  void setFileLabel(const QString& text);
  // Replaces every row; keeps the selection when the selected episode is still there.
  void setRows(const std::vector<EpisodeBrowserRow>& rows);
  void setThumbnail(const QString& name, const QImage& image);
  void clear();

  void setTextFilter(const QString& text);
  void setSuccessFilter(SuccessFilter filter);
  void setTaskFilter(const QString& task);  // "" for every task
  QStringList tasks() const;                // the task filter's choices, without "all"

  int rowCount() const;
  QStringList visibleNames() const;
  QStringList selectedNames() const;
  QString currentName() const;
  void selectEpisode(const QString& name);
  const EpisodeBrowserRow* row(const QString& name) const;

  void setDeleteConfirmation(DeleteConfirmation confirmation) { confirm_ = confirmation; }
  // Asks (unless kSkip) and emits deleteRequested for the selected episodes.
  void requestDeleteSelected();

 Q_SIGNALS:
  void currentEpisodeChanged(const QString& name);  // "" when nothing is selected
  void deleteRequested(const QStringList& names);

 protected:
  void keyPressEvent(QKeyEvent* event) override;

 private:
  void applyFilters();
  void fillItem(QTreeWidgetItem* item, const EpisodeBrowserRow& row);

  QLabel* file_label_ = nullptr;
  QLineEdit* text_filter_ = nullptr;
  QComboBox* success_filter_ = nullptr;
  QComboBox* task_filter_ = nullptr;
  QTreeWidget* tree_ = nullptr;
  QPushButton* delete_ = nullptr;
  std::vector<EpisodeBrowserRow> rows_;
  DeleteConfirmation confirm_ = DeleteConfirmation::kAsk;
};

}  // namespace thinkvla::widgets
