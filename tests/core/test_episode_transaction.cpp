// Changes to an existing episode file survive crashes: a child process saving annotations (or
// appending an episode) is killed at every single write it makes to the file, with that write torn,
// and at the commit point; afterwards the file opens and is, byte for byte, the old file, or the
// change is complete. A child killed at random moments while saving in a loop leaves old or new
// annotations, never a broken file.
#include <QtTest/QtTest>

#include "core/episodes/episode_file.h"
#include "core/episodes/h5_transaction.h"
#include "episode_test_data.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

using namespace thinkvla::core;
namespace td = thinkvla::testdata;
namespace fs = std::filesystem;

namespace {

std::vector<char> fileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

EpisodeAnnotations annotationsA() {
  EpisodeAnnotations a;
  a.instruction = "A: stack the red block on the blue block";
  a.success = true;
  a.notes = "version A";
  a.keyframes = {{1, "grasp"}};
  return a;
}

EpisodeAnnotations annotationsB() {
  EpisodeAnnotations b;
  b.instruction = "B: a much longer instruction so that the JSON string changes size and HDF5 must "
                  "allocate new space for it rather than reuse the old block";
  b.success = false;
  b.notes = std::string(3000, 'n');  // bigger than a page: spans several journal pages
  b.subtasks = {{0, 2, "reach"}, {2, 4, "lift"}};
  b.keyframes = {{0, "start"}, {3, "lifted"}};
  b.intervention = {0, 1, 1, 0};
  b.timestamps_unix_s = {1.0, 1.05, 1.1, 1.15};
  return b;
}

// Runs `body` in a child; returns the wait status.
template <typename Fn>
int inChild(Fn&& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      body();
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

bool killed(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }
bool exitedCleanly(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

}  // namespace

class TestEpisodeTransaction : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  fs::path base_;
  Episode e0_, e1_;

  void checkEpisodesIntact(const fs::path& file) {
    EpisodeReader reader(file);  // recovers first
    QVERIFY(!fs::exists(journalPath(file)));
    QVERIFY(reader.episodeNames().size() >= 2);
    Episode b0 = reader.readEpisode("demo_0");
    Episode b1 = reader.readEpisode("demo_1");
    QCOMPARE(QString::fromStdString(td::firstDifference(e0_, b0)), QString());
    QVERIFY(td::sameImages(e1_.agentview_rgb, b1.agentview_rgb));
    QVERIFY(td::sameBits(e1_.actions, b1.actions));
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    base_ = fs::path(dir_.path().toStdString()) / "base.hdf5";
    DatasetInfo info;
    info.problem_info_json = R"({"language_instruction": "stack the blocks"})";
    createEpisodeFile(base_, info, CreateMode::kReplace);
    e0_ = td::makeEpisode(0, 4, 16);
    e1_ = td::makeEpisode(1, 4, 16);
    e1_.annotations = annotationsA();
    appendEpisode(base_, e0_);
    appendEpisode(base_, e1_);
  }

  void annotationSaveKilledAtEveryWrite() {
    const std::vector<char> old_bytes = fileBytes(base_);
    const fs::path work = fs::path(dir_.path().toStdString()) / "work.hdf5";
    int crashes = 0;
    bool completed = false;
    for (int k = 1; k < 200 && !completed; ++k) {
      fs::copy_file(base_, work, fs::copy_options::overwrite_existing);
      const int status = inChild([&] {
        setCrashPointForTesting(k);
        saveAnnotations(work, "demo_1", annotationsB());
      });
      if (killed(status)) {
        ++crashes;
        checkEpisodesIntact(work);
        EpisodeReader reader(work);
        QCOMPARE(reader.readAnnotations("demo_1").notes, std::string("version A"));
        QVERIFY2(fileBytes(work) == old_bytes, qPrintable(QString("crash point %1: not rolled back exactly").arg(k)));
      } else {
        QVERIFY2(exitedCleanly(status), qPrintable(QString("child status %1").arg(status)));
        completed = true;
        checkEpisodesIntact(work);
        EpisodeReader reader(work);
        const EpisodeAnnotations back = reader.readAnnotations("demo_1");
        QCOMPARE(back.notes, annotationsB().notes);
        QVERIFY(back.intervention == annotationsB().intervention);
      }
    }
    QVERIFY(completed);
    qInfo("annotation save: %d crash points, each rolled back to the old file byte for byte", crashes);
    QVERIFY(crashes >= 3);  // several file writes plus the commit point
  }

  void episodeAppendKilledAtEveryWrite() {
    const std::vector<char> old_bytes = fileBytes(base_);
    const fs::path work = fs::path(dir_.path().toStdString()) / "append.hdf5";
    const Episode e2 = td::makeEpisode(2, 5, 16);
    int crashes = 0;
    bool completed = false;
    for (int k = 1; k < 400 && !completed; ++k) {
      fs::copy_file(base_, work, fs::copy_options::overwrite_existing);
      const int status = inChild([&] {
        setCrashPointForTesting(k);
        appendEpisode(work, e2);
      });
      if (killed(status)) {
        ++crashes;
        checkEpisodesIntact(work);
        QVERIFY2(fileBytes(work) == old_bytes, qPrintable(QString("crash point %1: not rolled back exactly").arg(k)));
      } else {
        QVERIFY(exitedCleanly(status));
        completed = true;
        EpisodeReader reader(work);
        QCOMPARE(reader.episodeNames().size(), std::size_t{3});
        QCOMPARE(QString::fromStdString(td::firstDifference(e2, reader.readEpisode("demo_2"))), QString());
      }
    }
    QVERIFY(completed);
    qInfo("episode append: %d crash points, each rolled back to the old file byte for byte", crashes);
    QVERIFY(crashes >= 3);
  }

  // Not an injected crash point: a SIGKILL from outside at an arbitrary moment of a save loop.
  void saveLoopKilledAtRandomMoments() {
    const fs::path work = fs::path(dir_.path().toStdString()) / "loop.hdf5";
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> delay_ms(2, 60);
    for (int round = 0; round < 8; ++round) {
      fs::copy_file(base_, work, fs::copy_options::overwrite_existing);
      const pid_t pid = ::fork();
      if (pid == 0) {
        for (int i = 0;; ++i) {
          try {
            saveAnnotations(work, "demo_1", (i % 2) ? annotationsA() : annotationsB());
          } catch (...) {
            ::_exit(3);
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
      QVERIFY2(killed(status), "the save loop must still be running when killed");
      checkEpisodesIntact(work);
      EpisodeReader reader(work);
      const std::string notes = reader.readAnnotations("demo_1").notes;
      QVERIFY2(notes == "version A" || notes == annotationsB().notes, notes.c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestEpisodeTransaction)
#include "test_episode_transaction.moc"
