// The Training dock's controls and read-outs: the request built from the fields, the buttons per
// run state, progress and ETA, the loss curves (one series per term, NaN skipped, thinning), the
// checkpoints list with "Load into live view", the evaluation table, and pixels of the chart.
#include <QComboBox>
#include <QListWidget>
#include <QPushButton>
#include <QtTest/QtTest>

#include <cmath>
#include <limits>

#include "widgets/loss_chart.h"
#include "widgets/training_panel.h"

using namespace thinkvla::widgets;

class TestTrainingPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void requestFromTheFields() {
    TrainingPanel p(nullptr);
    QSignalSpy start(&p, &TrainingPanel::startRequested);
    auto* start_button = p.findChild<QPushButton*>("trainingStart");
    QVERIFY(!start_button->isEnabled());  // no episode file yet
    p.addEpisodeFile("/tmp/a.hdf5");
    p.addEpisodeFile("/tmp/a.hdf5");  // listed once
    p.addEpisodeFile("/tmp/b.hdf5");
    p.setHyperparameters(12, 3, 5e-5);
    p.setOutputDirectory("/tmp/run");
    // Without a loaded checkpoint the presets are the choices; with one it is the default.
    TrainingRequest r = p.request();
    QVERIFY(r.init_checkpoint.isEmpty());
    QCOMPARE(r.preset, QString("tiny"));
    p.setLoadedCheckpoint("/ckpt/demo");
    r = p.request();
    QCOMPARE(r.init_checkpoint, QString("/ckpt/demo"));
    p.setStartFrom(QString(), "small");
    QCOMPARE(p.request().preset, QString("small"));
    QVERIFY(p.request().init_checkpoint.isEmpty());
    p.setStartFrom("/ckpt/demo", QString());
    QVERIFY(start_button->isEnabled());
    start_button->click();
    QCOMPARE(start.size(), 1);
    r = start.first().first().value<TrainingRequest>();
    QCOMPARE(r.episode_files, QStringList({"/tmp/a.hdf5", "/tmp/b.hdf5"}));
    QCOMPARE(r.steps, 12);
    QCOMPARE(r.batch_size, 3);
    QCOMPARE(r.lr, 5e-5);
    QCOMPARE(r.out_dir, QString("/tmp/run"));
    QCOMPARE(r.init_checkpoint, QString("/ckpt/demo"));
  }

  void buttonsFollowTheRunState() {
    TrainingPanel p(nullptr);
    p.addEpisodeFile("/tmp/a.hdf5");
    QSignalSpy pause(&p, &TrainingPanel::pauseRequested);
    QSignalSpy resume(&p, &TrainingPanel::resumeRequested);
    QSignalSpy cancel(&p, &TrainingPanel::cancelRequested);
    auto* start_button = p.findChild<QPushButton*>("trainingStart");
    auto* pause_button = p.findChild<QPushButton*>("trainingPause");
    auto* cancel_button = p.findChild<QPushButton*>("trainingCancel");
    QVERIFY(!pause_button->isEnabled() && !cancel_button->isEnabled());
    p.setRunState(TrainingPanel::RunState::kRunning);
    QVERIFY(!start_button->isEnabled());
    pause_button->click();
    QCOMPARE(pause.size(), 1);
    p.setRunState(TrainingPanel::RunState::kPaused);
    QCOMPARE(pause_button->text(), QString("Resume"));
    pause_button->click();
    QCOMPARE(resume.size(), 1);
    cancel_button->click();
    QCOMPARE(cancel.size(), 1);
    p.setRunState(TrainingPanel::RunState::kStopping);
    QVERIFY(!cancel_button->isEnabled() && !pause_button->isEnabled() &&
            !start_button->isEnabled());
    p.setRunState(TrainingPanel::RunState::kIdle);
    QVERIFY(start_button->isEnabled());
  }

  void progressAndEta() {
    TrainingPanel p(nullptr);
    p.setProgress(25, 100, 95.0, 7.5);
    QCOMPARE(p.progressValue(), 250);
    QVERIFY2(p.etaText().contains("1m35s"), qPrintable(p.etaText()));
    QVERIFY(p.etaText().contains("7.5"));
    p.setProgress(0, 100, std::numeric_limits<double>::quiet_NaN(), 0.0);
    QVERIFY(p.etaText().contains("--"));
  }

  void lossCurves() {
    LossChart chart(nullptr);
    chart.resize(420, 240);
    for (int s = 1; s <= 50; ++s) {
      chart.addPoint("total", s, 2.0 / s);
      chart.addPoint("action", s, 1.0 / s);
      // A term some steps do not have (QA batches): NaN is skipped.
      chart.addPoint("language", s, s % 2 ? std::numeric_limits<double>::quiet_NaN() : 0.5);
    }
    QCOMPARE(chart.terms(), QStringList({"action", "language", "total"}));
    QCOMPARE(chart.points("total").size(), std::size_t{50});
    QCOMPARE(chart.points("language").size(), std::size_t{25});
    QCOMPARE(chart.points("action").back(), QPointF(50, 1.0 / 50));
    QVERIFY(chart.points("nothing").empty());
    // Long runs are thinned: never more than kMaxPoints, the newest point kept.
    LossChart long_chart(nullptr);
    for (int s = 1; s <= LossChart::kMaxPoints + 500; ++s) long_chart.addPoint("total", s, 1.0);
    QVERIFY(long_chart.points("total").size() <= static_cast<std::size_t>(LossChart::kMaxPoints));
    QCOMPARE(long_chart.points("total").back().x(), double(LossChart::kMaxPoints + 500));

    // The curves are drawn: the total's near-white line appears over the dark plot.
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const QImage drawn = chart.grab().toImage();
    drawn.save(QString(THINKVLA_BINARY_DIR) + "/tests/widgets_loss_chart.png");
    int bright = 0, blue = 0;
    for (int y = 0; y < drawn.height(); ++y) {
      for (int x = 0; x < drawn.width(); ++x) {
        const QColor c = drawn.pixelColor(x, y);
        bright += c.red() > 220 && c.green() > 220 && c.blue() > 220;
        blue += c.blue() > 200 && c.red() < 120;
      }
    }
    QVERIFY2(blue > 40, qPrintable(QString("%1 blue pixels").arg(blue)));
    chart.clear();
    QVERIFY(chart.terms().isEmpty());
  }

  void checkpointsAndEvaluation() {
    TrainingPanel p(nullptr);
    QSignalSpy load(&p, &TrainingPanel::loadCheckpointRequested);
    QSignalSpy evaluate(&p, &TrainingPanel::evaluateRequested);
    auto* load_button = p.findChild<QPushButton*>("trainingLoad");
    QVERIFY(!load_button->isEnabled());
    p.addCheckpoint("step 2", "/run/checkpoints/step_000002");
    p.addCheckpoint("step 4", "/run/checkpoints/step_000004");
    QCOMPARE(p.checkpointDirectories(),
             QStringList({"/run/checkpoints/step_000002", "/run/checkpoints/step_000004"}));
    QVERIFY(load_button->isEnabled());
    load_button->click();  // the newest is selected
    QCOMPARE(load.last().first().toString(), QString("/run/checkpoints/step_000004"));
    p.selectCheckpoint(0);
    load_button->click();
    QCOMPARE(load.last().first().toString(), QString("/run/checkpoints/step_000002"));
    p.findChild<QPushButton*>("trainingEvaluate")->click();
    QCOMPARE(evaluate.size(), 1);
    QCOMPARE(evaluate.first().first().toString(), QString("/run/checkpoints/step_000002"));
    p.setEvaluationRunning(true);
    QVERIFY(!p.findChild<QPushButton*>("trainingEvaluate")->isEnabled());
    p.setEvaluation({{"spatial/a", 2, 1, 150.0}, {"spatial/b", 2, 2, 90.0}});
    QCOMPARE(p.evaluationRows(), 2);
    p.clearCheckpoints();
    QVERIFY(!load_button->isEnabled());
  }
};

QTEST_MAIN(TestTrainingPanel)
#include "test_training_panel.moc"
