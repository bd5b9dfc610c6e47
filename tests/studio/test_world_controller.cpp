// The studio on its built-in default: the MuJoCo world runs in the 3D view and the camera views,
// the keyboard drives the arm with the dead-man held, a checkpoint takes over and its predicted
// chunk is drawn, and a bad checkpoint is refused without stopping the world; the chunk execution
// (fewer actions per chunk, temporal ensembling) changes while the policy drives and stays for the
// next policy.
#include <QtTest/QtTest>

#include <QDockWidget>
#include <QStatusBar>

#include "core/pipeline/world_session.h"
#include "model/checkpoint.h"
#include "studio/main_window.h"
#include "studio/world_controller.h"
#include "widgets/camera_view.h"
#include "widgets/scene_view.h"

using namespace thinkvla;

class TestWorldController : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;

 private Q_SLOTS:
  void initTestCase() {
    QSurfaceFormat::setDefaultFormat(widgets::VtkGlWidget::defaultFormat());
    QCoreApplication::setOrganizationName("ThinkVLA-test");
    QCoreApplication::setApplicationName("world-controller-test");
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir_.path());
  }

  void worldRunsAndTheKeyboardDrivesIt() {
    studio::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    studio::WorldController world(&window);
    QVERIFY(world.start(core::sim::Suite::kSpatial, 0, 3));
    QCOMPARE(world.cameraViews().size(), std::size_t{2});
    QVERIFY(window.findChild<QDockWidget*>("cameraViewsDock") != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(world.framesShown() > 3, 20000);

    // The 3D view holds the world: far more distinct colours than the empty grid.
    const QImage scene = window.sceneView()->grabFramebuffer();
    scene.save(QString(THINKVLA_BINARY_DIR) + "/tests/studio_world_scene.png");
    QSet<QRgb> colours;
    for (int y = 0; y < scene.height(); y += 3) {
      for (int x = 0; x < scene.width(); x += 3) colours.insert(scene.pixel(x, y));
    }
    QVERIFY2(colours.size() > 400, qPrintable(QString("%1 colours").arg(colours.size())));
    // The cameras show the table (not the dark empty view).
    const QImage cam = world.cameraViews()[0]->grab().toImage();
    const QRect img = world.cameraViews()[0]->imageRect();
    QVERIFY(qGray(cam.pixel(img.center())) > 40);

    // Hold the dead-man and push forward: the world's end effector moves +x.
    QVERIFY(world.lastState().has_value());
    const double x0 = world.lastState()->ee_position_m[0];
    auto* view = window.sceneView();
    view->setFocus();
    QTest::keyPress(view, Qt::Key_Space);
    QTest::keyPress(view, Qt::Key_W);
    QTest::qWait(600);
    QTest::keyRelease(view, Qt::Key_W);
    QTest::keyRelease(view, Qt::Key_Space);
    QTest::qWait(200);
    QCOMPARE(world.mode(), core::ControlMode::kHuman);
    const double x1 = world.lastState()->ee_position_m[0];
    QVERIFY2(x1 - x0 > 0.02, qPrintable(QString("moved %1 m").arg(x1 - x0)));
    // Without the dead-man the same key does nothing.
    QTest::keyPress(view, Qt::Key_W);
    QTest::qWait(400);
    QTest::keyRelease(view, Qt::Key_W);
    QTest::qWait(150);
    QVERIFY(std::abs(world.lastState()->ee_position_m[0] - x1) < 0.005);
    world.stop();
  }

  void aCheckpointTakesOverAndABadOneIsRefused() {
    const auto config = model::PolicyConfig::fromPreset("tiny");
    const QString ckpt = dir_.filePath("tiny");
    model::saveCheckpoint(model::initCheckpoint(config, 1), ckpt.toStdString());

    studio::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    studio::WorldController world(&window);
    QVERIFY(world.start(core::sim::Suite::kGoal, 0, 1));
    QVERIFY(!world.loadPolicy(dir_.filePath("does-not-exist")));
    QVERIFY(window.statusBar()->currentMessage().contains("does-not-exist"));
    QVERIFY(world.running());
    QVERIFY(world.loadPolicy(ckpt));
    QCOMPARE(world.mode(), core::ControlMode::kPolicy);
    const auto shown = world.framesShown();
    QTRY_VERIFY_WITH_TIMEOUT(world.framesShown() > shown + 5, 30000);  // the views keep updating
    QTRY_VERIFY_WITH_TIMEOUT(world.inferences() > 3, 30000);          // the policy keeps predicting
    QVERIFY(world.controlTicks() > 0);
    QCOMPARE(world.executeSteps(), config.chunk_size);  // whole chunks by default
    QVERIFY(!world.ensembleDecay().has_value());

    // Temporal ensembling, re-planning every tick, while the policy drives.
    QString error;
    QVERIFY(!world.setExecution(1, -0.5, &error));
    QVERIFY(error.contains("decay"));
    QVERIFY(!world.ensembleDecay().has_value());  // refused: nothing changed
    QVERIFY(world.setExecution(1, 0.01, &error));
    QCOMPARE(world.executeSteps(), 1);
    QCOMPARE(world.ensembleDecay().value_or(-1.0), 0.01);
    const auto used = world.chunksUsed();
    const auto ticks = world.controlTicks();
    QTRY_VERIFY_WITH_TIMEOUT(world.controlTicks() > ticks + 10, 30000);
    QVERIFY(world.chunksUsed() > used + 1);  // a fresh chunk taken more than once
    QCOMPARE(world.mode(), core::ControlMode::kPolicy);

    // The execution stays for the next policy; more steps than its K means all K.
    QVERIFY(world.setExecution(64, std::nullopt));
    QVERIFY(world.loadPolicy(ckpt));
    QCOMPARE(world.executeSteps(), config.chunk_size);
    QVERIFY(world.setExecution(2, std::nullopt));
    QVERIFY(world.loadPolicy(ckpt));
    QCOMPARE(world.executeSteps(), 2);
    world.stop();
  }
};

QTEST_MAIN(TestWorldController)
#include "test_world_controller.moc"
