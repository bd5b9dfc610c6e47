// The Annotation dock on an episode recorded through the Episodes dock: segment, keyframe and
// field edits with undo and redo, saved through a transaction and read back after reopening; the
// scrubber's frames and the policy's prediction (on its worker thread) with the predicted chunk in
// the 3D view; replay in the world reproducing the recorded path; deleting episodes.
#include <QDockWidget>
#include <QStatusBar>

#include "core/episodes/episode_file.h"
#include "core/episodes/h5_transaction.h"
#include "studio/episode_replay.h"
#include "studio_test_helpers.h"
#include "widgets/annotation_timeline.h"
#include "widgets/camera_view.h"
#include "widgets/episode_annotation_panel.h"
#include "widgets/episode_browser.h"

using namespace thinkvla;

class TestEpisodesAnnotation : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;

  static void select(studio::EpisodesController* ep, const QString& name) {
    QSignalSpy loaded(ep, &studio::EpisodesController::episodeLoaded);
    ep->browser()->selectEpisode(name);
    QVERIFY(loaded.wait(20000) || ep->loadedEpisode() == name);
    QCOMPARE(ep->loadedEpisode(), name);
  }

 private Q_SLOTS:
  void initTestCase() { testing::setUpStudioTests(dir_, "episodes-annotation-test"); }

  void editsSurviveSaveAndReload() {
    testing::Studio s;
    QVERIFY(s.start());
    auto* ep = s.episodes();
    const QString file = dir_.filePath("annotate.hdf5");
    testing::recordEpisodes(s, file, 2);
    select(ep, "demo_0");
    auto* panel = ep->annotationPanel();
    auto* timeline = panel->timeline();
    const int T = timeline->length();
    QVERIFY(T >= 24);
    QVERIFY(!panel->dirty());
    // The scrubber shows the step's frames in both cameras.
    timeline->setCurrentStep(T / 2);
    QVERIFY(!panel->cameraViews()[0]->grab().toImage().isNull());

    // Segments (create, label, resize by dragging the edge), keyframes with labels, the fields.
    timeline->addSegment(0, 5, "reach");
    timeline->setSegmentLabel(0, "reach the cube");
    timeline->addSegment(8, 12, "push");
    const QPoint edge(static_cast<int>(std::lround(timeline->xForStep(12))),
                      timeline->segmentLane().center().y());
    const QPoint to(static_cast<int>(std::lround(timeline->xForStep(15))),
                    timeline->segmentLane().center().y());
    QTest::mousePress(timeline, Qt::LeftButton, Qt::NoModifier, edge);
    QTest::mouseMove(timeline, to);
    QTest::mouseRelease(timeline, Qt::LeftButton, Qt::NoModifier, to);
    QCOMPARE(timeline->annotations().segments[1].end_step, 15);
    timeline->addKeyframe(4, "keyframe");
    timeline->setKeyframeLabel(4, "contact");
    panel->editMeta({true, "push the cube forward", "first try"});
    panel->editMeta({true, "push the cube forward", "a note to undo"});
    QVERIFY(panel->dirty());
    // Undo the last note, redo it, undo it again: the saved notes are "first try".
    panel->undoStack()->undo();
    QCOMPARE(panel->meta().notes, QString("first try"));
    panel->undoStack()->redo();
    QCOMPARE(panel->meta().notes, QString("a note to undo"));
    panel->undoStack()->undo();

    QSignalSpy saved(ep, &studio::EpisodesController::annotationsSaved);
    ep->saveAnnotations();
    QVERIFY(saved.wait(20000));
    QVERIFY(!panel->dirty());
    {
      // In the file, beside LIBERO's layout (end steps exclusive there).
      core::EpisodeReader reader(file.toStdString());
      const core::EpisodeAnnotations a = reader.readAnnotations("demo_0");
      QCOMPARE(a.subtasks.size(), std::size_t{2});
      QCOMPARE(a.subtasks[0].label, std::string("reach the cube"));
      QCOMPARE(a.subtasks[0].start_step, std::int64_t{0});
      QCOMPARE(a.subtasks[0].end_step, std::int64_t{6});
      QCOMPARE(a.subtasks[1].start_step, std::int64_t{8});
      QCOMPARE(a.subtasks[1].end_step, std::int64_t{16});
      QCOMPARE(a.keyframes.size(), std::size_t{1});
      QCOMPARE(a.keyframes[0].step, std::int64_t{4});
      QCOMPARE(a.keyframes[0].label, std::string("contact"));
      QVERIFY(a.success);
      QCOMPARE(a.instruction, std::string("push the cube forward"));
      QCOMPARE(a.notes, std::string("first try"));
      QCOMPARE(a.intervention.size(), static_cast<std::size_t>(T));  // kept as recorded
      QVERIFY(!a.recording_id.empty());
      QVERIFY(!QFileInfo::exists(
          QString::fromStdString(core::journalPath(file.toStdString()).string())));
    }
    const widgets::TimelineAnnotations expected = timeline->annotations();

    // Reopen the file: the same annotations come back; the browser shows the new instruction.
    QSignalSpy listed(ep, &studio::EpisodesController::episodesListed);
    QVERIFY(ep->openFile(file));
    QVERIFY(listed.wait(20000));
    QCOMPARE(ep->browser()->row("demo_0")->instruction, QString("push the cube forward"));
    QCOMPARE(ep->browser()->row("demo_0")->success, widgets::EpisodeSuccess::kSuccess);
    select(ep, "demo_1");
    select(ep, "demo_0");
    QVERIFY(timeline->annotations() == expected);
    QCOMPARE(panel->meta().notes, QString("first try"));
    QVERIFY(panel->meta().success);
    QCOMPARE(panel->undoStack()->count(), 0);
  }

  void predictionReplayAndDelete() {
    testing::Studio s;
    QVERIFY(s.start());
    auto* ep = s.episodes();
    const QString file = dir_.filePath("replay.hdf5");
    testing::recordEpisodes(s, file, 2);
    // A policy in the live view predicts in the Annotation dock too.
    QVERIFY(s.controller->loadCheckpoint(testing::makeTinyCheckpoint(dir_)));
    QTRY_VERIFY_WITH_TIMEOUT(ep->predictions()->hasPolicy(), 20000);
    QSignalSpy shown(ep, &studio::EpisodesController::predictionShown);
    select(ep, "demo_0");
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 20000);
    QCOMPARE(shown.last().first().toInt(), 0);
    ep->annotationPanel()->timeline()->setCurrentStep(7);
    QTRY_VERIFY_WITH_TIMEOUT(shown.last().first().toInt() == 7, 20000);
    const auto prediction = ep->lastPrediction();
    QVERIFY(prediction.has_value());
    QVERIFY(prediction->error.isEmpty());
    QCOMPARE(prediction->actions.size(), std::size_t{8});  // the tiny preset's chunk
    QCOMPARE(ep->predictedPathPoints(), std::size_t{9});   // the end effector plus 8 steps
    QCOMPARE(ep->recordedPathPoints(),
             static_cast<std::size_t>(ep->annotationPanel()->timeline()->length()));
    QVERIFY(ep->annotationPanel()->predictionText() != QString("- - - - - - -"));

    // Replay: from the episode's start, the recorded actions reproduce the recorded path.
    QSignalSpy finished(ep, &studio::EpisodesController::replayFinished);
    QVERIFY(ep->startReplay());
    QVERIFY(ep->replaying());
    QVERIFY(ep->replay()->initialStateMatches());
    QVERIFY(finished.wait(30000));
    QCOMPARE(ep->lastReplaySteps(), ep->annotationPanel()->timeline()->length());
    QVERIFY2(ep->lastReplayMaxErrorMm() >= 0 && ep->lastReplayMaxErrorMm() < 0.01,
             qPrintable(QString("%1 mm").arg(ep->lastReplayMaxErrorMm())));
    const auto ticks = s.world()->controlTicks();
    QTRY_VERIFY_WITH_TIMEOUT(s.world()->controlTicks() > ticks + 3,
                             10000);  // the world's loop runs again

    // Delete demo_0 (through a transaction): demo_1 stays, the counts follow.
    QSignalSpy deleted(ep, &studio::EpisodesController::episodesDeleted);
    ep->browser()->setDeleteConfirmation(widgets::DeleteConfirmation::kSkip);
    ep->browser()->selectEpisode("demo_0");
    ep->browser()->requestDeleteSelected();
    QVERIFY(deleted.wait(20000));
    QCOMPARE(deleted.first().first().toStringList(), QStringList({"demo_0"}));
    QVERIFY(ep->loadedEpisode().isEmpty());
    QCOMPARE(ep->recordedPathPoints(), std::size_t{0});
    QTRY_COMPARE_WITH_TIMEOUT(ep->browser()->rowCount(), 1, 10000);
    core::EpisodeReader reader(file.toStdString());
    QCOMPARE(reader.episodeNames(), std::vector<std::string>({"demo_1"}));
    QCOMPARE(reader.storedNumDemos(), std::int64_t{1});
    QCOMPARE(reader.storedTotal(),
             reader.readEpisode("demo_1", core::EpisodeParts::kLowDim).numSamples());
  }

  void badFilesAreReported() {
    studio::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto controller = std::make_unique<studio::StudioController>(&window);
    auto* ep = controller->episodes();
    // Not there.
    QVERIFY(!ep->openFile(dir_.filePath("nope.hdf5")));
    QVERIFY(window.statusBar()->currentMessage().contains("nope.hdf5"));
    // A truncated copy of a real episode file: the error names the file and what is wrong.
    const QString good = dir_.filePath("annotate.hdf5");
    QVERIFY(QFileInfo::exists(good));
    const QString cut = dir_.filePath("truncated.hdf5");
    {
      QFile in(good);
      QVERIFY(in.open(QIODevice::ReadOnly));
      QFile out(cut);
      QVERIFY(out.open(QIODevice::WriteOnly));
      out.write(in.read(in.size() / 3));
    }
    QVERIFY(ep->openFile(cut));  // listing happens in the background
    QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().contains("truncated.hdf5"),
                             10000);
    QVERIFY2(window.statusBar()->currentMessage().contains("truncated"),
             qPrintable(window.statusBar()->currentMessage()));
    QCOMPARE(ep->browser()->rowCount(), 0);
    // A file with one good and one broken demo: both listed, the broken one marked, and selecting
    // it reports the dataset at fault.
    const QString mixed = dir_.filePath("mixed.hdf5");
    QVERIFY(QFile::copy(good, mixed));
    {
      H5::H5File f(mixed.toStdString(), H5F_ACC_RDWR);
      f.openGroup("data").createGroup("demo_7");  // no actions, no obs
    }
    QSignalSpy listed(ep, &studio::EpisodesController::episodesListed);
    QVERIFY(ep->openFile(mixed));
    QVERIFY(listed.wait(10000));
    QCOMPARE(ep->browser()->rowCount(), 3);
    QVERIFY(ep->browser()->row("demo_7")->instruction.startsWith("(unreadable"));
    QCOMPARE(ep->browser()->row("demo_0")->instruction, QString("push the cube forward"));
    ep->browser()->selectEpisode("demo_7");
    QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().contains("demo_7"), 10000);
    QVERIFY(ep->loadedEpisode().isEmpty());
    controller.reset();
  }
};

QTEST_MAIN(TestEpisodesAnnotation)
#include "test_episodes_annotation.moc"
