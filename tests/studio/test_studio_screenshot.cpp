// `thinkvla-studio --screenshot FILE --quit-after-ms N` as the README and later tests use it: the
// process exits 0, the PNG exists and its 3D view is not blank. With `--source file:PATH
// --checkpoint C --overlays ... --bench-json F` the camera view shows the file with its overlays and
// the measured numbers are written; with `--execute-steps N --ensemble DECAY` the world's policy
// re-plans with temporal ensembling; bad options are usage errors, a bad source is reported and the
// app still exits cleanly.
#include <QtTest/QtTest>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/video_fixture.h"
#include "model/checkpoint.h"

namespace {
struct Run {
  int exit_code = -1;
  QByteArray output;
};

Run runStudio(const QTemporaryDir& dir, const QStringList& args) {
  QProcess studio;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("XDG_CONFIG_HOME", dir.filePath("config"));
  env.insert("XDG_DATA_HOME", dir.filePath("data"));
  studio.setProcessEnvironment(env);
  studio.setProcessChannelMode(QProcess::MergedChannels);
  studio.start(qEnvironmentVariable("THINKVLA_STUDIO"), args);
  Run run;
  if (!studio.waitForFinished(120000)) {
    studio.kill();
    studio.waitForFinished();
    return run;
  }
  run.output = studio.readAll();
  run.exit_code = studio.exitStatus() == QProcess::NormalExit ? studio.exitCode() : -1;
  return run;
}
}  // namespace

class TestStudioScreenshot : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void screenshotShowsTheScene() {
    QTemporaryDir dir;
    const QString shot = dir.filePath("shot.png");
    QProcess studio;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_CONFIG_HOME", dir.filePath("config"));
    env.insert("XDG_DATA_HOME", dir.filePath("data"));
    studio.setProcessEnvironment(env);
    studio.start(qEnvironmentVariable("THINKVLA_STUDIO"),
                 {"--screenshot", shot, "--quit-after-ms", "1500"});
    QVERIFY(studio.waitForFinished(120000));
    QVERIFY2(studio.exitStatus() == QProcess::NormalExit && studio.exitCode() == 0,
             studio.readAllStandardError().constData());
    QImage image(shot);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 800 && image.height() >= 500);
    // The default layout (every dock) fits the 1280x1024 screen it ran on.
    QVERIFY2(image.width() <= 1280 && image.height() <= 1024,
             qPrintable(QString("window %1x%2").arg(image.width()).arg(image.height())));
    image.save(QString(THINKVLA_BINARY_DIR) + "/tests/studio_screenshot.png");

    // The 3D view fills the upper middle: it holds many distinct colours (gradient, grid, axes),
    // not one flat fill.
    QSet<QRgb> colours;
    int light = 0;
    const QRect view(image.width() / 5, image.height() / 8, image.width() * 3 / 5, image.height() / 2);
    for (int y = view.top(); y < view.bottom(); y += 2) {
      for (int x = view.left(); x < view.right(); x += 2) {
        const QRgb p = image.pixel(x, y);
        colours.insert(p);
        if (qGray(p) > 150) ++light;
      }
    }
    QVERIFY2(colours.size() > 50, qPrintable(QString("%1 colours").arg(colours.size())));
    QVERIFY2(light > 200, qPrintable(QString("%1 light (grid) pixels").arg(light)));
    // The log file was written in the user's data directory.
    QFile log(dir.filePath("data/thinkvla-studio/logs/thinkvla-studio.log"));
    QVERIFY(log.open(QIODevice::ReadOnly));
    // With no --checkpoint the shipped demo checkpoint drives the world from the first start.
    const QByteArray text = log.readAll();
    QVERIFY2(text.contains("loaded checkpoint") && text.contains("models/demo"), text.constData());
  }

  void fileSourceWithOverlaysAndBenchNumbers() {
    QTemporaryDir dir;
    const QString video = dir.filePath("clip.avi");
    QVERIFY(thinkvla::test::writeVideo(video.toStdString(), 60));
    const QString checkpoint = dir.filePath("tiny");
    thinkvla::model::saveCheckpoint(
        thinkvla::model::initCheckpoint(thinkvla::model::PolicyConfig::fromPreset("tiny"), 3),
        checkpoint.toStdString());
    const QString shot = dir.filePath("file.png");
    const QString bench = dir.filePath("bench.json");
    const QString views = dir.filePath("views");
    const Run run = runStudio(dir, {"--source", "file:" + video, "--checkpoint", checkpoint,
                                    "--overlays", "attention,path", "--screenshot", shot,
                                    "--export-views", views, "--bench-json", bench,
                                    "--quit-after-ms", "4000"});
    QVERIFY2(run.exit_code == 0, run.output.constData());
    QVERIFY(!QImage(shot).isNull());
    QImage(shot).save(QString(THINKVLA_BINARY_DIR) + "/tests/studio_screenshot_file.png");
    // The camera view as composed: the file's 256 x 48 frames, scaled, with the attention colours
    // (the file itself is near black and white: many coloured pixels mean an overlay).
    const QStringList exported = QDir(views).entryList({"camera_*.png"});
    QCOMPARE(exported.size(), 1);
    const QImage composed(QDir(views).filePath(exported.front()));
    QCOMPARE(composed.width(), 256 * 5);
    int coloured = 0;
    for (int y = 0; y < composed.height(); y += 4) {
      for (int x = 0; x < composed.width(); x += 4) {
        const QColor c = composed.pixelColor(x, y);
        if (std::max({c.red(), c.green(), c.blue()}) - std::min({c.red(), c.green(), c.blue()}) > 40) ++coloured;
      }
    }
    QVERIFY2(coloured > 500, qPrintable(QString("%1 coloured samples").arg(coloured)));
    QFile file(bench);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject numbers = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(numbers.value("source").toString(), "file:" + video);
    QVERIFY(numbers.value("gui_fps").toDouble() > 0.0);
    const QJsonObject latency = numbers.value("camera_to_pixels_ms").toObject();
    QVERIFY(latency.value("samples").toInt() > 3);
    QVERIFY(latency.value("median").toDouble() > 0.0);
    QVERIFY(latency.value("p95").toDouble() >= latency.value("median").toDouble());
    QVERIFY(numbers.value("inferences").toInt() > 0);
  }

  void worldWithTemporalEnsembling() {
    QTemporaryDir dir;
    const QString bench = dir.filePath("bench.json");
    const QString shot = dir.filePath("ensemble.png");
    const Run run = runStudio(dir, {"--source", "sim:object/0@1", "--execute-steps", "2",
                                    "--ensemble", "0.05", "--screenshot", shot, "--bench-json",
                                    bench, "--quit-after-ms", "4000"});
    QVERIFY2(run.exit_code == 0, run.output.constData());
    QImage(shot).save(QString(THINKVLA_BINARY_DIR) + "/tests/studio_screenshot_ensemble.png");
    QFile file(bench);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject numbers = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(numbers.value("execute_steps").toInt(), 2);  // the shipped demo checkpoint's K is 8
    QCOMPARE(numbers.value("ensemble_decay").toDouble(), 0.05);
    QVERIFY(numbers.value("inferences").toInt() > 0);
    QVERIFY(numbers.value("control_hz").toDouble() > 0.0);

    const Run bad = runStudio(dir, {"--ensemble", "-0.5", "--quit-after-ms", "100"});
    QCOMPARE(bad.exit_code, 2);
    QVERIFY(bad.output.contains("--ensemble expects a decay >= 0, got '-0.5'"));
    const Run steps = runStudio(dir, {"--execute-steps", "two", "--quit-after-ms", "100"});
    QCOMPARE(steps.exit_code, 2);
    QVERIFY(steps.output.contains("--execute-steps"));
  }

  void badSourceIsReportedAndTheAppExitsCleanly() {
    QTemporaryDir dir;
    const Run run = runStudio(dir, {"--source", "sim:nowhere/0", "--no-world", "--quit-after-ms", "800"});
    QVERIFY2(run.exit_code == 0, run.output.constData());
    QVERIFY(run.output.contains("unknown suite 'nowhere'"));
    const Run overlays = runStudio(dir, {"--overlays", "sparkles", "--quit-after-ms", "100"});
    QCOMPARE(overlays.exit_code, 2);
    QVERIFY(overlays.output.contains("sparkles"));
  }

  void badOptionIsAUsageError() {
    QProcess studio;
    studio.start(qEnvironmentVariable("THINKVLA_STUDIO"), {"--quit-after-ms", "soon"});
    QVERIFY(studio.waitForFinished(60000));
    QCOMPARE(studio.exitCode(), 2);
    QVERIFY(studio.readAllStandardError().contains("--quit-after-ms"));
  }
};

QTEST_GUILESS_MAIN(TestStudioScreenshot)
#include "test_studio_screenshot.moc"
