// The studio's main window: it opens with the 3D view and the Log dock, keeps its dock layout
// across runs, resets it, remembers recent files, reports bad files without crashing, and quits
// cleanly.
#include <QtTest/QtTest>

#include <QLabel>
#include <QScrollArea>
#include <hdf5.h>
#include <spdlog/spdlog.h>

#include <QDockWidget>
#include <QMenuBar>
#include <QOpenGLWidget>
#include <QStatusBar>

#include "core/logging.h"
#include "model/checkpoint.h"
#include "studio/main_window.h"
#include "studio/studio_controller.h"
#include "studio/versions.h"
#include "widgets/log_view.h"
#include "widgets/scene_view.h"

using thinkvla::studio::MainWindow;

class TestMainWindow : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir settings_dir_;

 private Q_SLOTS:
  void initTestCase() {
    QSurfaceFormat::setDefaultFormat(thinkvla::widgets::VtkGlWidget::defaultFormat());
    QCoreApplication::setOrganizationName("ThinkVLA-test");
    QCoreApplication::setApplicationName("main-window-test");
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings_dir_.path());
  }

  void opensWithTheViewAndTheLogDock() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.centralWidget(), static_cast<QWidget*>(window.sceneView()));
    // No widget makes Qt compose the whole window with OpenGL on each frame (16 ms a frame with
    // llvmpipe at 1280x1024): the 3D view reads its frames back and paints them as a raster widget.
    QVERIFY(window.findChildren<QOpenGLWidget*>().isEmpty());
    QVERIFY(window.logDock()->isVisible());
    QCOMPARE(window.dockWidgetArea(window.logDock()), Qt::BottomDockWidgetArea);
    QStringList menus;
    for (QAction* a : window.menuBar()->actions()) menus << a->text().remove('&');
    QCOMPARE(menus, QStringList({"File", "View", "Help"}));
    // No empty placeholder docks: every dock has a real widget.
    for (QDockWidget* dock : window.findChildren<QDockWidget*>()) QVERIFY(dock->widget() != nullptr);
  }

  void restoresASavedDockLayout() {
    {
      MainWindow window;
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      window.addDockWidget(Qt::RightDockWidgetArea, window.logDock());
      window.resize(900, 700);
      window.close();  // saves geometry and layout
    }
    MainWindow again;
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QCOMPARE(again.dockWidgetArea(again.logDock()), Qt::RightDockWidgetArea);
    QCOMPARE(again.size(), QSize(900, 700));
    again.resetLayout();
    QCOMPARE(again.dockWidgetArea(again.logDock()), Qt::BottomDockWidgetArea);
    again.logDock()->toggleViewAction()->trigger();
    QVERIFY(!again.logDock()->isVisible());
    again.close();
  }

  void restoresTheLayoutOfDocksAddedAfterConstruction() {
    // The controllers add their docks after the window exists; finishLayout restores their places.
    const auto addPanel = [](MainWindow& window) {
      auto* dock = new QDockWidget("Panel", &window);
      dock->setObjectName("panelDock");
      dock->setWidget(new QLabel("panel", dock));
      window.addToggleableDock(Qt::LeftDockWidgetArea, dock);
      window.finishLayout();
      return dock;
    };
    {
      MainWindow window;
      QDockWidget* dock = addPanel(window);
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      window.addDockWidget(Qt::RightDockWidgetArea, dock);
      window.close();
    }
    MainWindow again;
    QDockWidget* dock = addPanel(again);
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QCOMPARE(again.dockWidgetArea(dock), Qt::RightDockWidgetArea);
    // A tall panel scrolls inside its dock instead of stretching the window.
    QVERIFY(dock->findChild<QLabel*>() != nullptr);
    QVERIFY(qobject_cast<QScrollArea*>(dock->widget()) != nullptr);
    again.resetLayout();
    QCOMPARE(again.dockWidgetArea(dock), Qt::LeftDockWidgetArea);
    again.close();
  }

  void resetLayoutRedoesTheGroupingOfDocksAddedLater() {
    // The world's Teleop dock comes after finishLayout and shares a tab group with Training;
    // View > Reset layout (and --reset-layout) must leave it there, not beside it.
    MainWindow window;
    const auto panel = [&window](const char* name) {
      auto* dock = new QDockWidget(name, &window);
      dock->setObjectName(name);
      dock->setWidget(new QLabel(name, dock));
      return dock;
    };
    QDockWidget* training = panel("trainingDock");
    window.addToggleableDock(Qt::RightDockWidgetArea, training);
    window.finishLayout();
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QDockWidget* teleop = panel("teleopDock");
    window.addToggleableDock(Qt::RightDockWidgetArea, teleop);
    window.tabifyDocks(training, teleop);
    QVERIFY(window.tabifiedDockWidgets(training).contains(teleop));
    window.addDockWidget(Qt::LeftDockWidgetArea, teleop);  // the user drags it away
    QVERIFY(!window.tabifiedDockWidgets(training).contains(teleop));
    window.resetLayout();
    QCOMPARE(window.dockWidgetArea(teleop), Qt::RightDockWidgetArea);
    QVERIFY(window.tabifiedDockWidgets(training).contains(teleop));
    window.close();
  }

  void logDockShowsTheProjectLog() {
    MainWindow window;
    thinkvla::core::LogOptions options;
    options.directory = settings_dir_.path().toStdString();
    options.to_stderr = false;
    thinkvla::core::initLogging(options);
    thinkvla::core::addLogSink(window.logView()->sink());
    spdlog::warn("from the core: {}", 7);
    QTRY_VERIFY(window.logView()->toPlainText().contains("from the core: 7"));
    thinkvla::core::removeLogSink(window.logView()->sink());
  }

  void badFilesAreReportedAndNotRemembered() {
    MainWindow window;
    thinkvla::studio::StudioController controller(&window);
    QSettings().remove("recentFiles");
    QTemporaryDir dir;
    Q_EMIT window.openCheckpointRequested(dir.path());
    QVERIFY(window.statusBar()->currentMessage().contains("config.json is missing"));
    QFile text(dir.filePath("notes.hdf5"));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("not hdf5 at all");
    text.close();
    Q_EMIT window.openDatasetRequested(text.fileName());
    QVERIFY(window.statusBar()->currentMessage().contains("not an HDF5 file"));
    QVERIFY(window.recentFiles().isEmpty());
  }

  void goodFilesGoToRecentFiles() {
    MainWindow window;
    thinkvla::studio::StudioController controller(&window);
    QSettings().remove("recentFiles");
    QTemporaryDir dir;
    // An episode file with a data group of two demos, written with HDF5's C API.
    const QByteArray path = QFile::encodeName(dir.filePath("demos.hdf5"));
    const hid_t file = H5Fcreate(path.constData(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t data = H5Gcreate2(file, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(H5Gcreate2(data, "demo_0", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Gclose(H5Gcreate2(data, "demo_1", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Gclose(data);
    H5Fclose(file);
    Q_EMIT window.openDatasetRequested(dir.filePath("demos.hdf5"));
    QVERIFY2(window.statusBar()->currentMessage().contains("2 demos"),
             qPrintable(window.statusBar()->currentMessage()));

    // A directory with the checkpoint's file names but no real weights is refused (and not
    // remembered); a real one loads.
    QDir fake(dir.filePath("fake"));
    QVERIFY(fake.mkpath("."));
    for (const char* name : {"model.safetensors", "tokenizer.model"}) {
      QFile f(fake.filePath(name));
      QVERIFY(f.open(QIODevice::WriteOnly));
    }
    QFile config(fake.filePath("config.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"preset": "tiny"})");
    config.close();
    Q_EMIT window.openCheckpointRequested(fake.path());
    QVERIFY2(window.statusBar()->currentMessage().contains("fake"),
             qPrintable(window.statusBar()->currentMessage()));
    QCOMPARE(window.recentFiles().size(), 1);

    const QString ckpt = dir.filePath("ckpt");
    thinkvla::model::saveCheckpoint(
        thinkvla::model::initCheckpoint(thinkvla::model::PolicyConfig::fromPreset("tiny"), 1),
        ckpt.toStdString());
    Q_EMIT window.openCheckpointRequested(ckpt);
    QVERIFY2(window.statusBar()->currentMessage().contains("preset 'tiny'"),
             qPrintable(window.statusBar()->currentMessage()));

    const QStringList recent = window.recentFiles();
    QCOMPARE(recent.size(), 2);
    QVERIFY(recent[0].startsWith("checkpoint:"));
    QVERIFY(recent[1].startsWith("dataset:"));
    // Opening the same file again moves it to the front without duplicates.
    Q_EMIT window.openDatasetRequested(dir.filePath("demos.hdf5"));
    QCOMPARE(window.recentFiles().size(), 2);
    QVERIFY(window.recentFiles()[0].startsWith("dataset:"));
  }

  void fileMenuExportsAndRecords() {
    MainWindow window;
    QMenu* file = window.menuBar()->actions().front()->menu();
    QAction* export_views = nullptr;
    QAction* record = nullptr;
    for (QAction* a : file->actions()) {
      if (a->text().remove('&') == "Export views as PNG...") export_views = a;
      if (a->text().remove('&') == "Record rollout MP4...") record = a;
    }
    QVERIFY(export_views != nullptr);
    QVERIFY(record != nullptr && record->isCheckable());
    QSignalSpy stop(&window, &MainWindow::stopRecordingRequested);
    window.setRecordingChecked(true);  // a recording runs: the menu shows it
    QVERIFY(record->isChecked());
    record->trigger();  // unchecks: stop
    QCOMPARE(stop.size(), 1);
    QVERIFY(window.acceptDrops());
  }

  void aboutListsEveryLibrary() {
    const QString about = thinkvla::studio::aboutText();
    for (const char* name : {"Qt", "LibTorch", "OpenCV", "VTK", "Dear ImGui", "MuJoCo", "HDF5",
                             "spdlog"}) {
      QVERIFY2(about.contains(QString(">%1<").arg(name)), name);
    }
    QVERIFY(about.contains(qVersion()));
  }

  void quitsCleanly() {
    auto* window = new MainWindow;
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    QTest::qWait(100);  // a few frames of the 3D view
    QVERIFY(window->sceneView()->frameStats().count() > 0);
    QVERIFY(window->close());
    delete window;  // frees the VTK and ImGui GL resources with the context alive
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
