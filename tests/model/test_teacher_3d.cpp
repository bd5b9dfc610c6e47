// The 3D teachers: the point-map teacher's geometry on scenes with known answers, determinism and
// no gradient; a TorchScript teacher loaded from a file and resampled to the patch grid; stored
// features.
#include <QtTest/QtTest>
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>

#include "model/teacher_3d.h"

using namespace thinkvla::model;

namespace {
torch::Tensor intrinsics(int64_t b, int64_t v, float f, float c) {
  return torch::tensor({{f, 0.f, c}, {0.f, f, c}, {0.f, 0.f, 1.f}}).expand({b, v, 3, 3}).clone();
}
}  // namespace

class TestTeacher3D : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { torch::set_num_threads(1); }

  void backProjectsThroughThePinhole() {
    auto depth = torch::full({1, 1, 4, 4}, 2.0f);
    auto pts = PointMapTeacher::backProject(depth, intrinsics(1, 1, 2.0f, 2.0f));
    // Pixel (u=3, v=0) has centre (3.5, 0.5): x = (3.5 - 2) / 2 * 2 = 1.5, y = (0.5 - 2) / 2 * 2 = -1.5.
    QCOMPARE(pts[0][0][0][0][3].item<float>(), 1.5f);
    QCOMPARE(pts[0][0][1][0][3].item<float>(), -1.5f);
    QCOMPARE(pts[0][0][2][0][3].item<float>(), 2.0f);
  }

  void describesAFrontoParallelPlane() {
    PointMapTeacher teacher;
    TeacherInput in;
    in.depth_m = torch::full({2, 2, 32, 32}, 1.5f);
    in.intrinsics = intrinsics(2, 2, 30.0f, 16.0f);
    auto f = teacher.features(in, 4);
    QCOMPARE(f.sizes().vec(), (std::vector<int64_t>{2, 2, 16, PointMapTeacher::kFeatureDim}));
    QVERIFY(!f.requires_grad());
    // Mean z = 1.5 everywhere, no z spread, normal along the optical axis, no depth edge, all valid.
    QVERIFY(torch::allclose(f.select(3, 2), torch::full({2, 2, 16}, 1.5f)));
    QVERIFY(f.select(3, 5).abs().max().item<float>() < 1e-3);
    QVERIFY(torch::allclose(f.select(3, 8).abs(), torch::ones({2, 2, 16}), 1e-4));
    QVERIFY(f.select(3, 9).abs().max().item<float>() < 1e-5);
    QVERIFY(torch::allclose(f.select(3, 10), torch::ones({2, 2, 16})));
    // Patches left of the principal point have negative x, right of it positive.
    QVERIFY(f[0][0][0][0].item<float>() < 0 && f[0][0][3][0].item<float>() > 0);
    // Deterministic, and larger inputs are reduced first without changing the plane's answer.
    QVERIFY(torch::equal(f, teacher.features(in, 4)));
    TeacherInput big;
    big.depth_m = torch::full({2, 2, 128, 128}, 1.5f);
    big.intrinsics = intrinsics(2, 2, 120.0f, 64.0f);
    auto fb = teacher.features(big, 4);
    QVERIFY(torch::allclose(fb.select(3, 0), f.select(3, 0), 1e-4, 1e-5));
    QVERIFY(torch::allclose(fb.select(3, 2), f.select(3, 2)));
  }

  void seesADepthStepAndMissingDepth() {
    PointMapTeacher teacher;
    TeacherInput in;
    in.depth_m = torch::full({1, 1, 16, 16}, 1.0f);
    in.depth_m.index_put_({0, 0, torch::indexing::Slice(), torch::indexing::Slice(8, 16)}, 2.0f);
    in.depth_m.index_put_({0, 0, torch::indexing::Slice(0, 4), torch::indexing::Slice(0, 4)}, 0.0f);
    in.intrinsics = intrinsics(1, 1, 16.0f, 8.0f);
    auto f = teacher.features(in, 4)[0][0];  // [16, D], row-major 4 x 4 patches
    // The step lies between patch columns 1 and 2 (pixel columns 7 | 8): in patch row 2 the edge
    // feature is 4 of 16 pixels with |dz| / z = 0.5 in column 2 and zero beside it.
    QCOMPARE(f[10][9].item<float>(), 0.125f);
    QCOMPARE(f[9][9].item<float>(), 0.0f);
    QCOMPARE(f[11][9].item<float>(), 0.0f);
    // Patch (0, 0) has no valid depth; its valid fraction says so.
    QCOMPARE(f[0][10].item<float>(), 0.0f);
    QCOMPARE(f[1][10].item<float>(), 1.0f);
  }

  void loadsATorchScriptTeacher() {
    // A scripted "foundation model": a fixed 1x1 projection of the image to 5 channels at half
    // resolution, saved to disk and loaded back as a user's file would be.
    torch::jit::Module m("FakeVggt");
    torch::manual_seed(3);
    m.register_parameter("proj", torch::randn({5, 3}), false);
    m.define(R"(
      def forward(self, x):
          n, c, h, w = x.size(0), x.size(1), x.size(2), x.size(3)
          y = x.reshape([n, c, h // 2, 2, w // 2, 2]).mean([3, 5])
          return torch.matmul(y.permute([0, 2, 3, 1]), self.proj.t()).permute([0, 3, 1, 2])
    )");
    const std::string dir = std::string(qgetenv("THINKVLA_TEST_TMP").constData());
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/fake_vggt.pt";
    m.save(path);

    TorchScriptTeacher teacher(path, 32);
    QCOMPARE(teacher.featureDim(), 5);
    TeacherInput in;
    in.images = torch::randint(0, 256, {2, 2, 32, 32, 3}, torch::kUInt8);
    auto f = teacher.features(in, 4);
    QCOMPARE(f.sizes().vec(), (std::vector<int64_t>{2, 2, 16, 5}));
    QVERIFY(!f.requires_grad());
    // Against the same computation done here: patch (0, 0) of view (1, 0) averages its 8 x 8 pixels.
    auto x = in.images[1][0].to(torch::kFloat32).div(255.0);              // [32, 32, 3]
    auto patch = x.narrow(0, 0, 8).narrow(1, 0, 8).mean(std::vector<int64_t>{0, 1});  // [3]
    auto expected = torch::matmul(m.attr("proj").toTensor(), patch);      // [5]
    QVERIFY(torch::allclose(f[1][0][0], expected, 1e-4, 1e-5));

    QVERIFY_EXCEPTION_THROWN(TorchScriptTeacher(dir + "/missing.pt", 32), std::runtime_error);
  }

  void resamplesStoredFeatures() {
    StoredFeaturesTeacher teacher(6);
    TeacherInput in;
    in.stored_features = torch::arange(2 * 1 * 6 * 8 * 8, torch::kFloat32).view({2, 1, 6, 8, 8});
    auto f = teacher.features(in, 4);
    QCOMPARE(f.sizes().vec(), (std::vector<int64_t>{2, 1, 16, 6}));
    // Cell (0, 0) averages the 2 x 2 block at the corner.
    auto block = in.stored_features[0][0][2].narrow(0, 0, 2).narrow(1, 0, 2).mean();
    QCOMPARE(f[0][0][0][2].item<float>(), block.item<float>());
    in.stored_features = torch::zeros({1, 1, 3, 4, 4});
    QVERIFY_EXCEPTION_THROWN(teacher.features(in, 4), c10::Error);
  }
};

QTEST_GUILESS_MAIN(TestTeacher3D)
#include "test_teacher_3d.moc"
