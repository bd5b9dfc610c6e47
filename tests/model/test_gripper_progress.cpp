// The subtask progress count: releases of a held object count, a grasp that closed on air or lost
// its object does not, and a stored episode gives the count before each step.
#include <QtTest/QtTest>

#include <vector>

#include "model/gripper_progress.h"

using namespace thinkvla::model;

namespace {
constexpr double kOpen = 0.08;   // both fingers, fully open
constexpr double kCube = 0.04;   // holding a 4 cm cube
constexpr double kEmpty = 0.0;   // closed on air

// Feeds `steps` executed steps with one command and one finger opening.
void feed(GripperReleaseCounter& c, int steps, double command, double fingers) {
  for (int i = 0; i < steps; ++i) c.observe(command, fingers);
}
}  // namespace

class TestGripperProgress : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void countsEachReleaseOfAHeldObject() {
    GripperReleaseCounter c;
    QCOMPARE(c.releases(), 0);
    feed(c, 10, -1.0, kOpen);   // reach
    feed(c, 20, 1.0, kCube);    // grasp, carry
    QCOMPARE(c.releases(), 0);  // still holding
    c.observe(-1.0, kCube);     // the step that opens, fingers still around the cube
    QCOMPARE(c.releases(), 1);
    feed(c, 10, -1.0, kOpen);   // staying open counts nothing more
    QCOMPARE(c.releases(), 1);
    feed(c, 20, 1.0, 0.072);    // a bowl's rim, nearly open
    c.observe(-1.0, 0.072);
    QCOMPARE(c.releases(), 2);
  }

  void aGraspOnAirOrALostObjectIsNotProgress() {
    GripperReleaseCounter c;
    feed(c, 20, 1.0, kEmpty);   // closed on air
    c.observe(-1.0, kEmpty);
    QCOMPARE(c.releases(), 0);
    feed(c, 5, 1.0, kCube);     // held, then slipped out: the fingers met
    feed(c, 5, 1.0, kEmpty);
    c.observe(-1.0, kEmpty);
    QCOMPARE(c.releases(), 0);
    // An intermediate command between the two sides: > 0 closes.
    feed(c, 5, 0.3, kCube);
    c.observe(0.0, kCube);
    QCOMPARE(c.releases(), 1);
    c.reset();
    QCOMPARE(c.releases(), 0);
    c.observe(-1.0, kCube);     // after reset nothing was closed before
    QCOMPARE(c.releases(), 0);
  }

  void storedEpisodeGivesTheCountBeforeEachStep() {
    // Steps: 0 open, 1..3 closed on a cube, 4 opens (release), 5 open, 6 closes on air, 7 opens.
    const std::vector<float> gripper = {-1, 1, 1, 1, -1, -1, 1, -1};
    const std::vector<float> fingers = {0.08f, 0.08f, 0.04f, 0.04f, 0.04f, 0.08f, 0.08f, 0.0f};
    const int steps = static_cast<int>(gripper.size());
    std::vector<float> actions(static_cast<std::size_t>(steps) * 7, 0.0f);
    std::vector<float> proprio(static_cast<std::size_t>(steps) * 8, 0.5f);
    for (int t = 0; t < steps; ++t) {
      actions[static_cast<std::size_t>(t * 7 + 6)] = gripper[static_cast<std::size_t>(t)];
      proprio[static_cast<std::size_t>(t * 8 + 6)] = fingers[static_cast<std::size_t>(t)] / 2;
      proprio[static_cast<std::size_t>(t * 8 + 7)] = fingers[static_cast<std::size_t>(t)] / 2;
    }
    const auto counts = releasesBeforeEachStep(actions.data(), 7, 6, proprio.data(), 8, 6, steps);
    const std::vector<std::uint8_t> expected = {0, 0, 0, 0, 0, 1, 1, 1};
    QCOMPARE(counts, expected);
    // The same as a counter fed step by step.
    GripperReleaseCounter c;
    for (int t = 0; t < steps; ++t) {
      QCOMPARE(static_cast<int>(counts[static_cast<std::size_t>(t)]), c.releases());
      c.observe(gripper[static_cast<std::size_t>(t)], fingers[static_cast<std::size_t>(t)]);
    }
    QVERIFY(releasesBeforeEachStep(actions.data(), 7, 6, proprio.data(), 8, 6, 0).empty());
  }
};

QTEST_APPLESS_MAIN(TestGripperProgress)
#include "test_gripper_progress.moc"
