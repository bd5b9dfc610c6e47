// The LibTorch runtime as the rest of the project sees it: thread count, the BLAS that was loaded
// and how fast it multiplies. Free functions; safe to call from any thread, but
// configureThreads() changes a process-wide setting and belongs at start-up.
#pragma once

#include <string>

namespace thinkvla::model {

// The number of intra-op threads to use: `requested` when > 0, otherwise the hardware's cores.
// LibTorch on Debian starts with one thread even on a multi-core machine, so every executable
// calls this once. OpenBLAS, which does LibTorch's matrix products here, keeps a thread pool of its
// own (one thread per core, spinning on sched_yield between calls); it gets the same count, or
// those spinning threads take the cores from everything else (rendering, the other ranks).
// Returns the count now in force.
int configureThreads(int requested);

// The size of OpenBLAS's thread pool, or 0 when the BLAS in use is not OpenBLAS.
int blasThreads();

// The version of the LibTorch the process runs with, e.g. "1.13.1".
std::string torchVersion();

// The shared object that provides sgemm_ (resolved through the dynamic linker), e.g.
// "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", and a short name for it
// ("OpenBLAS (pthread)", "reference BLAS", ...).
struct BlasInfo {
  std::string library_path;
  std::string name;
};
BlasInfo blasInfo();

// Times a float32 square matmul of size n x n (best of `repeats`, after one warm-up).
struct MatmulBenchmark {
  int size = 0;
  double best_ms = 0.0;
  double gflops = 0.0;
  int threads = 0;
};
MatmulBenchmark benchmarkMatmul(int size, int repeats);

}  // namespace thinkvla::model
