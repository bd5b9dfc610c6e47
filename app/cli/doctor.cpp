// `thinkvla doctor`: what this machine gives the project, and a clear line for anything missing.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/offscreen_gl.h"
#include "core/system_info.h"
#include "model/torch_runtime.h"

namespace thinkvla::cli {

namespace {
void line(const char* status, const std::string& what, const std::string& detail) {
  std::cout << "[" << status << "] " << std::left << std::setw(16) << what << detail << '\n';
}
}  // namespace

int runDoctor(const std::vector<std::string>& argv) {
  Args args("doctor", "Checks the libraries, the BLAS, LibTorch's threads and OpenGL.");
  args.option("threads", Args::Kind::kValue, "LibTorch intra-op threads (0: all cores)", "0")
      .option("matmul-size", Args::Kind::kValue, "size of the square matmul timed", "1024");
  args.parse(argv);
  if (args.helpRequested()) {
    std::cout << args.usage();
    return 0;
  }
  int problems = 0;

  std::cout << "thinkvla " << core::projectVersion() << "\n\nlibraries:\n";
  for (const auto& lib : core::libraryVersions()) {
    const bool known = !lib.version.empty();
    line(known ? "ok" : "missing", lib.name,
         known ? lib.version + " (" + lib.source + ")" : "not found at configure time");
    problems += known ? 0 : 1;
  }

  std::cout << "\ncompute:\n";
  const int threads = model::configureThreads(args.intValue("threads"));
  line("ok", "torch threads",
       std::to_string(threads) + (args.intValue("threads") > 0 ? " (from --threads)"
                                                               : " (one per hardware core)"));
  const auto blas = model::blasInfo();
  const bool openblas = blas.name.find("OpenBLAS") != std::string::npos ||
                        blas.name.find("MKL") != std::string::npos ||
                        blas.name.find("BLIS") != std::string::npos;
  line(openblas ? "ok" : "missing", "BLAS", blas.name + " " + blas.library_path);
  problems += openblas ? 0 : 1;
  // The processor and the kernels picked for it decide the rounding: results from machines that
  // differ here differ in their last bits, and closed-loop episodes can end differently.
  const auto env = model::computeEnvironment();
  line("ok", "processor", env.cpu_model + ", " + std::to_string(env.logical_cores) + " cores");
  std::string kernels = "ATen " + env.torch_cpu_kernels;
  if (!env.blas_core.empty()) kernels += ", OpenBLAS " + env.blas_core;
  if (!env.blas_core_replaced.empty()) {
    kernels += " (OpenBLAS chose " + env.blas_core_replaced +
               ", slower here; a core named in OPENBLAS_CORETYPE is kept)";
  }
  line("ok", "kernels", kernels);
  const std::string malloc_fit = model::fitAllocator();
  line("ok", "malloc",
       malloc_fit.empty() ? "left to the C library and the environment (GLIBC_TUNABLES, MALLOC_*_)"
                          : malloc_fit);
  const auto mm = model::benchmarkMatmul(args.intValue("matmul-size"), 3);
  std::ostringstream speed;
  speed << std::fixed << std::setprecision(1) << mm.gflops << " GFLOP/s (" << mm.size << "x"
        << mm.size << " float32 matmul, " << mm.best_ms << " ms, " << mm.threads << " threads)";
  line("ok", "matmul", speed.str());

  std::cout << "\nrendering:\n";
  const auto gl = core::probeOpenGl();
  if (gl.ok) {
    line("ok", "OpenGL", gl.info.renderer + ", " + gl.info.version + " (" + gl.info.platform + ")");
  } else {
    line("missing", "OpenGL",
         gl.error + " -- run under xvfb-run, or install libgl1-mesa-dri and xvfb");
    ++problems;
  }

  std::cout << '\n'
            << (problems == 0 ? "everything needed is here\n"
                              : std::to_string(problems) + " problem(s) found\n");
  return problems == 0 ? 0 : 1;
}

}  // namespace thinkvla::cli
