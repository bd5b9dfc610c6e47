// Recording through the Episodes dock in the built-in world: keys typed over the 3D view drive the
// arm (dead-man held: it moves the expected way; released: zero motion from the next tick on), the
// Right arrow ends and saves, the Left arrow re-records, Discard drops; what the file holds reads
// back with the same actions and intervention flags the control loop sent, also in shared mode
// where the policy drives and the operator takes over.
#include <QPushButton>

#include <chrono>

#include "core/episodes/episode_file.h"
#include "studio_test_helpers.h"

using namespace thinkvla;
using Clock = std::chrono::steady_clock;

class TestEpisodesRecording : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;

  static void compareWithFile(const QString& file, const std::string& demo,
                              const std::vector<core::ControlTick>& ticks) {
    core::EpisodeReader reader(file.toStdString());
    const core::Episode e = reader.readEpisode(demo, core::EpisodeParts::kLowDim);
    QCOMPARE(static_cast<std::size_t>(e.numSamples()), ticks.size());
    QCOMPARE(e.annotations.intervention.size(), ticks.size());
    for (std::size_t t = 0; t < ticks.size(); ++t) {
      for (int c = 0; c < 7; ++c) {
        QCOMPARE(e.actions(static_cast<Eigen::Index>(t), c), ticks[t].action[c]);  // bit for bit
      }
      QCOMPARE(e.annotations.intervention[t] != 0, ticks[t].intervention);
    }
    QCOMPARE(e.annotations.timestamps_unix_s.size(), ticks.size());
  }

 private Q_SLOTS:
  void initTestCase() { testing::setUpStudioTests(dir_, "episodes-recording-test"); }

  void keysDriveTheArmAndTheArrowsEndAndRerecord() {
    testing::Studio s;
    QVERIFY(s.start());
    auto* ep = s.episodes();
    const QString file = dir_.filePath("human.hdf5");
    QVERIFY(ep->createFile(file));
    ep->recordingPanel()->setTask("spatial/0");
    ep->recordingPanel()->setSeed(5);
    QCOMPARE(s.world()->mode(), core::ControlMode::kHuman);
    QVERIFY(ep->startRecording());
    QCOMPARE(ep->recordState(), studio::EpisodesController::RecordState::kRecording);
    QVERIFY(s.waitSteps(4));

    // Hold the dead-man and push forward (W: +x in the base frame).
    s.view()->setFocus();
    QTest::keyPress(s.view(), Qt::Key_Space);
    QTest::keyPress(s.view(), Qt::Key_W);
    QVERIFY(s.waitSteps(14));
    // Release the dead-man with W still held: the arm must stop from the next tick on.
    QTest::keyRelease(s.view(), Qt::Key_Space);
    const auto released_at = Clock::now();
    QVERIFY(s.waitSteps(8));
    QTest::keyRelease(s.view(), Qt::Key_W);
    // Left (A: +y) with the dead-man, briefly.
    QTest::keyPress(s.view(), Qt::Key_Space);
    QTest::keyPress(s.view(), Qt::Key_A);
    QVERIFY(s.waitSteps(8));
    QTest::keyRelease(s.view(), Qt::Key_A);
    QTest::keyRelease(s.view(), Qt::Key_Space);
    QVERIFY(s.waitSteps(2));

    // Right arrow: end and save; the reset phase follows (0 s here: it waits for Record or Right).
    QVERIFY(s.pressShortcut(Qt::Key_Right));
    QCOMPARE(ep->recordState(), studio::EpisodesController::RecordState::kResetting);
    QCOMPARE(ep->recordingPanel()->seed(), 6);  // the next seed
    const std::vector<core::ControlTick> ticks = ep->tap().ticks();
    QVERIFY(ticks.size() >= 36);
    QTRY_COMPARE_WITH_TIMEOUT(ep->recorder()->stats().episodes_committed, std::uint64_t{1}, 20000);

    // The dead-man: while held, W pushed +x; after the release at most the tick already in flight
    // moved, every later tick sent zero motion although W stayed held.
    int pushed = 0, moving_after_release = 0, after_release = 0;
    bool first_after = true;
    for (const auto& t : ticks) {
      const bool moving = cv::norm(cv::Vec3d(t.action[0], t.action[1], t.action[2])) > 0 ||
                          cv::norm(cv::Vec3d(t.action[3], t.action[4], t.action[5])) > 0;
      if (t.deadman && t.action[0] > 0.1) ++pushed;
      if (t.time > released_at && t.time < released_at + std::chrono::milliseconds(300)) {
        ++after_release;
        if (moving && !first_after) ++moving_after_release;
        first_after = false;
      }
      if (!t.deadman) QVERIFY2(!moving, "motion without the dead-man");
      QVERIFY(t.intervention);  // human mode: every step is the operator's
    }
    QVERIFY2(pushed >= 8, qPrintable(QString("%1 ticks pushed +x").arg(pushed)));
    QVERIFY(after_release >= 4);
    QCOMPARE(moving_after_release, 0);

    // The file: the same actions and flags, and the arm went +x then +y.
    compareWithFile(file, "demo_0", ticks);
    core::EpisodeReader reader(file.toStdString());
    const core::Episode e = reader.readEpisode("demo_0", core::EpisodeParts::kLowDim);
    const auto T = e.numSamples();
    QVERIFY2(e.ee_pos(T - 1, 0) - e.ee_pos(0, 0) > 0.03,
             qPrintable(QString("x moved %1 m").arg(e.ee_pos(T - 1, 0) - e.ee_pos(0, 0))));
    QVERIFY2(e.ee_pos(T - 1, 1) - e.ee_pos(0, 1) > 0.01,
             qPrintable(QString("y moved %1 m").arg(e.ee_pos(T - 1, 1) - e.ee_pos(0, 1))));
    QCOMPARE(e.annotations.source.kind, std::string("sim"));
    QCOMPARE(e.annotations.source.seed, std::int64_t{5});
    QVERIFY(!e.annotations.qa_pairs.empty());
    QVERIFY(!e.init_state.empty());
    // The browser lists it, with its thumbnail.
    QTRY_COMPARE_WITH_TIMEOUT(ep->browser()->rowCount(), 1, 10000);

    // Right during the reset phase starts the next episode; Left re-records it (discarded).
    QVERIFY(s.pressShortcut(Qt::Key_Right));
    QCOMPARE(ep->recordState(), studio::EpisodesController::RecordState::kRecording);
    QVERIFY(s.waitSteps(5));
    QVERIFY(s.pressShortcut(Qt::Key_Left));
    QCOMPARE(ep->recordState(), studio::EpisodesController::RecordState::kResetting);
    QCOMPARE(ep->recordingPanel()->seed(), 6);  // the same seed again
    QTRY_COMPARE_WITH_TIMEOUT(ep->recorder()->stats().episodes_discarded, std::uint64_t{1}, 10000);
    // Record again, then Discard: nothing more reaches the file.
    QVERIFY(ep->startRecording());
    QVERIFY(s.waitSteps(3));
    ep->discard();
    QCOMPARE(ep->recordState(), studio::EpisodesController::RecordState::kIdle);
    QVERIFY(ep->recorder()->waitUntilIdle(10));
    QCOMPARE(ep->recorder()->stats().episodes_committed, std::uint64_t{1});
    QCOMPARE(core::EpisodeReader(file.toStdString()).episodeNames().size(), std::size_t{1});
    // The arrows do nothing while idle (they keep their usual meaning elsewhere).
    QVERIFY(!ep->endAction()->isEnabled());
    QVERIFY(!ep->rerecordAction()->isEnabled());
  }

  void sharedModeMarksTheTakeover() {
    testing::Studio s;
    QVERIFY(s.start());
    auto* ep = s.episodes();
    QVERIFY(s.controller->loadCheckpoint(testing::makeTinyCheckpoint(dir_)));
    QCOMPARE(s.world()->mode(), core::ControlMode::kPolicy);
    s.world()->setMode(core::ControlMode::kShared);
    const QString file = dir_.filePath("shared.hdf5");
    QVERIFY(ep->createFile(file));
    ep->recordingPanel()->setSeed(11);
    QVERIFY(ep->startRecording());
    QVERIFY(s.waitSteps(8));  // the policy drives
    s.view()->setFocus();
    QTest::keyPress(s.view(), Qt::Key_D);  // the operator moves: takeover (no dead-man in shared)
    QVERIFY(s.waitSteps(10));
    QTest::keyRelease(s.view(), Qt::Key_D);
    QVERIFY(s.waitSteps(18));  // idle past the hand-back: the policy again
    auto* end = ep->recordingPanel()->findChild<QPushButton*>("recordingEnd");
    QVERIFY(end->isEnabled());
    end->click();
    const auto ticks = ep->tap().ticks();
    QTRY_COMPARE_WITH_TIMEOUT(ep->recorder()->stats().episodes_committed, std::uint64_t{1}, 20000);
    const auto takeovers =
        std::count_if(ticks.begin(), ticks.end(), [](const auto& t) { return t.intervention; });
    QVERIFY2(takeovers >= 8 && takeovers < static_cast<long>(ticks.size()) - 8,
             qPrintable(QString("%1 of %2 ticks marked").arg(takeovers).arg(ticks.size())));
    QVERIFY(!ticks.front().intervention);
    QVERIFY(!ticks.back().intervention);
    compareWithFile(file, "demo_0", ticks);
    QTRY_COMPARE_WITH_TIMEOUT(ep->browser()->rowCount(), 1, 10000);
    QCOMPARE(ep->browser()->row("demo_0")->interventions, static_cast<int>(takeovers));
  }
};

QTEST_MAIN(TestEpisodesRecording)
#include "test_episodes_recording.moc"
