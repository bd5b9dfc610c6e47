// The network: shapes, the attention masks (causal text, bidirectional action queries), where
// gradients flow (teacher branch and 3D teacher: none; adapters and projectors: yes), the
// ablation switches and the presets' sizes.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include "model/checkpoint.h"
#include "model/losses.h"
#include "model/teacher_3d.h"
#include "model/think_vla.h"

using namespace thinkvla::model;

namespace {
PolicyConfig tinyConfig() {
  auto c = PolicyConfig::fromPreset("tiny");
  c.vocab_size = 64;
  return c;
}
PolicyInputs randomInputs(const PolicyConfig& c, int64_t b, int64_t t, uint64_t seed) {
  torch::manual_seed(seed);
  PolicyInputs in;
  in.images = torch::randint(0, 256, {b, c.num_views, 40, 48, 3}, torch::kUInt8);
  in.proprio = torch::randn({b, c.proprio_dim});
  in.text_ids = torch::randint(5, c.vocab_size, {b, t}, torch::kInt64);
  return in;
}
torch::Tensor param(const ThinkVlaNet& net, const std::string& name) {
  return net->named_parameters()[name];
}
}  // namespace

class TestThinkVla : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { torch::set_num_threads(1); }

  void shapes() {
    auto c = tinyConfig();
    torch::manual_seed(0);
    ThinkVlaNet net(c);
    auto in = randomInputs(c, 3, 6, 1);
    auto out = net->forward(in);
    QCOMPARE(out.actions.sizes().vec(), (std::vector<int64_t>{3, c.chunk_size, c.action_dim}));
    QCOMPARE(out.anchor_state.sizes().vec(), (std::vector<int64_t>{3, c.width}));
    QCOMPARE(out.reasoning.sizes().vec(), (std::vector<int64_t>{3, c.width}));
    const int g = c.patchGrid();
    QCOMPARE(out.geometry_latent.sizes().vec(),
             (std::vector<int64_t>{3, c.num_views, g * g, c.geometry_dim}));
    QCOMPARE(out.depth.sizes().vec(), (std::vector<int64_t>{3, c.num_views, g, g}));
    QVERIFY(!out.introspection.anchor_attention.defined());  // off: nothing kept
    QVERIFY(!out.introspection.action_attention.defined());
    QCOMPARE(net->alignFeatures(out.geometry_latent).size(3), int64_t(c.teacher_feature_dim));
    auto logits = net->textLogits(in);
    QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{3, 6, c.vocab_size}));
  }

  void textIsCausal() {
    auto c = tinyConfig();
    torch::manual_seed(0);
    ThinkVlaNet net(c);
    auto in = randomInputs(c, 2, 8, 2);
    auto before = net->textLogits(in);
    auto changed = in;
    changed.text_ids = in.text_ids.clone();
    changed.text_ids.index_put_({torch::indexing::Slice(), 5}, 7);
    changed.text_ids.index_put_({torch::indexing::Slice(), 6}, 9);
    auto after = net->textLogits(changed);
    // Positions 0..4 never see tokens 5 and 6; positions 5.. do.
    QVERIFY(torch::equal(before.narrow(1, 0, 5), after.narrow(1, 0, 5)));
    QVERIFY(!torch::allclose(before.narrow(1, 5, 3), after.narrow(1, 5, 3)));
    // Actions see the whole instruction.
    auto a0 = net->forward(in).actions;
    auto a1 = net->forward(changed).actions;
    QVERIFY(!torch::allclose(a0, a1));
  }

  void paddingIsInvisible() {
    auto c = tinyConfig();
    torch::manual_seed(0);
    ThinkVlaNet net(c);
    auto in = randomInputs(c, 1, 5, 3);
    auto padded = in;
    padded.text_ids = torch::cat({in.text_ids, torch::full({1, 4}, c.pad_token_id, torch::kInt64)}, 1);
    auto a = net->forward(in);
    auto b = net->forward(padded);
    QVERIFY(torch::allclose(a.actions, b.actions, 1e-5, 1e-6));
    QVERIFY(torch::allclose(a.anchor_state, b.anchor_state, 1e-5, 1e-6));
  }

  void actionQueriesSeeEachOther() {
    auto c = tinyConfig();
    torch::manual_seed(0);
    ThinkVlaNet net(c);
    auto in = randomInputs(c, 1, 4, 4);
    auto before = net->forward(in).actions;
    {
      torch::NoGradGuard ng;
      param(net, "action_queries")[0][c.chunk_size - 1].add_(torch::randn({c.width}));
    }
    auto after = net->forward(in).actions;
    // Changing the last query moves the first action too: queries attend to each other, both
    // directions (parallel decoding).
    QVERIFY(!torch::allclose(before[0][0], after[0][0]));
    // The anchor sits before the queries and never sees them.
    auto anchor_before = net->forward(in).anchor_state;
    {
      torch::NoGradGuard ng;
      param(net, "action_queries").add_(torch::randn({1, c.chunk_size, c.width}));
    }
    QVERIFY(torch::equal(anchor_before, net->forward(in).anchor_state));
  }

  void introspectionIsExactAndOptional() {
    auto c = tinyConfig();
    torch::manual_seed(0);
    ThinkVlaNet net(c);
    net->eval();
    auto in = randomInputs(c, 2, 5, 5);
    torch::NoGradGuard ng;
    auto plain = net->forward(in, false);
    auto intro = net->forward(in, true);
    QVERIFY(torch::equal(plain.actions, intro.actions));
    const auto& aa = intro.introspection.anchor_attention;
    QCOMPARE(aa.sizes().vec(), (std::vector<int64_t>{2, c.layers, c.heads, c.imageTokens()}));
    QVERIFY((aa >= 0).all().item<bool>());
    QVERIFY((aa.sum(-1) <= 1.0 + 1e-5).all().item<bool>());
    const auto& qa = intro.introspection.action_attention;
    const int64_t len = c.imageTokens() + 1 + 5 + 1 + c.chunk_size;
    QCOMPARE(qa.sizes().vec(), (std::vector<int64_t>{2, c.layers, c.heads, c.chunk_size, len}));
    QVERIFY(torch::allclose(qa.sum(-1), torch::ones({2, c.layers, c.heads, c.chunk_size}), 1e-5));
  }

  void gradientsFlowWhereTheMethodSays() {
    auto c = tinyConfig();
    c.teacher_feature_dim = PointMapTeacher::kFeatureDim;
    torch::manual_seed(0);
    ThinkVlaNet net(c);
    auto in = randomInputs(c, 2, 6, 6);
    auto teacher_in = randomInputs(c, 2, 10, 7);
    teacher_in.images = in.images;
    teacher_in.proprio = in.proprio;

    // The teacher branch: same weights, no graph.
    auto teacher_anchor = net->teacherAnchorState(teacher_in);
    QVERIFY(!teacher_anchor.requires_grad());
    QVERIFY(!teacher_anchor.grad_fn());

    // The frozen 3D teacher.
    PointMapTeacher point_map;
    TeacherInput ti;
    ti.depth_m = torch::rand({2, c.num_views, 32, 32}) + 0.5;
    ti.intrinsics = torch::tensor({{30.f, 0.f, 16.f}, {0.f, 30.f, 16.f}, {0.f, 0.f, 1.f}})
                        .expand({2, c.num_views, 3, 3});
    ti.depth_m.set_requires_grad(true);  // even a differentiable input yields no graph
    auto teacher_feats = point_map.features(ti, c.patchGrid());
    QVERIFY(!teacher_feats.requires_grad());

    auto out = net->forward(in);
    LossTerms terms;
    terms.action = actionL1Loss(out.actions, torch::zeros_like(out.actions));
    terms.alignment = alignmentLoss(net->alignFeatures(out.geometry_latent), teacher_feats);
    terms.distillation = distillationLoss(out.reasoning, teacher_anchor);
    combineLosses(terms, c).backward();
    QVERIFY(!ti.depth_m.grad().defined());
    for (const char* name :
         {"geometry_adapter.0.weight", "alignment_projector.2.weight", "geometry_projector.weight",
          "reasoning_adapter.0.weight", "reasoning_projector.weight", "stem.0.weight",
          "head_blocks.0.cross_attn.kv.weight", "head_blocks.1.cross_attn.kv.weight"}) {
      auto g = param(net, name).grad();
      QVERIFY2(g.defined() && g.abs().sum().item<double>() > 0, name);
    }

    // The depth probe reads a detached latent: its loss trains the probe and nothing upstream.
    net->zero_grad();
    auto out2 = net->forward(in);
    depthProbeLoss(out2.depth, ti.depth_m.detach()).backward();
    QVERIFY(param(net, "depth_probe.0.weight").grad().abs().sum().item<double>() > 0);
    auto ga = param(net, "geometry_adapter.0.weight").grad();
    QVERIFY(!ga.defined() || ga.abs().sum().item<double>() == 0);
    auto gs = param(net, "stem.0.weight").grad();
    QVERIFY(!gs.defined() || gs.abs().sum().item<double>() == 0);
  }

  void ablationSwitchesRemoveTheirParts() {
    auto has = [](const ThinkVlaNet& net, const std::string& prefix) {
      for (const auto& p : net->named_parameters()) {
        if (p.key().rfind(prefix, 0) == 0) return true;
      }
      return false;
    };
    auto c = tinyConfig();
    c.use_geometry_adapter = false;
    ThinkVlaNet no_geo(c);
    QVERIFY(!has(no_geo, "geometry_adapter") && !has(no_geo, "alignment_projector") &&
            !has(no_geo, "depth_probe"));
    QVERIFY(!has(no_geo, "head_blocks.0.cross_attn"));
    auto out = no_geo->forward(randomInputs(c, 1, 3, 8));
    QVERIFY(!out.geometry_latent.defined() && out.reasoning.defined());

    c = tinyConfig();
    c.use_reasoning_adapter = false;
    ThinkVlaNet no_reason(c);
    QVERIFY(!has(no_reason, "reasoning_adapter") && has(no_reason, "geometry_adapter"));
    QVERIFY(has(no_reason, "head_blocks.1.cross_attn"));  // geometry conditions the whole head
    out = no_reason->forward(randomInputs(c, 1, 3, 8));
    QVERIFY(out.anchor_state.defined() && !out.reasoning.defined());

    c = tinyConfig();
    c.use_anchor = false;
    QVERIFY_EXCEPTION_THROWN(c.validate(), ConfigError);  // the reasoning adapter needs the anchor
    c.use_reasoning_adapter = false;
    ThinkVlaNet no_anchor(c);
    out = no_anchor->forward(randomInputs(c, 1, 3, 8), true);
    QVERIFY(!out.anchor_state.defined() && !out.introspection.anchor_attention.defined());
    QCOMPARE(out.actions.size(1), int64_t(c.chunk_size));

    c = tinyConfig();
    c.deployed = true;
    ThinkVlaNet deployed(c);
    QVERIFY(!has(deployed, "alignment_projector") && has(deployed, "depth_probe"));
    QVERIFY_EXCEPTION_THROWN(deployed->alignFeatures(torch::zeros({1, 2, 16, c.geometry_dim})),
                             c10::Error);
  }

  void progressInputStartsSilentThenLearnsAndIsClipped() {
    auto c = tinyConfig();
    c.progress_levels = 3;
    torch::manual_seed(0);
    ThinkVlaNet net(c);
    QCOMPARE(param(net, "progress_embed.weight").sizes().vec(), (std::vector<int64_t>{3, c.width}));
    auto in = randomInputs(c, 3, 5, 2);
    auto with = [&](std::vector<int64_t> levels) {
      PolicyInputs x = in;
      x.progress = torch::tensor(levels, torch::kInt64);
      return net->forward(x).actions;
    };
    // Zero at the start: every level (and none given) computes the same actions.
    const auto none = net->forward(in).actions;
    QVERIFY(torch::equal(with({0, 1, 2}), none));
    // The action loss reaches the embedding of the levels in the batch only.
    net->zero_grad();
    with({1, 1, 0}).abs().mean().backward();
    const auto grad = param(net, "progress_embed.weight").grad();
    QVERIFY(grad[1].abs().sum().item<double>() > 0.0);
    QVERIFY(grad[0].abs().sum().item<double>() > 0.0);
    QCOMPARE(grad[2].abs().sum().item<double>(), 0.0);
    // Once trained away from zero, the level changes the actions; counts above the last level
    // read as the last one.
    {
      torch::NoGradGuard ng;
      param(net, "progress_embed.weight").normal_(0.0, 0.5);
    }
    torch::NoGradGuard ng;
    QVERIFY(!torch::allclose(with({0, 0, 0}), with({1, 1, 1})));
    QVERIFY(torch::equal(with({2, 2, 2}), with({7, 2, 255})));
    QVERIFY(torch::equal(with({0, 0, 0}), net->forward(in).actions));
    PolicyInputs bad = in;
    bad.progress = torch::zeros({2}, torch::kInt64);
    QVERIFY_EXCEPTION_THROWN(net->forward(bad), c10::Error);
    // A network without the input ignores it.
    auto plain = tinyConfig();
    torch::manual_seed(0);
    ThinkVlaNet net0(plain);
    PolicyInputs x = in;
    x.progress = torch::tensor(std::vector<int64_t>{1, 2, 3}, torch::kInt64);
    QVERIFY(torch::equal(net0->forward(x).actions, net0->forward(in).actions));
    QVERIFY(!net0->named_parameters().contains("progress_embed.weight"));
  }

  void presetsHaveTheirSizes() {
    auto count = [](const std::string& preset) {
      auto c = PolicyConfig::fromPreset(preset);
      c.vocab_size = 512;
      ThinkVlaNet net(c);
      return countParameters(net);
    };
    const auto tiny = count("tiny");
    const auto small = count("small");
    QVERIFY2(tiny.total < 2'000'000, std::to_string(tiny.total).c_str());
    QVERIFY(tiny.deployed < tiny.total);
    QVERIFY(small.total > tiny.total);
    int64_t sum = 0;
    for (const auto& [name, n] : small.components) sum += n;
    QCOMPARE(sum, small.total);
    QVERIFY_EXCEPTION_THROWN(PolicyConfig::fromPreset("huge"), ConfigError);
  }
};

QTEST_GUILESS_MAIN(TestThinkVla)
#include "test_think_vla.moc"
