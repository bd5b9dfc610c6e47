// The Sources dock: the world pickers give a source spec, the buttons and the camera list ask for
// sources, and the active source's numbers and error are shown.
#include <QtTest/QtTest>

#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>

#include "widgets/sources_panel.h"

using thinkvla::widgets::SourcesPanel;

class TestSourcesPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void worldPickersMakeASpec() {
    SourcesPanel panel(nullptr);
    panel.setWorldCatalogue({{"spatial", {"a", "b"}}, {"goal", {"open_drawer", "push", "stack"}}},
                            {"camera", "light"});
    QCOMPARE(panel.worldSpec(), QString("sim:spatial/0@0"));
    panel.findChild<QComboBox*>("suite")->setCurrentIndex(1);
    auto* task = panel.findChild<QComboBox*>("task");
    QCOMPARE(task->count(), 3);  // the goal suite's tasks
    task->setCurrentIndex(2);
    panel.findChild<QSpinBox*>("seed")->setValue(7);
    QCOMPARE(panel.worldSpec(), QString("sim:goal/2@7"));
    panel.findChild<QComboBox*>("perturbDimension")->setCurrentIndex(2);  // light
    panel.findChild<QSpinBox*>("perturbLevel")->setValue(3);
    QCOMPARE(panel.worldSpec(), QString("sim:goal/2@7?light:3"));
    QCOMPARE(panel.findChild<QSpinBox*>("perturbLevel")->maximum(), 4);
    QSignalSpy spy(&panel, &SourcesPanel::sourceRequested);
    panel.findChild<QPushButton*>("startWorld")->click();
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QString("sim:goal/2@7?light:3"));
  }

  void pickersFollowTheActiveSource() {
    SourcesPanel panel(nullptr);
    panel.setWorldCatalogue({{"spatial", {"a", "b"}}, {"goal", {"open_drawer", "push", "stack"}}},
                            {"camera", "light"});
    panel.setCameras({"camera:0", "camera:2"});
    QSignalSpy spy(&panel, &SourcesPanel::sourceRequested);
    // A source started elsewhere (--source, a switch from code) shows in the pickers, by index
    // or by task name, without asking for it again.
    panel.setStatus({"sim:goal/1@42?light:2", 0, 0, 0.0, 0, 0, {}});
    QCOMPARE(panel.worldSpec(), QString("sim:goal/1@42?light:2"));
    panel.setStatus({"sim:goal/stack", 0, 0, 0.0, 0, 0, {}});
    QCOMPARE(panel.worldSpec(), QString("sim:goal/2@0"));
    panel.setStatus({"camera:2", 0, 0, 0.0, 0, 0, {}});
    QCOMPARE(panel.findChild<QListWidget*>("cameras")->currentItem()->text(), QString("camera:2"));
    panel.setStatus({"url:rtsp://cam.local/live", 0, 0, 0.0, 0, 0, {}});
    QCOMPARE(panel.findChild<QLineEdit*>("url")->text(), QString("rtsp://cam.local/live"));
    // An unknown suite leaves the pickers where they were.
    panel.setStatus({"sim:kitchen/0", 0, 0, 0.0, 0, 0, {}});
    QCOMPARE(panel.worldSpec(), QString("sim:goal/2@0"));
    QCOMPARE(spy.size(), 0);
  }

  void camerasAndStreamsAskForSources() {
    SourcesPanel panel(nullptr);
    panel.setCameras({"camera:0", "camera:2"});
    QCOMPARE(panel.cameras(), QStringList({"camera:0", "camera:2"}));
    QSignalSpy spy(&panel, &SourcesPanel::sourceRequested);
    auto* list = panel.findChild<QListWidget*>("cameras");
    Q_EMIT list->itemDoubleClicked(list->item(1));
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QString("camera:2"));
    auto* url = panel.findChild<QLineEdit*>("url");
    url->setText("rtsp://127.0.0.1:8554/cam");
    QTest::keyClick(url, Qt::Key_Return);
    QCOMPARE(spy.size(), 2);
    QCOMPARE(spy.at(1).at(0).toString(), QString("url:rtsp://127.0.0.1:8554/cam"));
  }

  void showsTheActiveSource() {
    SourcesPanel panel(nullptr);
    thinkvla::widgets::SourceStatus status;
    status.spec = "file:/tmp/clip.avi";
    status.width = 256;
    status.height = 48;
    status.measured_fps = 19.96;
    status.frames = 120;
    status.dropped = 4;
    panel.setStatus(status);
    const QString text = panel.statusText();
    QVERIFY2(text.contains("file:/tmp/clip.avi") && text.contains("256x48") &&
                 text.contains("20.0 fps") && text.contains("4 dropped"),
             qPrintable(text));
    QVERIFY(panel.errorText().isEmpty());
    status.error = "file:/tmp/clip.avi: cannot decode this file as video";
    panel.setStatus(status);
    QVERIFY(panel.errorText().contains("cannot decode"));
  }
};

QTEST_MAIN(TestSourcesPanel)
#include "test_sources_panel.moc"
