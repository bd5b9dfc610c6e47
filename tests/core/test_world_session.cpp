// The built-in world driven through the control loop's robot interface: frames with both cameras
// and depth are published upright each tick, the state carries the geometry poses and the target,
// and motion commands move the end effector the way they say.
#include <QtTest/QtTest>

#include "core/pipeline/world_session.h"
#include "core/sim/scripted_expert.h"
#include "core/sim/tasks.h"

using namespace thinkvla::core;

class TestWorldSession : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void publishesFramesAndState() {
    auto frames = std::make_shared<LatestSlot<FrameSet>>();
    WorldSession world({}, frames);
    QVERIFY(world.shapes().size() > 10);  // table, arm links, fingers, objects
    world.reset(sim::Suite::kSpatial, 0, 7);
    auto first = frames->take();
    QVERIFY(first.has_value());
    QCOMPARE(first->views.size(), std::size_t{2});
    QCOMPARE(first->views[0].rgb.size(), cv::Size(128, 128));
    QCOMPARE(first->views[0].depth_m.type(), CV_32F);
    auto state = world.state().take();
    QVERIFY(state.has_value());
    QCOMPARE(state->step, 0);
    QVERIFY(!state->success);
    QCOMPARE(state->shape_poses.size(), world.shapes().size());
    QCOMPARE(state->cameras.size(), std::size_t{2});
    QCOMPARE(static_cast<int>(state->proprio.size()), 8);
    QVERIFY(!state->target_positions_m.empty());
    QVERIFY(!state->instruction.empty());

    // Move +x for ten ticks: the end effector goes forward, frames and state follow each tick.
    const cv::Vec3d before = world.endEffectorPosition();
    for (int i = 0; i < 10; ++i) world.applyAction(Action7(0.5, 0, 0, 0, 0, 0, -1));
    const cv::Vec3d after = world.endEffectorPosition();
    QVERIFY2(after[0] - before[0] > 0.05, qPrintable(QString::number(after[0] - before[0])));
    QVERIFY(std::abs(after[1] - before[1]) < 0.03);
    QCOMPARE(frames->published(), std::uint64_t{11});
    QCOMPARE(world.state().take()->step, 10);
    QCOMPARE(frames->take()->sequence, std::uint64_t{10});
  }

  void countsTheGripperReleasesOfTheEpisode() {
    auto frames = std::make_shared<LatestSlot<FrameSet>>();
    WorldSession world({}, frames);
    const int task_index = 3;  // Long: "put both cubes in the basket"
    QCOMPARE(sim::task(sim::Suite::kLong, task_index).name, std::string("both_cubes_in_basket"));
    world.reset(sim::Suite::kLong, task_index, 2);
    QCOMPARE(world.state().take()->gripper_releases, 0);
    // Closing on air and opening again is no progress.
    for (int i = 0; i < 12; ++i) world.applyAction(Action7(0, 0, 0, 0, 0, 0, 1));
    for (int i = 0; i < 4; ++i) world.applyAction(Action7(0, 0, 0, 0, 0, 0, -1));
    QCOMPARE(world.state().take()->gripper_releases, 0);
    // The scripted expert puts the first cube in the basket and lets go: one release; the second
    // cube: two.
    world.reset(sim::Suite::kLong, task_index, 2);
    sim::ScriptedExpert expert(world.env().task(), 2);
    const auto& goals = world.env().task().goals;
    int releases_at_first_goal = -1;
    WorldState last;
    for (int step = 0; step < 400 && !world.env().success(); ++step) {
      const sim::Action a = expert.act(world.env());
      world.applyAction(Action7(a[0], a[1], a[2], a[3], a[4], a[5], a[6]));
      last = *world.state().take();
      if (releases_at_first_goal < 0 && sim::goalSatisfied(world.env(), goals[0])) {
        releases_at_first_goal = last.gripper_releases;
      }
      QVERIFY(last.gripper_releases <= 2);
    }
    QVERIFY(world.env().success());
    QVERIFY2(releases_at_first_goal <= 1, qPrintable(QString::number(releases_at_first_goal)));
    // Hold still with the gripper open until both releases are in.
    for (int i = 0; i < 10; ++i) world.applyAction(Action7(0, 0, 0, 0, 0, 0, -1));
    QCOMPARE(world.state().take()->gripper_releases, 2);
    world.reset(sim::Suite::kLong, task_index, 2);
    QCOMPARE(world.state().take()->gripper_releases, 0);
  }

  void instructionOverride() {
    auto frames = std::make_shared<LatestSlot<FrameSet>>();
    WorldSession world({}, frames);
    world.reset(sim::Suite::kGoal, 0, 1);
    const std::string original = world.instruction();
    world.setInstruction("push the plate to the left");
    QCOMPARE(world.instruction(), std::string("push the plate to the left"));
    world.applyAction(Action7(0, 0, 0, 0, 0, 0, -1));
    QCOMPARE(world.state().take()->instruction, std::string("push the plate to the left"));
    world.reset(sim::Suite::kGoal, 0, 1);
    QCOMPARE(world.instruction(), original);
  }
};

QTEST_GUILESS_MAIN(TestWorldSession)
#include "test_world_session.moc"
