// The shipped demo checkpoint (resources/models/demo): what the studio loads on first start. It
// loads, is the `small` preset within the size budget, comes with its model card (commands, seed,
// training time, evaluation results) and drives the built-in world with finite actions.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/build_info.h"
#include "core/sim/tabletop_env.h"
#include "core/sim/tasks.h"
#include "model/policy.h"

namespace fs = std::filesystem;
using namespace thinkvla;

namespace {
fs::path demoDir() { return fs::path(core::build::kSourceDir) / "resources" / "models" / "demo"; }

std::string readText(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

class TestDemoCheckpoint : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void isShippedWithinBudget() {
    for (const char* name : {"config.json", "model.safetensors", "tokenizer.model",
                             "norm_stats.json", "README.md", "eval.json"}) {
      QVERIFY2(fs::is_regular_file(demoDir() / name), name);
    }
    std::uintmax_t bytes = 0;
    for (const auto& entry : fs::recursive_directory_iterator(demoDir())) {
      if (entry.is_regular_file()) bytes += entry.file_size();
    }
    QVERIFY2(bytes <= 50ull * 1024 * 1024, qPrintable(QString("%1 bytes").arg(bytes)));
  }

  void modelCardNamesHowItWasMade() {
    const std::string card = readText(demoDir() / "README.md");
    for (const char* needle : {"thinkvla train", "thinkvla collect", "thinkvla eval", "--seed",
                               "Training time", "| Spatial"}) {
      QVERIFY2(card.find(needle) != std::string::npos, needle);
    }
    // The evaluation beside it is a real results file of `thinkvla eval`.
    const auto eval = nlohmann::json::parse(readText(demoDir() / "eval.json"));
    QVERIFY(eval.contains("suites"));
    QVERIFY(!eval["suites"].empty());
  }

  void loadsAsTheSmallPresetAndActs() {
    auto policy = model::Policy::load(demoDir().string());
    QCOMPARE(QString::fromStdString(policy.config().preset), QString("small"));
    QCOMPARE(policy.config().num_views, 2);

    core::sim::TabletopEnv env(core::sim::EnvOptions{});
    env.reset(core::sim::task(core::sim::Suite::kSpatial, 0), 0);
    const auto obs = env.observe();
    model::Observation o;
    for (const auto& camera : obs.cameras) o.views.push_back(camera.rgb);
    o.proprio.assign(obs.proprio.begin(), obs.proprio.end());
    const auto step = policy.step(o, env.instruction());
    QCOMPARE(int(step.actions.size()), policy.config().chunk_size);
    for (const auto& a : step.actions) {
      QCOMPARE(int(a.size()), 7);
      for (float v : a) QVERIFY(std::isfinite(v));
    }
  }
};

QTEST_GUILESS_MAIN(TestDemoCheckpoint)
#include "test_demo_checkpoint.moc"
