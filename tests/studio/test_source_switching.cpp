// Sources and checkpoints change while the studio runs: switching leaks no thread, a broken file,
// a missing camera and a malformed spec each give an error (camera view, status bar, log) and the
// app carries on; the Model dock shows a checkpoint and refuses a bad one; a checkpoint directory
// dropped on the window opens; the views export as PNG and record as a video.
#include <QtTest/QtTest>

#include <QDir>
#include <QMimeData>
#include <QStatusBar>
#include <opencv2/videoio.hpp>

#include "core/logging.h"
#include "core/video_fixture.h"
#include "model/checkpoint.h"
#include "studio/camera_dock.h"
#include "studio/live_controller.h"
#include "studio/main_window.h"
#include "studio_test_helpers.h"
#include "studio/studio_controller.h"
#include "studio/world_controller.h"
#include "widgets/camera_view.h"
#include "widgets/log_view.h"
#include "widgets/model_panel.h"
#include "widgets/sources_panel.h"
#include "widgets/vtk_gl_widget.h"

using namespace thinkvla;

namespace {
int threadCount() {
  return static_cast<int>(QDir("/proc/self/task").entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
}

std::uint64_t inferences(studio::StudioController& c) {
  if (c.activeSource().startsWith("sim:")) return c.world() ? c.world()->inferences() : 0;
  return c.live() ? c.live()->inferences() : 0;
}

// Opens a source and waits until its policy has run a few times.
bool openAndRun(studio::StudioController& c, const QString& spec) {
  if (!c.openSource(spec)) return false;
  QElapsedTimer clock;
  clock.start();
  while (clock.elapsed() < 30000) {
    QTest::qWait(50);
    if (inferences(c) > 2) return true;
  }
  return false;
}
}  // namespace

class TestSourceSwitching : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString checkpoint_;
  QString video_;

 private Q_SLOTS:
  void initTestCase() {
    testing::setUpStudioTests(dir_, "source-switching-test");
    checkpoint_ = testing::makeTinyCheckpoint(dir_);
    video_ = dir_.filePath("clip.avi");
    QVERIFY(test::writeVideo(video_.toStdString(), 40));
  }

  void switchingLeaksNoThread() {
    studio::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    studio::StudioController controller(&window);
    QVERIFY(controller.loadCheckpoint(checkpoint_));
    // Warm up: every kind of thread the process keeps (LibTorch's pool, the renderer's) exists.
    QVERIFY(openAndRun(controller, "sim:spatial/0@1"));
    QVERIFY(openAndRun(controller, "file:" + video_));
    QVERIFY(openAndRun(controller, "sim:spatial/0@1"));
    QVERIFY(openAndRun(controller, "file:" + video_));
    const int before = threadCount();

    for (int round = 0; round < 3; ++round) {
      QVERIFY(openAndRun(controller, QString("sim:goal/%1@%2").arg(round).arg(round)));
      QVERIFY(controller.loadCheckpoint(checkpoint_));  // a checkpoint switch while it runs
      QTRY_VERIFY_WITH_TIMEOUT(controller.world()->inferences() > 1, 30000);
      QVERIFY(openAndRun(controller, "file:" + video_));
      QVERIFY(controller.loadCheckpoint(checkpoint_));
      QTRY_VERIFY_WITH_TIMEOUT(controller.live()->inferences() > 1, 30000);
    }
    const int after = threadCount();
    qInfo("threads: %d before the switches, %d after", before, after);
    QVERIFY2(after <= before, qPrintable(QString("%1 threads before, %2 after").arg(before).arg(after)));
  }

  void brokenSourcesReportAndTheAppCarriesOn() {
    studio::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    studio::StudioController controller(&window);
    core::addLogSink(window.logView()->sink());
    const auto log_text = [&] { return window.logView()->toPlainText(); };

    // A file that is not a video.
    const QString broken = dir_.filePath("broken.mp4");
    {
      QFile f(broken);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(QByteArray(4096, '\x5a'));
    }
    controller.openSource("file:" + broken);
    auto* view = controller.cameraDock()->views()[0];
    QTRY_VERIFY_WITH_TIMEOUT(!view->error().isEmpty(), 20000);
    QVERIFY2(view->error().contains("broken.mp4"), qPrintable(view->error()));
    QTRY_VERIFY(window.statusBar()->currentMessage().contains("broken.mp4"));
    QTRY_VERIFY(log_text().contains("broken.mp4"));
    QTRY_VERIFY(controller.sourcesPanel()->errorText().contains("broken.mp4"));

    // A camera that is not there.
    controller.openSource("camera:99");
    QTRY_VERIFY_WITH_TIMEOUT(controller.cameraDock()->views()[0]->error().contains("camera:99"), 20000);
    QTRY_VERIFY(window.statusBar()->currentMessage().contains("camera:99"));
    QTRY_VERIFY(log_text().contains("camera:99"));

    // A spec that names nothing, and a world task that does not exist.
    QVERIFY(!controller.openSource("webcam"));
    QVERIFY(window.statusBar()->currentMessage().contains("webcam"));
    QVERIFY(!controller.openSource("sim:spatial/99"));
    QVERIFY(window.statusBar()->currentMessage().contains("99"));

    // The app carries on: the world runs and its frames arrive.
    QVERIFY(controller.openSource("sim:object/0@3"));
    const auto presented = controller.cameraDock()->framesPresented();
    QTRY_VERIFY_WITH_TIMEOUT(controller.cameraDock()->framesPresented() > presented + 5, 20000);
    QVERIFY(controller.cameraDock()->views()[0]->error().isEmpty());
    core::removeLogSink(window.logView()->sink());
  }

  void modelDockShowsACheckpointAndRefusesABadOne() {
    studio::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    studio::StudioController controller(&window);
    auto* panel = controller.modelPanel();

    QVERIFY(!controller.loadCheckpoint(dir_.filePath("nowhere")));
    QVERIFY(panel->errorText().contains("nowhere"));
    // A checkpoint whose config is damaged: refused with the file named.
    const QString damaged = dir_.filePath("damaged");
    QVERIFY(QDir().mkpath(damaged));
    for (const char* name : {"model.safetensors", "tokenizer.model", "norm_stats.json"}) {
      QFile::copy(QDir(checkpoint_).filePath(name), QDir(damaged).filePath(name));
    }
    {
      QFile f(QDir(damaged).filePath("config.json"));
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("{\"format\": \"thinkvla-policy\", \"width\": ");
    }
    QVERIFY(!controller.loadCheckpoint(damaged));
    QVERIFY2(panel->errorText().contains("config.json"), qPrintable(panel->errorText()));
    QVERIFY(window.statusBar()->currentMessage().contains("config.json"));

    QVERIFY(controller.loadCheckpoint(checkpoint_));
    QVERIFY(panel->errorText().isEmpty());
    const QString summary = panel->summaryText();
    const auto counts = model::countParameters(model::loadCheckpoint(checkpoint_.toStdString()).net);
    QVERIFY2(summary.contains("tiny") && summary.contains(widgets::formatCount(counts.total)) &&
                 summary.contains(widgets::formatCount(counts.deployed)) && summary.contains("486 pieces"),
             qPrintable(summary));

    // Dropping a checkpoint directory on the window opens it.
    controller.loadCheckpoint(dir_.filePath("nowhere"));
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(checkpoint_)});
    QDragEnterEvent enter(QPoint(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QVERIFY(panel->errorText().isEmpty());
    QCOMPARE(controller.checkpointDirectory(), checkpoint_);
  }

  void exportAndRecordTheViews() {
    studio::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    studio::StudioController controller(&window);
    QVERIFY(controller.loadCheckpoint(checkpoint_));
    widgets::OverlaySettings s;
    QString error;
    QVERIFY(widgets::applyOverlayList("attention,path", &s, &error));
    controller.cameraDock()->setSettings(s);
    QVERIFY(openAndRun(controller, "sim:spatial/2@5"));

    const QString out = dir_.filePath("export");
    const QStringList files = controller.exportViews(out);
    QCOMPARE(files.size(), 3);
    const QImage agent(QDir(out).filePath("camera_agentview.png"));
    QVERIFY(!agent.isNull());
    QCOMPARE(agent.size(), QSize(384, 384));
    QVERIFY(!QImage(QDir(out).filePath("camera_wrist.png")).isNull());
    const QImage scene(QDir(out).filePath("scene.png"));
    QVERIFY(!scene.isNull() && scene.width() > 100);

    const QString video = dir_.filePath("rollout.mp4");
    QVERIFY(!controller.startRecording(dir_.filePath("no/such/folder/x.mp4")));
    QVERIFY(controller.startRecording(video));
    const auto presented = controller.cameraDock()->framesPresented();
    QTRY_VERIFY_WITH_TIMEOUT(controller.cameraDock()->framesPresented() > presented + 12, 20000);
    const int frames = controller.stopRecording();
    QVERIFY(frames >= 12);
    cv::VideoCapture capture(video.toStdString());
    QVERIFY(capture.isOpened());
    cv::Mat frame;
    int read = 0;
    while (capture.read(frame)) {
      if (read == 0) {
        QCOMPARE(frame.cols, 2 * 384);  // both cameras side by side
        QCOMPARE(frame.rows, 384);
      }
      ++read;
    }
    QCOMPARE(read, frames);
  }
};

QTEST_MAIN(TestSourceSwitching)
#include "test_source_switching.moc"
