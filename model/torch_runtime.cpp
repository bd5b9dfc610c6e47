#include "model/torch_runtime.h"

#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <ATen/Version.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

namespace thinkvla::model {

namespace {
// OpenBLAS's own controls, looked up at run time: the BLAS behind libblas.so.3 is Debian's choice
// (alternatives), so the project neither links against OpenBLAS nor requires it.
using SetBlasThreadsFn = void (*)(int);
using GetBlasThreadsFn = int (*)();
using GetBlasCoreFn = char* (*)();
using BlasInitFn = void (*)();

// What fitBlasKernels() found and did, kept for computeEnvironment().
std::once_flag blas_fit_once;
std::string blas_core_replaced;

std::string openBlasCore() {
  auto* core = reinterpret_cast<GetBlasCoreFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = core != nullptr ? core() : nullptr;
  return name != nullptr ? name : "";
}

std::string trimmed(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

std::string cpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon != std::string::npos) return trimmed(line.substr(colon + 1));
  }
  return "unknown";
}
}  // namespace

int configureThreads(int requested) {
  std::call_once(blas_fit_once, [] {
    const std::string note = fitBlasKernels();
    if (!note.empty()) spdlog::info("BLAS: {}", note);
    const std::string malloc_note = fitAllocator();
    if (!malloc_note.empty()) spdlog::debug("malloc: {}", malloc_note);
  });
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

CpuFeatures cpuFeatures() {
  CpuFeatures f;
  __builtin_cpu_init();
  f.avx = __builtin_cpu_supports("avx");
  f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  return f;
}

std::string fittingBlasCore(const std::string& chosen, const CpuFeatures& cpu) {
  // OpenBLAS's x86-64 cores from before AVX (its corename spelling).
  static const char* const kPreAvx[] = {"Unknown",  "Katmai",        "Coppermine", "Northwood",
                                        "Prescott", "Banias",        "Atom",       "Core2",
                                        "Penryn",   "Dunnington",    "Nehalem",    "Athlon",
                                        "Opteron",  "Opteron(SSE3)", "Barcelona",  "Nano"};
  const bool old = std::any_of(std::begin(kPreAvx), std::end(kPreAvx),
                               [&](const char* name) { return chosen == name; });
  if (!old) return "";
  if (cpu.avx512) return "SkylakeX";
  if (cpu.avx2_fma) return "Haswell";
  if (cpu.avx) return "SandyBridge";
  return "";
}

std::string fitBlasKernels() {
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  if (forced != nullptr && *forced != '\0') return "";  // the user's choice
  auto* quit = reinterpret_cast<BlasInitFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
  auto* init = reinterpret_cast<BlasInitFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
  if (quit == nullptr || init == nullptr) return "";  // not OpenBLAS, or one built for one core
  const std::string chosen = openBlasCore();
  const std::string fitting = fittingBlasCore(chosen, cpuFeatures());
  if (fitting.empty()) return "";
  // gotoblas_dynamic_init() reads OPENBLAS_CORETYPE; the variable stays set, so the processes
  // this one starts (the ranks of train --nproc) load OpenBLAS with the same kernels.
  setenv("OPENBLAS_CORETYPE", fitting.c_str(), 1);
  quit();
  init();
  const std::string now = openBlasCore();
  blas_core_replaced = chosen;
  const char* isa = fitting == "SkylakeX" ? "AVX-512" : fitting == "Haswell" ? "AVX2" : "AVX";
  return "OpenBLAS chose its " + chosen + " kernels for this processor; using its " + now +
         " kernels, as the processor's " + isa + " allows";
}

std::string fitAllocator() {
#if defined(__GLIBC__)
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::string(tunables).find("glibc.malloc.") != std::string::npos) {
    return "";
  }
  for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
                           "MALLOC_MMAP_MAX_"}) {
    if (std::getenv(name) != nullptr) return "";
  }
  constexpr int kMiB = 1024 * 1024;
  constexpr int kMmapThreshold = 32 * kMiB;  // glibc's largest
  constexpr int kTrimThreshold = 1024 * kMiB;
  constexpr int kTopPad = 64 * kMiB;
  // Each call returns 1 on success. Setting the mmap threshold also stops glibc from moving it.
  const bool ok = mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 &&
                  mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1 &&
                  mallopt(M_TOP_PAD, kTopPad) == 1;
  if (!ok) return "";
  return "freed memory stays in the heap (blocks up to 32 MiB from the heap, trimmed above 1 GiB "
         "free, grown 64 MiB at a time)";
#else
  return "";
#endif
}

std::string parseCpuCapability(const std::string& show_config) {
  static const std::string kKey = "CPU capability usage:";
  const auto at = show_config.find(kKey);
  if (at == std::string::npos) return "unknown";
  const auto begin = at + kKey.size();
  const auto value = trimmed(show_config.substr(begin, show_config.find('\n', begin) - begin));
  return value.empty() ? "unknown" : value;
}

ComputeEnvironment computeEnvironment() {
  ComputeEnvironment env;
  env.cpu_model = cpuModelName();
  env.logical_cores = static_cast<int>(std::thread::hardware_concurrency());
  env.torch_cpu_kernels = parseCpuCapability(at::show_config());
  env.blas_name = blasInfo().name;
  env.blas_core = trimmed(openBlasCore());
  env.blas_core_replaced = blas_core_replaced;
  return env;
}

nlohmann::json toJson(const ComputeEnvironment& env) {
  return {{"cpu_model", env.cpu_model},
          {"logical_cores", env.logical_cores},
          {"torch_cpu_kernels", env.torch_cpu_kernels},
          {"blas", env.blas_name},
          {"blas_core", env.blas_core},
          {"blas_core_replaced", env.blas_core_replaced}};
}

std::string ComputeEnvironment::summary() const {
  std::string s = cpu_model + ", " + std::to_string(logical_cores) + " cores, ATen " +
                  torch_cpu_kernels + ", " + blas_name;
  if (!blas_core.empty()) s += " " + blas_core;
  if (!blas_core_replaced.empty()) s += " (OpenBLAS chose " + blas_core_replaced + ")";
  return s;
}

}  // namespace thinkvla::model
