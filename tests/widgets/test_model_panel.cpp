// The Model dock: a checkpoint's summary (parameters full and deployed, tokenizer, config), its
// error, the instruction box and the run controls.
#include <QtTest/QtTest>

#include <QLineEdit>
#include <QPushButton>
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
};

QTEST_MAIN(TestModelPanel)
#include "test_model_panel.moc"
