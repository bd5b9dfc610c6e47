// The LibTorch runtime as the rest of the project sees it: thread count, the BLAS that was loaded
// and how fast it multiplies. Free functions; safe to call from any thread, but
// configureThreads() changes a process-wide setting and belongs at start-up.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace thinkvla::model {

// The number of intra-op threads to use: `requested` when > 0, otherwise the hardware's cores.
// LibTorch on Debian starts with one thread even on a multi-core machine, so every executable
// calls this once. OpenBLAS, which does LibTorch's matrix products here, keeps a thread pool of its
// own (one thread per core, spinning on sched_yield between calls); it gets the same count, or
// those spinning threads take the cores from everything else (rendering, the other ranks).
// The first call also fits OpenBLAS's kernels to the processor (fitBlasKernels below) and
// glibc's malloc to a training loop (fitAllocator below).
// Returns the count now in force.
int configureThreads(int requested);

// OpenBLAS names the processor from its family and model when it loads, and Debian 12's OpenBLAS
// (0.3.21) does not know recent Intel server processors: on the project's VM (family 6, model 207)
// it took its Prescott (SSE3) kernels, and a 512x512 float32 matmul ran at 28 GFLOP/s instead of
// 120, training at 62 samples/s instead of 135. Where OpenBLAS chose one of its cores from before
// AVX on a processor with AVX2 or AVX-512, this starts OpenBLAS's kernel table again with the core
// those features allow, as OpenBLAS's own fallback for a processor it cannot name does. A core
// named in OPENBLAS_CORETYPE is the user's choice and is kept (OPENBLAS_CORETYPE=Prescott gives
// the old numbers back bit for bit). Changes nothing with another BLAS. Call it before any thread
// but the caller uses the BLAS; configureThreads() calls it once. Returns what it did, in words,
// or an empty string when it left OpenBLAS as it was.
std::string fitBlasKernels();

// The decision fitBlasKernels() takes, as a pure function: the OpenBLAS core to switch to, or ""
// to keep `chosen` (OpenBLAS's corename).
struct CpuFeatures {
  bool avx = false;
  bool avx2_fma = false;  // AVX2 and FMA3
  bool avx512 = false;    // AVX-512 F, BW, DQ and VL, as OpenBLAS's SkylakeX kernels use
};
std::string fittingBlasCore(const std::string& chosen, const CpuFeatures& cpu);
CpuFeatures cpuFeatures();  // this processor's, as the OS lets them be used

// glibc's malloc serves a block above its mmap threshold (128 KiB at first, raised as such blocks
// are freed, at most 32 MiB) with a mapping of its own and unmaps it when freed, and it gives the
// top of its heap back to the kernel once 128 KiB there are free. A training step allocates and
// frees the same megabytes of activations and gradients as the step before, so every step asked
// the kernel for them again: page faults were about 12% of a training rank's time (perf), and two
// ranks of the `small` preset on 2 cores trained at 180 samples/s instead of 389 (bench_train).
// This keeps freed memory in the heap for the next step: blocks up to 32 MiB come from the heap,
// the heap grows 64 MiB at a time and is trimmed only when 1 GiB at its top is free, so a process
// may hold up to that much it no longer uses. Settings for glibc's malloc in the environment
// (GLIBC_TUNABLES naming glibc.malloc, or MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_,
// MALLOC_TOP_PAD_, MALLOC_MMAP_MAX_) are the user's choice and are kept. configureThreads() calls
// it once. Returns what it did, in words, or an empty string when it left malloc as it was
// (the user's settings, or a C library other than glibc).
std::string fitAllocator();

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

// What decides the last bits of the floats this process computes: the processor and the kernels
// LibTorch and the BLAS picked for it. Two machines that differ here give different rounding, so
// a training run drifts apart after a few steps and a closed-loop episode can end differently
// (docs/results.md measured both). Results carry this beside them for that reason.
struct ComputeEnvironment {
  std::string cpu_model;           // /proc/cpuinfo's "model name"; "unknown" where unreadable
  int logical_cores = 0;           // std::thread::hardware_concurrency()
  std::string torch_cpu_kernels;   // ATen's CPU capability in use: "AVX512", "AVX2", "NO AVX"
  std::string blas_name;           // as BlasInfo::name
  std::string blas_core;           // OpenBLAS's kernel core ("SkylakeX", "Zen"); "" otherwise
  std::string blas_core_replaced;  // the core OpenBLAS chose itself where fitBlasKernels()
                                   // replaced it ("Prescott"); "" otherwise

  // One line for logs and reports: "Intel(R) Xeon(R) Processor, 2 cores, ATen AVX2,
  // OpenBLAS (pthread) SkylakeX (OpenBLAS chose Prescott)".
  std::string summary() const;
};
ComputeEnvironment computeEnvironment();
// {"cpu_model", "logical_cores", "torch_cpu_kernels", "blas", "blas_core", "blas_core_replaced"}
nlohmann::json toJson(const ComputeEnvironment& env);

// The value after "CPU capability usage:" in LibTorch's build configuration text
// (at::show_config()), or "unknown" when the text has no such line. Exposed for its test.
std::string parseCpuCapability(const std::string& show_config);

}  // namespace thinkvla::model
