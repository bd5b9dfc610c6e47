// Screenshots of the studio's data side, rendered under Xvfb and checked: teleoperation while an
// episode is recorded, the Annotation dock with segments, keyframes and the policy's prediction
// (recorded path and predicted chunk in the 3D view), and the Training dock with its loss curves
// after a short run. The PNGs land in build/tests/ (and in $THINKVLA_SCREENSHOT_DIR when set).
#include <QDir>
#include <QDockWidget>
#include <vtkAssembly.h>
#include <vtkRenderer.h>

#include "studio/training_controller.h"
#include "studio_test_helpers.h"
#include "viz/scene_layers.h"
#include "widgets/annotation_timeline.h"
#include "widgets/episode_annotation_panel.h"
#include "widgets/loss_chart.h"
#include "widgets/training_panel.h"

using namespace thinkvla;

class TestDataScreenshots : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;

  static void save(const QImage& image, const QString& name) {
    QVERIFY(!image.isNull());
    QVERIFY(image.save(QString(THINKVLA_BINARY_DIR) + "/tests/" + name));
    const QString extra = qEnvironmentVariable("THINKVLA_SCREENSHOT_DIR");
    if (!extra.isEmpty()) {
      QDir().mkpath(extra);
      QVERIFY(image.save(extra + "/" + name));
    }
  }

  // Distinct colours in a region: a drawn view has many, an empty one few.
  static int colours(const QImage& image, const QRect& r) {
    QSet<QRgb> set;
    for (int y = r.top(); y < r.bottom(); y += 2) {
      for (int x = r.left(); x < r.right(); x += 2) set.insert(image.pixel(x, y));
    }
    return static_cast<int>(set.size());
  }

  static QDockWidget* dock(studio::MainWindow& w, const char* name) {
    auto* d = w.findChild<QDockWidget*>(name);
    return d;
  }

 private Q_SLOTS:
  void initTestCase() { testing::setUpStudioTests(dir_, "data-screenshots-test"); }

  void dataDocks() {
    testing::Studio s;
    QVERIFY(s.start());
    studio::MainWindow& w = s.window;
    w.resize(1800, 1150);  // run under a screen at least this big for the PNGs (1920x1200)
    // The data layout: Episodes in front on the left, Training behind Teleop on the right.
    for (const char* behind : {"sourcesDock", "modelDock"}) {
      if (dock(w, behind)) w.tabifyDockWidget(dock(w, behind), dock(w, "episodesDock"));
    }
    dock(w, "episodesDock")->raise();
    if (dock(w, "teleopDock")) w.tabifyDockWidget(dock(w, "teleopDock"), dock(w, "trainingDock"));
    if (dock(w, "logDock")) w.tabifyDockWidget(dock(w, "logDock"), dock(w, "annotationDock"));
    // Teleoperating: no bottom docks, the 3D view takes the height.
    if (dock(w, "logDock")) dock(w, "logDock")->hide();
    dock(w, "annotationDock")->hide();
    if (dock(w, "teleopDock")) dock(w, "teleopDock")->raise();
    w.resize(1800, 1000);
    w.resizeDocks({dock(w, "episodesDock")}, {420}, Qt::Horizontal);
    auto* ep = s.episodes();

    // 1. Teleoperation while recording.
    QVERIFY(ep->createFile(dir_.filePath("screenshots.hdf5")));
    ep->recordingPanel()->setSeed(2);
    QVERIFY(ep->startRecording());
    s.view()->setFocus();
    QTest::keyPress(s.view(), Qt::Key_Space);
    QTest::keyPress(s.view(), Qt::Key_W);
    QVERIFY(s.waitSteps(30));
    QTest::keyRelease(s.view(), Qt::Key_W);
    QTest::keyPress(s.view(), Qt::Key_F);  // down towards the table
    QVERIFY(s.waitSteps(14));
    QTest::qWait(300);
    const QImage teleop = w.grab().toImage();
    save(teleop, "studio_teleop_recording.png");
    QVERIFY(ep->recordingPanel()->statusText().contains("Recording"));
    QVERIFY(colours(teleop, QRect(QPoint(0, 0), teleop.size())) > 500);
    QTest::keyRelease(s.view(), Qt::Key_F);
    QTest::keyRelease(s.view(), Qt::Key_Space);
    QVERIFY(s.pressShortcut(Qt::Key_Right));
    ep->discard();
    QTRY_COMPARE_WITH_TIMEOUT(ep->recorder()->stats().episodes_committed, std::uint64_t{1}, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(ep->browser()->rowCount(), 1, 10000);

    // 2. The Annotation dock: segments, keyframes, the policy's prediction at the scrubbed step.
    dock(w, "annotationDock")->show();
    dock(w, "annotationDock")->raise();
    w.resize(1800, 1150);
    w.resizeDocks({dock(w, "annotationDock")}, {400}, Qt::Vertical);
    QVERIFY(s.controller->loadCheckpoint(testing::makeTinyCheckpoint(dir_)));
    QTRY_VERIFY_WITH_TIMEOUT(ep->predictions()->hasPolicy(), 20000);
    QSignalSpy loaded(ep, &studio::EpisodesController::episodeLoaded);
    ep->browser()->selectEpisode("demo_0");
    QVERIFY(loaded.wait(20000));
    auto* timeline = ep->annotationPanel()->timeline();
    const int T = timeline->length();
    timeline->addSegment(0, T / 2, "reach forward");
    timeline->addSegment(T / 2 + 1, T - 1, "lower");
    timeline->addKeyframe(T / 3, "above cube");
    timeline->addKeyframe(T - 3, "low point");
    ep->annotationPanel()->editMeta(
        {true, ep->annotationPanel()->meta().instruction, "teleoperated, 2 motions"});
    QSignalSpy shown(ep, &studio::EpisodesController::predictionShown);
    timeline->setCurrentStep(T / 2 + 4);
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && shown.last().first().toInt() == T / 2 + 4, 20000);
    QCOMPARE(ep->predictedPathPoints(), std::size_t{9});
    // Hold the world still and frame the recorded path (green-yellow) and the chunk (red-yellow).
    s.world()->pause();
    double bounds[6];
    ep->recordedPathLayer()->prop()->GetBounds(bounds);
    for (int i = 0; i < 6; i += 2) {
      bounds[i] -= 0.12;
      bounds[i + 1] += 0.12;
    }
    s.view()->renderer()->ResetCamera(bounds);
    s.view()->update();
    QTest::qWait(400);
    save(s.view()->grabFramebuffer(), "studio_annotation_paths.png");
    const QImage annotation = w.grab().toImage();
    save(annotation, "studio_annotation.png");
    save(dock(w, "annotationDock")->grab().toImage(), "studio_annotation_dock.png");
    const QImage strip = timeline->grab().toImage();
    QVERIFY(colours(strip, timeline->segmentLane()) > 3);  // segments drawn

    // 3. The Training dock after a short fine-tuning run from the loaded checkpoint.
    studio::TrainingController* training = s.controller->training();
    dock(w, "trainingDock")->raise();
    training->panel()->setHyperparameters(80, 4, 3e-4);
    training->panel()->setOutputDirectory(dir_.filePath("run"));
    QSignalSpy finished(training, &studio::TrainingController::runFinished);
    QVERIFY(training->start(training->panel()->request()));
    QVERIFY(finished.wait(85000));
    QCOMPARE(finished.last().first().toString(), QString("finished"));
    QTest::qWait(300);
    QDockWidget* train_dock = dock(w, "trainingDock");
    train_dock->setFloating(true);
    train_dock->resize(520, 900);
    QTest::qWait(300);
    const QImage train = train_dock->grab().toImage();
    save(train, "studio_training.png");
    QVERIFY(training->panel()->lossChart()->points("total").size() == 80);
    const QRect chart = training->panel()->lossChart()->geometry();
    QVERIFY(colours(training->panel()->grab().toImage(), chart) > 20);
  }
};

QTEST_MAIN(TestDataScreenshots)
#include "test_data_screenshots.moc"
