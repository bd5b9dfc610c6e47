// Chunked execution: K actions per chunk run open loop (or fewer when asked), then the newest
// fresh chunk; nothing fresh means holding still, and an old chunk is never replayed.
#include <QtTest/QtTest>

#include "core/pipeline/chunk_executor.h"

using namespace thinkvla::core;

namespace {
InferenceResult chunk(std::uint64_t frame, float base, int k = 4) {
  InferenceResult r;
  r.frame_sequence = frame;
  for (int i = 0; i < k; ++i) r.actions.push_back({base + i, 0, 0, 0, 0, 0, -1});
  return r;
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
};

QTEST_GUILESS_MAIN(TestChunkExecutor)
#include "test_chunk_executor.moc"
