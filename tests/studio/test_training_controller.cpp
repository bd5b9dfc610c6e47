// The Training dock: a fine-tuning run started from the dock on episodes recorded through the
// Episodes dock (from the checkpoint loaded in the live view) runs in the background, plots its
// losses, writes checkpoints, and one loads into the live view; cancelling leaves the GUI running
// and the output directory with no checkpoint or a loadable one; bad requests are refused.
#include <QPushButton>
#include <QRegularExpression>

#include "studio/training_controller.h"
#include "studio_test_helpers.h"
#include "widgets/loss_chart.h"
#include "widgets/training_panel.h"

using namespace thinkvla;

class TestTrainingController : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;

  static QString stateOf(const QSignalSpy& spy) {
    return spy.isEmpty() ? QString() : spy.last().first().toString();
  }

 private Q_SLOTS:
  void initTestCase() { testing::setUpStudioTests(dir_, "training-controller-test"); }

  void fineTuneAndLoadIntoLiveView() {
    testing::Studio s;
    QVERIFY(s.start());
    const QString file = dir_.filePath("demos.hdf5");
    testing::recordEpisodes(s, file, 2, 16);
    const QString tiny = testing::makeTinyCheckpoint(dir_);
    QVERIFY(s.controller->loadCheckpoint(tiny));
    studio::TrainingController* training = s.controller->training();
    widgets::TrainingPanel* panel = training->panel();
    // The recorded file is offered, the live checkpoint is the default starting point.
    QTRY_COMPARE_WITH_TIMEOUT(panel->request().init_checkpoint, tiny, 5000);
    QCOMPARE(panel->request().episode_files, QStringList({QFileInfo(file).absoluteFilePath()}));
    panel->setHyperparameters(4, 2, 1e-4);
    panel->setOutputDirectory(dir_.filePath("run1"));

    QSignalSpy finished(training, &studio::TrainingController::runFinished);
    const auto frames = s.world()->framesShown();
    panel->findChild<QPushButton*>("trainingStart")->click();
    QVERIFY(training->busy());
    QVERIFY(finished.wait(80000));
    QCOMPARE(stateOf(finished), QString("finished"));
    QVERIFY(s.world()->framesShown() > frames);  // the views kept updating meanwhile
    QCOMPARE(panel->progressValue(), 1000);
    QVERIFY(panel->lossChart()->terms().contains("total"));
    QVERIFY(panel->lossChart()->terms().contains("action"));
    QCOMPARE(panel->lossChart()->points("total").size(), std::size_t{4});
    // A checkpoint every step here (steps / 4), each kept and loadable.
    const QStringList written = training->checkpoints();
    QCOMPARE(written.size(), 4);
    QVERIFY(written.last().endsWith("step_000004"));
    QVERIFY(QFileInfo::exists(dir_.filePath("run1/checkpoint/model.safetensors")));
    QVERIFY(QFileInfo::exists(dir_.filePath("run1/metrics.jsonl")));
    // The fine-tuned weights differ from the starting ones.
    const auto before = model::loadCheckpoint(tiny.toStdString());
    const auto after = model::loadCheckpoint(written.last().toStdString());
    double diff = 0;
    const auto pa = before.net->named_parameters();
    const auto pb = after.net->named_parameters();
    for (const auto& item : pa) diff += (item.value() - pb[item.key()]).abs().sum().item<double>();
    QVERIFY(diff > 0);

    // Load into the live view: the world's policy is the new checkpoint and keeps predicting.
    QVERIFY(training->loadIntoLiveView(written.last()));
    QCOMPARE(s.controller->checkpointDirectory(), written.last());
    QCOMPARE(s.world()->mode(), core::ControlMode::kPolicy);
    const auto inferences = s.world()->inferences();
    QTRY_VERIFY_WITH_TIMEOUT(s.world()->inferences() > inferences + 3, 30000);
  }

  void cancelKeepsTheGuiAndTheCheckpoints() {
    testing::Studio s;
    QVERIFY(s.start());
    const QString file = dir_.filePath("demos2.hdf5");
    testing::recordEpisodes(s, file, 1, 16);
    studio::TrainingController* training = s.controller->training();
    widgets::TrainingPanel* panel = training->panel();
    panel->setStartFrom(QString(), "tiny");

    // Bad requests are refused with a clear message.
    widgets::TrainingRequest bad = panel->request();
    bad.episode_files = {dir_.filePath("missing.hdf5")};
    QVERIFY(!training->start(bad));
    QVERIFY(training->lastError().contains("missing.hdf5"));
    bad = panel->request();
    bad.out_dir.clear();
    QVERIFY(!training->start(bad));

    // Cancelled before its first checkpoint: no checkpoint in the output directory.
    QSignalSpy finished(training, &studio::TrainingController::runFinished);
    widgets::TrainingRequest r = panel->request();
    r.steps = 100000;  // a checkpoint every 25000 steps
    r.batch_size = 2;
    r.out_dir = dir_.filePath("run-cancel-early");
    QVERIFY(training->start(r));
    QTRY_VERIFY_WITH_TIMEOUT(panel->lossChart()->points("total").size() >= 1, 60000);
    training->cancel();  // returns at once: the step in flight finishes on the training thread
    QCOMPARE(panel->runState(), widgets::TrainingPanel::RunState::kStopping);
    const auto frames = s.world()->framesShown();
    QVERIFY(finished.wait(60000));
    QCOMPARE(stateOf(finished), QString("cancelled"));
    QVERIFY(s.world()->framesShown() > frames);  // the GUI kept drawing the world while it stopped
    QVERIFY(!QFileInfo::exists(r.out_dir + "/checkpoint/model.safetensors"));
    QVERIFY(training->checkpoints().isEmpty());
    QCOMPARE(panel->runState(), widgets::TrainingPanel::RunState::kIdle);

    // Cancelled after a checkpoint: the last one is complete and loads.
    r.steps = 60;  // a checkpoint every 15 steps
    r.out_dir = dir_.filePath("run-cancel-late");
    QVERIFY(training->start(r));
    // Pause and resume on the way.
    QTRY_VERIFY_WITH_TIMEOUT(panel->lossChart()->points("total").size() >= 2, 60000);
    training->pause();
    QTRY_VERIFY_WITH_TIMEOUT(training->state() == model::train::TrainState::kPaused, 30000);
    const auto paused_points = panel->lossChart()->points("total").size();
    QTest::qWait(300);
    QCOMPARE(panel->lossChart()->points("total").size(),
             paused_points);  // nothing trains while paused
    training->resume();
    QTRY_VERIFY_WITH_TIMEOUT(training->checkpoints().size() >= 1, 60000);
    training->cancel();
    QVERIFY(finished.wait(60000));
    const QString state = stateOf(finished);
    QVERIFY2(state == "cancelled" || state == "finished", qPrintable(state));
    const QString kept = training->checkpoints().last();
    QVERIFY2(QRegularExpression("step_0000(15|30|45|60)$").match(kept).hasMatch(),
             qPrintable(kept));
    QVERIFY(QFileInfo::exists(kept + "/model.safetensors"));
    model::loadCheckpoint((r.out_dir + "/checkpoint").toStdString());  // throws if broken
    QVERIFY(training->loadIntoLiveView(kept));
    QCOMPARE(s.controller->checkpointDirectory(), kept);

    // Evaluate it in the world from the dock (its own thread and world): a success table.
    QSignalSpy evaluated(training, &studio::TrainingController::evaluationFinished);
    QVERIFY(training->evaluate(kept, 1));
    QVERIFY(training->evaluating());
    QVERIFY(evaluated.wait(80000));
    QCOMPARE(panel->evaluationRows(), 2);  // the two tasks of the quick check
  }
};

QTEST_MAIN(TestTrainingController)
#include "test_training_controller.moc"
