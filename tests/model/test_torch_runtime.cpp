// LibTorch as linked here: right numbers from a matmul, the thread setting, the BLAS found.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include "model/torch_runtime.h"

class TestTorchRuntime : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void matmulGivesTheRightNumbers() {
    // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]], and a larger product checked against
    // a loop in double precision.
    const auto a = torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}});
    const auto b = torch::tensor({{5.0f, 6.0f}, {7.0f, 8.0f}});
    const auto c = torch::matmul(a, b);
    QCOMPARE(c[0][0].item<float>(), 19.0f);
    QCOMPARE(c[0][1].item<float>(), 22.0f);
    QCOMPARE(c[1][0].item<float>(), 43.0f);
    QCOMPARE(c[1][1].item<float>(), 50.0f);

    torch::manual_seed(3);
    const auto x = torch::randn({64, 48});
    const auto y = torch::randn({48, 32});
    const auto z = torch::matmul(x, y);
    auto xa = x.accessor<float, 2>();
    auto ya = y.accessor<float, 2>();
    auto za = z.accessor<float, 2>();
    for (int i = 0; i < 64; i += 7) {
      for (int j = 0; j < 32; j += 5) {
        double sum = 0.0;
        for (int k = 0; k < 48; ++k) sum += static_cast<double>(xa[i][k]) * ya[k][j];
        QVERIFY2(std::abs(sum - za[i][j]) < 1e-4, qPrintable(QString("z[%1][%2]").arg(i).arg(j)));
      }
    }
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

  void benchmarkReportsConsistentNumbers() {
    const auto mm = thinkvla::model::benchmarkMatmul(128, 2);
    QCOMPARE(mm.size, 128);
    QVERIFY(mm.best_ms > 0.0);
    QVERIFY(std::abs(mm.gflops - 2.0 * 128 * 128 * 128 / (mm.best_ms * 1e6)) < 1e-6 * mm.gflops);
  }
};

QTEST_GUILESS_MAIN(TestTorchRuntime)
#include "test_torch_runtime.moc"
