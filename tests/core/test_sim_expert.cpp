// The scripted expert succeeds on every task of every suite, on two seeds each (the success rates
// over many seeds are measured by `thinkvla sim expert`). Needs no display.
#include <QtTest/QtTest>

#include "core/sim/scripted_expert.h"
#include "core/sim/tabletop_env.h"

namespace sim = thinkvla::core::sim;
Q_DECLARE_METATYPE(sim::Suite)

namespace {
sim::EnvOptions physicsOnly() {
  sim::EnvOptions o;
  o.channels = sim::CameraChannels::kNone;
  return o;
}
}  // namespace

class TestSimExpert : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void expertSucceedsOnEveryTask_data() {
    QTest::addColumn<sim::Suite>("suite");
    for (auto suite : sim::allSuites()) {
      QTest::newRow(sim::suiteName(suite).c_str()) << suite;
    }
  }
  void expertSucceedsOnEveryTask() {
    QFETCH(sim::Suite, suite);
    sim::TabletopEnv env(physicsOnly());
    QStringList failures;
    for (const auto& t : sim::suiteTasks(suite)) {
      for (std::uint64_t seed : {100u, 101u}) {
        env.reset(t, seed);
        sim::ScriptedExpert expert(t, seed);
        sim::StepResult r;
        while (!r.done) r = env.step(expert.act(env));
        if (!r.success) failures << QString("%1 seed %2 (%3)").arg(t.name.c_str()).arg(seed).arg(expert.stage().c_str());
        QVERIFY(r.step <= t.max_steps);
      }
    }
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(", ")));
  }
};

QTEST_GUILESS_MAIN(TestSimExpert)
#include "test_sim_expert.moc"
