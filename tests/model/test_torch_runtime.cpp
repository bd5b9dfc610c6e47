// LibTorch as linked here: right numbers from a matmul, the thread setting, the BLAS found.
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <set>
#include <thread>

#include "model/torch_runtime.h"

namespace {
// A float32 product of random m x k and k x n matrices, checked against a loop in double
// precision on a grid of entries. Empty, or the first entry off by `tolerance` or more.
QString matmulMismatch(int m, int k, int n, std::uint64_t seed, double tolerance) {
  torch::manual_seed(seed);
  const auto x = torch::randn({m, k});
  const auto y = torch::randn({k, n});
  const auto z = torch::matmul(x, y);
  auto xa = x.accessor<float, 2>();
  auto ya = y.accessor<float, 2>();
  auto za = z.accessor<float, 2>();
  for (int i = 0; i < m; i += 7) {
    for (int j = 0; j < n; j += 5) {
      double sum = 0.0;
      for (int l = 0; l < k; ++l) sum += static_cast<double>(xa[i][l]) * ya[l][j];
      if (std::abs(sum - za[i][j]) >= tolerance) {
        return QString("z[%1][%2] = %3, expected %4").arg(i).arg(j).arg(za[i][j]).arg(sum);
      }
    }
  }
  return {};
}
}  // namespace

class TestTorchRuntime : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // First, so that the matmul checks below run on the kernels it leaves in force.
  void blasKernelsFitTheProcessor() {
    using namespace thinkvla::model;
    const bool user_choice = qEnvironmentVariableIsSet("OPENBLAS_CORETYPE");
    configureThreads(1);
    const auto env = computeEnvironment();
    if (env.blas_name.find("OpenBLAS") == std::string::npos) QSKIP("the BLAS is not OpenBLAS");
    if (user_choice) QSKIP("OPENBLAS_CORETYPE is set: the user's choice is kept");
    // No better core is left for this processor (on the project's VM OpenBLAS took Prescott).
    QVERIFY2(fittingBlasCore(env.blas_core, cpuFeatures()).empty(), env.summary().c_str());
    if (!env.blas_core_replaced.empty()) {
      QVERIFY(env.summary().find("(OpenBLAS chose " + env.blas_core_replaced + ")") !=
              std::string::npos);
    }
    // A product large enough for OpenBLAS's blocked kernels.
    const QString wrong = matmulMismatch(300, 200, 150, 5, 1e-3);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong));
  }

  // What a training step frees stays in the heap for the next step (fitAllocator): a 20 MiB
  // buffer, larger than any this process freed before (so glibc's own threshold, raised by frees,
  // cannot have reached it), is served from the heap and still held there once freed.
  void freedStepMemoryStaysInTheHeap() {
#if defined(__GLIBC__)
    thinkvla::model::configureThreads(1);
    if (thinkvla::model::fitAllocator().empty()) QSKIP("malloc settings in the environment kept");
    constexpr std::size_t kBytes = 20u << 20;
    const auto before = mallinfo2();
    std::size_t heap_while_held = 0;
    {
      const auto buffer = torch::ones({static_cast<std::int64_t>(kBytes / sizeof(float))});
      QCOMPARE(static_cast<std::size_t>(buffer.nbytes()), kBytes);
      const auto held = mallinfo2();
      QVERIFY2(held.hblkhd < before.hblkhd + kBytes, "the buffer got a mapping of its own");
      QVERIFY(held.uordblks >= before.uordblks + kBytes);
      heap_while_held = held.arena;
    }
    const auto after = mallinfo2();
    QVERIFY2(after.arena >= heap_while_held, "the heap was trimmed when the buffer was freed");
#else
    QSKIP("glibc's malloc only");
#endif
  }

  void blasCoreDecision() {
    using thinkvla::model::CpuFeatures;
    using thinkvla::model::fittingBlasCore;
    const CpuFeatures none;
    const CpuFeatures avx{true, false, false};
    const CpuFeatures avx2{true, true, false};
    const CpuFeatures avx512{true, true, true};
    QCOMPARE(fittingBlasCore("Prescott", avx512), std::string("SkylakeX"));
    QCOMPARE(fittingBlasCore("Prescott", avx2), std::string("Haswell"));
    QCOMPARE(fittingBlasCore("Nehalem", avx), std::string("SandyBridge"));
    QCOMPARE(fittingBlasCore("Prescott", none), std::string());  // the right core for an SSE3 CPU
    // OpenBLAS's own choice stands once it named an AVX core (AMD's Zen, Intel's Cooperlake).
    QCOMPARE(fittingBlasCore("Zen", avx512), std::string());
    QCOMPARE(fittingBlasCore("Haswell", avx512), std::string());
    QCOMPARE(fittingBlasCore("Cooperlake", avx512), std::string());
    QCOMPARE(fittingBlasCore("SkylakeX", avx512), std::string());
  }

  void matmulGivesTheRightNumbers() {
    // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]], and a larger product.
    const auto a = torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}});
    const auto b = torch::tensor({{5.0f, 6.0f}, {7.0f, 8.0f}});
    const auto c = torch::matmul(a, b);
    QCOMPARE(c[0][0].item<float>(), 19.0f);
    QCOMPARE(c[0][1].item<float>(), 22.0f);
    QCOMPARE(c[1][0].item<float>(), 43.0f);
    QCOMPARE(c[1][1].item<float>(), 50.0f);

    const QString wrong = matmulMismatch(64, 48, 32, 3, 1e-4);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong));
  }

  void threadsFollowTheRequest() {
    QCOMPARE(thinkvla::model::configureThreads(1), 1);
    QCOMPARE(at::get_num_threads(), 1);
    const int all = thinkvla::model::configureThreads(0);
    QCOMPARE(all, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  }

  void openBlasPoolFollowsTheRequest() {
    torch::matmul(torch::ones({8, 8}), torch::ones({8, 8}));  // make sure BLAS is loaded
    if (thinkvla::model::blasInfo().name.find("OpenBLAS") == std::string::npos) {
      QSKIP("the BLAS in use is not OpenBLAS");
    }
    thinkvla::model::configureThreads(1);
    QCOMPARE(thinkvla::model::blasThreads(), 1);
    const int all = thinkvla::model::configureThreads(0);
    QCOMPARE(thinkvla::model::blasThreads(), all);
    thinkvla::model::configureThreads(1);
  }

  void blasIsResolvedToALibrary() {
    torch::matmul(torch::ones({8, 8}), torch::ones({8, 8}));  // make sure BLAS is loaded
    const auto blas = thinkvla::model::blasInfo();
    QVERIFY2(!blas.library_path.empty(), blas.name.c_str());
    QVERIFY(QFileInfo::exists(QString::fromStdString(blas.library_path)));
  }

  void computeEnvironmentNamesTheKernels() {
    const auto env = thinkvla::model::computeEnvironment();
    QVERIFY(!env.cpu_model.empty());
    QCOMPARE(env.logical_cores, static_cast<int>(std::thread::hardware_concurrency()));
    // LibTorch picks one of its kernel sets for this processor (x86-64 here).
    const std::set<std::string> known{"NO AVX", "AVX2", "AVX512"};
    QVERIFY2(known.count(env.torch_cpu_kernels) == 1, env.torch_cpu_kernels.c_str());
    if (env.blas_name.find("OpenBLAS") != std::string::npos) QVERIFY(!env.blas_core.empty());
    const auto j = thinkvla::model::toJson(env);
    QCOMPARE(j.at("torch_cpu_kernels").get<std::string>(), env.torch_cpu_kernels);
    QCOMPARE(j.at("logical_cores").get<int>(), env.logical_cores);
    const auto line = env.summary();
    QVERIFY(line.find(env.cpu_model) == 0);
    QVERIFY(line.find("ATen " + env.torch_cpu_kernels) != std::string::npos);
  }

  void cpuCapabilityIsReadFromTheBuildConfiguration() {
    using thinkvla::model::parseCpuCapability;
    QCOMPARE(parseCpuCapability("  - C++ Version: 201402\n  - CPU capability usage: AVX2\n  - x\n"),
             std::string("AVX2"));
    QCOMPARE(parseCpuCapability("  - CPU capability usage: AVX512"), std::string("AVX512"));
    QCOMPARE(parseCpuCapability("  - CPU capability usage: \n"), std::string("unknown"));
    QCOMPARE(parseCpuCapability("no such line"), std::string("unknown"));
  }

  void benchmarkReportsConsistentNumbers() {
    const auto mm = thinkvla::model::benchmarkMatmul(128, 2);
    QCOMPARE(mm.size, 128);
    QVERIFY(mm.best_ms > 0.0);
    QVERIFY(std::abs(mm.gflops - 2.0 * 128 * 128 * 128 / (mm.best_ms * 1e6)) < 1e-6 * mm.gflops);
  }
};

QTEST_GUILESS_MAIN(TestTorchRuntime)
#include "test_torch_runtime.moc"
