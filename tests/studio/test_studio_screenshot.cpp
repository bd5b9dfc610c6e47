// `thinkvla-studio --screenshot FILE --quit-after-ms N` as the README and later tests use it: the
// process exits 0, the PNG exists and its 3D view is not blank.
#include <QtTest/QtTest>
#include <QImage>

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
    QVERIFY(QFileInfo::exists(dir.filePath("data/thinkvla-studio/logs/thinkvla-studio.log")));
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
