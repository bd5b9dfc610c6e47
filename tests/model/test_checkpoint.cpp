// Checkpoints: save/load round trip bit for bit, atomic replacement, export (identical actions,
// smaller file, no teacher-only tensors), and a clear error for every kind of bad input.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "model/checkpoint.h"
#include "model/data/episode_store.h"
#include "model/policy.h"
#include "model/safetensors.h"

using namespace thinkvla::model;
namespace fs = std::filesystem;

namespace {
std::string tmpDir(const std::string& name) {
  const fs::path root = std::string(qgetenv("THINKVLA_TEST_TMP").constData()) + "/checkpoint";
  fs::create_directories(root);
  const auto p = root / name;
  fs::remove_all(p);
  return p.string();
}
std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}
PolicyInputs inputs(const PolicyConfig& c) {
  torch::manual_seed(11);
  PolicyInputs in;
  in.images = torch::randint(0, 256, {2, c.num_views, 128, 128, 3}, torch::kUInt8);
  in.proprio = torch::randn({2, c.proprio_dim});
  in.text_ids = torch::randint(5, c.vocab_size, {2, 7}, torch::kInt64);
  return in;
}
torch::Tensor actions(Checkpoint c, const PolicyInputs& in) {  // holders share the module
  torch::NoGradGuard ng;
  c.net->eval();
  return c.net->forward(in).actions;
}
void expectLoadError(const std::string& dir, const std::vector<std::string>& needles) {
  try {
    loadCheckpoint(dir);
    QFAIL("loaded a bad checkpoint");
  } catch (const CheckpointError& e) {
    const std::string what = e.what();
    for (const auto& n : needles) QVERIFY2(what.find(n) != std::string::npos, e.what());
  }
}
}  // namespace

class TestCheckpoint : public QObject {
  Q_OBJECT
 private:
  Checkpoint trained_;
  std::string saved_;

 private Q_SLOTS:
  void initTestCase() {
    torch::set_num_threads(1);
    trained_ = initCheckpoint(PolicyConfig::fromPreset("tiny"), 5);
    // Non-trivial weights and stats, so a round trip has something to lose.
    torch::NoGradGuard ng;
    for (auto& p : trained_.net->parameters()) p.add_(torch::randn_like(p) * 0.01);
    trained_.norm_stats.action_q01 = {-0.1f, -0.2f, -0.3f, -0.4f, -0.5f, -0.6f, -1.0f};
    trained_.norm_stats.action_q99 = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 1.0f};
    saved_ = tmpDir("saved");
    saveCheckpoint(trained_, saved_);
  }

  void writesTheFourFiles() {
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "norm_stats.json"}) {
      QVERIFY2(fs::is_regular_file(fs::path(saved_) / f), f);
    }
    // No temporary directories are left beside it.
    int siblings = 0;
    for (const auto& e : fs::directory_iterator(fs::path(saved_).parent_path())) {
      siblings += e.path().filename().string().rfind("saved", 0) == 0 ? 1 : 0;
    }
    QCOMPARE(siblings, 1);
  }

  void roundTripsBitForBit() {
    const auto loaded = loadCheckpoint(saved_);
    QCOMPARE(loaded.config.toJson(), trained_.config.toJson());
    QVERIFY(loaded.tokenizer == trained_.tokenizer);
    QCOMPARE(loaded.norm_stats.action_q99, trained_.norm_stats.action_q99);
    auto a = trained_.net->named_parameters();
    auto b = loaded.net->named_parameters();
    QCOMPARE(a.size(), b.size());
    for (const auto& p : a) QVERIFY2(torch::equal(p.value(), b[p.key()]), p.key().c_str());
    const auto in = inputs(trained_.config);
    QVERIFY(torch::equal(actions(trained_, in), actions(loaded, in)));
    // Saving the loaded checkpoint again over the old one gives the same bytes.
    saveCheckpoint(loaded, saved_);
    const auto again = tmpDir("again");
    saveCheckpoint(loaded, again);
    QCOMPARE(readFile(again + "/model.safetensors"), readFile(saved_ + "/model.safetensors"));
  }

  void progressInputIsAddedToACheckpointWithoutChangingIt() {
    const Checkpoint with = withProgressLevels(trained_, 3);
    QCOMPARE(with.config.progress_levels, 3);
    QCOMPARE(trained_.config.progress_levels, 0);
    auto in = inputs(trained_.config);
    in.progress = torch::tensor(std::vector<int64_t>{0, 1}, torch::kInt64);
    // Every old weight copied, the new embedding at zero: the same actions at any level.
    QVERIFY(torch::equal(actions(with, in), actions(trained_, in)));
    {
      torch::NoGradGuard ng;
      with.net->named_parameters()["progress_embed.weight"].normal_(0.0, 0.3);
    }
    // It is saved, loaded and exported with the network; config.json names it.
    const auto dir = tmpDir("progress");
    saveCheckpoint(with, dir);
    const auto loaded = loadCheckpoint(dir);
    QCOMPARE(loaded.config.progress_levels, 3);
    QVERIFY(torch::equal(loaded.net->named_parameters()["progress_embed.weight"],
                         with.net->named_parameters()["progress_embed.weight"]));
    QVERIFY(torch::equal(actions(loaded, in), actions(with, in)));
    QVERIFY(!torch::equal(actions(loaded, in), actions(trained_, in)));
    QVERIFY(exportCheckpoint(loaded).net->named_parameters().contains("progress_embed.weight"));
    // A Policy reads the count from the observation.
    {
      Observation obs;
      for (int v = 0; v < loaded.config.num_views; ++v) {
        obs.views.push_back(cv::Mat(64, 64, CV_8UC3, cv::Scalar(40 * v, 90, 200)));
      }
      obs.proprio.assign(loaded.config.proprio_dim, 0.1f);
      Policy policy(loadCheckpoint(dir));
      const auto first = policy.step(obs, "put both cubes in the basket").actions;
      obs.gripper_releases = 1;
      const auto second = policy.step(obs, "put both cubes in the basket").actions;
      QVERIFY(first != second);
      obs.gripper_releases = -1;
      QVERIFY_EXCEPTION_THROWN(policy.step(obs, "put both cubes in the basket"),
                               std::invalid_argument);
    }
    // More levels keep the trained rows; the new row starts at zero.
    const Checkpoint more = withProgressLevels(loaded, 4);
    const auto w = more.net->named_parameters()["progress_embed.weight"];
    QVERIFY(torch::equal(w.narrow(0, 0, 3), loaded.net->named_parameters()["progress_embed.weight"]));
    QCOMPARE(w[3].abs().sum().item<double>(), 0.0);
    QVERIFY_EXCEPTION_THROWN(withProgressLevels(trained_, 17), ConfigError);
    QVERIFY_EXCEPTION_THROWN(withProgressLevels(trained_, -1), ConfigError);
    // A config.json written before the field existed reads as "no progress input".
    auto json = trained_.config.toJson();
    json.erase("progress_levels");
    QCOMPARE(PolicyConfig::fromJson(json, "old config.json").progress_levels, 0);
    json["progress_levels"] = "three";
    try {
      PolicyConfig::fromJson(json, "bad config.json");
      QFAIL("read a non-integer progress_levels");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("progress_levels") != std::string::npos, e.what());
    }
  }

  void exportStripsTrainingOnlyParts() {
    const auto deployed = exportCheckpoint(trained_);
    QVERIFY(deployed.config.deployed);
    const auto dir = tmpDir("deployed");
    saveCheckpoint(deployed, dir);
    const auto loaded = loadCheckpoint(dir);
    const auto in = inputs(trained_.config);
    QVERIFY(torch::equal(actions(trained_, in), actions(loaded, in)));
    QVERIFY(fs::file_size(dir + "/model.safetensors") < fs::file_size(saved_ + "/model.safetensors"));
    for (const auto& [name, t] : readSafetensors(dir + "/model.safetensors").tensors) {
      QVERIFY2(!isTrainingOnlyParameter(name), name.c_str());
    }
    bool had_projector = false;
    for (const auto& [name, t] : readSafetensors(saved_ + "/model.safetensors").tensors) {
      had_projector = had_projector || name.rfind("alignment_projector.", 0) == 0;
    }
    QVERIFY(had_projector);
    const auto counts = countParameters(loaded.net);
    QCOMPARE(counts.total, countParameters(trained_.net).deployed);
    // A Policy gives the same unnormalized actions from both.
    Observation obs;
    for (int v = 0; v < trained_.config.num_views; ++v) {
      obs.views.push_back(cv::Mat(96, 96, CV_8UC3, cv::Scalar(30 * v, 90, 200)));
    }
    obs.proprio.assign(trained_.config.proprio_dim, 0.2f);
    Policy full(loadCheckpoint(saved_));
    Policy slim(loadCheckpoint(dir));
    QCOMPARE(full.step(obs, "put the bowl on the plate").actions,
             slim.step(obs, "put the bowl on the plate").actions);
  }

  void policyIntrospectionHasTheDocumentedShapes() {
    Policy policy(loadCheckpoint(saved_));
    const auto& c = policy.config();
    Observation obs;
    obs.views = {cv::Mat(128, 128, CV_8UC3, cv::Scalar(10, 20, 30)),
                 cv::Mat(64, 80, CV_8UC3, cv::Scalar(200, 20, 30))};  // sizes may differ
    obs.proprio.assign(c.proprio_dim, 0.0f);
    const auto off = policy.step(obs, "open the top drawer");
    QVERIFY(!off.anchor_attention.defined() && !off.geometry_latent.defined());
    const auto on = policy.step(obs, "open the top drawer", IntrospectionMode::kOn);
    QCOMPARE(on.actions, off.actions);
    QCOMPARE(on.actions.size(), size_t(c.chunk_size));
    QCOMPARE(on.actions[0].size(), size_t(c.action_dim));
    QCOMPARE(on.anchor_attention.sizes().vec(),
             (std::vector<int64_t>{c.layers, c.heads, c.num_views, c.tokenGrid(), c.tokenGrid()}));
    QCOMPARE(on.geometry_latent.sizes().vec(),
             (std::vector<int64_t>{c.num_views, c.patchGrid(), c.patchGrid(), c.geometry_dim}));
    QCOMPARE(on.depth_m.sizes().vec(), (std::vector<int64_t>{c.num_views, c.patchGrid(), c.patchGrid()}));
    obs.views.pop_back();
    QVERIFY_EXCEPTION_THROWN(policy.step(obs, "x"), std::invalid_argument);
  }

  void gripperCommandsAreSnappedUnlessContinuous() {
    Policy policy(loadCheckpoint(saved_));
    QCOMPARE(policy.gripperOutput(), GripperOutput::kBinary);
    Observation obs;
    for (int v = 0; v < policy.config().num_views; ++v) {
      obs.views.push_back(cv::Mat(96, 96, CV_8UC3, cv::Scalar(120, 40 * v, 60)));
    }
    obs.proprio.assign(policy.config().proprio_dim, -0.1f);
    const auto binary = policy.step(obs, "put the bowl on the plate").actions;
    policy.setGripperOutput(GripperOutput::kContinuous);
    const auto continuous = policy.step(obs, "put the bowl on the plate").actions;
    QCOMPARE(binary.size(), continuous.size());
    const int g = data::kGripperDim;
    int in_between = 0;
    for (size_t k = 0; k < binary.size(); ++k) {
      // Only the gripper differs; it is the sign of the regression, as the loader binarised it.
      for (int d = 0; d < g; ++d) QCOMPARE(binary[k][d], continuous[k][d]);
      QCOMPARE(binary[k][g], continuous[k][g] > 0.0f ? 1.0f : -1.0f);
      if (std::abs(continuous[k][g]) < 1.0f) ++in_between;
    }
    QVERIFY(in_between > 0);  // the comparison above saw commands that needed snapping
    QCOMPARE(parseGripperOutput("continuous"), std::optional(GripperOutput::kContinuous));
    QCOMPARE(parseGripperOutput(gripperOutputName(GripperOutput::kBinary)),
             std::optional(GripperOutput::kBinary));
    QVERIFY(!parseGripperOutput("half"));
  }

  void perTaskStatisticsRoundTripAndUnnormaliseTheirTask() {
    // The same network with per-task statistics for one instruction: that task's actions come out
    // in its own units, every other instruction in the pooled ones.
    const std::string task = "put the bowl on the plate";
    Checkpoint c = loadCheckpoint(saved_);
    NormStats own = c.norm_stats;
    for (size_t d = 0; d + 1 < own.action_q01.size(); ++d) {
      own.action_q01[d] = -0.05f * static_cast<float>(d + 1);
      own.action_q99[d] = 0.02f * static_cast<float>(d + 1);
    }
    own.proprio_q01.assign(own.proprio_q01.size(), -3.0f);
    own.proprio_q99.assign(own.proprio_q99.size(), 5.0f);
    c.task_norm_stats.emplace(task, own);
    const auto dir = tmpDir("per_task");
    saveCheckpoint(c, dir);
    const auto json = nlohmann::json::parse(readFile(dir + "/norm_stats.json"));
    QVERIFY(json.contains("action") && json.contains("proprio"));  // pooled, as Python reads it
    QCOMPARE(json["tasks"][task]["action"]["q99"].get<std::vector<float>>(), own.action_q99);
    const auto loaded = loadCheckpoint(dir);
    QCOMPARE(loaded.task_norm_stats.size(), size_t(1));
    QCOMPARE(loaded.task_norm_stats.at(task).proprio_q01, own.proprio_q01);
    QCOMPARE(&loaded.normStatsFor("open the drawer"), &loaded.norm_stats);
    QCOMPARE(&loaded.normStatsFor(task), &loaded.task_norm_stats.at(task));
    // A checkpoint without per-task statistics writes no "tasks" field.
    QVERIFY(!nlohmann::json::parse(readFile(saved_ + "/norm_stats.json")).contains("tasks"));

    Observation obs;
    for (int v = 0; v < c.config.num_views; ++v) {
      obs.views.push_back(cv::Mat(96, 96, CV_8UC3, cv::Scalar(70, 30 * v, 160)));
    }
    obs.proprio.assign(c.config.proprio_dim, 3.0f);
    Policy policy(loadCheckpoint(dir));
    policy.setGripperOutput(GripperOutput::kContinuous);
    // What the network regresses for the task, fed and unnormalised by hand with its statistics.
    const auto ids = policy.checkpoint().tokenizer.encode(task);
    torch::Tensor expected;
    {
      torch::NoGradGuard ng;
      auto in = policy.toInputs(obs, ids, &own);
      QVERIFY(in.proprio.allclose(torch::full_like(in.proprio, 0.5f)));  // (3 + 3) / 8 * 2 - 1
      ThinkVlaNet net = policy.checkpoint().net;  // shares the policy's module (in eval mode)
      expected = own.unnormalizeActions(net->forward(in).actions[0]);
    }
    const auto got = policy.step(obs, task).actions;
    for (size_t k = 0; k < got.size(); ++k) {
      for (size_t d = 0; d < got[k].size(); ++d) {
        QCOMPARE(got[k][d],
                 expected[static_cast<int64_t>(k)][static_cast<int64_t>(d)].item<float>());
      }
    }
    // A paraphrase falls back to the pooled statistics, unless the task is named.
    const std::string paraphrase = "place the bowl onto the plate";
    const auto pooled = policy.step(obs, paraphrase).actions;
    QVERIFY(pooled != got);
    policy.setNormStatsTask(task);
    QCOMPARE(&policy.normStatsFor(paraphrase), &policy.checkpoint().task_norm_stats.at(task));
    const auto named = policy.step(obs, paraphrase).actions;
    Policy plain(loadCheckpoint(saved_));  // same weights, pooled statistics only
    plain.setGripperOutput(GripperOutput::kContinuous);
    QCOMPARE(plain.step(obs, paraphrase).actions, pooled);
    QVERIFY(named != pooled);
    for (size_t d = 0; d + 1 < named[0].size(); ++d) {
      QVERIFY(named[0][d] >= own.action_q01[d] - 1e-6f && named[0][d] <= own.action_q99[d] + 1e-6f);
    }

    // Bad per-task entries are named with their task.
    auto bad = json;
    bad["tasks"][task]["proprio"]["q01"] = {0.0};
    writeFile(dir + "/norm_stats.json", bad.dump());
    expectLoadError(dir, {"norm_stats.json", "task 'put the bowl on the plate'", "proprio"});
    bad = json;
    bad["tasks"] = 3;
    writeFile(dir + "/norm_stats.json", bad.dump());
    expectLoadError(dir, {"norm_stats.json", "field 'tasks'"});
  }

  void badInputsGiveClearErrors() {
    auto copy = [&](const std::string& name) {
      const auto dir = tmpDir(name);
      fs::copy(saved_, dir, fs::copy_options::recursive);
      return dir;
    };
    const std::string weights = readFile(saved_ + "/model.safetensors");

    auto d = copy("truncated");
    writeFile(d + "/model.safetensors", weights.substr(0, weights.size() - 100));
    expectLoadError(d, {"model.safetensors", "data_offsets", "truncated"});

    d = copy("corrupt_header");
    std::string corrupt = weights;
    corrupt[8] = '#';  // the header's opening brace
    writeFile(d + "/model.safetensors", corrupt);
    expectLoadError(d, {"model.safetensors", "JSON"});

    d = copy("lying_header");
    std::string lying = weights;  // the first tensor claims more elements than its bytes hold
    const auto pos = lying.find("\"shape\":[");
    QVERIFY(pos != std::string::npos);
    const auto digit = lying.find_first_of("123456789", pos + 9);
    lying[digit] = lying[digit] == '9' ? '8' : static_cast<char>(lying[digit] + 1);
    writeFile(d + "/model.safetensors", lying);
    expectLoadError(d, {"model.safetensors", "data_offsets span", "need"});

    d = copy("short_length");
    writeFile(d + "/model.safetensors", weights.substr(0, 6));
    expectLoadError(d, {"model.safetensors", "8-byte header length"});

    d = copy("config_mismatch");
    auto config = nlohmann::json::parse(readFile(saved_ + "/config.json"));
    config["width"] = config["width"].get<int>() * 2;
    writeFile(d + "/config.json", config.dump());
    expectLoadError(d, {"model.safetensors", "tensor '", "shape", "config.json"});

    d = copy("deployed_flag");
    config = nlohmann::json::parse(readFile(saved_ + "/config.json"));
    config["deployed"] = true;
    writeFile(d + "/config.json", config.dump());
    expectLoadError(d, {"model.safetensors", "alignment_projector", "not part of the network"});

    d = copy("bad_field");
    config = nlohmann::json::parse(readFile(saved_ + "/config.json"));
    config["heads"] = "four";
    writeFile(d + "/config.json", config.dump());
    expectLoadError(d, {"config.json", "field 'heads'"});

    d = copy("missing_field");
    config.erase("layers");
    config["heads"] = 4;
    writeFile(d + "/config.json", config.dump());
    expectLoadError(d, {"config.json", "field 'layers'", "missing"});

    d = copy("bad_loss_weight");
    config = nlohmann::json::parse(readFile(saved_ + "/config.json"));
    config["loss_weights"]["alignment"] = -0.5;
    writeFile(d + "/config.json", config.dump());
    expectLoadError(d, {"config.json", "loss_weights.alignment", "weight >= 0"});
    config["loss_weights"].erase("alignment");
    config["loss_weights"]["geometry"] = 1.0;
    writeFile(d + "/config.json", config.dump());
    expectLoadError(d, {"config.json", "loss_weights.geometry", "not a loss term"});

    d = copy("bad_json");
    writeFile(d + "/config.json", "{ not json");
    expectLoadError(d, {"config.json", "not valid JSON"});

    d = copy("no_tokenizer");
    fs::remove(d + "/tokenizer.model");
    expectLoadError(d, {"tokenizer.model", "missing tokenizer"});

    d = copy("bad_tokenizer");
    const std::string tok = readFile(saved_ + "/tokenizer.model");
    writeFile(d + "/tokenizer.model", tok.substr(0, tok.size() / 3));
    expectLoadError(d, {"tokenizer.model"});

    d = copy("vocab_mismatch");
    config = nlohmann::json::parse(readFile(saved_ + "/config.json"));
    config["vocab_size"] = config["vocab_size"].get<int>() - 1;
    writeFile(d + "/config.json", config.dump());
    expectLoadError(d, {"config.json", "field 'vocab_size'", "tokenizer.model"});

    d = copy("norm_dims");
    auto norm = nlohmann::json::parse(readFile(saved_ + "/norm_stats.json"));
    norm["action"]["q01"] = {0.0, 1.0};
    writeFile(d + "/norm_stats.json", norm.dump());
    expectLoadError(d, {"norm_stats.json", "action"});

    d = copy("no_weights");
    fs::remove(d + "/model.safetensors");
    expectLoadError(d, {"model.safetensors", "missing"});

    expectLoadError(tmpDir("does_not_exist"), {"does_not_exist", "not a checkpoint directory"});
  }
};

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
