// The CPU backend: host-clock timer, last-level cache size, and peaks from a
// threaded memcpy / triad over large buffers and an OpenBLAS SGEMM.
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

#include "bench/harness.h"
#include "host/random/counter_rng.h"
#ifdef CONVLAB_HAVE_BLAS
#include <cblas.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

namespace convlab::bench {

namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown CPU";
}

int cpu_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Best (smallest) of `reps` timings, after one warm-up.
double best_ms(Timer& timer, int reps, const std::function<void()>& fn) {
  fn();
  double best = 1e300;
  for (int i = 0; i < reps; ++i) best = std::min(best, timer.time_ms(fn));
  return best;
}

class CpuBackend : public Backend {
 public:
  Device device() const override { return Device::cpu; }
  std::string name() const override { return cpu_model() + " (" + std::to_string(cpu_threads()) + " threads)"; }
  std::size_t cache_bytes() const override {
    const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    const long best = std::max(l3, l2);
    return best > 0 ? static_cast<std::size_t>(best) : (std::size_t(32) << 20);
  }
  Timer& timer() override { return timer_; }

  Peaks measure_peaks() override {
    Peaks p;
    // Copy and triad over 64 Mi floats per array (256 MiB): far beyond the caches.
    const std::size_t n = std::size_t(64) << 20;
    std::vector<float> a(n), b(n), c(n);
    for (std::size_t i = 0; i < n; ++i) {
      b[i] = counter_uniform01(1, i);
      c[i] = counter_uniform01(2, i);
    }
    const int chunks = 256;
    const std::size_t chunk = n / chunks;
    const double copy_ms = best_ms(timer_, 5, [&] {
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
      for (int k = 0; k < chunks; ++k) std::memcpy(&a[k * chunk], &b[k * chunk], chunk * sizeof(float));
    });
    const double triad_ms = best_ms(timer_, 5, [&] {
      const float s = 1.5f;
      const auto N = static_cast<int64_t>(n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
      for (int64_t i = 0; i < N; ++i) a[i] = b[i] + s * c[i];
    });
    p.copy_gbs = 2.0 * n * sizeof(float) / (copy_ms * 1e6);
    p.triad_gbs = 3.0 * n * sizeof(float) / (triad_ms * 1e6);
    p.gbs = std::max(p.copy_gbs, p.triad_gbs);
    p.gbs_how = "best of threaded memcpy and triad over 256 MiB arrays (bytes read + written), " +
                std::to_string(cpu_threads()) + " threads";
#ifdef CONVLAB_HAVE_BLAS
    const int m = 2048;
    std::vector<float> A(std::size_t(m) * m), B(std::size_t(m) * m), C(std::size_t(m) * m);
    for (std::size_t i = 0; i < A.size(); ++i) {
      A[i] = counter_uniform01(3, i) - 0.5f;
      B[i] = counter_uniform01(4, i) - 0.5f;
    }
    const double gemm_ms = best_ms(timer_, 3, [&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0f, A.data(), m, B.data(), m, 0.0f, C.data(),
                  m);
    });
    p.gflops = 2.0 * m * double(m) * m / (gemm_ms * 1e6);
    p.gflops_how = "OpenBLAS cblas_sgemm 2048x2048x2048, best of 3";
#else
    p.gflops_how = "not measured (built without BLAS)";
#endif
    return p;
  }

 private:
  CpuTimer timer_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace convlab::bench
