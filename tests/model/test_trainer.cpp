// The training runner on a tiny policy and in-memory episodes: every loss falls; a run stopped
// half-way and resumed gives bit-identical losses and weights to an uninterrupted one; the LR
// schedule's shape; EMA; cancel from another thread keeps the last checkpoint loadable; pause and
// resume from another thread; fine-tuning starts from the given checkpoint; adapter-only anchor
// distillation moves the Reasoning Adapter alone; the config's augmentation strength reaches the
// data.
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "model/checkpoint.h"
#include "model/torch_runtime.h"
#include "model/train/trainer.h"
#include "train_test_data.h"

using namespace thinkvla::model;
using namespace thinkvla::model::train;
namespace fs = std::filesystem;

namespace {

fs::path tempDir(const std::string& name) {
  const fs::path base = qEnvironmentVariableIsSet("THINKVLA_TEST_TMP")
                            ? fs::path(qEnvironmentVariable("THINKVLA_TEST_TMP").toStdString())
                            : fs::temp_directory_path();
  const fs::path dir = base / ("test_trainer_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TrainConfig smallConfig(std::int64_t steps) {
  TrainConfig c;
  c.steps = steps;
  c.batch_size = 4;
  c.lr = 2e-3;
  c.warmup_steps = 3;
  c.checkpoint_every = 0;
  c.seed = 7;
  c.threads = 1;
  c.qa_ratio = 0.5;
  c.loader_workers = 1;
  return c;
}

std::vector<data::WeightedStore> stores() { return {{train_test::makeStore(), 1.0}}; }

Checkpoint freshTiny() { return initCheckpoint(PolicyConfig::fromPreset("tiny"), 1); }

bool sameParameters(const ThinkVlaNet& a, const ThinkVlaNet& b) {
  auto pb = b->named_parameters();
  for (const auto& p : a->named_parameters()) {
    if (!torch::equal(p.value(), *pb.find(p.key()))) return false;
  }
  return true;
}

bool sameBits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

std::int64_t stateStep(const fs::path& ckpt) {
  std::ifstream in(ckpt / "trainer_state.json");
  return nlohmann::json::parse(in).at("step").get<std::int64_t>();
}

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void scheduleHasWarmupThenCosine() {
    TrainConfig c;
    c.steps = 100;
    c.lr = 1e-3;
    c.warmup_steps = 10;
    c.min_lr_ratio = 0.1;
    QCOMPARE(learningRate(c, 0), 1e-4);
    for (int s = 1; s < 10; ++s) QVERIFY(learningRate(c, s) > learningRate(c, s - 1));
    QCOMPARE(learningRate(c, 9), 1e-3);
    QCOMPARE(learningRate(c, 10), 1e-3);
    for (int s = 11; s < 100; ++s) QVERIFY(learningRate(c, s) < learningRate(c, s - 1));
    QVERIFY(std::abs(learningRate(c, 99) - 1e-4) < 1e-12);
    // Half-way through the decay: the cosine's middle.
    QVERIFY(std::abs(learningRate(c, 10 + 89 / 2) - (1e-4 + 0.9e-3 * 0.5 * (1 + std::cos(M_PI * 44.0 / 89.0)))) < 1e-12);

    // JSON: round trip, partial objects keep defaults, bad fields are named.
    c.ema_decay = 0.99;
    c.loss.alignment = 0.25;
    const auto back = TrainConfig::fromJson(c.toJson(), "t");
    QCOMPARE(back.toJson().dump(), c.toJson().dump());
    QCOMPARE(TrainConfig::fromJson({{"steps", 5}}, "t").batch_size, TrainConfig{}.batch_size);
    try {
      TrainConfig::fromJson({{"lr", -1.0}}, "train.json");
      QFAIL("negative lr accepted");
    } catch (const TrainConfigError& e) {
      QVERIFY2(std::string(e.what()).find("train.json: lr") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(TrainConfigError, TrainConfig::fromJson({{"stepz", 5}}, "t"));
    QVERIFY_THROWS_EXCEPTION(TrainConfigError, TrainConfig::fromJson({{"steps", "many"}}, "t"));

    // Augmentation strength: round trip, a partial object keeps the other defaults, and each bad
    // field (of it and of the loss weights) is named with its object.
    c.augmentation.brightness = 0.4;
    c.augmentation.crop_area_min = 0.6;
    const auto strong = TrainConfig::fromJson(c.toJson(), "t");
    QCOMPARE(strong.augmentation.brightness, 0.4);
    QCOMPARE(strong.augmentation.crop_area_min, 0.6);
    const auto partial = TrainConfig::fromJson({{"augmentation", {{"hue", 0.1}}}}, "t");
    QCOMPARE(partial.augmentation.hue, 0.1);
    QCOMPARE(partial.augmentation.contrast, TrainConfig{}.augmentation.contrast);
    const std::pair<nlohmann::json, const char*> bad[] = {
        {{{"augmentation", {{"brightness", 1.5}}}}, "train.json: augmentation.brightness"},
        {{{"augmentation", {{"crop_area_min", 0.0}}}}, "train.json: augmentation.crop_area_min"},
        {{{"augmentation", {{"crop_area_min", 0.9}, {"crop_area_max", 0.5}}}},
         "train.json: augmentation.crop_area_max"},
        {{{"augmentation", {{"crop_aspect_max", 0.5}}}},
         "train.json: augmentation.crop_aspect_max"},
        {{{"augmentation", {{"hue", "a lot"}}}}, "train.json: augmentation.hue"},
        {{{"augmentation", {{"blur", 0.1}}}}, "train.json: augmentation.blur"},
        {{{"augmentation", 0.2}}, "train.json: augmentation"},
        {{{"loss_weights", {{"language", -1.0}}}}, "train.json: loss_weights.language"},
        {{{"loss_weights", {{"action", "high"}}}}, "train.json: loss_weights.action"}};
    for (const auto& [json, expected] : bad) {
      try {
        TrainConfig::fromJson(json, "train.json");
        QFAIL(("accepted " + json.dump()).c_str());
      } catch (const TrainConfigError& e) {
        QVERIFY2(std::string(e.what()).find(expected) != std::string::npos, e.what());
      }
    }
  }

  void augmentationStrengthReachesTheData() {
    // A run's losses with augmentation off, on at the defaults, and on with a strength that draws
    // the identity (the whole image, colours kept): the last must equal "off" bit for bit, the
    // default must not. Both ways the loader draws the same numbers, so only the images differ.
    auto lossesOf = [](const std::string& name, bool augment,
                       const thinkvla::model::data::AugmentationOptions& options) {
      TrainerOptions o;
      o.config = smallConfig(3);
      o.config.augment = augment;
      o.config.augmentation = options;
      o.out_dir = tempDir(name);
      Trainer trainer(freshTiny(), stores(), o);
      if (trainer.run() != TrainState::kFinished) return std::vector<LossValues>{};
      return trainer.lossHistory();
    };
    thinkvla::model::data::AugmentationOptions identity;
    identity.crop_area_min = identity.crop_area_max = 1.0;
    identity.crop_aspect_min = identity.crop_aspect_max = 1.0;  // the test images are square
    identity.brightness = identity.contrast = identity.saturation = identity.hue = 0.0;
    const auto off = lossesOf("aug_off", false, {});
    const auto none = lossesOf("aug_identity", true, identity);
    const auto standard = lossesOf("aug_default", true, {});
    QCOMPARE(static_cast<int>(off.size()), 3);
    QCOMPARE(static_cast<int>(none.size()), 3);
    QCOMPARE(static_cast<int>(standard.size()), 3);
    bool same_as_off = true;
    bool default_differs = false;
    for (std::size_t i = 0; i < off.size(); ++i) {
      same_as_off = same_as_off && sameBits(off[i].total, none[i].total) &&
                    sameBits(off[i].action, none[i].action);
      default_differs = default_differs || !sameBits(off[i].total, standard[i].total);
    }
    QVERIFY(same_as_off);
    QVERIFY(default_differs);
  }

  void tinyRunLowersEveryLoss() {
    const auto out = tempDir("lowers");
    TrainerOptions o;
    o.config = smallConfig(60);
    o.out_dir = out;
    Trainer trainer(freshTiny(), stores(), o);
    QVERIFY(trainer.run() == TrainState::kFinished);
    const auto& h = trainer.lossHistory();
    QCOMPARE(static_cast<int>(h.size()), 60);
    auto mean = [&](double LossValues::*field, int from, int to) {
      double s = 0.0;
      int n = 0;
      for (int i = from; i < to; ++i) {
        const double v = h[static_cast<std::size_t>(i)].*field;
        if (std::isfinite(v)) {
          s += v;
          ++n;
        }
      }
      return n > 0 ? s / n : std::nan("");
    };
    const std::pair<const char*, double LossValues::*> terms[] = {
        {"action", &LossValues::action},       {"alignment", &LossValues::alignment},
        {"distillation", &LossValues::distillation}, {"language", &LossValues::language},
        {"depth_probe", &LossValues::depth_probe}};
    for (const auto& [name, field] : terms) {
      const double first = mean(field, 0, 10), last = mean(field, 50, 60);
      qInfo("%s: %.4f -> %.4f", name, first, last);
      QVERIFY2(std::isfinite(first) && std::isfinite(last), name);
      QVERIFY2(last < first, name);
    }
    // The final checkpoint loads and carries the data's normalisation.
    const auto loaded = loadCheckpoint((out / "checkpoint").string());
    QVERIFY(sameParameters(loaded.net, trainer.checkpoint().net));
    QCOMPARE(stateStep(out / "checkpoint"), std::int64_t{60});
    QVERIFY(fs::exists(out / "metrics.jsonl"));
  }

  void resumeEqualsUninterrupted() {
    auto config = smallConfig(8);
    config.checkpoint_every = 4;
    config.ema_decay = 0.9;
    // Uninterrupted.
    TrainerOptions a;
    a.config = config;
    a.out_dir = tempDir("straight");
    Trainer straight(freshTiny(), stores(), a);
    QVERIFY(straight.run() == TrainState::kFinished);

    // Stopped after the checkpoint at step 4 (cancel from the progress callback), then resumed
    // by a new Trainer (and a new data pipeline) from the directory.
    TrainerOptions b = a;
    b.out_dir = tempDir("resumed");
    Trainer* first_ptr = nullptr;
    b.on_progress = [&](const TrainProgress& p) {
      if (p.step == 4 && first_ptr) first_ptr->cancel();
    };
    std::vector<LossValues> losses;
    {
      Trainer first(freshTiny(), stores(), b);
      first_ptr = &first;
      QVERIFY(first.run() == TrainState::kCancelled);
      losses = first.lossHistory();
    }
    QCOMPARE(stateStep(b.out_dir / "checkpoint"), std::int64_t{4});
    b.on_progress = nullptr;
    b.resume = true;
    // The initial checkpoint is ignored when resuming: pass another seed to prove it.
    Trainer second(initCheckpoint(PolicyConfig::fromPreset("tiny"), 99), stores(), b);
    QCOMPARE(second.firstStep(), std::int64_t{4});
    QVERIFY(second.run() == TrainState::kFinished);
    for (const auto& l : second.lossHistory()) losses.push_back(l);

    QCOMPARE(losses.size(), straight.lossHistory().size());
    for (std::size_t i = 0; i < losses.size(); ++i) {
      const auto& x = losses[i];
      const auto& y = straight.lossHistory()[i];
      const bool same = sameBits(x.total, y.total) && sameBits(x.action, y.action) &&
                        sameBits(x.alignment, y.alignment) &&
                        sameBits(x.distillation, y.distillation) &&
                        sameBits(x.language, y.language) && sameBits(x.depth_probe, y.depth_probe);
      QVERIFY2(same, qPrintable(QString("step %1: %2 vs %3").arg(i).arg(x.total, 0, 'g', 17).arg(
                         y.total, 0, 'g', 17)));
    }
    QVERIFY(sameParameters(second.checkpoint().net, straight.checkpoint().net));
    QVERIFY(sameParameters(second.emaNet(), straight.emaNet()));

    // Each sitting says where it ran: one line from step 0, one from the resumed step.
    std::ifstream in(b.out_dir / "machines.jsonl");
    std::vector<nlohmann::json> sittings;
    for (std::string line; std::getline(in, line);) sittings.push_back(nlohmann::json::parse(line));
    QCOMPARE(sittings.size(), std::size_t{2});
    QCOMPARE(sittings[0].at("from_step").get<int>(), 0);
    QCOMPARE(sittings[1].at("from_step").get<int>(), 4);
    QCOMPARE(sittings[1].at("world_size").get<int>(), 1);
    QCOMPARE(sittings[1].at("torch_cpu_kernels").get<std::string>(),
             thinkvla::model::computeEnvironment().torch_cpu_kernels);
    QVERIFY(!sittings[1].at("cpu_model").get<std::string>().empty());
  }

  void emaAveragesTheWeights() {
    auto config = smallConfig(1);
    config.ema_decay = 0.75;
    TrainerOptions o;
    o.config = config;
    o.out_dir = tempDir("ema");
    auto initial = freshTiny();
    std::map<std::string, torch::Tensor> before;
    for (const auto& p : initial.net->named_parameters()) before[p.key()] = p.value().clone();
    Trainer trainer(std::move(initial), stores(), o);
    QVERIFY(trainer.run() == TrainState::kFinished);
    auto ema = trainer.emaNet()->named_parameters();
    double worst = 0.0;
    bool moved = false;
    for (const auto& p : trainer.checkpoint().net->named_parameters()) {
      const auto expected = 0.75 * before[p.key()] + 0.25 * p.value();
      worst = std::max(worst, (*ema.find(p.key()) - expected).abs().max().item<double>());
      moved = moved || !torch::equal(before[p.key()], p.value());
    }
    QVERIFY(moved);
    QVERIFY2(worst < 1e-6, std::to_string(worst).c_str());
    // The checkpoint holds the EMA weights (what to deploy); the raw ones are in the trainer state.
    const auto loaded = loadCheckpoint((o.out_dir / "checkpoint").string());
    QVERIFY(sameParameters(loaded.net, trainer.emaNet()));
    QVERIFY(!sameParameters(loaded.net, trainer.checkpoint().net));
  }

  void cancelFromAnotherThreadKeepsTheLastCheckpoint() {
    auto config = smallConfig(200);
    config.checkpoint_every = 3;
    TrainerOptions o;
    o.config = config;
    o.out_dir = tempDir("cancel");
    Trainer trainer(freshTiny(), stores(), o);
    std::atomic<bool> done{false};
    TrainState result = TrainState::kIdle;
    std::thread runner([&] {
      result = trainer.run();
      done = true;
    });
    while (trainer.progress().step < 5 && !done) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    trainer.cancel();
    runner.join();
    QVERIFY(result == TrainState::kCancelled);
    QVERIFY(trainer.progress().state == TrainState::kCancelled);
    const auto stopped = trainer.step();
    QVERIFY(stopped >= 5 && stopped < 200);
    // Nothing was written at cancel: the checkpoint is the last periodic one, complete.
    const auto expected = (stopped / 3) * 3;
    QCOMPARE(stateStep(o.out_dir / "checkpoint"), expected);
    QCOMPARE(trainer.progress().last_checkpoint_step, expected);
    const auto loaded = loadCheckpoint((o.out_dir / "checkpoint").string());
    QVERIFY(loaded.net);
    for (const auto& entry : fs::directory_iterator(o.out_dir)) {
      const auto name = entry.path().filename().string();
      QVERIFY2(name == "checkpoint" || name == "train_config.json" || name == "metrics.jsonl" ||
                   name == "machines.jsonl",
               name.c_str());
    }
  }

  void pauseAndResumeFromAnotherThread() {
    auto config = smallConfig(12);
    TrainerOptions o;
    o.config = config;
    o.out_dir = tempDir("pause");
    std::atomic<int> callbacks{0};
    o.on_progress = [&](const TrainProgress&) { ++callbacks; };
    Trainer trainer(freshTiny(), stores(), o);
    std::atomic<bool> done{false};
    std::thread runner([&] {
      trainer.run();
      done = true;
    });
    while (trainer.progress().step < 2) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    trainer.pause();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (trainer.progress().state != TrainState::kPaused &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    QVERIFY(trainer.progress().state == TrainState::kPaused);
    const auto at = trainer.progress().step;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    QCOMPARE(trainer.progress().step, at);
    QVERIFY(!done);
    trainer.resume();
    runner.join();
    QVERIFY(trainer.progress().state == TrainState::kFinished);
    QCOMPARE(trainer.step(), std::int64_t{12});
    const auto p = trainer.progress();
    QVERIFY(p.samples_per_s > 0.0);
    QCOMPARE(p.eta_s, 0.0);
    QVERIFY(std::isfinite(p.losses.total));
    QVERIFY(callbacks >= 12);
  }

  void computedStatisticsTakeTheConfigsCompanding() {
    TrainerOptions o;
    o.config = smallConfig(1);
    o.config.action_mu_law = 16.0;
    o.out_dir = tempDir("mu_law");
    Trainer t(freshTiny(), stores(), o);
    QCOMPARE(t.checkpoint().norm_stats.action_mu_law, 16.0f);
    o.config.action_mu_law = -1.0;
    QVERIFY_THROWS_EXCEPTION(TrainConfigError, o.config.validate());
  }

  void perTaskStatisticsAreComputedAndSaved() {
    TrainerOptions o;
    o.config = smallConfig(2);
    o.config.norm_stats = "data_per_task";
    o.config.action_mu_law = 8.0;
    o.out_dir = tempDir("per_task");
    const auto data = train_test::makeStore(6);  // three instructions, two episodes each
    {
      Trainer t(freshTiny(), {{data, 1.0}}, o);
      const auto& tasks = t.checkpoint().task_norm_stats;
      QCOMPARE(tasks.size(), size_t(3));
      for (const auto& [task, stats] : tasks) {
        // Each is its own task's (not the pooled) and takes the config's companding.
        QCOMPARE(stats.action_mu_law, 8.0f);
        QVERIFY2(stats.proprio_q99 != t.checkpoint().norm_stats.proprio_q99, task.c_str());
      }
      t.run();
    }
    const Checkpoint saved = loadCheckpoint((o.out_dir / "checkpoint").string());
    QCOMPARE(saved.task_norm_stats.size(), size_t(3));
    const auto& first = *saved.task_norm_stats.begin();
    QCOMPARE(&saved.normStatsFor(first.first), &saved.task_norm_stats.at(first.first));
    // A run with pooled statistics from the data forgets the checkpoint's per-task ones; a run
    // that keeps the checkpoint's statistics keeps them.
    o.config.norm_stats = "data";
    o.out_dir = tempDir("per_task_pooled");
    QVERIFY(Trainer(saved, {{data, 1.0}}, o).checkpoint().task_norm_stats.empty());
    o.config.norm_stats = "checkpoint";
    o.out_dir = tempDir("per_task_kept");
    QCOMPARE(Trainer(saved, {{data, 1.0}}, o).checkpoint().task_norm_stats.size(), size_t(3));
    o.config.norm_stats = "per_suite";
    QVERIFY_THROWS_EXCEPTION(TrainConfigError, o.config.validate());
  }

  void fineTunesFromAnExistingCheckpoint() {
    // Train a little, then fine-tune the result on new episodes with its normalisation kept.
    TrainerOptions o;
    o.config = smallConfig(20);
    o.out_dir = tempDir("base");
    {
      Trainer base(freshTiny(), stores(), o);
      base.run();
    }
    auto start = loadCheckpoint((o.out_dir / "checkpoint").string());
    auto start_copy = loadCheckpoint((o.out_dir / "checkpoint").string());
    TrainerOptions f;
    f.config = smallConfig(3);
    f.config.norm_stats = "checkpoint";
    f.config.lr = 1e-4;
    f.out_dir = tempDir("finetune");
    // New episodes of the same tasks (the studio records a few more demonstrations).
    std::vector<data::WeightedStore> fresh = {{train_test::makeStore(2, 12), 1.0}};
    Trainer tune(std::move(start), fresh, f);
    QVERIFY(sameParameters(tune.checkpoint().net, start_copy.net));
    QCOMPARE(tune.checkpoint().norm_stats.action_q01, start_copy.norm_stats.action_q01);
    QVERIFY(tune.run() == TrainState::kFinished);
    QVERIFY(!sameParameters(tune.checkpoint().net, start_copy.net));
    // A fresh network on the same data starts with a higher action loss than the trained one.
    TrainerOptions g = f;
    g.out_dir = tempDir("scratch");
    auto scratch_start = freshTiny();
    scratch_start.norm_stats = start_copy.norm_stats;  // the same targets
    Trainer scratch(std::move(scratch_start), fresh, g);
    scratch.run();
    auto meanAction = [](const std::vector<LossValues>& h) {
      double s = 0.0;
      int n = 0;
      for (const auto& l : h) {
        if (std::isfinite(l.action)) {
          s += l.action;
          ++n;
        }
      }
      return s / std::max(n, 1);
    };
    qInfo("action L1 over 3 steps: fine-tuned %.4f, from scratch %.4f", meanAction(tune.lossHistory()),
          meanAction(scratch.lossHistory()));
    QVERIFY(meanAction(tune.lossHistory()) < meanAction(scratch.lossHistory()));
  }

  void adapterOnlyDistillationLeavesTheBackbone() {
    // Distillation alone: with distill_adapter_only only the Reasoning Adapter learns from it;
    // without, the distillation gradient also reaches the backbone through the anchor state.
    auto changed = [&](bool adapter_only, const std::string& name) {
      TrainerOptions o;
      o.config = smallConfig(3);
      o.config.qa_ratio = 0.0;
      o.config.weight_decay = 0.0;  // decoupled decay would move every matrix
      o.config.loss.action = 0.0;
      o.config.loss.alignment = 0.0;
      o.config.loss.language = 0.0;
      o.config.loss.depth_probe = 0.0;
      o.config.loss.distillation = 1.0;
      o.config.distill_adapter_only = adapter_only;
      o.out_dir = tempDir(name);
      const auto before = freshTiny();
      Trainer trainer(freshTiny(), stores(), o);
      if (trainer.run() != TrainState::kFinished) return std::set<std::string>{"<unfinished>"};
      std::set<std::string> tops;
      auto after = trainer.checkpoint().net->named_parameters();
      for (const auto& p : before.net->named_parameters()) {
        if (!torch::equal(p.value(), *after.find(p.key()))) {
          tops.insert(p.key().substr(0, p.key().find('.')));
        }
      }
      return tops;
    };
    const auto adapter_only = changed(true, "distill_adapter");
    QCOMPARE(adapter_only, std::set<std::string>{"reasoning_adapter"});
    const auto through = changed(false, "distill_through");
    QVERIFY(through.count("reasoning_adapter") == 1);
    QVERIFY(through.count("blocks") == 1);
    QVERIFY(through.count("token_embed") == 1);  // the student's anchor embedding
    // The option round-trips through train config JSON.
    TrainConfig c;
    c.distill_adapter_only = true;
    QVERIFY(TrainConfig::fromJson(c.toJson(), "t").distill_adapter_only);
    QVERIFY_THROWS_EXCEPTION(TrainConfigError,
                             TrainConfig::fromJson({{"distill_adapter_only", "yes"}}, "t"));
  }

  void skipIdleStepsIsAConfigField() {
    TrainConfig c;
    QVERIFY(!c.skip_idle_steps);  // off unless asked: old configs train as they did
    QVERIFY(!TrainConfig::fromJson(nlohmann::json::object(), "t").skip_idle_steps);
    c.skip_idle_steps = true;
    QCOMPARE(c.toJson()["skip_idle_steps"].get<bool>(), true);
    QVERIFY(TrainConfig::fromJson(c.toJson(), "t").skip_idle_steps);
    try {
      TrainConfig::fromJson({{"skip_idle_steps", 1.5}}, "run.json");
      QFAIL("accepted a number for a flag");
    } catch (const TrainConfigError& e) {
      QVERIFY2(std::string(e.what()).find("skip_idle_steps") != std::string::npos, e.what());
    }
    // A run with it trains (the test episodes' fingers move every step: nothing is skipped,
    // the loader's own test covers the skipping).
    TrainerOptions o;
    o.config = smallConfig(2);
    o.config.skip_idle_steps = true;
    o.out_dir = tempDir("skip_idle");
    Trainer t(freshTiny(), stores(), o);
    QVERIFY(t.run() == TrainState::kFinished);
    std::ifstream saved(o.out_dir / "train_config.json");
    QVERIFY(TrainConfig::fromJson(nlohmann::json::parse(saved), "saved").skip_idle_steps);
  }

  void badInputsAreNamed() {
    TrainerOptions o;
    o.config = smallConfig(2);
    o.out_dir = tempDir("bad");
    o.config.teacher = "stored";  // the test episodes hold no stored features
    try {
      Trainer t(freshTiny(), stores(), o);
      QFAIL("accepted a teacher without features");
    } catch (const TrainError& e) {
      QVERIFY2(std::string(e.what()).find("stored teacher features") != std::string::npos, e.what());
    }
    o.config.teacher = "point-map";
    try {
      Trainer t(exportCheckpoint(freshTiny()), stores(), o);
      QFAIL("accepted a deployed model");
    } catch (const TrainError& e) {
      QVERIFY2(std::string(e.what()).find("deployment") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(TrainError, Trainer(freshTiny(), {}, o));
  }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
