// Chunked execution: K actions per chunk run open loop (or fewer when asked), then the newest
// fresh chunk; nothing fresh means holding still, and an old chunk is never replayed. With
// temporal ensembling: chunks placed in time by their frame's capture, overlapping predictions
// averaged, re-planning every `execute_steps` ticks.
#include <QtTest/QtTest>

#include <cmath>

#include "core/pipeline/chunk_executor.h"

using namespace thinkvla::core;

namespace {
using Clock = ChunkExecutor::Clock;
using std::chrono::milliseconds;

InferenceResult chunk(std::uint64_t frame, float base, int k = 4) {
  InferenceResult r;
  r.frame_sequence = frame;
  for (int i = 0; i < k; ++i) r.actions.push_back({base + i, 0, 0, 0, 0, 0, -1});
  return r;
}

InferenceResult captured(std::uint64_t frame, float base, Clock::time_point at, int k = 4) {
  InferenceResult r = chunk(frame, base, k);
  r.frames.captured_at = at;
  return r;
}

// Ticks 50 ms apart (the control loop's 20 Hz) from an arbitrary origin.
Clock::time_point tickTime(int tick) {
  return Clock::time_point{} + std::chrono::hours(1) + milliseconds(50 * tick);
}
}  // namespace

class TestChunkExecutor : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void executesWholeChunksThenTheNewest() {
    LatestSlot<InferenceResult> results;
    ChunkExecutor exec(results, 4);
    QVERIFY(!exec.next().has_value());  // nothing predicted yet: hold
    results.publish(chunk(1, 10));
    for (int i = 0; i < 4; ++i) QCOMPARE((*exec.next())[0], 10.0 + i);
    QVERIFY(!exec.next().has_value());  // chunk done, nothing new
    results.publish(chunk(2, 20));
    results.publish(chunk(3, 30));      // newer than 2: 2 is skipped
    QCOMPARE((*exec.next())[0], 30.0);
    QCOMPARE(exec.chunksUsed(), std::uint64_t{2});
  }

  void fewerStepsPerChunk() {
    LatestSlot<InferenceResult> results;
    ChunkExecutor exec(results, 2);
    results.publish(chunk(1, 10));
    QCOMPARE((*exec.next())[0], 10.0);
    QCOMPARE((*exec.next())[0], 11.0);
    QVERIFY(!exec.next().has_value());  // re-plans after 2 of 4
    results.publish(chunk(2, 20));
    QCOMPARE((*exec.next())[0], 20.0);
  }

  void staleChunksAreNotReplayed() {
    LatestSlot<InferenceResult> results;
    ChunkExecutor exec(results, 1);
    results.publish(chunk(5, 50));
    QCOMPARE((*exec.next())[0], 50.0);
    results.publish(chunk(4, 40));  // computed from an older frame
    QVERIFY(!exec.next().has_value());
    exec.reset();
    results.publish(chunk(4, 40));
    QCOMPARE((*exec.next())[0], 40.0);  // after a reset any chunk is new
  }

  void ensembleAveragesOverlappingChunks() {
    LatestSlot<InferenceResult> results;
    ChunkExecutor exec(results, 1, 0.0);  // decay 0: the plain mean
    QCOMPARE(exec.ensembleDecay().value_or(-1.0), 0.0);
    results.publish(captured(1, 10, tickTime(0) - milliseconds(5)));
    QCOMPARE((*exec.next(tickTime(0)))[0], 10.0);
    QCOMPARE((*exec.next(tickTime(1)))[0], 11.0);  // nothing new: the one chunk goes on
    QCOMPARE(exec.chunksBlended(), 1);
    // Captured after tick 1: its action 0 is for tick 2, where the first chunk offers 12.
    results.publish(captured(2, 20, tickTime(1) + milliseconds(10)));
    QCOMPARE((*exec.next(tickTime(2)))[0], (12.0 + 20.0) / 2);
    QCOMPARE(exec.chunksBlended(), 2);
    QCOMPARE(exec.position(), 1);
    QCOMPARE(exec.currentChunk().front()[0], 20.0f);
    QCOMPARE((*exec.next(tickTime(3)))[0], (13.0 + 21.0) / 2);
    QCOMPARE((*exec.next(tickTime(4)))[0], 22.0);  // the first chunk has ended
    QCOMPARE(exec.chunksUsed(), std::uint64_t{2});
  }

  void ensembleWeighsOlderChunksMore() {
    LatestSlot<InferenceResult> results;
    const double decay = 0.5;
    ChunkExecutor exec(results, 1, decay);
    results.publish(captured(1, 10, tickTime(0) - milliseconds(5)));
    exec.next(tickTime(0));
    results.publish(captured(2, 20, tickTime(0) + milliseconds(5)));
    const double w = std::exp(-decay);
    const double expected = (11.0 + w * 20.0) / (1.0 + w);  // nearer 11 than the plain mean
    QVERIFY(std::abs((*exec.next(tickTime(1)))[0] - expected) < 1e-5);  // actions are floats
    QVERIFY(expected < 15.5);
  }

  void ensembleSkipsTheTicksInferenceTook() {
    LatestSlot<InferenceResult> results;
    ChunkExecutor exec(results, 1, 0.0);
    results.publish(captured(1, 10, tickTime(0) - milliseconds(5), 8));
    exec.next(tickTime(0));
    exec.next(tickTime(1));
    exec.next(tickTime(2));
    // Captured just after tick 1, ready only at tick 3: it planned tick 2 on, so tick 3 takes
    // its action 1, not action 0.
    results.publish(captured(2, 20, tickTime(1) + milliseconds(1), 8));
    QCOMPARE((*exec.next(tickTime(3)))[0], (13.0 + 21.0) / 2);
    QCOMPARE(exec.position(), 2);
    // A chunk without a capture time starts at the tick that takes it.
    results.publish(chunk(3, 30, 8));
    QCOMPARE((*exec.next(tickTime(4)))[0], (14.0 + 22.0 + 30.0) / 3);
  }

  void ensembleReplansEveryExecuteSteps() {
    LatestSlot<InferenceResult> results;
    ChunkExecutor exec(results, 3, 0.0);
    std::vector<int> blended;
    for (int t = 0; t < 7; ++t) {
      // A fresh chunk every tick; only ticks 0, 3 and 6 take one.
      results.publish(captured(static_cast<std::uint64_t>(t + 1), 10.0f * (t + 1),
                               tickTime(t) - milliseconds(1), 8));
      QVERIFY(exec.next(tickTime(t)).has_value());
      blended.push_back(exec.chunksBlended());
    }
    QCOMPARE(exec.chunksUsed(), std::uint64_t{3});
    QCOMPARE(blended, (std::vector<int>{1, 1, 1, 2, 2, 2, 3}));
  }

  void ensembleHoldsWhereNoChunkReaches() {
    LatestSlot<InferenceResult> results;
    ChunkExecutor exec(results, 4, 0.0);
    QVERIFY(!exec.next(tickTime(0)).has_value());  // nothing predicted yet
    results.publish(captured(1, 10, tickTime(0) + milliseconds(1), 2));
    QCOMPARE((*exec.next(tickTime(1)))[0], 10.0);
    QCOMPARE((*exec.next(tickTime(2)))[0], 11.0);
    QVERIFY(!exec.next(tickTime(3)).has_value());  // the chunk ended before the next re-plan
    QCOMPARE(exec.chunksBlended(), 0);
    // A stale chunk (an older frame than the one executed) is not taken.
    results.publish(captured(1, 90, tickTime(3) + milliseconds(1), 2));
    QVERIFY(!exec.next(tickTime(4)).has_value());  // not yet time to re-plan
    QVERIFY(!exec.next(tickTime(5)).has_value());  // time, but the chunk is refused
    QCOMPARE(exec.chunksUsed(), std::uint64_t{1});
    exec.reset();  // a new episode: time starts again
    results.publish(captured(2, 40, tickTime(9), 2));
    QCOMPARE((*exec.next(tickTime(10)))[0], 40.0);
  }

  void ensembleSwitchesOnAndOff() {
    LatestSlot<InferenceResult> results;
    QVERIFY_EXCEPTION_THROWN(ChunkExecutor(results, 1, -0.1), std::invalid_argument);
    ChunkExecutor exec(results, 4);
    QVERIFY(!exec.ensembleDecay().has_value());
    results.publish(chunk(1, 10));
    QCOMPARE((*exec.next())[0], 10.0);
    QVERIFY_EXCEPTION_THROWN(exec.setEnsembleDecay(std::nan("")), std::invalid_argument);
    QVERIFY(!exec.ensembleDecay().has_value());  // a refused decay changes nothing
    QCOMPARE((*exec.next())[0], 11.0);
    exec.setEnsembleDecay(0.01);
    QCOMPARE(exec.ensembleDecay().value_or(-1.0), 0.01);
    QVERIFY(!exec.next(tickTime(0)).has_value());  // the held chunk was dropped
    results.publish(captured(2, 20, tickTime(0) + milliseconds(1)));
    QCOMPARE((*exec.next(tickTime(1)))[0], 20.0);
    exec.setEnsembleDecay(std::nullopt);
    results.publish(chunk(3, 30));
    for (int i = 0; i < 4; ++i) QCOMPARE((*exec.next())[0], 30.0 + i);  // whole chunks again
    QVERIFY(!exec.next().has_value());
  }
};

QTEST_GUILESS_MAIN(TestChunkExecutor)
#include "test_chunk_executor.moc"
