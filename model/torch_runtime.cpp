#include "model/torch_runtime.h"

#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <thread>

namespace thinkvla::model {

namespace {
// OpenBLAS's own controls, looked up at run time: the BLAS behind libblas.so.3 is Debian's choice
// (alternatives), so the project neither links against OpenBLAS nor requires it.
using SetBlasThreadsFn = void (*)(int);
using GetBlasThreadsFn = int (*)();
}  // namespace

int configureThreads(int requested) {
  int threads = requested;
  if (threads <= 0) {
    threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  at::set_num_threads(threads);
  if (auto* set_blas = reinterpret_cast<SetBlasThreadsFn>(
          dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas(threads);
  }
  return at::get_num_threads();
}

int blasThreads() {
  auto* get_blas =
      reinterpret_cast<GetBlasThreadsFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get_blas != nullptr ? get_blas() : 0;
}

std::string torchVersion() { return TORCH_VERSION; }

BlasInfo blasInfo() {
  BlasInfo info;
  // Debian switches BLAS implementations with alternatives behind libblas.so.3: ask the dynamic
  // linker which object really answers for sgemm_, then resolve the symlinks.
  void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info dl{};
  if (symbol == nullptr || dladdr(symbol, &dl) == 0 || dl.dli_fname == nullptr) {
    info.name = "unknown (no sgemm_ loaded)";
    return info;
  }
  char resolved[PATH_MAX];
  info.library_path = realpath(dl.dli_fname, resolved) != nullptr ? resolved : dl.dli_fname;
  const std::string& p = info.library_path;
  if (p.find("openblas-pthread") != std::string::npos) {
    info.name = "OpenBLAS (pthread)";
  } else if (p.find("openblas-openmp") != std::string::npos) {
    info.name = "OpenBLAS (OpenMP)";
  } else if (p.find("openblas") != std::string::npos) {
    info.name = "OpenBLAS";
  } else if (p.find("blis") != std::string::npos) {
    info.name = "BLIS";
  } else if (p.find("mkl") != std::string::npos) {
    info.name = "Intel MKL";
  } else if (p.find("atlas") != std::string::npos) {
    info.name = "ATLAS";
  } else {
    info.name = "reference BLAS (slow: install libopenblas0-pthread)";
  }
  return info;
}

MatmulBenchmark benchmarkMatmul(int size, int repeats) {
  torch::NoGradGuard no_grad;
  MatmulBenchmark result;
  result.size = size;
  result.threads = at::get_num_threads();
  torch::manual_seed(0);
  const auto a = torch::randn({size, size});
  const auto b = torch::randn({size, size});
  auto c = torch::matmul(a, b);  // warm-up: thread pool start and first-touch allocations
  double best_ms = 1e300;
  for (int i = 0; i < std::max(1, repeats); ++i) {
    const auto start = std::chrono::steady_clock::now();
    c = torch::matmul(a, b);
    const auto stop = std::chrono::steady_clock::now();
    best_ms = std::min(best_ms, std::chrono::duration<double, std::milli>(stop - start).count());
  }
  result.best_ms = best_ms;
  const double flops = 2.0 * static_cast<double>(size) * size * size;
  result.gflops = flops / (best_ms * 1e-3) / 1e9;
  return result;
}

}  // namespace thinkvla::model
