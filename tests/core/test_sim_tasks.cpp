// The task suites: four suites of at least ten tasks with instructions, LIBERO's step limits,
// success predicates that are false at reset and true when the state says so. Needs no display.
#include <QtTest/QtTest>

#include <set>

#include "core/sim/scene_catalog.h"
#include "core/sim/tabletop_env.h"

namespace sim = thinkvla::core::sim;

namespace {
sim::EnvOptions physicsOnly() {
  sim::EnvOptions o;
  o.channels = sim::CameraChannels::kNone;
  return o;
}
}  // namespace

class TestSimTasks : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void suitesHaveTenTasksWithInstructions() {
    QCOMPARE(int(sim::allSuites().size()), 4);
    const std::map<sim::Suite, int> limits = {{sim::Suite::kSpatial, 220},
                                              {sim::Suite::kObject, 280},
                                              {sim::Suite::kGoal, 300},
                                              {sim::Suite::kLong, 520}};
    for (auto suite : sim::allSuites()) {
      const auto& tasks = sim::suiteTasks(suite);
      QVERIFY2(tasks.size() >= 10, sim::suiteName(suite).c_str());
      std::set<std::string> names, instructions;
      for (std::size_t i = 0; i < tasks.size(); ++i) {
        const auto& t = tasks[i];
        QCOMPARE(t.index, int(i));
        QCOMPARE(t.max_steps, limits.at(suite));
        QVERIFY(!t.goals.empty());
        QVERIFY(!t.instruction.empty());
        names.insert(t.name);
        instructions.insert(t.instruction);
        for (const auto& p : t.placements) QVERIFY(sim::objectInfo(p.object).name == p.object);
        QVERIFY(sim::teacherPrompt(t).find(t.instruction) != std::string::npos);
      }
      QCOMPARE(names.size(), tasks.size());
      QCOMPARE(instructions.size(), tasks.size());
      QCOMPARE(sim::parseSuite(sim::suiteName(suite)), std::optional<sim::Suite>(suite));
    }
    QCOMPARE(sim::parseSuite("LIBERO_10"), std::optional<sim::Suite>(sim::Suite::kLong));
    QVERIFY(!sim::parseSuite("kitchen"));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, sim::task(sim::Suite::kGoal, 99));
    // Long tasks have two goals or more; Goal tasks share one layout.
    for (const auto& t : sim::suiteTasks(sim::Suite::kLong)) QVERIFY(t.goals.size() >= 2);
    const auto& goal = sim::suiteTasks(sim::Suite::kGoal);
    for (const auto& t : goal) {
      QCOMPARE(t.placements.size(), goal.front().placements.size());
      for (std::size_t i = 0; i < t.placements.size(); ++i) {
        QCOMPARE(t.placements[i].object, goal.front().placements[i].object);
        QCOMPARE(t.placements[i].x_m, goal.front().placements[i].x_m);
      }
    }
  }

  void noTaskSucceedsAtReset() {
    sim::TabletopEnv env(physicsOnly());
    for (auto suite : sim::allSuites()) {
      for (const auto& t : sim::suiteTasks(suite)) {
        for (std::uint64_t seed : {0u, 1u, 2u}) {
          env.reset(t, seed);
          for (const auto& g : t.goals) {
            QVERIFY2(!sim::goalSatisfied(env, g),
                     qPrintable(QString("%1 seed %2: goal on %3 holds at reset")
                                    .arg(t.name.c_str()).arg(seed).arg(g.object.c_str())));
          }
          QVERIFY(!env.success());
          // Everything the task uses rests on the table, where it was put.
          for (const auto& p : t.placements) {
            const Eigen::Vector3d pos = env.bodyPosition(p.object);
            QVERIFY2(std::abs(pos.x() - p.x_m) < 0.03 && std::abs(pos.y() - p.y_m) < 0.03,
                     qPrintable(QString("%1: %2 moved while settling").arg(t.name.c_str(),
                                                                          p.object.c_str())));
          }
        }
      }
    }
  }

  void predicatesHoldWhenTheStateSaysSo() {
    // Put the green cube on the plate by hand (teleport) and check the predicate turns true.
    sim::TabletopEnv env(physicsOnly());
    const auto& t = sim::task(sim::Suite::kGoal, 2);  // green cube on the plate
    env.reset(t, 0);
    QVERIFY(!env.success());
    auto* d = const_cast<mjData*>(env.data());
    const mjModel* m = env.model();
    const int adr = m->jnt_qposadr[mj_name2id(m, mjOBJ_JOINT, "green_cube_joint")];
    const Eigen::Vector3d plate = env.bodyPosition("white_plate");
    d->qpos[adr] = plate.x();
    d->qpos[adr + 1] = plate.y();
    d->qpos[adr + 2] = 0.012 + 0.02 + 0.002;
    mj_forward(m, d);
    for (int i = 0; i < 4; ++i) env.step({0, 0, 0, 0, 0, 0, -1});
    QVERIFY(env.success());
  }

};

QTEST_GUILESS_MAIN(TestSimTasks)
#include "test_sim_tasks.moc"
