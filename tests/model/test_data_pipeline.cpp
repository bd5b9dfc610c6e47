// The training data pipeline (model/data): normalisation and norm_stats.json, action chunks padded
// at episode ends, determinism for a seed, mixing ratios, augmentation, QA batches, errors.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "model/data/action_chunk.h"
#include "model/data/action_normalization.h"
#include "model/data/data_loader.h"
#include "model/gripper_progress.h"
#include "model/losses.h"
#include "model/task_vocabulary.h"
#include "model/torch_runtime.h"

using namespace thinkvla::model;
using namespace thinkvla::model::data;

namespace {

constexpr int kStoredSize = 24;

cv::Mat frame(int store, int episode, int step, int camera) {
  cv::Mat m(kStoredSize, kStoredSize, CV_8UC3);
  std::mt19937 rng(static_cast<unsigned>(((store * 100 + episode) * 1000 + step) * 4 + camera));
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < m.cols; ++c) {
      m.at<cv::Vec3b>(r, c) = cv::Vec3b(static_cast<uchar>((r * 9 + step) & 0xFF),
                                        static_cast<uchar>((c * 9 + camera * 80) & 0xFF),
                                        static_cast<uchar>(rng() & 0xFF));
    }
  }
  return m;
}

// Episodes with lengths `lengths`; action d of step t is a known function, gripper alternates.
std::shared_ptr<InMemoryEpisodeStore> makeStore(int id, const std::vector<int>& lengths, bool qa,
                                                bool depth = false) {
  auto store = std::make_shared<InMemoryEpisodeStore>("store" + std::to_string(id), 2);
  for (std::size_t e = 0; e < lengths.size(); ++e) {
    EpisodeRecord r;
    r.name = "demo_" + std::to_string(e);
    r.num_steps = lengths[e];
    r.instruction = id == 0 ? "put the bowl on the plate" : "pick up the red mug";
    r.has_depth = depth;
    std::vector<InMemoryEpisodeStore::Step> steps;
    for (int t = 0; t < lengths[e]; ++t) {
      for (int d = 0; d < kActionDim; ++d) {
        r.actions.push_back(
            d == kGripperDim
                ? ((t / 3) % 2 ? 1.0f : -1.0f)
                : 0.01f * static_cast<float>((t * 7 + d * 3 + static_cast<int>(e)) % 19) - 0.09f);
      }
      for (int d = 0; d < kProprioDim; ++d) r.proprio.push_back(0.1f * d + 0.001f * t);
      InMemoryEpisodeStore::Step s;
      s.rgb = {frame(id, static_cast<int>(e), t, 0), frame(id, static_cast<int>(e), t, 1)};
      if (depth)
        s.depth_m = {cv::Mat(kStoredSize, kStoredSize, CV_32FC1, cv::Scalar(0.5f + t)),
                     cv::Mat(kStoredSize, kStoredSize, CV_32FC1, cv::Scalar(0.7f))};
      steps.push_back(std::move(s));
    }
    if (qa) {
      r.qa_pairs = {{"distance", "how far is the bowl from the plate?", "0.23 m"},
                    {"location", "where is the bowl?", "x 0.10 m y 0.05 m z 0.02 m"}};
    }
    store->addEpisode(std::move(r), std::move(steps));
  }
  return store;
}

const SentencePieceTokenizer& tokenizer() {
  static const SentencePieceTokenizer tok =
      SentencePieceTokenizer::train(defaultTokenizerCorpus(), {});
  return tok;
}

LoaderOptions smallOptions() {
  LoaderOptions o;
  o.batch_size = 4;
  o.chunk_size = 4;
  o.image_size = 16;
  o.num_workers = 2;
  o.seed = 7;
  return o;
}

bool sameBatch(const TrainingBatch& a, const TrainingBatch& b) {
  auto same = [](const torch::Tensor& x, const torch::Tensor& y) {
    return x.defined() == y.defined() &&
           (!x.defined() || (x.sizes() == y.sizes() && torch::equal(x, y)));
  };
  return a.kind == b.kind && same(a.inputs.images, b.inputs.images) &&
         same(a.inputs.proprio, b.inputs.proprio) && same(a.inputs.text_ids, b.inputs.text_ids) &&
         same(a.actions, b.actions) && same(a.action_valid, b.action_valid) &&
         same(a.teacher_text_ids, b.teacher_text_ids) && same(a.qa_target, b.qa_target);
}

class FailingStore : public InMemoryEpisodeStore {
 public:
  using InMemoryEpisodeStore::InMemoryEpisodeStore;
  StepFrames readStep(std::int64_t, std::int64_t, DepthMode, TeacherFeatureMode) const override {
    throw std::runtime_error("broken.hdf5: data/demo_0/obs/agentview_rgb: cannot read");
  }
};

}  // namespace

class TestDataPipeline : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { configureThreads(1); }

  void normStatsArePercentilesWithBinaryGripper() {
    // Dimension 0 takes the values 0, 1, ..., 100: q01 = 1 and q99 = 99 exactly (numpy's rule).
    InMemoryEpisodeStore store("percentiles", 1);
    EpisodeRecord r;
    r.name = "demo_0";
    r.num_steps = 101;
    std::vector<InMemoryEpisodeStore::Step> steps;
    for (int t = 0; t <= 100; ++t) {
      const float a[kActionDim] = {static_cast<float>(t), -0.5f * t, 0.25f, 0, 0, 0,
                                   t % 2 ? 1.0f : -1.0f};
      r.actions.insert(r.actions.end(), a, a + kActionDim);
      for (int d = 0; d < kProprioDim; ++d) r.proprio.push_back(static_cast<float>(t * (d + 1)));
      steps.push_back({{cv::Mat(2, 2, CV_8UC3, cv::Scalar::all(0))}, {}, {}});
    }
    store.addEpisode(std::move(r), std::move(steps));
    const NormStats s = computeNormStats({&store});
    QCOMPARE(s.action_q01[0], 1.0f);
    QCOMPARE(s.action_q99[0], 99.0f);
    QCOMPARE(s.action_q01[1], -49.5f);
    QCOMPARE(s.action_q99[1], -0.5f);
    QCOMPARE(s.action_q01[kGripperDim], -1.0f);
    QCOMPARE(s.action_q99[kGripperDim], 1.0f);
    QCOMPARE(s.proprio_q99[1], 198.0f);
    // A constant dimension is widened around its value, which then maps to 0.
    QVERIFY(s.action_q99[2] - s.action_q01[2] >= kMinNormRange * 0.999f);
    float raw[kActionDim] = {50.0f, -25.0f, 0.25f, 0, 0, 0, 0.7f};
    float n[kActionDim];
    normalizeAction(s, raw, n);
    QVERIFY(std::abs(n[0] - 0.0f) < 1e-6f);
    QVERIFY(std::abs(n[2]) < 5e-3f);
    QCOMPARE(n[kGripperDim], 1.0f);  // binarised: 0.7 closes
    raw[kGripperDim] = -0.2f;
    raw[0] = 1000.0f;
    normalizeAction(s, raw, n);
    QCOMPARE(n[kGripperDim], -1.0f);
    QCOMPARE(n[0], 1.0f);  // clipped
  }

  void normalizationRoundTrip() {
    auto store = makeStore(0, {30, 17}, false);
    const NormStats s = computeNormStats({store.get()});
    // In range: normalise here, unnormalise with the checkpoint's NormStats (what the policy does).
    std::mt19937 rng(1);
    std::vector<float> raw, normalized;
    for (int i = 0; i < 200; ++i) {
      float a[kActionDim], n[kActionDim];
      for (int d = 0; d < kActionDim; ++d) {
        const float u = static_cast<float>(rng() % 10001) / 10000.0f;
        a[d] = d == kGripperDim ? (i % 2 ? 1.0f : -1.0f)
                                : s.action_q01[d] + u * (s.action_q99[d] - s.action_q01[d]);
      }
      normalizeAction(s, a, n);
      raw.insert(raw.end(), a, a + kActionDim);
      normalized.insert(normalized.end(), n, n + kActionDim);
    }
    const auto raw_t = torch::tensor(raw).reshape({-1, kActionDim});
    const auto norm_t = torch::tensor(normalized).reshape({-1, kActionDim});
    QVERIFY(norm_t.abs().max().item<float>() <= 1.0f);
    // The loader's arithmetic is the checkpoint's.
    QVERIFY((s.normalizeActions(raw_t) - norm_t).abs().max().item<float>() < 1e-6f);
    const auto back = s.unnormalizeActions(norm_t);
    QVERIFY2((back - raw_t).abs().max().item<float>() < 1e-5f, "round trip");
    QVERIFY(torch::equal(back.select(1, kGripperDim), raw_t.select(1, kGripperDim)));
    // Proprio matches NormStats::normalizeProprio too.
    const EpisodeRecord& r = store->episode(0);
    float p[kProprioDim];
    normalizeProprio(s, r.proprio.data(), p);
    const auto expected = s.normalizeProprio(
        torch::tensor(std::vector<float>(r.proprio.begin(), r.proprio.begin() + kProprioDim)));
    QVERIFY((expected - torch::tensor(std::vector<float>(p, p + kProprioDim)))
                .abs()
                .max()
                .item<float>() < 1e-6f);
  }

  void muLawCompandingRefinesSmallMotions() {
    auto store = makeStore(0, {30, 17}, false);
    NormStats s = computeNormStats({store.get()});
    s.action_mu_law = 16.0f;
    // A value 5% of the half range from the centre lands about 4 times further out.
    float a[kActionDim], n[kActionDim];
    for (int d = 0; d < kActionDim; ++d) {
      const float centre = 0.5f * (s.action_q01[d] + s.action_q99[d]);
      a[d] = centre + 0.025f * (s.action_q99[d] - s.action_q01[d]);
    }
    a[kGripperDim] = 1.0f;
    normalizeAction(s, a, n);
    const float expected = std::log1p(16.0f * 0.05f) / std::log1p(16.0f);
    QVERIFY2(std::abs(n[0] - expected) < 1e-5f, std::to_string(n[0]).c_str());
    QVERIFY(n[0] > 3.5f * 0.05f);
    QCOMPARE(n[kGripperDim], 1.0f);  // +-1 map onto themselves: the snapped gripper is unchanged
    // The loader's numbers are the checkpoint's, and the policy's inverse gives the action back.
    const auto a_t = torch::tensor(std::vector<float>(a, a + kActionDim));
    const auto n_t = torch::tensor(std::vector<float>(n, n + kActionDim));
    QVERIFY((s.normalizeActions(a_t) - n_t).abs().max().item<float>() < 1e-6f);
    QVERIFY((s.unnormalizeActions(n_t) - a_t).abs().max().item<float>() < 1e-5f);
    const auto grid = torch::linspace(-1.0, 1.0, 41);
    const auto lo = torch::tensor(s.action_q01), hi = torch::tensor(s.action_q99);
    const auto raw = (grid.unsqueeze(1) + 1.0) * 0.5 * (hi - lo) + lo;
    QVERIFY((s.unnormalizeActions(s.normalizeActions(raw)) - raw).abs().max().item<float>() <
            1e-5f);
    // Saved and read back; a bad value names the field.
    const QString dir =
        qEnvironmentVariable("THINKVLA_TEST_TMP", QDir::tempPath()) + "/data_pipeline";
    QDir().mkpath(dir);
    const std::filesystem::path file = (dir + "/norm_stats_mu.json").toStdString();
    saveNormStats(s, file);
    QCOMPARE(loadNormStats(file).action_mu_law, 16.0f);
    auto bad = s.toJson();
    bad["action"]["mu_law"] = -2.0;
    std::ofstream((dir + "/bad_mu.json").toStdString()) << bad.dump();
    try {
      loadNormStats((dir + "/bad_mu.json").toStdString());
      QFAIL("no error");
    } catch (const DataError& e) {
      QVERIFY2(std::string(e.what()).find("action.mu_law") != std::string::npos, e.what());
    }
    // Without it the file is the linear one, as before.
    QVERIFY(!computeNormStats({store.get()}).toJson()["action"].contains("mu_law"));
  }

  void normStatsJsonRoundTrip() {
    auto store = makeStore(0, {12}, false);
    const NormStats s = computeNormStats({store.get()});
    const QString dir =
        qEnvironmentVariable("THINKVLA_TEST_TMP", QDir::tempPath()) + "/data_pipeline";
    QDir().mkpath(dir);
    const std::filesystem::path file = (dir + "/norm_stats.json").toStdString();
    saveNormStats(s, file);
    const NormStats loaded = loadNormStats(file);
    QVERIFY(loaded.action_q01 == s.action_q01);
    QVERIFY(loaded.action_q99 == s.action_q99);
    QVERIFY(loaded.proprio_q01 == s.proprio_q01);
    QVERIFY(loaded.proprio_q99 == s.proprio_q99);
    // Broken files give an error naming the file.
    auto expectError = [&](const std::string& text, const char* needle) {
      const std::filesystem::path bad = (dir + "/bad_norm_stats.json").toStdString();
      std::ofstream(bad) << text;
      try {
        loadNormStats(bad);
        QFAIL("no error");
      } catch (const DataError& e) {
        const std::string what = e.what();
        QVERIFY2(what.find("bad_norm_stats.json") != std::string::npos, e.what());
        QVERIFY2(what.find(needle) != std::string::npos, e.what());
      }
    };
    expectError("{not json", "not valid JSON");
    expectError(R"({"action": {"q01": [0], "q99": [1]}})", "proprio");
    expectError(R"({"action": {"q01": [0], "q99": [1]}, "proprio": {"q01": [0], "q99": [1]}})",
                "expected 7");
    auto inverted = s.toJson();
    inverted["action"]["q01"][0] = 5.0;
    inverted["action"]["q99"][0] = -5.0;
    expectError(inverted.dump(), "q01 > q99");
    QVERIFY_THROWS_EXCEPTION(DataError, loadNormStats((dir + "/missing.json").toStdString()));
  }

  void chunksArePaddedAtEpisodeEnds() {
    auto store = makeStore(0, {5}, false);
    const EpisodeRecord& r = store->episode(0);
    const NormStats s = computeNormStats({store.get()});
    constexpr int kK = 4;
    float chunk[kK * kActionDim];
    std::uint8_t valid[kK];
    actionChunk(r, 3, kK, s, chunk, valid);
    QCOMPARE(std::vector<int>(valid, valid + kK), (std::vector<int>{1, 1, 0, 0}));
    for (int k = 0; k < 2; ++k) {
      float expected[kActionDim];
      normalizeAction(s, r.actions.data() + (3 + k) * kActionDim, expected);
      for (int d = 0; d < kActionDim; ++d) QCOMPARE(chunk[k * kActionDim + d], expected[d]);
    }
    // Padding: zero motion with the last gripper command held.
    float zero_motion[kActionDim] = {0, 0, 0, 0, 0, 0, r.actions[4 * kActionDim + kGripperDim]};
    float expected_pad[kActionDim];
    normalizeAction(s, zero_motion, expected_pad);
    for (int k = 2; k < kK; ++k) {
      for (int d = 0; d < kActionDim; ++d) QCOMPARE(chunk[k * kActionDim + d], expected_pad[d]);
    }
    actionChunk(r, 4, kK, s, chunk, valid);
    QCOMPARE(std::vector<int>(valid, valid + kK), (std::vector<int>{1, 0, 0, 0}));
    actionChunk(r, 0, kK, s, chunk, valid);
    QCOMPARE(std::vector<int>(valid, valid + kK), (std::vector<int>{1, 1, 1, 1}));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, actionChunk(r, 5, kK, s, chunk, valid));

    // Through the loader: every sample's chunk and mask follow its (episode, step).
    auto opts = smallOptions();
    opts.batch_size = 16;
    DataLoader loader({{store, 1.0}}, s, tokenizer(), opts);
    int padded = 0;
    for (int b = 0; b < 4; ++b) {
      const TrainingBatch batch = loader.next();
      QCOMPARE(batch.actions.sizes(), (torch::IntArrayRef{16, kK, kActionDim}));
      QCOMPARE(batch.action_valid.sizes(), (torch::IntArrayRef{16, kK}));
      for (int i = 0; i < 16; ++i) {
        const auto& ref = batch.samples[static_cast<std::size_t>(i)];
        actionChunk(r, ref.step, kK, s, chunk, valid);
        const auto expected = torch::from_blob(chunk, {kK, kActionDim}, torch::kFloat32);
        QVERIFY(torch::equal(batch.actions[i], expected));
        const int n_valid = static_cast<int>(batch.action_valid[i].sum().item<int64_t>());
        QCOMPARE(n_valid, static_cast<int>(std::min<std::int64_t>(kK, 5 - ref.step)));
        padded += n_valid < kK ? 1 : 0;
      }
    }
    QVERIFY(padded > 0);  // steps near the end were sampled
  }

  void sameSeedSameBatches() {
    auto a = makeStore(0, {9, 6}, true);
    auto b = makeStore(1, {7}, false);
    const NormStats s = computeNormStats({a.get(), b.get()});
    auto opts = smallOptions();
    opts.qa_ratio = 0.3;
    std::vector<TrainingBatch> first, second, sync, other;
    {
      DataLoader l1({{a, 2.0}, {b, 1.0}}, s, tokenizer(), opts);
      DataLoader l2({{a, 2.0}, {b, 1.0}}, s, tokenizer(), opts);
      for (int i = 0; i < 12; ++i) {
        first.push_back(l1.next());
        second.push_back(l2.next());
      }
    }
    auto sync_opts = opts;
    sync_opts.num_workers = 0;
    DataLoader l3({{a, 2.0}, {b, 1.0}}, s, tokenizer(), sync_opts);
    auto other_opts = opts;
    other_opts.seed = 8;
    DataLoader l4({{a, 2.0}, {b, 1.0}}, s, tokenizer(), other_opts);
    int differing = 0;
    for (int i = 0; i < 12; ++i) {
      QCOMPARE(first[i].index, static_cast<std::int64_t>(i));
      QVERIFY2(sameBatch(first[i], second[i]), qPrintable(QString("batch %1").arg(i)));
      QVERIFY2(sameBatch(first[i], l3.next()),
               qPrintable(QString("batch %1 without workers").arg(i)));
      differing += sameBatch(first[i], l4.next()) ? 0 : 1;
    }
    QCOMPARE(differing, 12);
  }

  void samplesUseTheirTasksStatistics() {
    auto a = makeStore(0, {9, 6}, true);   // "put the bowl on the plate"
    auto b = makeStore(1, {7, 8}, false);  // "pick up the red mug"
    const NormStats pooled = computeNormStats({a.get(), b.get()});
    // Per task: each store holds one task, so each task's statistics are its store's.
    const TaskNormStats computed = computeTaskNormStats({a.get(), b.get()});
    QCOMPARE(computed.size(), size_t(2));
    const NormStats only_a = computeNormStats({a.get()});
    const NormStats& task_a = computed.at("put the bowl on the plate");
    QVERIFY(task_a.action_q01 == only_a.action_q01 && task_a.action_q99 == only_a.action_q99);
    QVERIFY(task_a.proprio_q01 == only_a.proprio_q01 && task_a.proprio_q99 == only_a.proprio_q99);
    QVERIFY(computed.at("pick up the red mug").action_q99 ==
            computeNormStats({b.get()}).action_q99);
    InMemoryEpisodeStore empty("empty", 2);
    QVERIFY_THROWS_EXCEPTION(DataError, computeTaskNormStats({&empty}));

    // The bowl task gets statistics of its own, much wider than the pooled ones; the mug task has
    // none and uses the pooled ones.
    NormStats wide = pooled;
    for (int d = 0; d < kActionDim; ++d) {
      if (d == kGripperDim) continue;
      wide.action_q01[d] -= 1.0f;
      wide.action_q99[d] += 3.0f;
    }
    for (int d = 0; d < kProprioDim; ++d) wide.proprio_q99[d] += 2.0f;
    auto opts = smallOptions();
    opts.batch_size = 16;
    opts.augmentation = Augmentation::kOff;
    DataLoader loader({{a, 1.0}, {b, 1.0}}, pooled, tokenizer(), opts,
                      {{"put the bowl on the plate", wide}});
    int from_a = 0, from_b = 0;
    for (int i = 0; i < 4; ++i) {
      const TrainingBatch batch = loader.next();
      for (std::size_t row = 0; row < batch.samples.size(); ++row) {
        const SampleRef& ref = batch.samples[row];
        const EpisodeStore& store = ref.store == 0 ? *a : *b;
        const NormStats& expected = ref.store == 0 ? wide : pooled;
        (ref.store == 0 ? from_a : from_b) += 1;
        const EpisodeRecord& record = store.episode(ref.episode);
        float proprio[kProprioDim];
        normalizeProprio(expected, record.proprio.data() + ref.step * kProprioDim, proprio);
        const auto got_p = batch.inputs.proprio[static_cast<std::int64_t>(row)];
        for (int d = 0; d < kProprioDim; ++d) QCOMPARE(got_p[d].item<float>(), proprio[d]);
        std::vector<float> chunk(static_cast<std::size_t>(opts.chunk_size * kActionDim));
        std::vector<std::uint8_t> valid(static_cast<std::size_t>(opts.chunk_size));
        actionChunk(record, ref.step, opts.chunk_size, expected, chunk.data(), valid.data());
        const auto got_a = batch.actions[static_cast<std::int64_t>(row)].reshape({-1});
        for (std::size_t j = 0; j < chunk.size(); ++j) {
          QCOMPARE(got_a[static_cast<std::int64_t>(j)].item<float>(), chunk[j]);
        }
      }
    }
    QVERIFY(from_a > 0 && from_b > 0);
    NormStats broken = pooled;
    broken.proprio_q99.pop_back();
    try {
      DataLoader bad({{a, 1.0}}, pooled, tokenizer(), opts,
                     {{"put the bowl on the plate", broken}});
      QFAIL("a task's statistics with a missing dimension were accepted");
    } catch (const DataError& e) {
      QVERIFY2(std::string(e.what()).find("task 'put the bowl on the plate'") != std::string::npos,
               e.what());
    }
  }

  void progressIsTheReleasesBeforeTheSampledStep() {
    // The gripper closes for 3 steps and opens for 3 with the fingers apart: a release at steps
    // 6, 12, 18, ...
    auto a = makeStore(0, {20, 9}, true);
    auto opts = smallOptions();
    opts.batch_size = 16;
    opts.qa_ratio = 0.5;
    DataLoader loader({{a, 1.0}}, computeNormStats({a.get()}), tokenizer(), opts);
    int nonzero = 0, qa_batches = 0;
    for (int i = 0; i < 6; ++i) {
      const TrainingBatch batch = loader.next();
      QCOMPARE(batch.inputs.progress.sizes().vec(), std::vector<int64_t>{16});
      QCOMPARE(batch.inputs.progress.scalar_type(), torch::kInt64);
      if (batch.kind == BatchKind::kSpatialQa) {
        ++qa_batches;  // the episode's first step: nothing released yet
        QCOMPARE(batch.inputs.progress.abs().sum().item<int64_t>(), int64_t(0));
        continue;
      }
      for (std::size_t row = 0; row < batch.samples.size(); ++row) {
        const SampleRef& ref = batch.samples[row];
        const EpisodeRecord& record = a->episode(ref.episode);
        GripperReleaseCounter counter;
        for (std::int64_t t = 0; t < ref.step; ++t) {
          const float* p = record.proprio.data() + t * kProprioDim;
          counter.observe(record.actions[static_cast<std::size_t>(t * kActionDim + kGripperDim)],
                          static_cast<double>(p[6]) + p[7]);
        }
        const auto got = batch.inputs.progress[static_cast<std::int64_t>(row)].item<int64_t>();
        QCOMPARE(got, static_cast<int64_t>(counter.releases()));
        QCOMPARE(got, ref.step >= 7 ? (ref.step - 1) / 6 : int64_t(0));
        nonzero += got > 0 ? 1 : 0;
      }
    }
    QVERIFY(nonzero > 0);
    QVERIFY(qa_batches > 0);
  }

  void skippingIdleStepsSamplesAndChunksOnlyKeptSteps() {
    // One episode of 14 steps: the expert waits (no motion, gripper and fingers still) at steps
    // 4 to 8; every other step moves by a dx of its own.
    auto store = std::make_shared<InMemoryEpisodeStore>("waits", 2);
    EpisodeRecord r;
    r.name = "demo_0";
    r.num_steps = 14;
    r.instruction = "put the bowl on the plate";
    std::vector<InMemoryEpisodeStore::Step> steps;
    auto dxOf = [](std::int64_t t) { return t >= 4 && t <= 8 ? 0.0f : 0.05f * (t + 1); };
    for (int t = 0; t < 14; ++t) {
      for (int d = 0; d < kActionDim; ++d)
        r.actions.push_back(d == 0 ? dxOf(t) : d == kGripperDim ? -1.0f : 0.0f);
      for (int d = 0; d < kProprioDim; ++d) r.proprio.push_back(d >= kFingerDim ? 0.04f : 0.2f);
      InMemoryEpisodeStore::Step st;
      st.rgb = {frame(5, 0, t, 0), frame(5, 0, t, 1)};
      steps.push_back(std::move(st));
    }
    store->addEpisode(std::move(r), std::move(steps));
    const std::vector<std::int64_t> kept = {0, 1, 2, 3, 9, 10, 11, 12, 13};
    auto opts = smallOptions();
    opts.batch_size = 8;
    opts.chunk_size = 3;
    opts.skip_idle_steps = true;
    const NormStats identity = NormStats::identity(kActionDim, kProprioDim);
    DataLoader loader({{store, 1.0}}, identity, tokenizer(), opts);
    std::set<std::int64_t> seen;
    for (int i = 0; i < 20; ++i) {
      const TrainingBatch batch = loader.next();
      for (std::size_t row = 0; row < batch.samples.size(); ++row) {
        const std::int64_t step = batch.samples[row].step;
        const auto pos = std::find(kept.begin(), kept.end(), step);
        QVERIFY2(pos != kept.end(), qPrintable(QString("idle step %1 sampled").arg(step)));
        seen.insert(step);
        for (int k = 0; k < opts.chunk_size; ++k) {
          const auto at = pos + k;
          const auto row_i = static_cast<std::int64_t>(row);
          QCOMPARE(batch.action_valid[row_i][k].item<bool>(), at < kept.end());
          const float want = at < kept.end() ? dxOf(*at) : 0.0f;
          QVERIFY(std::abs(batch.actions[row_i][k][0].item<float>() - want) < 1e-6f);
        }
      }
    }
    QCOMPARE(seen.size(), kept.size());  // every kept step is drawn
    // Without the option the waits are sampled like any step.
    opts.skip_idle_steps = false;
    DataLoader all({{store, 1.0}}, identity, tokenizer(), opts);
    bool idle_seen = false;
    for (int i = 0; i < 20 && !idle_seen; ++i) {
      for (const SampleRef& ref : all.next().samples) idle_seen |= ref.step >= 4 && ref.step <= 8;
    }
    QVERIFY(idle_seen);
  }

  void mixingRatiosAndWeights() {
    auto a = makeStore(0, {6, 5}, true);
    auto b = makeStore(1, {8}, false);
    const NormStats s = computeNormStats({a.get(), b.get()});
    auto opts = smallOptions();
    opts.qa_ratio = 0.25;
    opts.batch_size = 8;
    opts.image_size = 8;
    opts.augmentation = Augmentation::kOff;
    DataLoader loader({{a, 3.0}, {b, 1.0}}, s, tokenizer(), opts);
    int qa_batches = 0, from_a = 0, from_a_episode0 = 0, action_samples = 0;
    constexpr int kBatches = 160;
    for (int i = 0; i < kBatches; ++i) {
      const TrainingBatch batch = loader.next();
      if (batch.kind == BatchKind::kSpatialQa) {
        ++qa_batches;
        QVERIFY(!batch.actions.defined());
        for (const auto& ref : batch.samples) QCOMPARE(ref.store, 0);  // only `a` holds QA pairs
      } else {
        for (const auto& ref : batch.samples) {
          from_a += ref.store == 0 ? 1 : 0;
          from_a_episode0 += ref.store == 0 && ref.episode == 0 ? 1 : 0;
          ++action_samples;
        }
      }
    }
    QCOMPARE(qa_batches, kBatches / 4);  // spread evenly, exact over a multiple of 4
    const double share = static_cast<double>(from_a) / action_samples;
    QVERIFY2(std::abs(share - 0.75) < 0.05, qPrintable(QString::number(share)));
    // Steps are uniform within a store: episode 0 of `a` has 6 of its 11 steps.
    const double episode0 = static_cast<double>(from_a_episode0) / from_a;
    QVERIFY2(std::abs(episode0 - 6.0 / 11.0) < 0.06, qPrintable(QString::number(episode0)));
  }

  void qaBatchesCarryQuestionAnchorAnswer() {
    auto a = makeStore(0, {4}, true);
    const NormStats s = computeNormStats({a.get()});
    auto opts = smallOptions();
    opts.qa_ratio = 1.0;
    DataLoader loader({{a, 1.0}}, s, tokenizer(), opts);
    const TrainingBatch batch = loader.next();
    QVERIFY(batch.kind == BatchKind::kSpatialQa);
    QCOMPARE(batch.qa_target.sizes(), batch.inputs.text_ids.sizes());
    for (int i = 0; i < opts.batch_size; ++i) {
      const auto& ref = batch.samples[static_cast<std::size_t>(i)];
      QCOMPARE(ref.step, std::int64_t{0});
      const auto& qa = a->episode(ref.episode).qa_pairs[static_cast<std::size_t>(ref.qa_index)];
      const QaSequence seq = makeQaSequence(tokenizer(), qa.question, qa.answer);
      for (std::size_t t = 0; t < seq.ids.size(); ++t) {
        QCOMPARE(batch.inputs.text_ids[i][static_cast<int64_t>(t)].item<int64_t>(), seq.ids[t]);
        QCOMPARE(batch.qa_target[i][static_cast<int64_t>(t)].item<bool>(), seq.target[t] != 0);
      }
      for (int64_t t = static_cast<int64_t>(seq.ids.size()); t < batch.inputs.text_ids.size(1);
           ++t) {
        QCOMPARE(batch.inputs.text_ids[i][t].item<int64_t>(),
                 static_cast<int64_t>(tokenizer().padId()));
        QVERIFY(!batch.qa_target[i][t].item<bool>());
      }
    }
  }

  void qaBatchesReadOnlyTheKindsAsked() {
    auto a = makeStore(0, {4}, true);  // "distance" and "location" pairs
    const NormStats s = computeNormStats({a.get()});
    auto opts = smallOptions();
    opts.qa_ratio = 1.0;
    opts.qa_kinds = {"location"};
    DataLoader loader({{a, 1.0}}, s, tokenizer(), opts);
    for (int b = 0; b < 3; ++b) {
      const TrainingBatch batch = loader.next();
      for (const auto& ref : batch.samples) {
        QCOMPARE(QString::fromStdString(
                     a->episode(ref.episode).qa_pairs[static_cast<std::size_t>(ref.qa_index)].kind),
                 QString("location"));
      }
    }
    // The 2D co-training row on files that carry only 3D questions is an error, not 3D QA.
    opts.qa_kinds = {"colour", "left_right", "count"};
    try {
      DataLoader wrong({{a, 1.0}}, s, tokenizer(), opts);
      QFAIL("a loader without QA pairs of the kinds asked was built");
    } catch (const DataError& e) {
      QVERIFY2(std::string(e.what()).find("colour, left_right, count") != std::string::npos, e.what());
    }
  }

  void augmentationChangesImagesNotActions() {
    auto a = makeStore(0, {10, 8}, false, /*depth=*/true);
    const NormStats s = computeNormStats({a.get()});
    auto opts = smallOptions();
    opts.image_size = 0;  // as stored, so the unaugmented images can be compared with the store's
    opts.depth = DepthMode::kRead;
    opts.augmentation = Augmentation::kOff;
    auto on_opts = opts;
    on_opts.augmentation = Augmentation::kOn;
    DataLoader off(std::vector<WeightedStore>{{a, 1.0}}, s, tokenizer(), opts);
    DataLoader on(std::vector<WeightedStore>{{a, 1.0}}, s, tokenizer(), on_opts);
    int changed = 0, images = 0;
    for (int b = 0; b < 5; ++b) {
      const TrainingBatch x = off.next();
      const TrainingBatch y = on.next();
      QCOMPARE(x.inputs.images.sizes(), (torch::IntArrayRef{4, 2, kStoredSize, kStoredSize, 3}));
      QCOMPARE(y.inputs.images.sizes(), x.inputs.images.sizes());
      QVERIFY(torch::equal(x.actions, y.actions));
      QVERIFY(torch::equal(x.action_valid, y.action_valid));
      QVERIFY(torch::equal(x.inputs.proprio, y.inputs.proprio));
      QVERIFY(torch::equal(x.inputs.text_ids, y.inputs.text_ids));
      for (int i = 0; i < 4; ++i) {
        const auto& ref = x.samples[static_cast<std::size_t>(i)];
        QCOMPARE(ref.step, y.samples[static_cast<std::size_t>(i)].step);
        for (int v = 0; v < 2; ++v) {
          const cv::Mat stored =
              frame(0, static_cast<int>(ref.episode), static_cast<int>(ref.step), v);
          const auto expected =
              torch::from_blob(stored.data, {kStoredSize, kStoredSize, 3}, torch::kUInt8);
          QVERIFY(torch::equal(x.inputs.images[i][v], expected));  // off: the stored pixels
          QVERIFY(!torch::equal(y.inputs.images[i][v], expected));
          ++images;
          changed += (y.inputs.images[i][v].to(torch::kFloat32) - expected.to(torch::kFloat32))
                         .abs()
                         .mean()
                         .item<float>() > 2.0f;
        }
        // Depth follows the images' crop: unaugmented it is the stored map.
        QCOMPARE(x.depth_m[i][0][0][0].item<float>(), 0.5f + static_cast<float>(ref.step));
        QCOMPARE(y.depth_m[i][1].min().item<float>(), 0.7f);
      }
    }
    QVERIFY(changed > images / 2);
  }

  void augmentationStaysInRange() {
    cv::Mat grey(32, 32, CV_8UC3, cv::Scalar(120, 120, 120));
    std::mt19937_64 rng(3);
    for (int i = 0; i < 50; ++i) {
      const AugmentationParams p = drawAugmentation({}, grey.size(), rng);
      QVERIFY(p.crop.width * p.crop.height >= 0.9 * 32 * 32 * 0.9);  // area fraction, rounding
      QVERIFY(p.crop.x >= 0 && p.crop.x + p.crop.width <= 32);
      QVERIFY(p.crop.y >= 0 && p.crop.y + p.crop.height <= 32);
      QVERIFY(p.brightness >= 0.8 && p.brightness <= 1.2);
      QVERIFY(std::abs(p.hue_turns) <= 0.05);
      const cv::Mat out = augmentImage(grey, p, 16);
      QCOMPARE(out.size(), cv::Size(16, 16));
      // A grey image stays grey (saturation and hue act on colour only); brightness scales it.
      const cv::Vec3b px = out.at<cv::Vec3b>(5, 5);
      QVERIFY(std::abs(px[0] - px[1]) <= 1 && std::abs(px[1] - px[2]) <= 1);
      QVERIFY(std::abs(px[0] - 120.0 * p.brightness) <= 2.0);
    }
  }

  void storeErrorsReachTheConsumer() {
    auto good = makeStore(0, {4}, false);
    auto failing = std::make_shared<FailingStore>("broken", 2);
    EpisodeRecord r = good->episode(0);
    std::vector<InMemoryEpisodeStore::Step> steps(4);
    for (auto& st : steps) st.rgb = {frame(0, 0, 0, 0), frame(0, 0, 0, 1)};
    failing->addEpisode(r, steps);
    const NormStats s = computeNormStats({good.get()});
    auto opts = smallOptions();
    DataLoader loader({{failing, 1.0}}, s, tokenizer(), opts);
    try {
      loader.next();
      QFAIL("no error");
    } catch (const std::runtime_error& e) {
      QVERIFY2(std::string(e.what()).find("data/demo_0/obs/agentview_rgb") != std::string::npos,
               e.what());
    }
    // Bad configurations are refused up front.
    opts.qa_ratio = 0.5;
    QVERIFY_THROWS_EXCEPTION(DataError, DataLoader({{good, 1.0}}, s, tokenizer(), opts));
    opts.qa_ratio = 0.0;
    QVERIFY_THROWS_EXCEPTION(DataError, DataLoader({{good, 0.0}}, s, tokenizer(), opts));
    opts.teacher_features = TeacherFeatureMode::kRead;
    QVERIFY_THROWS_EXCEPTION(DataError, DataLoader({{good, 1.0}}, s, tokenizer(), opts));
  }

  void batchesFitThePolicy() {
    auto a = makeStore(0, {6}, false);
    const NormStats s = computeNormStats({a.get()});
    PolicyConfig config = PolicyConfig::fromPreset("tiny");
    Checkpoint ck = initCheckpoint(config, 0);
    auto opts = smallOptions();
    opts.chunk_size = ck.config.chunk_size;
    opts.image_size = ck.config.image_size;
    opts.max_text_tokens = ck.config.max_text_tokens;
    DataLoader loader({{a, 1.0}}, s, ck.tokenizer, opts);
    const TrainingBatch batch = loader.next();
    QCOMPARE(batch.inputs.images.size(1), static_cast<int64_t>(ck.config.num_views));
    auto out = ck.net->forward(batch.inputs);
    QCOMPARE(out.actions.sizes(), batch.actions.sizes());
    const auto loss = actionL1Loss(out.actions, batch.actions, batch.action_valid);
    QVERIFY(std::isfinite(loss.item<float>()));
  }
};

QTEST_GUILESS_MAIN(TestDataPipeline)
#include "test_data_pipeline.moc"
