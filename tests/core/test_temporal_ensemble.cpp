// TemporalEnsemble (core/pipeline/temporal_ensemble.h): one chunk is executed as predicted;
// overlapping chunks are averaged with exp(-decay * i) weights, the oldest first; chunks that end
// are dropped; uncovered steps give nothing; bad chunks, decays and steps are refused.
#include <QtTest/QtTest>

#include <cmath>
#include <stdexcept>

#include "core/pipeline/temporal_ensemble.h"

using thinkvla::core::TemporalEnsemble;

namespace {
// A chunk of `length` two-dimensional actions, action i = {base + i, -(base + i)}.
std::vector<std::vector<float>> ramp(float base, int length) {
  std::vector<std::vector<float>> out;
  for (int i = 0; i < length; ++i) out.push_back({base + i, -(base + i)});
  return out;
}
}  // namespace

class TestTemporalEnsemble : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void oneChunkIsExecutedAsPredicted() {
    TemporalEnsemble e(0.01);
    e.add(10, ramp(0.0f, 4));
    QVERIFY(!e.actionAt(9).has_value());  // planned for later steps only
    for (long t = 10; t < 14; ++t) {
      const auto a = e.actionAt(t);
      QVERIFY(a.has_value());
      QCOMPARE((*a)[0], static_cast<float>(t - 10));
      QCOMPARE((*a)[1], -static_cast<float>(t - 10));
    }
    QVERIFY(!e.actionAt(14).has_value());
    QCOMPARE(e.chunksHeld(), 0);
  }

  void overlappingChunksAreWeightedOldestFirst() {
    const double decay = 0.5;
    TemporalEnsemble e(decay);
    e.add(0, ramp(0.0f, 4));    // predicts 0, 1, 2, 3 for steps 0..3
    e.add(1, ramp(10.0f, 4));   // predicts 10, 11, 12, 13 for steps 1..4
    e.add(2, ramp(100.0f, 4));  // predicts 100.. for steps 2..5
    QCOMPARE((*e.actionAt(0))[0], 0.0f);
    const double w0 = 1.0, w1 = std::exp(-decay), w2 = std::exp(-2 * decay);
    QCOMPARE((*e.actionAt(1))[0], static_cast<float>((w0 * 1 + w1 * 10) / (w0 + w1)));
    const auto a2 = *e.actionAt(2);
    QCOMPARE(a2[0], static_cast<float>((w0 * 2 + w1 * 11 + w2 * 100) / (w0 + w1 + w2)));
    QCOMPARE(a2[1], -a2[0]);
    QCOMPARE(e.chunksHeld(), 3);
    // Step 4: the first chunk (steps 0..3) has ended and is dropped; the second is now oldest.
    QCOMPARE((*e.actionAt(4))[0], static_cast<float>((w0 * 13 + w1 * 102) / (w0 + w1)));
    QCOMPARE(e.chunksHeld(), 2);
  }

  void zeroDecayIsThePlainMean() {
    TemporalEnsemble e(0.0);
    e.add(0, ramp(0.0f, 3));
    e.add(0, ramp(6.0f, 3));
    QCOMPARE((*e.actionAt(1))[0], 4.0f);  // (1 + 7) / 2
    e.reset();
    QCOMPARE(e.chunksHeld(), 0);
    QVERIFY(!e.actionAt(0).has_value());  // reset also restarts time
  }

  void badInputIsRefused() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, TemporalEnsemble(-0.1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, TemporalEnsemble(std::nan("")));
    TemporalEnsemble e(0.01);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, e.add(0, {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, e.add(0, {{1.0f, 2.0f}, {1.0f}}));
    e.add(0, ramp(0.0f, 2));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, e.add(1, {{1.0f, 2.0f, 3.0f}}));
    QVERIFY(e.actionAt(1).has_value());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, e.actionAt(0));  // time moves forward
  }
};

QTEST_APPLESS_MAIN(TestTemporalEnsemble)
#include "test_temporal_ensemble.moc"
