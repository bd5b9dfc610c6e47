// `thinkvla infer` run as a user runs it with an untrained tiny checkpoint: a short generated video
// gives JSON lines with K x 7 finite actions (newest frame), one line per frame in order with
// --every-frame, and with --maps attention and geometry PNGs that differ from the plain frame; the
// built-in world runs closed loop and its lines carry steps, success and the end effector, with a
// one-line summary; a broken video, an absent camera, malformed specs, an unknown task and a bad
// checkpoint give one clear line and exit code 1 or 2, never a crash or a hang.
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cli_runner.h"
#include "core/video_fixture.h"

using thinkvla::test::expectCleanError;
using thinkvla::test::Run;
using thinkvla::test::runCli;

namespace {
QString dir() { return thinkvla::test::scratchDir("cli_infer"); }

std::vector<nlohmann::json> readLines(const QString& file) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file.toStdString());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// K x 7 finite numbers.
bool wellFormedChunk(const nlohmann::json& actions, int k) {
  if (!actions.is_array() || static_cast<int>(actions.size()) != k) return false;
  for (const auto& a : actions) {
    if (!a.is_array() || a.size() != 7) return false;
    for (const auto& v : a) {
      if (!v.is_number() || !std::isfinite(v.get<double>())) return false;
    }
  }
  return true;
}

double meanAbsDiff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  const cv::Scalar m = cv::mean(d);
  return (m[0] + m[1] + m[2]) / 3.0;
}

constexpr int kFrames = 16;
constexpr int kChunk = 8;  // the tiny preset's K
}  // namespace

class TestCliInfer : public QObject {
  Q_OBJECT
 private:
  QString checkpoint_;
  QString clip_;

 private Q_SLOTS:
  void initTestCase() {
    checkpoint_ = dir() + "/tiny";
    QDir(checkpoint_).removeRecursively();
    const Run r = runCli({"init", "--preset", "tiny", "--out", checkpoint_});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    clip_ = dir() + "/clip.avi";
    QVERIFY(thinkvla::test::writeVideo(clip_.toStdString(), kFrames, 20.0));
  }

  void newestFrameGivesChunks() {
    const QString out = dir() + "/latest.jsonl";
    const Run r = runCli({"infer", "--checkpoint", checkpoint_, "--source", "file:" + clip_,
                          "--instruction", "pick up the bowl", "--json", out, "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    const auto lines = readLines(out);
    QVERIFY(!lines.empty() && lines.size() <= static_cast<std::size_t>(kFrames));
    long last = -1;
    for (const auto& j : lines) {
      QVERIFY(wellFormedChunk(j["actions"], kChunk));
      QVERIFY(j["frame"].get<long>() > last);
      last = j["frame"].get<long>();
      QCOMPARE(j["instruction"].get<std::string>(), std::string("pick up the bowl"));
      QVERIFY(j["camera_to_action_ms"].get<double>() >= j["inference_ms"].get<double>());
      QVERIFY(j.contains("source_time_s"));
      QVERIFY(!j.contains("step"));
    }
    // One summary line: frames, inferences, latency.
    const QStringList summary = r.out.trimmed().split('\n');
    QCOMPARE(summary.size(), 1);
    QVERIFY2(
        summary[0].contains(QString("%1 frames, %2 inferences").arg(kFrames).arg(lines.size())),
        qPrintable(summary[0]));
    QVERIFY(summary[0].contains("median") && summary[0].contains("p95"));
  }

  void everyFrameWithMaps() {
    const QString out = dir() + "/every.jsonl";
    const QString maps = dir() + "/maps";
    QDir(maps).removeRecursively();
    const Run r = runCli({"infer", "--checkpoint", checkpoint_, "--source", "file:" + clip_,
                          "--instruction", "pick up the bowl", "--json", out, "--every-frame",
                          "--maps", maps, "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    const auto lines = readLines(out);
    QCOMPARE(static_cast<int>(lines.size()), kFrames);
    cv::VideoCapture video(clip_.toStdString());
    for (int i = 0; i < kFrames; ++i) {
      const auto& j = lines[static_cast<std::size_t>(i)];
      QCOMPARE(j["frame"].get<int>(), i);
      QVERIFY(wellFormedChunk(j["actions"], kChunk));
      QCOMPARE(j["maps"].size(), std::size_t{2});  // one view: attention, geometry
      cv::Mat bgr;
      QVERIFY(video.read(bgr));
      for (const auto& f : j["maps"]) {
        const std::string file = f.get<std::string>();
        QVERIFY2(file.find(QString::asprintf("%08d_v0_", i).toStdString()) != std::string::npos,
                 file.c_str());
        const cv::Mat map = cv::imread(file, cv::IMREAD_COLOR);
        QCOMPARE(map.size(), bgr.size());
        QVERIFY2(meanAbsDiff(map, bgr) > 10.0, file.c_str());  // drawn over, not the plain frame
      }
    }
    // Named so that they sort by frame.
    const QStringList files = QDir(maps).entryList({"*.png"}, QDir::Files, QDir::Name);
    QCOMPARE(files.size(), 2 * kFrames);
    QVERIFY(files.first().startsWith("00000000_") &&
            files.last().startsWith(QString::asprintf("%08d_", kFrames - 1)));
    QVERIFY(r.out.contains("0 frames skipped"));
  }

  void worldRunsClosedLoop() {
    const QString out = dir() + "/sim.jsonl";
    const QString maps = dir() + "/simmaps";
    QDir(maps).removeRecursively();
    const Run r = runCli({"infer", "--checkpoint", checkpoint_, "--source", "sim:spatial/0@2",
                          "--json", out, "--frames", "12", "--maps", maps, "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    const auto lines = readLines(out);
    QVERIFY(!lines.empty());
    int last = -1;
    for (const auto& j : lines) {
      QVERIFY(wellFormedChunk(j["actions"], kChunk));
      const int step = j["step"].get<int>();
      QVERIFY(step > last && step <= 12);
      last = step;
      QVERIFY(j["success"].is_boolean());
      QCOMPARE(j["ee_position_m"].size(), std::size_t{3});
      for (const auto& v : j["ee_position_m"]) QVERIFY(std::isfinite(v.get<double>()));
      QVERIFY(!j["instruction"].get<std::string>().empty());
      QCOMPARE(j["maps"].size(), std::size_t{4});  // agentview and wrist, attention and geometry
      QVERIFY(j["maps"][0].get<std::string>().find("_agentview_attention.png") !=
              std::string::npos);
      QVERIFY(QFile::exists(QString::fromStdString(j["maps"][3].get<std::string>())));
    }
    const QStringList summary = r.out.trimmed().split('\n');
    QCOMPARE(summary.size(), 1);
    QVERIFY2(summary[0].contains("12 steps") && summary[0].contains("no success (12 of 12 steps)"),
             qPrintable(summary[0]));
  }

  void worldWithTemporalEnsembling() {
    const QString out = dir() + "/sim_ensemble.jsonl";
    const Run r = runCli({"infer", "--checkpoint", checkpoint_, "--source", "sim:goal/1@4",
                          "--json", out, "--frames", "10", "--threads", "1", "--execute-steps",
                          "1", "--ensemble", "0.01"});
    QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    QVERIFY(!readLines(out).empty());
    QVERIFY2(r.out.contains("no success (10 of 10 steps)") &&
                 r.out.contains("temporally ensembled (decay 0.01)"),
             qPrintable(r.out));
  }

  void badInputGivesOneLine() {
    const QString out = dir() + "/bad.jsonl";
    const QString broken = dir() + "/broken.avi";
    {
      QFile src(clip_);
      QVERIFY(src.open(QIODevice::ReadOnly));
      QFile dst(broken);
      QVERIFY(dst.open(QIODevice::WriteOnly | QIODevice::Truncate));
      dst.write(src.read(600));  // the header and not one whole frame
    }
    const QStringList common = {"--instruction", "x", "--json", out, "--threads", "1"};
    expectCleanError(
        runCli(QStringList{"infer", "--checkpoint", checkpoint_, "--source", "file:" + broken} +
                   common,
               60000),
        "broken.avi");
    expectCleanError(
        runCli(QStringList{"infer", "--checkpoint", checkpoint_, "--source", "camera:9"} + common,
               60000),
        "camera:9");
    expectCleanError(
        runCli(QStringList{"infer", "--checkpoint", checkpoint_, "--source", "webcam"} + common),
        "'webcam'");
    expectCleanError(
        runCli(QStringList{"infer", "--checkpoint", checkpoint_, "--source", "sim:spatial/42"} +
               common),
        "unknown task 42");
    const QString bad_checkpoint = dir() + "/bad_checkpoint";
    QDir().mkpath(bad_checkpoint);
    QFile config(bad_checkpoint + "/config.json");
    QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
    config.write("{ not json");
    config.close();
    expectCleanError(
        runCli(QStringList{"infer", "--checkpoint", bad_checkpoint, "--source", "file:" + clip_} +
               common),
        "config.json");
    expectCleanError(
        runCli({"infer", "--checkpoint", checkpoint_, "--source", "file:" + clip_, "--json", out}),
        "--instruction");
    expectCleanError(runCli(QStringList{"infer", "--checkpoint", checkpoint_, "--source",
                                        "file:" + clip_, "--ensemble", "0.01"} +
                            common),
                     "--ensemble is only for sim: sources");
    expectCleanError(runCli(QStringList{"infer", "--checkpoint", checkpoint_, "--source",
                                        "sim:spatial/0", "--ensemble", "-1"} +
                            common),
                     "the decay must be >= 0");
    expectCleanError(runCli(QStringList{"infer", "--checkpoint", checkpoint_, "--source",
                                        "sim:spatial/0", "--gripper", "open"} +
                            common),
                     "unknown --gripper 'open'");
  }
};

QTEST_GUILESS_MAIN(TestCliInfer)
#include "test_cli_infer.moc"
