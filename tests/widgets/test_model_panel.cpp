// The Model dock: a checkpoint's summary (parameters full and deployed, tokenizer, config), its
// error, the instruction box, the run controls and the chunk execution controls.
#include <QtTest/QtTest>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeWidget>

#include "widgets/model_panel.h"

using thinkvla::widgets::ModelPanel;

class TestModelPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void showsTheCheckpoint() {
    ModelPanel panel(nullptr);
    thinkvla::widgets::ModelSummary s;
    s.directory = "/models/demo";
    s.preset = "small";
    s.parameters_full = 5234000;
    s.parameters_deployed = 4900000;
    s.vocab_size = 512;
    s.config = {{"width", "128"}, {"layers", "4"}};
    s.components = {{"backbone", 3000000}};
    panel.setSummary(s);
    const QString text = panel.summaryText();
    QVERIFY2(text.contains("/models/demo") && text.contains("5.23 M") && text.contains("4.90 M") &&
                 text.contains("512"),
             qPrintable(text));
    auto* config = panel.findChild<QTreeWidget*>("modelConfig");
    QCOMPARE(config->topLevelItemCount(), 3);
    QCOMPARE(config->topLevelItem(0)->text(0), QString("width"));
    panel.setError("/models/bad: config.json is missing");
    QVERIFY(panel.errorText().contains("config.json"));
    panel.setSummary(s);  // a good one clears the error
    QVERIFY(panel.errorText().isEmpty());
    QCOMPARE(thinkvla::widgets::formatCount(1500), QString("1.5 k"));
  }

  void instructionAndRunControls() {
    ModelPanel panel(nullptr);
    QSignalSpy submitted(&panel, &ModelPanel::instructionSubmitted);
    auto* box = panel.findChild<QLineEdit*>("instruction");
    box->setText("  put the bowl on the plate ");
    panel.findChild<QPushButton*>("applyInstruction")->click();
    QCOMPARE(submitted.size(), 1);
    QCOMPARE(submitted.at(0).at(0).toString(), QString("put the bowl on the plate"));

    auto* run = panel.findChild<QPushButton*>("run");
    auto* pause = panel.findChild<QPushButton*>("pause");
    auto* step = panel.findChild<QPushButton*>("step");
    auto* reset = panel.findChild<QPushButton*>("reset");
    QVERIFY(!run->isEnabled() && !pause->isEnabled() && !step->isEnabled() && !reset->isEnabled());
    panel.setRunControls(true, false);  // the world runs
    QVERIFY(!run->isEnabled() && pause->isEnabled() && !step->isEnabled() && reset->isEnabled());
    panel.setRunControls(true, true);  // paused: run and step
    QVERIFY(run->isEnabled() && !pause->isEnabled() && step->isEnabled());
    QSignalSpy stepped(&panel, &ModelPanel::stepRequested);
    QSignalSpy resumed(&panel, &ModelPanel::runRequested);
    step->click();
    run->click();
    QCOMPARE(stepped.size(), 1);
    QCOMPARE(resumed.size(), 1);
  }

  void chunkExecutionControls() {
    ModelPanel panel(nullptr);
    auto* steps = panel.findChild<QSpinBox*>("executeSteps");
    auto* ensemble = panel.findChild<QCheckBox*>("ensemble");
    auto* decay = panel.findChild<QDoubleSpinBox*>("ensembleDecay");
    QVERIFY(steps && ensemble && decay);
    QSignalSpy changed(&panel, &ModelPanel::executionChanged);
    panel.setRunControls(true, false);  // the world runs, no policy yet
    QVERIFY(!steps->isEnabled() && !ensemble->isEnabled() && !decay->isEnabled());
    panel.setChunkSize(8);              // a policy with K = 8 drives it
    QVERIFY(steps->isEnabled() && ensemble->isEnabled() && !decay->isEnabled());
    QCOMPARE(steps->value(), 8);
    QCOMPARE(steps->maximum(), 8);
    QVERIFY(panel.findChild<QLabel*>("executeOf")->text().contains("of 8"));
    QCOMPARE(panel.execution().execute_steps, 0);  // all K
    QVERIFY(!panel.execution().ensemble);
    QCOMPARE(changed.size(), 0);  // following the policy is not the user's change

    steps->setValue(2);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(panel.execution().execute_steps, 2);
    ensemble->setChecked(true);
    QCOMPARE(changed.size(), 2);
    QVERIFY(decay->isEnabled());
    decay->setValue(0.05);
    QCOMPARE(changed.size(), 3);
    auto e = panel.execution();
    QVERIFY(e.ensemble);
    QCOMPARE(e.decay, 0.05);
    ensemble->setChecked(false);
    QVERIFY(!decay->isEnabled());
    const int before = static_cast<int>(changed.size());
    decay->setValue(0.1);  // no effect while ensembling is off
    QCOMPARE(static_cast<int>(changed.size()), before);

    panel.setChunkSize(16);  // a chosen count stays across policies
    QCOMPARE(steps->value(), 2);
    QCOMPARE(steps->maximum(), 16);
    steps->setValue(16);
    QCOMPARE(panel.execution().execute_steps, 0);
    panel.setChunkSize(4);   // all K stays all K
    QCOMPARE(steps->value(), 4);
    QCOMPARE(panel.execution().execute_steps, 0);
    panel.setRunControls(false, false);  // not the world: nothing to execute
    QVERIFY(!steps->isEnabled() && !ensemble->isEnabled());

    // Set from the command line before any policy: kept until one comes, then clamped to its K.
    ModelPanel early(nullptr);
    QSignalSpy early_changed(&early, &ModelPanel::executionChanged);
    early.setExecution({3, true, 0.2});
    QCOMPARE(early_changed.size(), 0);
    QCOMPARE(early.execution().execute_steps, 3);
    QVERIFY(early.execution().ensemble);
    QCOMPARE(early.execution().decay, 0.2);
    early.setChunkSize(8);
    auto* early_steps = early.findChild<QSpinBox*>("executeSteps");
    QCOMPARE(early_steps->value(), 3);
    early.setChunkSize(2);
    QCOMPARE(early_steps->value(), 2);
    QCOMPARE(early.execution().execute_steps, 3);  // more than K: the world runs all K
  }
};

QTEST_MAIN(TestModelPanel)
#include "test_model_panel.moc"
