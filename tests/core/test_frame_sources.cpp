// Frame sources from their spec strings: video files and image folders deliver upright RGB frames
// in order; bad specs, missing files, damaged files and absent cameras give clear errors.
#include <QtTest/QtTest>

#include "core/sources/frame_source.h"
#include "core/sources/image_folder_source.h"
#include "video_fixture.h"

using namespace thinkvla::core;

class TestFrameSources : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void videoFileFramesInOrder() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("clip.avi").toStdString();
    QVERIFY(thinkvla::test::writeVideo(path, 10));
    auto source = makeFrameSource("file:" + path);
    source->open();
    QCOMPARE(source->resolution(), cv::Size(256, 48));
    QCOMPARE(source->nominalFps(), 20.0);
    QVERIFY(!source->isLive());
    FrameSet frames;
    int n = 0;
    while (source->read(frames)) {
      QCOMPARE(frames.views.size(), std::size_t{1});
      QCOMPARE(frames.sequence, static_cast<std::uint64_t>(n));
      const cv::Mat& rgb = frames.views[0].rgb;
      QCOMPARE(rgb.type(), CV_8UC3);
      QCOMPARE(thinkvla::test::frameNumber(rgb), n);
      // The red marker is bottom-left and red in RGB order: upright, channels swapped from BGR.
      const cv::Vec3b red = rgb.at<cv::Vec3b>(45, 2);
      QVERIFY2(red[0] > 180 && red[2] < 80, "not RGB or not upright");
      ++n;
    }
    QCOMPARE(n, 10);
  }

  void imageFolderInNameOrder() {
    QTemporaryDir dir;
    for (int i = 0; i < 4; ++i) {
      cv::imwrite(dir.filePath(QString("img_%1.png").arg(i, 3, 10, QChar('0'))).toStdString(),
                  thinkvla::test::numberedFrame(i));
    }
    QFile(dir.filePath("notes.txt")).open(QIODevice::WriteOnly);
    auto source = makeFrameSource("folder:" + dir.path().toStdString());
    source->open();
    FrameSet frames;
    for (int i = 0; i < 4; ++i) {
      QVERIFY(source->read(frames));
      QCOMPARE(thinkvla::test::frameNumber(frames.views[0].rgb), i);
    }
    QVERIFY(!source->read(frames));
  }

  void badSpecsAndInputsGiveClearErrors() {
    QVERIFY_THROWS_EXCEPTION(SourceError, makeFrameSource("webcam"));
    QVERIFY_THROWS_EXCEPTION(SourceError, makeFrameSource("camera:first"));
    QVERIFY_THROWS_EXCEPTION(SourceError, makeFrameSource("ftp:somewhere"));
    const auto expectError = [](const std::string& spec, const char* words) {
      try {
        makeFrameSource(spec)->open();
      } catch (const SourceError& e) {
        const std::string what = e.what();
        QVERIFY2(what.find(spec) != std::string::npos, what.c_str());
        QVERIFY2(what.find(words) != std::string::npos, what.c_str());
        return;
      }
      QFAIL(("no error for " + spec).c_str());
    };
    expectError("file:/no/such/clip.mp4", "no such file");
    expectError("camera:97", "cannot open camera");
    QTemporaryDir dir;
    QFile junk(dir.filePath("broken.avi"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(4096, '\x5a'));
    junk.close();
    expectError("file:" + junk.fileName().toStdString(), "cannot decode");
    expectError("folder:" + dir.path().toStdString(), "no images");

    // A file cut in half: the first frames play, then the reader ends or reports the damage.
    const std::string good = dir.filePath("good.avi").toStdString();
    QVERIFY(thinkvla::test::writeVideo(good, 40));
    QFile cut(QString::fromStdString(good));
    QVERIFY(cut.resize(cut.size() / 2));
    auto source = makeFrameSource("file:" + good);
    source->open();
    FrameSet frames;
    int n = 0;
    try {
      while (source->read(frames)) ++n;
    } catch (const SourceError& e) {
      QVERIFY(std::string(e.what()).find("file:") == 0);
    }
    QVERIFY(n > 5 && n < 40);
  }
};

QTEST_GUILESS_MAIN(TestFrameSources)
#include "test_frame_sources.moc"
