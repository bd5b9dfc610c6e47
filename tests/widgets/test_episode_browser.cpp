// The Episodes dock's list: rows with thumbnails, the three filters, selection and deletion
// requests, and a selection that survives a refresh of the rows.
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QtTest/QtTest>

#include "widgets/episode_browser.h"

using namespace thinkvla::widgets;

namespace {
QImage solid(QRgb colour) {
  QImage image(64, 64, QImage::Format_RGB888);
  image.fill(colour);
  return image;
}

std::vector<EpisodeBrowserRow> sampleRows() {
  std::vector<EpisodeBrowserRow> rows(4);
  rows[0] = {"demo_0",
             solid(qRgb(200, 30, 30)),
             "pick up the red cube",
             "spatial/pick_red",
             120,
             EpisodeSuccess::kSuccess,
             0,
             false};
  rows[1] = {"demo_1",
             solid(qRgb(30, 200, 30)),
             "put the bowl on the plate",
             "goal/bowl_plate",
             80,
             EpisodeSuccess::kFailure,
             12,
             false};
  rows[2] = {
      "demo_2", QImage(), "pick up the red cube", "spatial/pick_red", 95, EpisodeSuccess::kSuccess,
      3,        true};
  rows[3] = {"demo_10",
             solid(qRgb(30, 30, 200)),
             "open the drawer",
             "goal/open_drawer",
             200,
             EpisodeSuccess::kUnknown,
             0,
             false};
  return rows;
}
}  // namespace

class TestEpisodeBrowser : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void rowsAndThumbnails() {
    EpisodeBrowser b(nullptr);
    b.resize(700, 400);
    b.setRows(sampleRows());
    QCOMPARE(b.rowCount(), 4);
    // Sorted by demo number, not by text: demo_10 last.
    QCOMPARE(b.visibleNames(), QStringList({"demo_0", "demo_1", "demo_2", "demo_10"}));
    auto* tree = b.findChild<QTreeWidget*>("episodeList");
    QVERIFY(tree != nullptr);
    const QTreeWidgetItem* first = tree->topLevelItem(0);
    QCOMPARE(first->text(3), QString("120"));
    QCOMPARE(first->text(4), QString("yes"));
    QCOMPARE(tree->topLevelItem(1)->text(5), QString("12"));
    QVERIFY(tree->topLevelItem(2)->text(0).contains("recovered"));
    // The thumbnail is the first frame, scaled: its pixels are the frame's colour.
    const QImage icon = first->icon(0).pixmap(EpisodeBrowser::kThumbnailPx).toImage();
    QVERIFY(!icon.isNull());
    QCOMPARE(QColor(icon.pixel(icon.width() / 2, icon.height() / 2)).red(), 200);
    QVERIFY(tree->topLevelItem(2)->icon(0).isNull());  // none given
    b.setThumbnail("demo_2", solid(qRgb(10, 250, 10)));
    const QImage late =
        tree->topLevelItem(2)->icon(0).pixmap(EpisodeBrowser::kThumbnailPx).toImage();
    QCOMPARE(QColor(late.pixel(late.width() / 2, late.height() / 2)).green(), 250);
    QCOMPARE(b.tasks(), QStringList({"goal/bowl_plate", "goal/open_drawer", "spatial/pick_red"}));
  }

  void filters() {
    EpisodeBrowser b(nullptr);
    b.setRows(sampleRows());
    b.setTextFilter("red cube");
    QCOMPARE(b.visibleNames(), QStringList({"demo_0", "demo_2"}));
    b.setTextFilter("DRAWER");  // case does not matter; instruction and task both searched
    QCOMPARE(b.visibleNames(), QStringList({"demo_10"}));
    b.setTextFilter(QString());
    b.setSuccessFilter(SuccessFilter::kSuccessful);
    QCOMPARE(b.visibleNames(), QStringList({"demo_0", "demo_2"}));
    b.setSuccessFilter(SuccessFilter::kFailed);
    QCOMPARE(b.visibleNames(), QStringList({"demo_1"}));
    b.setSuccessFilter(SuccessFilter::kAny);
    b.setTaskFilter("goal/open_drawer");
    QCOMPARE(b.visibleNames(), QStringList({"demo_10"}));
    // The filters combine; the UI controls drive the same state.
    b.setTaskFilter("spatial/pick_red");
    b.findChild<QLineEdit*>("episodeTextFilter")->setText("demo_2");
    QCOMPARE(b.visibleNames(), QStringList({"demo_2"}));
    b.findChild<QComboBox*>("episodeSuccessFilter")->setCurrentIndex(2);
    QVERIFY(b.visibleNames().isEmpty());
  }

  void selectionAndDeletion() {
    EpisodeBrowser b(nullptr);
    b.setDeleteConfirmation(DeleteConfirmation::kSkip);
    QSignalSpy current(&b, &EpisodeBrowser::currentEpisodeChanged);
    QSignalSpy deletes(&b, &EpisodeBrowser::deleteRequested);
    b.setRows(sampleRows());
    b.selectEpisode("demo_1");
    QCOMPARE(b.currentName(), QString("demo_1"));
    QCOMPARE(current.last().first().toString(), QString("demo_1"));
    QCOMPARE(b.selectedNames(), QStringList({"demo_1"}));
    // New rows (a rescan after a commit): the selection stays on demo_1, without a new signal.
    const int before = static_cast<int>(current.size());
    auto rows = sampleRows();
    rows.push_back({"demo_11", QImage(), "new", "goal/x", 10, EpisodeSuccess::kSuccess, 0, false});
    b.setRows(rows);
    QCOMPARE(b.currentName(), QString("demo_1"));
    QCOMPARE(static_cast<int>(current.size()), before);
    // Delete with the key and with the button.
    QTest::keyClick(b.findChild<QTreeWidget*>("episodeList"), Qt::Key_Delete);
    QCOMPARE(deletes.size(), 1);
    QCOMPARE(deletes.first().first().toStringList(), QStringList({"demo_1"}));
    auto* button = b.findChild<QPushButton*>("episodeDelete");
    QVERIFY(button->isEnabled());
    button->click();
    QCOMPARE(deletes.size(), 2);
    // A filtered-out row is never deleted by accident.
    b.setTextFilter("drawer");
    QVERIFY(b.selectedNames().isEmpty());
    QVERIFY(!button->isEnabled() || b.selectedNames().isEmpty());
    b.requestDeleteSelected();
    QCOMPARE(deletes.size(), 2);
    // Removing the selected row announces that nothing is selected.
    b.setTextFilter(QString());
    b.setRows({});
    QCOMPARE(current.last().first().toString(), QString());
  }
};

QTEST_MAIN(TestEpisodeBrowser)
#include "test_episode_browser.moc"
