// LIBERO-PLUS style perturbations: each of the seven dimensions changes what it should (camera,
// lights, background and sensor noise: the images; robot: the arm's initial state; layout: where
// objects start; language: the instruction) and nothing else. Needs an X server (xvfb-run).
#include <QtTest/QtTest>

#include "core/sim/scene_catalog.h"
#include "core/sim/tabletop_env.h"

namespace sim = thinkvla::core::sim;
using D = sim::PerturbDimension;
Q_DECLARE_METATYPE(sim::PerturbDimension)

namespace {
struct Snapshot {
  std::vector<double> state;
  std::string instruction;
  cv::Mat agent_rgb, wrist_rgb, agent_depth;
  Eigen::Isometry3d agent_pose;
  double agent_fx = 0;
};

Snapshot snapshot(sim::TabletopEnv& env, const sim::PerturbationSpec& spec, std::uint64_t seed) {
  env.reset(sim::task(sim::Suite::kGoal, 1), seed, spec);
  env.step({0.2, 0.1, -0.1, 0, 0, 0, -1});
  auto obs = env.observe();
  Snapshot s;
  s.state = env.physicsState();
  s.instruction = env.instruction();
  s.agent_rgb = obs.cameras[0].rgb.clone();
  s.wrist_rgb = obs.cameras[1].rgb.clone();
  s.agent_depth = obs.cameras[0].depth_m.clone();
  s.agent_pose = obs.cameras[0].T_base_camera;
  s.agent_fx = obs.cameras[0].intrinsics.fx;
  return s;
}

double meanAbsDiff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  const cv::Scalar m = cv::mean(d);
  return (m[0] + m[1] + m[2]) / a.channels();
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return std::memcmp(a.data, b.data, a.total() * a.elemSize()) == 0;
}
}  // namespace

class TestSimPerturbation : public QObject {
  Q_OBJECT
 private:
  std::unique_ptr<sim::TabletopEnv> env_;
  Snapshot clean_;

 private Q_SLOTS:
  void initTestCase() {
    sim::EnvOptions o;
    o.image_width = 64;
    o.image_height = 64;
    env_ = std::make_unique<sim::TabletopEnv>(o);
    clean_ = snapshot(*env_, {}, 9);
  }

  void parsesAndPrints() {
    const auto spec = sim::PerturbationSpec::parse("camera:2,light:4");
    QCOMPARE(spec.level(D::kCamera), 2);
    QCOMPARE(spec.level(D::kLight), 4);
    QCOMPARE(spec.level(D::kLayout), 0);
    QCOMPARE(spec.toString(), std::string("camera:2,light:4"));
    QVERIFY(!sim::PerturbationSpec::parse("none").any());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sim::PerturbationSpec::parse("camera:5"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sim::PerturbationSpec::parse("weather:1"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sim::PerturbationSpec::parse("camera"));
    QCOMPARE(int(sim::allDimensions().size()), 7);
  }

  void levelZeroChangesNothing() {
    sim::PerturbationSpec zero;
    for (auto d : sim::allDimensions()) zero.set(d, 0);
    const auto s = snapshot(*env_, zero, 9);
    QVERIFY(s.state == clean_.state);
    QVERIFY(same(s.agent_rgb, clean_.agent_rgb));
    QCOMPARE(s.instruction, clean_.instruction);
  }

  void eachDimensionChangesOnlyWhatItShould_data() {
    QTest::addColumn<sim::PerturbDimension>("dimension");
    for (auto d : sim::allDimensions()) QTest::newRow(sim::dimensionName(d).c_str()) << d;
  }
  void eachDimensionChangesOnlyWhatItShould() {
    QFETCH(sim::PerturbDimension, dimension);
    sim::PerturbationSpec spec;
    spec.set(dimension, 3);
    const auto s = snapshot(*env_, spec, 9);
    const bool physical = dimension == D::kRobotInit || dimension == D::kLayout;
    const bool visual = dimension == D::kCamera || dimension == D::kLight ||
                        dimension == D::kBackground || dimension == D::kNoise;
    // The physics state changes only for robot and layout.
    QCOMPARE(s.state != clean_.state, physical);
    // The instruction only for language.
    QCOMPARE(s.instruction != clean_.instruction, dimension == D::kLanguage);
    // Images: visual dimensions and physical ones change them; language does not.
    const double agent_diff = meanAbsDiff(s.agent_rgb, clean_.agent_rgb);
    if (visual || physical) {
      QVERIFY2(agent_diff > 0.5, qPrintable(QString::number(agent_diff)));
    } else {
      QVERIFY(same(s.agent_rgb, clean_.agent_rgb));
    }
    // The camera perturbation moves the agent view only: the wrist image stays as it was.
    if (dimension == D::kCamera) {
      QVERIFY(same(s.wrist_rgb, clean_.wrist_rgb));
      QVERIFY(!s.agent_pose.isApprox(clean_.agent_pose, 1e-6) || s.agent_fx != clean_.agent_fx);
    } else {
      QVERIFY(s.agent_pose.isApprox(clean_.agent_pose, 1e-12));
      QCOMPARE(s.agent_fx, clean_.agent_fx);
    }
    if (dimension == D::kNoise) {
      QVERIFY(!same(s.agent_depth, clean_.agent_depth));
    } else if (!physical && dimension != D::kCamera) {
      QVERIFY(same(s.agent_depth, clean_.agent_depth));  // lights, colours: geometry unchanged
    }
    // The same seed gives the same perturbation.
    const auto again = snapshot(*env_, spec, 9);
    QVERIFY(again.state == s.state);
    QVERIFY(same(again.agent_rgb, s.agent_rgb));
    QCOMPARE(again.instruction, s.instruction);
  }

  void robotPerturbationMovesTheArmNotTheObjects() {
    sim::PerturbationSpec spec;
    spec.set(D::kRobotInit, 4);
    env_->reset(sim::task(sim::Suite::kGoal, 1), 9);
    const Eigen::Vector3d ee = env_->eePosition();
    const Eigen::Vector3d bowl = env_->bodyPosition("red_bowl");
    env_->reset(sim::task(sim::Suite::kGoal, 1), 9, spec);
    QVERIFY((env_->eePosition() - ee).norm() > 0.01);
    QVERIFY((env_->bodyPosition("red_bowl") - bowl).norm() < 1e-6);
  }

  void layoutPerturbationMovesObjectsAndAddsConfounders() {
    const auto& t = sim::task(sim::Suite::kSpatial, 0);
    env_->reset(t, 9);
    const auto clean_objects = env_->objectsOnTable();
    const Eigen::Vector3d bowl = env_->bodyPosition("black_bowl_a");
    for (int level = 1; level <= 4; ++level) {
      sim::PerturbationSpec spec;
      spec.set(D::kLayout, level);
      env_->reset(t, 9, spec);
      QVERIFY((env_->bodyPosition("black_bowl_a") - bowl).norm() > 1e-3);
      QCOMPARE(int(env_->objectsOnTable().size()),
               int(clean_objects.size()) + std::max(0, level - 1));
      QVERIFY(!env_->success());
      for (const auto& name : env_->objectsOnTable()) {
        QVERIFY2(env_->bodyPosition(name).z() > -0.01, name.c_str());  // on the table
      }
    }
  }

  void severityGrows() {
    // Averaged over seeds, level 4 changes the agent view more than level 1.
    for (auto d : {D::kCamera, D::kLight, D::kNoise}) {
      double diff[2] = {0, 0};
      for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        const auto base = snapshot(*env_, {}, seed);
        for (int k = 0; k < 2; ++k) {
          sim::PerturbationSpec spec;
          spec.set(d, k == 0 ? 1 : 4);
          diff[k] += meanAbsDiff(snapshot(*env_, spec, seed).agent_rgb, base.agent_rgb);
        }
      }
      QVERIFY2(diff[1] > diff[0], qPrintable(QString("%1: %2 vs %3")
                                                 .arg(sim::dimensionName(d).c_str())
                                                 .arg(diff[1]).arg(diff[0])));
    }
  }

  void languageKeepsTheObjects() {
    const auto& t = sim::task(sim::Suite::kLong, 4);
    for (int level = 1; level <= 4; ++level) {
      auto rng = sim::perturbRng(3, D::kLanguage);
      const auto text = sim::perturbInstruction(t.instruction, level, rng);
      QVERIFY(text != t.instruction);
      for (const char* phrase : {"white mug", "white plate", "green mug", "pink plate"}) {
        QVERIFY2(text.find(phrase) != std::string::npos, text.c_str());
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestSimPerturbation)
#include "test_sim_perturbation.moc"
