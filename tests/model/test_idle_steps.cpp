// Idle steps of a demonstration (model/data/idle_steps.h): the expert's waits are idle once the
// fingers have stopped, the step that commands the gripper and the steps while the fingers move
// are not, and chunks built over the kept steps skip the waits.
#include <QtTest/QtTest>

#include <vector>

#include "model/data/action_chunk.h"
#include "model/data/action_normalization.h"
#include "model/data/idle_steps.h"

using namespace thinkvla::model;
using namespace thinkvla::model::data;

namespace {

struct StepSpec {
  float dx;       // the only arm component used; the others stay 0
  float gripper;  // command: > 0 closes
  float finger;   // each finger's opening, metres
};

EpisodeRecord episodeOf(const std::vector<StepSpec>& steps) {
  EpisodeRecord r;
  r.name = "demo_0";
  r.num_steps = static_cast<std::int64_t>(steps.size());
  for (const StepSpec& s : steps) {
    std::vector<float> a(kActionDim, 0.0f);
    a[0] = s.dx;
    a[kGripperDim] = s.gripper;
    r.actions.insert(r.actions.end(), a.begin(), a.end());
    std::vector<float> p(kProprioDim, 0.3f);
    p[kFingerDim] = s.finger;
    p[kFingerDim + 1] = s.finger;
    r.proprio.insert(r.proprio.end(), p.begin(), p.end());
  }
  return r;
}

}  // namespace

class TestIdleSteps : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void waitingAfterTheFingersStoppedIsIdle() {
    // 0-1 move in, 2 commands close (fingers still open), 3-4 fingers closing, 5-7 waiting with
    // the fingers on the object, 8 lifts, 9 the last step (waiting, but last).
    const EpisodeRecord r = episodeOf({{0.5f, -1, 0.04f},
                                       {0.3f, -1, 0.04f},
                                       {0.0f, 1, 0.04f},
                                       {0.0f, 1, 0.03f},
                                       {0.0f, 1, 0.02f},
                                       {0.0f, 1, 0.0199f},
                                       {0.01f, 1, 0.0199f},
                                       {0.0f, 1, 0.0199f},
                                       {0.8f, 1, 0.0199f},
                                       {0.0f, 1, 0.0199f}});
    const std::vector<std::uint8_t> expected = {0, 0, 0, 0, 1, 1, 1, 1, 0, 0};
    QCOMPARE(idleSteps(r), expected);
    QCOMPARE(keptSteps(r), (std::vector<std::int64_t>{0, 1, 2, 3, 8, 9}));
  }

  void theRuleTakesItsThresholds() {
    // 1: a small correction; 2: a finger creeping 0.5 mm per step; 3: the command opens.
    const EpisodeRecord r = episodeOf({{0.5f, 1, 0.02f},
                                       {0.015f, 1, 0.02f},
                                       {0.0f, 1, 0.02f},
                                       {0.0f, -1, 0.0205f},
                                       {0.0f, -1, 0.04f},
                                       {0.0f, -1, 0.04f}});
    // 4: open and still, waiting. The step that opens (3) is never idle.
    QCOMPARE(idleSteps(r), (std::vector<std::uint8_t>{0, 1, 0, 0, 1, 0}));
    IdleStepRule strict;
    strict.motion_below = 0.01;  // 0.015 is motion now
    QCOMPARE(idleSteps(r, strict), (std::vector<std::uint8_t>{0, 0, 0, 0, 1, 0}));
    IdleStepRule loose;
    loose.finger_still_m = 6e-4;  // 0.5 mm counts as still
    QCOMPARE(idleSteps(r, loose), (std::vector<std::uint8_t>{0, 1, 1, 0, 1, 0}));
    loose.finger_still_m = 0.03;  // the fingers' opening counts as still; 3 still commands it
    QCOMPARE(idleSteps(r, loose), (std::vector<std::uint8_t>{0, 1, 1, 0, 1, 0}));
  }

  void shortEpisodesKeepEveryStep() {
    QCOMPARE(keptSteps(episodeOf({{0, -1, 0.04f}})), (std::vector<std::int64_t>{0}));
    QCOMPARE(keptSteps(episodeOf({{0, -1, 0.04f}, {0, -1, 0.04f}})),
             (std::vector<std::int64_t>{0, 1}));
    QCOMPARE(keptSteps(episodeOf({{0, -1, 0.04f}, {0, -1, 0.04f}, {0, -1, 0.04f}})),
             (std::vector<std::int64_t>{0, 2}));
    EpisodeRecord empty;
    QVERIFY(keptSteps(empty).empty());
  }

  void chunksOverKeptStepsSkipTheWaits() {
    const EpisodeRecord r = episodeOf({{0.1f, -1, 0.04f},
                                       {0.0f, -1, 0.04f},
                                       {0.0f, -1, 0.04f},
                                       {0.4f, -1, 0.04f},
                                       {0.5f, 1, 0.04f},
                                       {0.6f, 1, 0.02f}});
    const std::vector<std::int64_t> kept = keptSteps(r);
    QCOMPARE(kept, (std::vector<std::int64_t>{0, 3, 4, 5}));
    const NormStats stats = NormStats::identity(kActionDim, kProprioDim);
    constexpr int kChunk = 4;
    std::vector<float> chunk(kChunk * kActionDim);
    std::vector<std::uint8_t> valid(kChunk);
    // From kept step 1 (step 3): steps 3, 4, 5, then padding (zero motion, last gripper held).
    actionChunkOver(r, kept.data() + 1, 3, kChunk, stats, chunk.data(), valid.data());
    QCOMPARE(valid, (std::vector<std::uint8_t>{1, 1, 1, 0}));
    QCOMPARE(chunk[0 * kActionDim], 0.4f);
    QCOMPARE(chunk[1 * kActionDim], 0.5f);
    QCOMPARE(chunk[2 * kActionDim], 0.6f);
    QCOMPARE(chunk[3 * kActionDim], 0.0f);
    QCOMPARE(chunk[3 * kActionDim + kGripperDim], 1.0f);
    // Over all steps it is the plain chunk.
    const std::vector<std::int64_t> all = {0, 1, 2, 3, 4, 5};
    std::vector<float> plain(kChunk * kActionDim);
    std::vector<std::uint8_t> plain_valid(kChunk);
    actionChunkOver(r, all.data(), 6, kChunk, stats, chunk.data(), valid.data());
    actionChunk(r, 0, kChunk, stats, plain.data(), plain_valid.data());
    QCOMPARE(chunk, plain);
    QCOMPARE(valid, plain_valid);
    const std::int64_t outside = 6;
    QVERIFY_EXCEPTION_THROWN(
        actionChunkOver(r, &outside, 1, kChunk, stats, chunk.data(), valid.data()),
        std::out_of_range);
  }
};

QTEST_APPLESS_MAIN(TestIdleSteps)
#include "test_idle_steps.moc"
