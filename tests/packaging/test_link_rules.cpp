// What the executables really link (their DT_NEEDED entries): no Qt 5 through OpenCV's highgui or
// VTK's Qt modules, and neither Qt nor VTK nor ImGui in the command-line tool, which links model,
// core and viz_image (viz's OpenCV-only drawing), never viz's VTK part.
#include <QtTest/QtTest>

namespace {
QStringList neededLibraries(const QString& binary) {
  QProcess readelf;
  readelf.start("readelf", {"-d", "--wide", binary});
  if (!readelf.waitForFinished(30000) || readelf.exitCode() != 0) return {"<readelf failed>"};
  QStringList needed;
  const QRegularExpression re(R"(\(NEEDED\)\s+Shared library: \[([^\]]+)\])");
  auto it = re.globalMatch(QString::fromUtf8(readelf.readAllStandardOutput()));
  while (it.hasNext()) needed << it.next().captured(1);
  return needed;
}
}  // namespace

class TestLinkRules : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void studioLinksNoQt5Module() {
    const QStringList needed = neededLibraries(qEnvironmentVariable("THINKVLA_STUDIO"));
    QVERIFY2(needed.size() > 5, qPrintable(needed.join(", ")));
    QVERIFY(needed.filter("libQt6Widgets").size() == 1);
    QVERIFY(needed.filter(QRegularExpression("libvtkRendering(OpenGL2|Core)")).size() >= 1);
    for (const QString& lib : needed) {
      QVERIFY2(!lib.startsWith("libQt5"), qPrintable(lib));
      QVERIFY2(!lib.contains("opencv_highgui"), qPrintable(lib));
      QVERIFY2(!lib.contains("GUISupportQt") && !lib.contains("RenderingQt"), qPrintable(lib));
      QVERIFY2(!lib.contains("sentencepiece"), qPrintable(lib));  // crashes beside LibTorch
    }
  }

  void commandLineToolLinksNoQt() {
    const QStringList needed = neededLibraries(qEnvironmentVariable("THINKVLA_CLI"));
    QVERIFY2(needed.filter("libtorch").size() >= 1, qPrintable(needed.join(", ")));
    QVERIFY(needed.filter("libmujoco").size() == 1);
    for (const QString& lib : needed) {
      QVERIFY2(!lib.startsWith("libQt"), qPrintable(lib));
      QVERIFY2(!lib.contains("opencv_highgui"), qPrintable(lib));
      QVERIFY2(!lib.contains("vtk"), qPrintable(lib));
      QVERIFY2(!lib.contains("imgui"), qPrintable(lib));
    }
  }
};

QTEST_GUILESS_MAIN(TestLinkRules)
#include "test_link_rules.moc"
