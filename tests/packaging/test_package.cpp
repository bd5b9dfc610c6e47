// CPack builds the Debian package, and it holds both executables, the .desktop entry, the icon and
// valid AppStream metadata.
#include <QtTest/QtTest>

namespace {
struct Run {
  int code;
  QString out;
};
Run run(const QString& program, const QStringList& args, const QString& dir = {}) {
  QProcess p;
  if (!dir.isEmpty()) p.setWorkingDirectory(dir);
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  if (!p.waitForFinished(540000)) return {-1, "timed out"};
  return {p.exitCode(), QString::fromUtf8(p.readAll())};
}
}  // namespace

class TestPackage : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void debianPackageHasEverything() {
    QTemporaryDir dir;
    const auto cpack = run(qEnvironmentVariable("THINKVLA_CPACK"),
                           {"-G", "DEB", "--config", qEnvironmentVariable("THINKVLA_CPACK_CONFIG"),
                            "-B", dir.path()});
    QVERIFY2(cpack.code == 0, qPrintable(cpack.out));
    const QStringList debs = QDir(dir.path()).entryList({"*.deb"});
    QCOMPARE(debs.size(), 1);
    const QString deb = dir.filePath(debs.first());
    QVERIFY(debs.first().startsWith("thinkvla-studio_0."));

    const auto contents = run("dpkg-deb", {"-c", deb});
    QCOMPARE(contents.code, 0);
    for (const char* path : {"./usr/bin/thinkvla", "./usr/bin/thinkvla-studio",
                             "./usr/share/applications/thinkvla-studio.desktop",
                             "./usr/share/icons/hicolor/scalable/apps/thinkvla-studio.svg",
                             "./usr/share/metainfo/io.github.thinkvla.Studio.metainfo.xml",
                             "./usr/share/thinkvla-studio/scenes/tabletop.xml"}) {
      QVERIFY2(contents.out.contains(QString(path) + "\n"), path);
    }
    const auto fields = run("dpkg-deb", {"-f", deb, "Package", "Depends"});
    QVERIFY(fields.out.contains("Package: thinkvla-studio"));
    QVERIFY(fields.out.contains("libtorch"));
    QVERIFY(fields.out.contains("libopenblas0-pthread"));

    // The metadata files validate with the tools distributions use.
    const auto extract = run("dpkg-deb", {"-x", deb, dir.filePath("root")});
    QCOMPARE(extract.code, 0);
    const auto desktop = run("desktop-file-validate",
                             {dir.filePath("root/usr/share/applications/thinkvla-studio.desktop")});
    QVERIFY2(desktop.code == 0, qPrintable(desktop.out));
    const auto appstream = run("appstreamcli", {"validate", "--no-net", "--pedantic",
        dir.filePath("root/usr/share/metainfo/io.github.thinkvla.Studio.metainfo.xml")});
    QVERIFY2(appstream.code == 0, qPrintable(appstream.out));
  }
};

QTEST_GUILESS_MAIN(TestPackage)
#include "test_package.moc"
