// The loss terms on inputs with known answers, the weighting and ablation switches of
// combineLosses, the QA teacher-forcing mask, and action/proprio normalization.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include "model/checkpoint.h"
#include "model/losses.h"
#include "model/task_vocabulary.h"

using namespace thinkvla::model;

class TestLosses : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void actionL1() {
    auto pred = torch::zeros({1, 2, 3});
    auto target = torch::tensor({{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}});
    QCOMPARE(actionL1Loss(pred, target).item<float>(), 3.5f);
    // Only the first step is valid: mean of 1, 2, 3.
    QCOMPARE(actionL1Loss(pred, target, torch::tensor({{1.f, 0.f}})).item<float>(), 2.0f);
    QVERIFY_EXCEPTION_THROWN(actionL1Loss(pred, torch::zeros({1, 3, 3})), c10::Error);
  }

  void alignmentIsOneMinusMeanCosine() {
    auto a = torch::randn({2, 2, 5, 7});
    QVERIFY(std::abs(alignmentLoss(a, a * 3.0).item<float>()) < 1e-5);
    QVERIFY(std::abs(alignmentLoss(a, -a).item<float>() - 2.0f) < 1e-5);
    auto x = torch::zeros({1, 1, 2, 2});
    x[0][0][0][0] = 1;
    x[0][0][1][0] = 1;
    auto y = torch::zeros({1, 1, 2, 2});
    y[0][0][0][0] = 1;  // patch 0: cosine 1
    y[0][0][1][1] = 1;  // patch 1: cosine 0
    QVERIFY(std::abs(alignmentLoss(x, y).item<float>() - 0.5f) < 1e-6);
    // The teacher side never gets gradient.
    auto student = torch::randn({1, 1, 3, 4}, torch::requires_grad());
    auto teacher = torch::randn({1, 1, 3, 4}, torch::requires_grad());
    alignmentLoss(student, teacher).backward();
    QVERIFY(student.grad().defined() && !teacher.grad().defined());
  }

  void distillationIsMseToADetachedTarget() {
    auto r = torch::ones({2, 4}).requires_grad_(true);
    auto t = torch::full({2, 4}, 3.0f).requires_grad_(true);
    auto loss = distillationLoss(r, t);
    QCOMPARE(loss.item<float>(), 4.0f);
    loss.backward();
    QVERIFY(r.grad().defined() && !t.grad().defined());
  }

  void languageLossCountsOnlyTargets() {
    // Vocabulary 3, uniform logits: cross entropy log(3) wherever counted.
    auto logits = torch::zeros({1, 4, 3});
    auto ids = torch::tensor({{0L, 1L, 2L, 1L}});
    auto mask = torch::tensor({{0L, 1L, 1L, 0L}});
    QVERIFY(std::abs(languageModelLoss(logits, ids, mask).item<float>() - std::log(3.0f)) < 1e-6);
    // A confident right prediction at the only target position gives ~0.
    logits[0][1][2] = 50.0f;
    auto one = torch::tensor({{0L, 1L, 0L, 0L}});
    QVERIFY(languageModelLoss(logits, ids, one).item<float>() < 1e-6);
  }

  void qaSequenceMarksAnchorAndAnswer() {
    const auto tok = SentencePieceTokenizer::train(defaultTokenizerCorpus(), {});
    const auto q = tok.encode("where is the mug?");
    const auto a = tok.encode("the mug is at x 0.10 m");
    const auto s = makeQaSequence(tok, "where is the mug?", "the mug is at x 0.10 m");
    QCOMPARE(s.ids.size(), q.size() + 1 + a.size() + 1);
    QCOMPARE(s.ids[q.size()], static_cast<int64_t>(tok.anchorId()));
    QCOMPARE(s.ids.back(), static_cast<int64_t>(tok.eosId()));
    // Targets: the last question token (predicts <anchor>), the anchor and every answer token.
    for (size_t i = 0; i < s.ids.size(); ++i) {
      const bool expected = i + 1 >= q.size() && i + 1 < s.ids.size();
      QCOMPARE(static_cast<bool>(s.target[i]), expected);
    }
  }

  void depthProbeIgnoresMissingDepth() {
    auto depth = torch::full({1, 1, 4, 4}, 2.0f);
    depth.index_put_({0, 0, torch::indexing::Slice(0, 2), torch::indexing::Slice(0, 2)}, 0.0f);
    depth[0][0][2][2] = 0.0f;  // one hole inside cell (1, 1): the mean of the rest stays 2
    auto pred = torch::full({1, 1, 2, 2}, 1.0f);
    pred[0][0][0][0] = 100.0f;  // the cell without any depth does not count
    QVERIFY(std::abs(depthProbeLoss(pred, depth).item<float>() - 1.0f) < 1e-5);
  }

  void combineFollowsWeightsAndSwitches() {
    auto c = PolicyConfig::fromPreset("tiny");
    c.vocab_size = 100;
    LossTerms t;
    t.action = torch::tensor(1.0f);
    t.alignment = torch::tensor(1.0f);
    t.distillation = torch::tensor(1.0f);
    t.language = torch::tensor(1.0f);
    t.depth_probe = torch::tensor(1.0f);
    const double all = c.loss.action + c.loss.alignment + c.loss.distillation + c.loss.language +
                       c.loss.depth_probe;
    QVERIFY(std::abs(combineLosses(t, c).item<double>() - all) < 1e-6);
    c.cotraining = CoTraining::kNone;
    c.use_geometry_adapter = false;
    QVERIFY(std::abs(combineLosses(t, c).item<double>() -
                     (all - c.loss.language - c.loss.alignment)) < 1e-6);
    c.use_reasoning_adapter = false;
    QVERIFY(std::abs(combineLosses(t, c).item<double>() -
                     (c.loss.action + c.loss.depth_probe)) < 1e-6);
  }

  void normStatsMapQuantilesToUnitRange() {
    NormStats s = NormStats::identity(2, 1);
    s.action_q01 = {0.0f, -2.0f};
    s.action_q99 = {1.0f, 2.0f};
    s.proprio_q01 = {10.0f};
    s.proprio_q99 = {20.0f};
    auto a = torch::tensor({{0.25f, 1.0f}});
    auto n = s.normalizeActions(a);
    QVERIFY(torch::allclose(n, torch::tensor({{-0.5f, 0.5f}})));
    QVERIFY(torch::allclose(s.unnormalizeActions(n), a));
    QVERIFY(torch::allclose(s.normalizeProprio(torch::tensor({{15.0f}})), torch::zeros({1, 1})));
    const auto back = NormStats::fromJson(s.toJson(), "norm_stats.json");
    QCOMPARE(back.action_q99, s.action_q99);
    QCOMPARE(back.proprio_q01, s.proprio_q01);
  }
};

QTEST_GUILESS_MAIN(TestLosses)
#include "test_losses.moc"
