// The HDF5 episode files as the training pipeline's EpisodeStore: a file written with the core API
// reads back through the store (records, per-step images, depth, teacher features), errors name the
// file, and the data loader's batches carry the file's pixels and actions.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "core/episodes/episode_file.h"
#include "core/episodes/hdf5_episode_store.h"
#include "episode_test_data.h"
#include "model/data/action_chunk.h"
#include "model/data/action_normalization.h"
#include "model/data/data_loader.h"
#include "model/task_vocabulary.h"

using namespace thinkvla;
namespace fs = std::filesystem;
namespace md = thinkvla::model::data;

namespace {

constexpr int kSize = 32;

fs::path tmpDir() {
  const fs::path dir =
      fs::path(qEnvironmentVariable("THINKVLA_TEST_TMP", QDir::tempPath()).toStdString()) /
      "hdf5_episode_store";
  fs::create_directories(dir);
  return dir;
}

core::DatasetInfo info(core::ImageConvention convention) {
  core::DatasetInfo i;
  i.env_name = "thinkvla_tabletop";
  i.problem_info_json =
      R"({"problem_name": "p", "domain_name": "d", "language_instruction": "open the drawer"})";
  i.image_convention = convention;
  return i;
}

// demo_0: 7 steps with depth, QA pairs, teacher prompts and features; demo_1: 5 steps, no depth,
// no annotated instruction (the file's language_instruction applies).
std::vector<core::Episode> writeFile(const fs::path& file, core::ImageConvention convention) {
  std::vector<core::Episode> episodes{testdata::makeEpisode(0, 7, kSize, true),
                                      testdata::makeEpisode(1, 5, kSize, false)};
  auto& a = episodes[0].annotations;
  a.qa_pairs = {{"distance", "how far is the bowl from the plate?", "0.23 m"}};
  a.teacher_prompts = {"think about where the bowl is in 3d"};
  auto& tf = episodes[0].teacher_features;
  tf.shape = {7, 2, 3};
  for (int i = 0; i < 7 * 6; ++i) tf.values.push_back(0.5f * static_cast<float>(i));
  episodes[1].annotations.instruction.clear();
  core::createEpisodeFile(file, info(convention), core::CreateMode::kReplace);
  for (const auto& e : episodes) core::appendEpisode(file, e);
  return episodes;
}

}  // namespace

class TestHdf5EpisodeStore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void readsWhatTheCoreWrote_data() {
    QTest::addColumn<int>("convention");
    QTest::newRow("opengl") << static_cast<int>(core::ImageConvention::kOpenGL);
    QTest::newRow("opencv") << static_cast<int>(core::ImageConvention::kOpenCV);
  }
  void readsWhatTheCoreWrote() {
    QFETCH(int, convention);
    const fs::path file = tmpDir() / ("store_" + std::to_string(convention) + ".hdf5");
    const auto episodes = writeFile(file, static_cast<core::ImageConvention>(convention));
    const core::Hdf5EpisodeStore store(file);
    QCOMPARE(store.numCameras(), 2);
    QCOMPARE(store.numEpisodes(), std::int64_t{2});
    for (int e = 0; e < 2; ++e) {
      const md::EpisodeRecord& r = store.episode(e);
      const core::Episode& src = episodes[static_cast<std::size_t>(e)];
      QCOMPARE(r.name, "demo_" + std::to_string(e));
      QCOMPARE(r.num_steps, src.numSamples());
      for (int t = 0; t < r.num_steps; ++t) {
        for (int d = 0; d < 7; ++d)
          QCOMPARE(r.actions[t * 7 + d], static_cast<float>(src.actions(t, d)));
        for (int d = 0; d < 6; ++d)
          QCOMPARE(r.proprio[t * 8 + d], static_cast<float>(src.ee_states(t, d)));
        for (int d = 0; d < 2; ++d)
          QCOMPARE(r.proprio[t * 8 + 6 + d], static_cast<float>(src.gripper_states(t, d)));
      }
      // Every step's pixels, upright, bit for bit.
      for (int t = 0; t < r.num_steps; ++t) {
        const md::StepFrames f =
            store.readStep(e, t, md::DepthMode::kRead, md::TeacherFeatureMode::kRead);
        QCOMPARE(f.rgb.size(), std::size_t{2});
        QVERIFY(testdata::sameImage(f.rgb[0], src.agentview_rgb[static_cast<std::size_t>(t)]));
        QVERIFY(testdata::sameImage(f.rgb[1], src.eye_in_hand_rgb[static_cast<std::size_t>(t)]));
        if (e == 0) {
          QCOMPARE(f.depth_m.size(), std::size_t{2});
          QVERIFY(
              testdata::sameImage(f.depth_m[0], src.agentview_depth[static_cast<std::size_t>(t)]));
          QVERIFY(testdata::sameImage(f.depth_m[1],
                                      src.eye_in_hand_depth[static_cast<std::size_t>(t)]));
          const std::vector<float> row(src.teacher_features.values.begin() + t * 6,
                                       src.teacher_features.values.begin() + (t + 1) * 6);
          QVERIFY(f.teacher_features == row);
        } else {
          QVERIFY(f.depth_m.empty());
          QVERIFY(f.teacher_features.empty());
        }
      }
    }
    const md::EpisodeRecord& r0 = store.episode(0);
    QCOMPARE(r0.instruction, episodes[0].annotations.instruction);
    QCOMPARE(store.episode(1).instruction, std::string("open the drawer"));
    QVERIFY(r0.has_depth);
    QVERIFY(!store.episode(1).has_depth);
    QCOMPARE(r0.qa_pairs.size(), std::size_t{1});
    QCOMPARE(r0.qa_pairs[0].question, std::string("how far is the bowl from the plate?"));
    QCOMPARE(r0.qa_pairs[0].answer, std::string("0.23 m"));
    QVERIFY(r0.teacher_prompts == episodes[0].annotations.teacher_prompts);
    QVERIFY(r0.teacher_feature_shape == (std::vector<std::int64_t>{2, 3}));
    QVERIFY(store.episode(1).teacher_feature_shape.empty());
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, store.readStep(0, 7, md::DepthMode::kSkip,
                                                               md::TeacherFeatureMode::kSkip));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, store.episode(2));
  }

  void badFilesGiveErrorsNamingTheFile() {
    const fs::path missing = tmpDir() / "missing.hdf5";
    try {
      core::Hdf5EpisodeStore store(missing);
      QFAIL("no error");
    } catch (const core::EpisodeError& e) {
      QVERIFY2(std::string(e.what()).find("missing.hdf5") != std::string::npos, e.what());
    }
    const fs::path good = tmpDir() / "to_truncate.hdf5";
    writeFile(good, core::ImageConvention::kOpenGL);
    const fs::path truncated = tmpDir() / "truncated.hdf5";
    fs::copy_file(good, truncated, fs::copy_options::overwrite_existing);
    fs::resize_file(truncated, fs::file_size(good) / 2);
    try {
      core::Hdf5EpisodeStore store(truncated);
      QFAIL("no error");
    } catch (const core::EpisodeError& e) {
      QVERIFY2(std::string(e.what()).find("truncated.hdf5") != std::string::npos, e.what());
    }
    const fs::path empty = tmpDir() / "empty.hdf5";
    core::createEpisodeFile(empty, info(core::ImageConvention::kOpenGL),
                            core::CreateMode::kReplace);
    QVERIFY_THROWS_EXCEPTION(core::EpisodeError, core::Hdf5EpisodeStore{empty});
  }

  void loaderBatchesCarryTheFilesData() {
    const fs::path file = tmpDir() / "loader.hdf5";
    const auto episodes = writeFile(file, core::ImageConvention::kOpenGL);
    auto store = std::make_shared<core::Hdf5EpisodeStore>(file);
    const model::NormStats stats = md::computeNormStats({store.get()});
    md::LoaderOptions o;
    o.batch_size = 6;
    o.chunk_size = 4;
    o.image_size = 0;  // as stored
    o.augmentation = md::Augmentation::kOff;
    o.depth = md::DepthMode::kRead;
    o.num_workers = 2;
    o.qa_ratio = 0.5;
    md::DataLoader loader({{store, 1.0}}, stats,
                          model::SentencePieceTokenizer::train(model::defaultTokenizerCorpus(), {}),
                          o);
    bool saw_action = false, saw_qa = false;
    for (int b = 0; b < 4; ++b) {
      const md::TrainingBatch batch = loader.next();
      QCOMPARE(batch.inputs.images.sizes(), (torch::IntArrayRef{6, 2, kSize, kSize, 3}));
      for (int i = 0; i < 6; ++i) {
        const md::SampleRef& ref = batch.samples[static_cast<std::size_t>(i)];
        const core::Episode& src = episodes[static_cast<std::size_t>(ref.episode)];
        const cv::Mat& wrist = src.eye_in_hand_rgb[static_cast<std::size_t>(ref.step)];
        QVERIFY(torch::equal(batch.inputs.images[i][1],
                             torch::from_blob(wrist.data, {kSize, kSize, 3}, torch::kUInt8)));
        if (batch.kind == md::BatchKind::kAction) {
          float chunk[4 * 7];
          std::uint8_t valid[4];
          md::actionChunk(store->episode(ref.episode), ref.step, 4, stats, chunk, valid);
          QVERIFY(torch::equal(batch.actions[i], torch::from_blob(chunk, {4, 7}, torch::kFloat32)));
          // Depth: the stored map for demo_0, unknown (0) for demo_1 which has none.
          const float expected_depth =
              ref.episode == 0
                  ? src.agentview_depth[static_cast<std::size_t>(ref.step)].at<float>(3, 4)
                  : 0.0f;
          QCOMPARE(batch.depth_m[i][0][3][4].item<float>(), expected_depth);
        } else {
          QCOMPARE(ref.episode, std::int64_t{0});  // only demo_0 has QA pairs
        }
      }
      saw_action |= batch.kind == md::BatchKind::kAction;
      saw_qa |= batch.kind == md::BatchKind::kSpatialQa;
    }
    QVERIFY(saw_action && saw_qa);
  }
};

QTEST_GUILESS_MAIN(TestHdf5EpisodeStore)
#include "test_hdf5_episode_store.moc"
