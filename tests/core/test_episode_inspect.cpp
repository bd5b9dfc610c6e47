// The backend of `thinkvla dataset info|validate|stats|export-video`: statistics match a direct
// computation, problems are found and named without hiding the healthy demos, and a demo renders
// to a video with one frame per step.
#include <QtTest/QtTest>

#include "core/episodes/episode_file.h"
#include "core/episodes/episode_inspect.h"
#include "core/episodes/episode_video.h"
#include "episode_test_data.h"

#include <H5Cpp.h>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace thinkvla::core;
namespace td = thinkvla::testdata;
namespace fs = std::filesystem;

namespace {

// numpy.quantile's default (linear) on a copy.
double npQuantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

}  // namespace

class TestEpisodeInspect : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  fs::path path(const char* name) const { return fs::path(dir_.path().toStdString()) / name; }

  fs::path threeEpisodes(const char* name) {
    const fs::path file = path(name);
    DatasetInfo info;
    info.problem_info_json = R"({"language_instruction": "open the drawer"})";
    createEpisodeFile(file, info, CreateMode::kReplace);
    for (int e = 0; e < 3; ++e) {
      Episode ep = td::makeEpisode(e, 5 + e, 16);
      ep.annotations.instruction = e == 2 ? "close the drawer" : "open the drawer";
      ep.annotations.success = e != 1;
      appendEpisode(file, ep);
    }
    return file;
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void statisticsOfAValidFile() {
    const fs::path file = threeEpisodes("valid.hdf5");
    const EpisodeFileReport report = inspectEpisodeFile(file, InspectDepth::kFull);
    QVERIFY(report.readable);
    QVERIFY2(report.problems.empty(), report.problems.empty() ? "" : report.problems.front().c_str());
    QCOMPARE(report.episodes.size(), std::size_t{3});
    QCOMPARE(report.total_steps, std::int64_t{5 + 6 + 7});
    QCOMPARE(report.successful_episodes, std::int64_t{2});
    QVERIFY(report.instructions == (std::vector<std::string>{"open the drawer", "close the drawer"}));
    QCOMPARE(report.actions.count, std::int64_t{18});
    for (int d = 0; d < 7; ++d) {
      std::vector<double> column;
      for (int e = 0; e < 3; ++e) {
        const Episode ep = td::makeEpisode(e, 5 + e, 16);
        for (Eigen::Index t = 0; t < ep.actions.rows(); ++t) column.push_back(ep.actions(t, d));
      }
      double mean = 0.0;
      for (double x : column) mean += x / static_cast<double>(column.size());
      QVERIFY(std::abs(report.actions.mean[static_cast<std::size_t>(d)] - mean) < 1e-12);
      QCOMPARE(report.actions.min[static_cast<std::size_t>(d)], *std::min_element(column.begin(), column.end()));
      QCOMPARE(report.actions.max[static_cast<std::size_t>(d)], *std::max_element(column.begin(), column.end()));
      QVERIFY(std::abs(report.actions.q01[static_cast<std::size_t>(d)] - npQuantile(column, 0.01)) < 1e-15);
      QVERIFY(std::abs(report.actions.q99[static_cast<std::size_t>(d)] - npQuantile(column, 0.99)) < 1e-15);
    }
  }

  void problemsAreFoundAndNamed() {
    const fs::path file = threeEpisodes("broken.hdf5");
    {
      H5::H5File h5(file.string(), H5F_ACC_RDWR);
      std::int64_t wrong = 5;
      h5.openGroup("data").openAttribute("num_demos").write(H5::PredType::NATIVE_INT64, &wrong);
      h5.unlink("data/demo_1/obs/ee_states");  // demo_1 unreadable in full
      H5::DataSet actions = h5.openDataSet("data/demo_2/actions");
      RowMatrixXd a(7, 7);
      actions.read(a.data(), H5::PredType::NATIVE_DOUBLE);
      a(3, 6) = 3.0;  // gripper out of range
      a(4, 0) = std::numeric_limits<double>::quiet_NaN();
      actions.write(a.data(), H5::PredType::NATIVE_DOUBLE);
    }
    const EpisodeFileReport summary = inspectEpisodeFile(file, InspectDepth::kSummary);
    QVERIFY(mentions(summary.problems, "data@num_demos: says 5, the file has 3 demos"));
    QVERIFY(mentions(summary.problems, "data/demo_2: actions contain NaN"));
    QVERIFY(mentions(summary.problems, "data/demo_2: gripper action outside [-1, 1]"));
    QVERIFY(!mentions(summary.problems, "ee_states"));  // the summary does not read observations
    const EpisodeFileReport full = inspectEpisodeFile(file, InspectDepth::kFull);
    QVERIFY(mentions(full.problems, "data/demo_1/obs/ee_states: missing dataset"));
    QVERIFY(mentions(full.problems, file.string()));
    QCOMPARE(full.episodes.size(), std::size_t{2});  // demo_0 and demo_2 still reported
    QCOMPARE(full.actions.count, std::int64_t{5 + 7 - 1});  // the NaN is left out of the statistics
  }

  void unreadableFileIsAProblemNotACrash() {
    const fs::path file = path("garbage.hdf5");
    std::ofstream(file) << "not hdf5";
    const EpisodeFileReport report = inspectEpisodeFile(file, InspectDepth::kFull);
    QVERIFY(!report.readable);
    QCOMPARE(report.problems.size(), std::size_t{1});
    QVERIFY(mentions(report.problems, file.string()));
  }

  void exportsAVideo() {
    const fs::path file = threeEpisodes("video.hdf5");
    const fs::path out = path("demo_2.mp4");
    QCOMPARE(exportEpisodeVideo(file, "demo_2", out, VideoCameras::kSideBySide), 7);
    cv::VideoCapture capture(out.string());
    QVERIFY(capture.isOpened());
    int frames = 0;
    cv::Mat frame;
    while (capture.read(frame)) {
      QCOMPARE(frame.cols, 32);  // two 16x16 cameras side by side
      QCOMPARE(frame.rows, 16);
      ++frames;
    }
    QCOMPARE(frames, 7);
    QVERIFY_EXCEPTION_THROWN(exportEpisodeVideo(file, "demo_9", out, VideoCameras::kAgentview), EpisodeError);
  }
};

QTEST_GUILESS_MAIN(TestEpisodeInspect)
#include "test_episode_inspect.moc"
