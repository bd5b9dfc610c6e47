// Latest-value hand-over: consumers get the newest value, stale ones are counted as dropped, and
// the counts add up under concurrent use.
#include <QtTest/QtTest>

#include <atomic>
#include <thread>

#include "core/pipeline/latest_slot.h"

using thinkvla::core::LatestSlot;

class TestLatestSlot : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void takesTheNewestAndCountsDrops() {
    LatestSlot<int> slot;
    int notified = 0;
    slot.setNotify([&] { ++notified; });
    QVERIFY(!slot.take().has_value());
    slot.publish(1);
    slot.publish(2);
    slot.publish(3);
    QCOMPARE(notified, 3);
    QCOMPARE(slot.dropped(), std::uint64_t{2});
    QCOMPARE(*slot.take(), 3);
    QVERIFY(!slot.take().has_value());  // nothing new
    slot.publish(4);
    QCOMPARE(*slot.peek(), 4);
    QCOMPARE(*slot.take(), 4);
    QCOMPARE(slot.published(), std::uint64_t{4});
    QCOMPARE(slot.taken(), std::uint64_t{2});
    QCOMPARE(slot.dropped(), std::uint64_t{2});
  }

  void concurrentProducerAndConsumer() {
    LatestSlot<std::vector<int>> slot;
    constexpr int kCount = 20000;
    std::atomic<bool> done{false};
    std::thread producer([&] {
      for (int i = 0; i < kCount; ++i) slot.publish(std::vector<int>(8, i));
      done = true;
    });
    int last = -1;
    std::uint64_t taken = 0;
    for (;;) {
      const bool finished = done;  // read before take(): a take after `done` sees the last value
      auto v = slot.take();
      if (!v) {
        if (finished) break;
        continue;
      }
      QVERIFY((*v)[0] > last);      // strictly increasing: never an older value after a newer one
      QVERIFY((*v)[7] == (*v)[0]);  // never torn
      last = (*v)[0];
      ++taken;
    }
    producer.join();
    QCOMPARE(last, kCount - 1);
    QCOMPARE(slot.published(), std::uint64_t{kCount});
    QCOMPARE(slot.taken(), taken);
    QCOMPARE(slot.taken() + slot.dropped(), slot.published());
  }
};

QTEST_GUILESS_MAIN(TestLatestSlot)
#include "test_latest_slot.moc"
