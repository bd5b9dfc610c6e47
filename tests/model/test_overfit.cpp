// A tiny policy overfits a fixed small batch with every co-training loss on: action L1 falls by at
// least 90%, the alignment and distillation losses fall, and in 3D-VLM mode the model emits
// <anchor> first and then the answer it was trained on.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include "model/checkpoint.h"
#include "model/data/episode_store.h"
#include "model/losses.h"
#include "model/policy.h"
#include "model/task_vocabulary.h"
#include "model/teacher_3d.h"

using namespace thinkvla::model;

class TestOverfit : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { torch::set_num_threads(1); }

  void tinyModelOverfitsAFixedBatch() {
    auto ckpt = initCheckpoint(PolicyConfig::fromPreset("tiny"), 1);
    auto& net = ckpt.net;
    const auto& c = ckpt.config;
    const auto& tok = ckpt.tokenizer;
    const int64_t b = 4;
    torch::manual_seed(2);

    // The VLA batch: images at the model's size, proprio, two instructions, fixed action targets.
    const std::vector<std::string> instructions = {
        "pick up the black bowl next to the ramekin and place it on the plate",
        "put the bowl on the stove"};
    PolicyInputs in;
    in.images = torch::randint(0, 256, {b, c.num_views, c.image_size, c.image_size, 3}, torch::kUInt8);
    in.proprio = torch::rand({b, c.proprio_dim}) * 2 - 1;  // robot units = normalized (identity stats)
    std::vector<std::vector<int64_t>> text, teacher_text;
    for (int64_t i = 0; i < b; ++i) {
      const auto& s = instructions[static_cast<size_t>(i % 2)];
      text.push_back(tok.encode(s));
      teacher_text.push_back(tok.encode(s + " " + reasoningPrompt()));
    }
    in.text_ids = padTokenBatch(text, c.pad_token_id);
    PolicyInputs teacher_in{torch::Tensor(), in.proprio, padTokenBatch(teacher_text, c.pad_token_id), {}};
    QVERIFY(teacher_in.text_ids.size(1) <= c.max_text_tokens);
    auto target = torch::rand({b, c.chunk_size, c.action_dim}) * 2 - 1;
    // The gripper command is binary, as the loader makes it (and as the Policy returns it).
    QCOMPARE(c.action_dim, data::kActionDim);
    target.select(2, data::kGripperDim).sign_();

    // Depth: a tilted plane per sample, and the frozen point-map teacher's features (fixed).
    TeacherInput ti;
    auto ramp = torch::linspace(0.6, 1.4, c.image_size).view({1, 1, 1, c.image_size});
    ti.depth_m = (torch::rand({b, c.num_views, 1, 1}) + ramp).expand(
                     {b, c.num_views, c.image_size, c.image_size}).contiguous();
    ti.intrinsics = torch::tensor({{30.f, 0.f, 16.f}, {0.f, 30.f, 16.f}, {0.f, 0.f, 1.f}})
                        .expand({b, c.num_views, 3, 3});
    PointMapTeacher point_map;
    const auto teacher_feats = point_map.features(ti, c.patchGrid());

    // The QA batch (3D-VLM co-training): question -> <anchor> answer </s>, on the first two images.
    const std::vector<std::pair<std::string, std::string>> qa = {
        {"how far is the bowl from the plate?", "the distance is 0.20 meters"},
        {"where is the mug?", "the mug is at x 0.10 y 0.30 z 0.05 m"}};
    std::vector<std::vector<int64_t>> qa_ids;
    std::vector<std::vector<int64_t>> qa_mask;
    for (const auto& [q, a] : qa) {
      auto s = makeQaSequence(tok, q, a);
      qa_ids.push_back(s.ids);
      qa_mask.emplace_back(s.target.begin(), s.target.end());
    }
    PolicyInputs qa_in{in.images.narrow(0, 0, 2), in.proprio.narrow(0, 0, 2),
                       padTokenBatch(qa_ids, c.pad_token_id), {}};
    const auto qa_target = padTokenBatch(qa_mask, 0);
    QVERIFY(qa_in.text_ids.size(1) <= c.max_text_tokens);

    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(2e-3));
    net->train();
    auto step = [&] {
      auto out = net->forward(in);
      LossTerms terms;
      terms.action = actionL1Loss(out.actions, target);
      terms.alignment = alignmentLoss(net->alignFeatures(out.geometry_latent), teacher_feats);
      terms.distillation =
          distillationLoss(out.reasoning, net->teacherAnchorState(teacher_in, out.image_tokens));
      terms.depth_probe = depthProbeLoss(out.depth, ti.depth_m);
      terms.language = languageModelLoss(net->textLogits(qa_in), qa_in.text_ids, qa_target);
      opt.zero_grad();
      combineLosses(terms, c).backward();
      opt.step();
      return std::vector<double>{terms.action.item<double>(), terms.alignment.item<double>(),
                                 terms.distillation.item<double>(), terms.language.item<double>(),
                                 terms.depth_probe.item<double>()};
    };
    const auto first = step();
    std::vector<double> last(5, 0.0);
    const int steps = 400;
    const int tail = 10;
    for (int i = 1; i < steps; ++i) {
      const auto l = step();
      if (i >= steps - tail) {
        for (size_t k = 0; k < l.size(); ++k) last[k] += l[k] / tail;
      }
    }
    qInfo("action %.4f -> %.4f, alignment %.4f -> %.4f, distillation %.4f -> %.4f, "
          "language %.4f -> %.4f, depth probe %.4f -> %.4f",
          first[0], last[0], first[1], last[1], first[2], last[2], first[3], last[3], first[4],
          last[4]);
    QVERIFY2(last[0] <= 0.1 * first[0], "action L1 did not fall by 90%");
    QVERIFY2(last[1] < 0.5 * first[1], "alignment loss did not fall");
    QVERIFY2(last[2] < 0.5 * first[2], "distillation loss did not fall");
    QVERIFY2(last[3] < 0.1 * first[3], "language loss did not fall");
    QVERIFY2(last[4] < first[4], "depth probe loss did not fall");

    // 3D-VLM mode: <anchor> first, then the trained answer.
    net->eval();
    for (size_t i = 0; i < qa.size(); ++i) {
      const auto prompt = tok.encode(qa[i].first);
      const auto ids = net->generate(qa_in.images.narrow(0, static_cast<int64_t>(i), 1),
                                     qa_in.proprio.narrow(0, static_cast<int64_t>(i), 1), prompt, 24);
      QVERIFY(!ids.empty());
      QCOMPARE(ids.front(), static_cast<int64_t>(tok.anchorId()));
      QCOMPARE(tok.decode({ids.begin() + 1, ids.end()}), qa[i].second);
    }

    // The same through the Policy API, from camera images and robot-unit proprio.
    Policy policy(ckpt);
    auto observationOf = [&](int64_t i) {
      Observation o;
      for (int v = 0; v < c.num_views; ++v) {
        auto img = in.images[i][v].contiguous();
        o.views.push_back(cv::Mat(c.image_size, c.image_size, CV_8UC3, img.data_ptr()).clone());
      }
      auto p = in.proprio[i].contiguous();
      o.proprio.assign(p.data_ptr<float>(), p.data_ptr<float>() + c.proprio_dim);
      return o;
    };
    const auto answer = policy.answer(observationOf(1), qa[1].first);
    QVERIFY(answer.anchor_first);
    QCOMPARE(answer.text, qa[1].second);
    const auto step0 = policy.step(observationOf(0), instructions[0]);
    double err = 0;
    for (int k = 0; k < c.chunk_size; ++k) {
      for (int d = 0; d < c.action_dim; ++d) err += std::abs(step0.actions[k][d] - target[0][k][d].item<float>());
    }
    err /= c.chunk_size * c.action_dim;
    QVERIFY2(err < 0.1, std::to_string(err).c_str());
  }
};

QTEST_GUILESS_MAIN(TestOverfit)
#include "test_overfit.moc"
