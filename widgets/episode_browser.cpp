#include "widgets/episode_browser.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace thinkvla::widgets {

namespace {
enum Column { kName, kInstruction, kTask, kSteps, kSuccess, kInterventions, kColumns };
constexpr int kNameRole = Qt::UserRole + 1;

// Sorts numeric columns by number, not by text.
class EpisodeItem : public QTreeWidgetItem {
 public:
  using QTreeWidgetItem::QTreeWidgetItem;
  bool operator<(const QTreeWidgetItem& other) const override {
    const int column = treeWidget() ? treeWidget()->sortColumn() : 0;
    if (column == kSteps || column == kInterventions) {
      return text(column).toInt() < other.text(column).toInt();
    }
    if (column == kName) {
      // demo_2 before demo_10
      const QString a = data(kName, kNameRole).toString();
      const QString b = other.data(kName, kNameRole).toString();
      const int na = a.mid(a.lastIndexOf('_') + 1).toInt();
      const int nb = b.mid(b.lastIndexOf('_') + 1).toInt();
      return na != nb ? na < nb : a < b;
    }
    return QTreeWidgetItem::operator<(other);
  }
};
}  // namespace

EpisodeBrowser::EpisodeBrowser(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  file_label_ = new QLabel(tr("No episode file open (File > Open dataset)"), this);
  file_label_->setWordWrap(true);
  layout->addWidget(file_label_);

  auto* filters = new QHBoxLayout();
  text_filter_ = new QLineEdit(this);
  text_filter_->setObjectName("episodeTextFilter");
  text_filter_->setPlaceholderText(tr("Filter: name, instruction, task"));
  text_filter_->setClearButtonEnabled(true);
  success_filter_ = new QComboBox(this);
  success_filter_->setObjectName("episodeSuccessFilter");
  success_filter_->addItems({tr("Any outcome"), tr("Successful"), tr("Failed")});
  task_filter_ = new QComboBox(this);
  task_filter_->setObjectName("episodeTaskFilter");
  task_filter_->addItem(tr("All tasks"), QString());
  task_filter_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  filters->addWidget(text_filter_, 1);
  filters->addWidget(success_filter_);
  filters->addWidget(task_filter_);
  layout->addLayout(filters);

  tree_ = new QTreeWidget(this);
  tree_->setObjectName("episodeList");
  tree_->setColumnCount(kColumns);
  tree_->setHeaderLabels(
      {tr("Episode"), tr("Instruction"), tr("Task"), tr("Steps"), tr("Success"), tr("Interv.")});
  tree_->setRootIsDecorated(false);
  tree_->setUniformRowHeights(true);
  tree_->setIconSize(QSize(kThumbnailPx, kThumbnailPx));
  tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  tree_->setSortingEnabled(true);
  tree_->sortByColumn(kName, Qt::AscendingOrder);
  tree_->header()->setSectionResizeMode(kInstruction, QHeaderView::Stretch);
  tree_->header()->setStretchLastSection(false);
  layout->addWidget(tree_, 1);

  auto* buttons = new QHBoxLayout();
  delete_ = new QPushButton(tr("Delete..."), this);
  delete_->setObjectName("episodeDelete");
  delete_->setEnabled(false);
  buttons->addStretch();
  buttons->addWidget(delete_);
  layout->addLayout(buttons);

  connect(text_filter_, &QLineEdit::textChanged, this, [this] { applyFilters(); });
  connect(success_filter_, &QComboBox::currentIndexChanged, this, [this] { applyFilters(); });
  connect(task_filter_, &QComboBox::currentIndexChanged, this, [this] { applyFilters(); });
  connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    Q_EMIT currentEpisodeChanged(item ? item->data(kName, kNameRole).toString() : QString());
  });
  connect(tree_, &QTreeWidget::itemSelectionChanged, this,
          [this] { delete_->setEnabled(!selectedNames().isEmpty()); });
  connect(delete_, &QPushButton::clicked, this, &EpisodeBrowser::requestDeleteSelected);
}

void EpisodeBrowser::setFileLabel(const QString& text) { file_label_->setText(text); }

void EpisodeBrowser::fillItem(QTreeWidgetItem* item, const EpisodeBrowserRow& row) {
  item->setData(kName, kNameRole, row.name);
  item->setText(kName, row.name + (row.recovered ? tr(" (recovered)") : QString()));
  if (!row.thumbnail.isNull()) {
    item->setIcon(kName,
                  QIcon(QPixmap::fromImage(row.thumbnail.scaled(
                      kThumbnailPx, kThumbnailPx, Qt::KeepAspectRatio, Qt::SmoothTransformation))));
  }
  item->setText(kInstruction, row.instruction);
  item->setToolTip(kInstruction, row.instruction);
  item->setText(kTask, row.task);
  item->setText(kSteps, QString::number(row.length_steps));
  item->setText(kSuccess, row.success == EpisodeSuccess::kSuccess   ? tr("yes")
                          : row.success == EpisodeSuccess::kFailure ? tr("no")
                                                                    : tr("?"));
  item->setForeground(kSuccess, row.success == EpisodeSuccess::kSuccess   ? QColor(76, 175, 80)
                                : row.success == EpisodeSuccess::kFailure ? QColor(239, 83, 80)
                                                                          : QColor(150, 150, 150));
  item->setText(kInterventions, QString::number(row.interventions));
  for (int c = kSteps; c < kColumns; ++c)
    item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
}

void EpisodeBrowser::setRows(const std::vector<EpisodeBrowserRow>& rows) {
  const QString current = currentName();
  const QSignalBlocker block(tree_);
  tree_->clear();
  rows_ = rows;
  QSet<QString> tasks;
  for (const auto& row : rows_) {
    auto* item = new EpisodeItem(tree_);
    fillItem(item, row);
    if (!row.task.isEmpty()) tasks.insert(row.task);
  }
  // The task filter's choices follow the file; the chosen task stays when it is still there.
  const QString chosen = task_filter_->currentData().toString();
  {
    const QSignalBlocker block_tasks(task_filter_);
    task_filter_->clear();
    task_filter_->addItem(tr("All tasks"), QString());
    QStringList sorted(tasks.begin(), tasks.end());
    sorted.sort();
    for (const QString& t : sorted) task_filter_->addItem(t, t);
    task_filter_->setCurrentIndex(std::max(0, task_filter_->findData(chosen)));
  }
  applyFilters();
  if (!current.isEmpty()) {
    for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
      if (tree_->topLevelItem(i)->data(kName, kNameRole).toString() == current) {
        tree_->setCurrentItem(tree_->topLevelItem(i));
      }
    }
  }
  delete_->setEnabled(!selectedNames().isEmpty());
  if (currentName() != current) Q_EMIT currentEpisodeChanged(currentName());
}

void EpisodeBrowser::setThumbnail(const QString& name, const QImage& image) {
  for (auto& row : rows_) {
    if (row.name == name) row.thumbnail = image;
  }
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = tree_->topLevelItem(i);
    if (item->data(kName, kNameRole).toString() == name && !image.isNull()) {
      item->setIcon(
          kName, QIcon(QPixmap::fromImage(image.scaled(
                     kThumbnailPx, kThumbnailPx, Qt::KeepAspectRatio, Qt::SmoothTransformation))));
    }
  }
}

void EpisodeBrowser::clear() {
  setRows({});
  setFileLabel(tr("No episode file open (File > Open dataset)"));
}

void EpisodeBrowser::setTextFilter(const QString& text) { text_filter_->setText(text); }

void EpisodeBrowser::setSuccessFilter(SuccessFilter filter) {
  success_filter_->setCurrentIndex(static_cast<int>(filter));
}

void EpisodeBrowser::setTaskFilter(const QString& task) {
  task_filter_->setCurrentIndex(std::max(0, task_filter_->findData(task)));
}

QStringList EpisodeBrowser::tasks() const {
  QStringList out;
  for (int i = 1; i < task_filter_->count(); ++i) out << task_filter_->itemData(i).toString();
  return out;
}

void EpisodeBrowser::applyFilters() {
  const QString text = text_filter_->text().trimmed();
  const auto success = static_cast<SuccessFilter>(success_filter_->currentIndex());
  const QString task = task_filter_->currentData().toString();
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = tree_->topLevelItem(i);
    const EpisodeBrowserRow* r = row(item->data(kName, kNameRole).toString());
    bool show = r != nullptr;
    if (show && !text.isEmpty()) {
      show = r->name.contains(text, Qt::CaseInsensitive) ||
             r->instruction.contains(text, Qt::CaseInsensitive) ||
             r->task.contains(text, Qt::CaseInsensitive);
    }
    if (show && success == SuccessFilter::kSuccessful)
      show = r->success == EpisodeSuccess::kSuccess;
    if (show && success == SuccessFilter::kFailed) show = r->success == EpisodeSuccess::kFailure;
    if (show && !task.isEmpty()) show = r->task == task;
    item->setHidden(!show);
    if (!show && item->isSelected()) item->setSelected(false);
  }
}

int EpisodeBrowser::rowCount() const { return tree_->topLevelItemCount(); }

QStringList EpisodeBrowser::visibleNames() const {
  QStringList out;
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
    const QTreeWidgetItem* item = tree_->topLevelItem(i);
    if (!item->isHidden()) out << item->data(kName, kNameRole).toString();
  }
  return out;
}

QStringList EpisodeBrowser::selectedNames() const {
  QStringList out;
  for (const QTreeWidgetItem* item : tree_->selectedItems()) {
    if (!item->isHidden()) out << item->data(kName, kNameRole).toString();
  }
  return out;
}

QString EpisodeBrowser::currentName() const {
  const QTreeWidgetItem* item = tree_->currentItem();
  return item ? item->data(kName, kNameRole).toString() : QString();
}

void EpisodeBrowser::selectEpisode(const QString& name) {
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = tree_->topLevelItem(i);
    if (item->data(kName, kNameRole).toString() == name) {
      tree_->setCurrentItem(item);
      return;
    }
  }
}

const EpisodeBrowserRow* EpisodeBrowser::row(const QString& name) const {
  for (const auto& r : rows_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

void EpisodeBrowser::requestDeleteSelected() {
  const QStringList names = selectedNames();
  if (names.isEmpty()) return;
  if (confirm_ == DeleteConfirmation::kAsk) {
    const auto answer =
        QMessageBox::question(this, tr("Delete episodes"),
                              tr("Delete %n episode(s) from the file? This cannot be undone.\n%1",
                                 nullptr, static_cast<int>(names.size()))
                                  .arg(names.join(", ")));
    if (answer != QMessageBox::Yes) return;
  }
  Q_EMIT deleteRequested(names);
}

void EpisodeBrowser::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Delete) {
    requestDeleteSelected();
    return;
  }
  QWidget::keyPressEvent(event);
}

}  // namespace thinkvla::widgets
