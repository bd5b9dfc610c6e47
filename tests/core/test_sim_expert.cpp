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

  void takesOverAndFinishesOnlyWhatIsLeft() {
    // Long task 3, both cubes in the basket: one expert until the first cube is in, then a fresh
    // one (another seed: its own noise) takes over the world as it is.
    const sim::TaskSpec& t = sim::task(sim::Suite::kLong, 3);
    QCOMPARE(t.goals.size(), std::size_t{2});
    sim::TabletopEnv env(physicsOnly());
    env.reset(t, 7);
    sim::ScriptedExpert first(t, 7);
    sim::StepResult r;
    while (!r.done && !sim::goalSatisfied(env, t.goals[0])) r = env.step(first.act(env));
    QVERIFY(!r.done);
    QVERIFY(!sim::goalSatisfied(env, t.goals[1]));
    for (int i = 0; i < 15; ++i) r = env.step(first.act(env));  // let go, partway up
    const long handover = env.stepCount();

    sim::ScriptedExpert second(t, 8);
    second.takeOver(t, env);
    QVERIFY(!second.planDone());
    const std::string other = t.goals[1].object;
    QVERIFY2(second.stage().find(other) != std::string::npos, second.stage().c_str());
    while (!r.done) {
      QVERIFY2(second.stage().find(t.goals[0].object) == std::string::npos, second.stage().c_str());
      r = env.step(second.act(env));
    }
    QVERIFY(r.success);
    QVERIFY(env.stepCount() > handover);

    // Taking over mid-carry: the object stays in hand, the new expert lifts and carries it on.
    env.reset(t, 12);
    sim::ScriptedExpert carrier(t, 12);
    r = {};
    while (!r.done && carrier.stage().find(": carry") == std::string::npos)
      r = env.step(carrier.act(env));
    for (int i = 0; i < 5; ++i) r = env.step(carrier.act(env));
    QVERIFY(!r.done);
    sim::ScriptedExpert taker(t, 13);
    taker.takeOver(t, env);
    QVERIFY2(taker.stage().find(": lift") != std::string::npos, taker.stage().c_str());
    const std::string held = t.goals[0].object;
    QVERIFY2(taker.stage().find(held) != std::string::npos, taker.stage().c_str());
    int steps_to_goal = 0;
    while (!r.done && !sim::goalSatisfied(env, t.goals[0])) {
      const sim::Action a = taker.act(env);
      QVERIFY2(a[sim::kGripperIndex] > 0.0, taker.stage().c_str());  // never lets go on the way
      r = env.step(a);
      ++steps_to_goal;
    }
    QVERIFY(sim::goalSatisfied(env, t.goals[0]));
    QVERIFY(steps_to_goal < 120);
    while (!r.done) r = env.step(taker.act(env));
    QVERIFY(r.success);

    // Everything holds: nothing left to do. And only before the expert's first action.
    sim::ScriptedExpert idle(t, 9);
    idle.takeOver(t, env);
    QVERIFY(idle.planDone());
    sim::ScriptedExpert acted(t, 10);
    acted.act(env);
    QVERIFY_THROWS_EXCEPTION(std::logic_error, acted.takeOver(t, env));
    sim::ScriptedExpert other_task(sim::task(sim::Suite::kGoal, 0), 11);
    QVERIFY_THROWS_EXCEPTION(std::logic_error, other_task.takeOver(t, env));
  }
};

QTEST_GUILESS_MAIN(TestSimExpert)
#include "test_sim_expert.moc"
