// Frame sources from their spec strings: video files and image folders deliver upright RGB frames
// in order; bad specs, missing files, damaged files and absent cameras give clear errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtTest/QtTest>

#include <atomic>
#include <thread>

#include "core/sources/frame_source.h"
#include "core/sources/image_folder_source.h"
#include "video_fixture.h"

using namespace thinkvla::core;

namespace {
// A minimal HTTP/1.0 server on the loopback that answers every GET with one file, or stops
// answering at all after `cut_after` bytes (a stream that dies). It runs on its own thread so that
// OpenCV's FFmpeg reader, which blocks, can talk to it.
class FileServer {
 public:
  FileServer(QByteArray body, qint64 cut_after = -1)
      : body_(std::move(body)), cut_after_(cut_after) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ok_ = ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          ::listen(listener_, 4) == 0;
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FileServer() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  bool ok() const { return ok_; }
  std::string url(const char* name) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
  }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      ++requests_;
      char request[2048];
      (void)::recv(client, request, sizeof request, 0);  // the request line and headers
      const QByteArray head =
          "HTTP/1.0 200 OK\r\nContent-Type: video/x-msvideo\r\nContent-Length: " +
          QByteArray::number(body_.size()) + "\r\nConnection: close\r\n\r\n";
      const qint64 n = cut_after_ >= 0 ? std::min<qint64>(cut_after_, body_.size()) : body_.size();
      bool sent = ::send(client, head.constData(), head.size(), MSG_NOSIGNAL) == head.size();
      for (qint64 off = 0; sent && off < n;) {
        const ssize_t k =
            ::send(client, body_.constData() + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
        if (k <= 0) break;
        off += k;
      }
      ::close(client);
    }
  }
  QByteArray body_;
  qint64 cut_after_;
  int listener_ = -1;
  bool ok_ = false;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
}  // namespace

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

  void networkStreamPlaysOverHttp() {
    // A real stream through FFmpeg's network reader: the clip served over HTTP on the loopback.
    QTemporaryDir dir;
    const QString path = dir.filePath("clip.avi");
    QVERIFY(thinkvla::test::writeVideo(path.toStdString(), 30));
    FileServer server(readAll(path));
    QVERIFY(server.ok());
    auto source = makeFrameSource("url:" + server.url("clip.avi"));
    QVERIFY(source->isLive());
    source->open();
    QVERIFY(server.requests() >= 1);
    QCOMPARE(source->resolution(), cv::Size(256, 48));
    FrameSet frames;
    int n = 0;
    while (n < 30 && source->read(frames)) {
      QCOMPARE(frames.views.size(), std::size_t{1});
      QCOMPARE(thinkvla::test::frameNumber(frames.views[0].rgb), n);
      const cv::Vec3b red = frames.views[0].rgb.at<cv::Vec3b>(45, 2);
      QVERIFY2(red[0] > 180 && red[2] < 80, "not RGB or not upright");
      ++n;
    }
    QCOMPARE(n, 30);
  }

  void deadStreamsGiveClearErrors() {
    // Nobody listening: the error names the stream.
    int free_port = 0;
    {
      FileServer probe(QByteArray("x"));
      free_port = QUrl(QString::fromStdString(probe.url("x"))).port();
    }
    const std::string nowhere = "url:http://127.0.0.1:" + std::to_string(free_port) + "/live";
    try {
      makeFrameSource(nowhere)->open();
      QFAIL("no error for a stream nobody serves");
    } catch (const SourceError& e) {
      QVERIFY2(std::string(e.what()).find(nowhere) != std::string::npos, e.what());
      QVERIFY2(std::string(e.what()).find("cannot connect") != std::string::npos, e.what());
    }
    // A stream that stops half-way: the first frames arrive, then the reader ends or reports it.
    QTemporaryDir dir;
    const QString path = dir.filePath("clip.avi");
    QVERIFY(thinkvla::test::writeVideo(path.toStdString(), 40));
    const QByteArray clip = readAll(path);
    FileServer server(clip, clip.size() / 2);
    auto source = makeFrameSource("url:" + server.url("clip.avi"));
    source->open();
    FrameSet frames;
    int n = 0;
    try {
      while (n < 40 && source->read(frames)) ++n;
    } catch (const SourceError& e) {
      QVERIFY(std::string(e.what()).find("url:") == 0);
    }
    QVERIFY2(n > 5 && n < 40, qPrintable(QString::number(n)));
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
