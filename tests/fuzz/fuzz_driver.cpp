// A fixed-seed mutation driver for the fuzz targets (tests/fuzz/fuzz_*.cpp), for builds
// without libFuzzer (g++). It links with one target's LLVMFuzzerTestOneInput and:
//   1. runs every seed of the corpus (files, or folders of files, in name order);
//   2. then runs mutated seeds: bit/byte flips, insert/delete/duplicate/repeat byte ranges,
//      splices of two seeds, "interesting" integers as text and as little-endian u64/u32,
//      and the target's dictionary tokens (--dict, libFuzzer's format);
// until --runs N mutated inputs or --seconds S have passed. The same --seed gives the
// same sequence of inputs (--seconds only decides where it stops).
//
// Before each input is run it is written to OUT_DIR/current-input-<target>, so even a
// process killed from outside (ctest's timeout, the OOM killer) leaves it behind. On a
// crash (a sanitizer report, abort(), a signal), a hang (--timeout) or too much memory
// (--rss-limit-mb) the input is saved as OUT_DIR/crash-<hash> (timeout-, oom-) and the
// process exits non-zero; `TARGET --repro FILE` runs that one input again.
//
//   fuzz_config [--seconds S] [--runs N] [--seed K] [--max-len L] [--timeout T] [--rss-limit-mb M]
//               [--dict FILE] [--out-dir DIR] CORPUS...
//   fuzz_config --repro FILE
// OUT_DIR: --out-dir, else $OUT_DIR, else the working directory.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// From the sanitizer runtimes when they are linked in; null otherwise.
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*)(void));
extern "C" __attribute__((weak)) void __sanitizer_print_stack_trace();

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONVLAB_FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CONVLAB_FUZZ_ASAN 1
#endif

#ifdef CONVLAB_FUZZ_ASAN
// A fuzzed input has no business asking for gigabytes: report such an allocation as a
// crash (ASan's allocation-size-too-big) rather than let it take the machine's memory.
// Explicit ASAN_OPTIONS still override these.
extern "C" const char* __asan_default_options() { return "max_allocation_size_mb=2048"; }
#endif
// UBSan's runtime is not ASan's (GCC links both): it stops by abort(), so that the SIGABRT
// handler saves the input.
extern "C" const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1:abort_on_error=1"; }

namespace {
void begin_dying(const char* kind);
}

// Called by the sanitizers when a report starts, before its slow stack symbolization: the
// input is saved then. (The death callback covers the ends of reports as well.)
extern "C" void __asan_on_error() { begin_dying("crash"); }
extern "C" void __ubsan_on_report() { begin_dying("crash"); }

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// The input being run, for the crash handlers (which may only use async-signal-safe calls).
// ---------------------------------------------------------------------------
const uint8_t* volatile g_data = nullptr;
volatile size_t g_size = 0;
char g_out_prefix[4096];                           // "OUT_DIR/"
char g_current_path[sizeof(g_out_prefix) + 1024];  // "OUT_DIR/current-input-<target>"
int g_current_fd = -1;
char g_argv0[1024];
std::atomic<int64_t> g_started_ns{0};      // wall clock when the running input started; 0 between inputs
std::atomic<int64_t> g_started_cpu_ns{0};  // the main thread's CPU time then
std::atomic<int> g_watchdog_kind{0};       // 1 timeout, 2 out of memory: why SIGALRM was sent
std::atomic<bool> g_dying{false};          // a crash is being reported: the watchdog keeps quiet
pthread_t g_main_thread;
clockid_t g_main_cpu_clock;
bool g_repro = false;  // --repro: the input is a file already

void put(const char* s) {
  size_t n = std::strlen(s);
  while (n > 0) {
    const ssize_t w = write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

uint64_t fnv1a(const uint8_t* d, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ d[i]) * 1099511628211ull;
  return h;
}

// Writes the running input to OUT_DIR/<kind>-<hash> and says how to rerun it.
void save_input(const char* kind) {
  static std::atomic<bool> saved{false};
  if (g_repro || saved.exchange(true)) return;
  const uint8_t* d = g_data;
  const size_t n = g_size;
  if (d == nullptr) return;
  char path[sizeof(g_out_prefix) + 64];
  char hex[17];
  const uint64_t h = fnv1a(d, n);
  for (int i = 0; i < 16; ++i) hex[i] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 15];
  hex[16] = 0;
  std::strcpy(path, g_out_prefix);
  std::strcat(path, kind);
  std::strcat(path, "-");
  std::strcat(path, hex);
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    put("fuzz_driver: cannot write the input to ");
    put(path);
    put("\n");
    return;
  }
  size_t off = 0;
  while (off < n) {
    const ssize_t w = write(fd, d + off, n - off);
    if (w <= 0) break;
    off += static_cast<size_t>(w);
  }
  close(fd);
  if (g_current_fd >= 0) unlink(g_current_path);
  put("fuzz_driver: the input is saved in ");
  put(path);
  put("\nfuzz_driver: reproduce with: ");
  put(g_argv0);
  put(" --repro ");
  put(path);
  put("\n");
}

// The input is saved first: printing a symbolized stack can take long on a busy machine.
void begin_dying(const char* kind) {
  g_dying = true;
  save_input(kind);
}

void on_sanitizer_death() { begin_dying("crash"); }

void on_fatal_signal(int sig) {
  begin_dying("crash");
  put("\nfuzz_driver: fatal signal ");
  put(sig == SIGABRT   ? "SIGABRT"
      : sig == SIGSEGV ? "SIGSEGV"
      : sig == SIGBUS  ? "SIGBUS"
      : sig == SIGFPE  ? "SIGFPE"
                       : "SIGILL");
  put(" while running an input\n");
  if (__sanitizer_print_stack_trace) __sanitizer_print_stack_trace();
  signal(sig, SIG_DFL);
  raise(sig);
}

void on_watchdog_signal(int) {
  const bool timeout = g_watchdog_kind.load() == 1;
  begin_dying(timeout ? "timeout" : "oom");
  put(timeout ? "\nfuzz_driver: timeout: an input ran longer than --timeout\n"
              : "\nfuzz_driver: out of memory: the resident size passed --rss-limit-mb\n");
  if (__sanitizer_print_stack_trace) __sanitizer_print_stack_trace();  // where the main thread was
  _exit(70);
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

int64_t cpu_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int64_t rss_mb() {
  std::ifstream statm("/proc/self/statm");
  int64_t total = 0, resident = 0;
  if (!(statm >> total >> resident)) return 0;
  return resident * sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

// Checks the running input's time and the process's memory every 100 ms, and stops a
// runaway input from the main thread (SIGALRM there, so its stack is the one printed).
// The time is the main thread's CPU time, so that a busy machine (other builds, ctest -j)
// does not turn a slow input into a timeout; wall time past 6x the limit counts as well.
void watchdog(double timeout_s, int64_t rss_limit_mb) {
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_dying) continue;  // a crash report is being written: let it finish
    const int64_t started = g_started_ns.load(), started_cpu = g_started_cpu_ns.load();
    int kind = 0;
    if (started != 0 && timeout_s > 0 &&
        ((cpu_ns(g_main_cpu_clock) - started_cpu) * 1e-9 > timeout_s || (now_ns() - started) * 1e-9 > 6 * timeout_s))
      kind = 1;
    else if (rss_limit_mb > 0 && rss_mb() > rss_limit_mb)
      kind = 2;
    if (kind == 0 || g_dying) continue;
    g_watchdog_kind = kind;
    pthread_kill(g_main_thread, SIGALRM);
    std::this_thread::sleep_for(std::chrono::seconds(10));
    put("fuzz_driver: the main thread did not stop\n");
    save_input(kind == 1 ? "timeout" : "oom");
    _exit(70);
  }
}

void install_handlers() {
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(on_sanitizer_death);
#ifndef CONVLAB_FUZZ_ASAN
  // A stack of its own, so that a stack overflow still reaches the handler.
  static std::vector<char> alt(1 << 16);
  stack_t ss{};
  ss.ss_sp = alt.data();
  ss.ss_size = alt.size();
  sigaltstack(&ss, nullptr);
  // Under AddressSanitizer these are its own: it reports them and calls the death callback.
  const int fatal[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
#else
  const int fatal[] = {SIGABRT};
#endif
  for (const int sig : fatal) {
    struct sigaction sa {};
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_ONSTACK;
    sigaction(sig, &sa, nullptr);
  }
  struct sigaction sa {};
  sa.sa_handler = on_watchdog_signal;
  sigaction(SIGALRM, &sa, nullptr);
}

// Runs one input: it is written to the crash-to-be file first (so it survives even a kill).
void run_one(const Bytes& input) {
  // A copy of exactly `size` bytes, so that ASan sees a read past the end of the input.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size() ? input.size() : 1]);
  if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
  if (g_current_fd >= 0) {
    if (ftruncate(g_current_fd, 0) != 0 ||
        pwrite(g_current_fd, input.data(), input.size(), 0) != static_cast<ssize_t>(input.size())) {
      std::fprintf(stderr, "fuzz_driver: cannot write %s\n", g_current_path);
      std::exit(1);
    }
  }
  g_data = copy.get();
  g_size = input.size();
  g_started_cpu_ns = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
  g_started_ns = now_ns();
  LLVMFuzzerTestOneInput(copy.get(), input.size());
  g_started_ns = 0;
  g_data = nullptr;
  g_size = 0;
}

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  // std::mt19937_64's sequence is fixed by the standard; the distributions are not, so none is used.
  uint64_t next() { return g_(); }
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(g_() % n); }
  bool chance(unsigned one_in) { return below(one_in) == 0; }

 private:
  std::mt19937_64 g_;
};

const char* const kInterestingText[] = {"0",
                                        "-1",
                                        "1",
                                        "2147483647",
                                        "2147483648",
                                        "-2147483649",
                                        "4294967296",
                                        "9223372036854775807",
                                        "9223372036854775808",
                                        "-9223372036854775808",
                                        "18446744073709551615",
                                        "18446744073709551616",
                                        "4611686018427387904",
                                        "4611686018427387905",
                                        "1e999",
                                        "-1e999",
                                        "1e308",
                                        "1e-400",
                                        "0.5",
                                        "NaN",
                                        "1e400",
                                        "100000000",
                                        "3073",
                                        "-0"};
const uint64_t kInterestingU64[] = {0,
                                    ~0ull,
                                    1ull << 31,
                                    1ull << 32,
                                    1ull << 63,
                                    (1ull << 63) - 1,
                                    4611686018427387904ull,
                                    4611686018427387905ull,
                                    0x7fffffffull,
                                    0xffffffffull,
                                    1,
                                    8,
                                    3073};

class Mutator {
 public:
  Mutator(const std::vector<Bytes>& seeds, const std::vector<Bytes>& dict, size_t max_len, uint64_t seed)
      : seeds_(seeds), dict_(dict), max_len_(max_len), rng_(seed) {}

  Bytes next() {
    Bytes b = seeds_.empty() ? Bytes{} : seeds_[rng_.below(seeds_.size())];
    const size_t n = 1 + rng_.below(rng_.chance(4) ? 16 : 4);  // stacked mutations, mostly few
    for (size_t i = 0; i < n; ++i) mutate(b);
    if (b.size() > max_len_) b.resize(max_len_);
    return b;
  }

 private:
  size_t pos(const Bytes& b) { return rng_.below(b.size() + 1); }  // an insertion point

  void insert(Bytes& b, size_t at, const Bytes& what) {
    b.insert(b.begin() + static_cast<long>(at), what.begin(), what.end());
  }

  // Replaces the run of digits (with sign, '.', 'e') around a random point, or inserts at it.
  void replace_number(Bytes& b, const std::string& text) {
    size_t at = pos(b);
    auto numeric = [&](size_t i) {
      const char c = static_cast<char>(b[i]);
      return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    };
    // Move to the next number from `at`, if there is one close by.
    size_t s = at;
    while (s < b.size() && s < at + 64 && !numeric(s)) ++s;
    if (s < b.size() && numeric(s)) {
      size_t e = s;
      while (s > 0 && numeric(s - 1)) --s;
      while (e < b.size() && numeric(e)) ++e;
      b.erase(b.begin() + static_cast<long>(s), b.begin() + static_cast<long>(e));
      at = s;
    }
    insert(b, at, Bytes(text.begin(), text.end()));
  }

  void mutate(Bytes& b) {
    switch (rng_.below(12)) {
      case 0:  // flip a bit
        if (!b.empty()) b[rng_.below(b.size())] ^= static_cast<uint8_t>(1u << rng_.below(8));
        break;
      case 1:  // set a byte
        if (!b.empty()) b[rng_.below(b.size())] = static_cast<uint8_t>(rng_.next());
        break;
      case 2: {  // insert random bytes
        Bytes r(1 + rng_.below(16));
        for (auto& c : r) c = static_cast<uint8_t>(rng_.next());
        insert(b, pos(b), r);
        break;
      }
      case 3: {  // delete a range
        if (b.empty()) break;
        const size_t s = rng_.below(b.size());
        const size_t len = 1 + rng_.below(std::min<size_t>(b.size() - s, rng_.chance(8) ? b.size() : 16));
        b.erase(b.begin() + static_cast<long>(s), b.begin() + static_cast<long>(s + len));
        break;
      }
      case 4: {  // duplicate a range elsewhere
        if (b.empty()) break;
        const size_t s = rng_.below(b.size());
        const size_t len = 1 + rng_.below(std::min<size_t>(b.size() - s, 64));
        const Bytes r(b.begin() + static_cast<long>(s), b.begin() + static_cast<long>(s + len));
        insert(b, pos(b), r);
        break;
      }
      case 5: {  // repeat a short range many times (deep nesting, long numbers, many lines)
        if (b.empty()) break;
        const size_t s = rng_.below(b.size());
        const size_t len = 1 + rng_.below(std::min<size_t>(b.size() - s, 4));
        const Bytes r(b.begin() + static_cast<long>(s), b.begin() + static_cast<long>(s + len));
        const size_t times = 2 + rng_.below(rng_.chance(4) ? 5000 : 100);
        Bytes rep;
        for (size_t i = 0; i < times && rep.size() < max_len_; ++i) rep.insert(rep.end(), r.begin(), r.end());
        insert(b, s, rep);
        break;
      }
      case 6: {  // splice: a prefix of this input, a suffix of another seed
        if (seeds_.empty()) break;
        const Bytes& o = seeds_[rng_.below(seeds_.size())];
        const size_t cut = pos(b), from = rng_.below(o.size() + 1);
        b.resize(cut);
        b.insert(b.end(), o.begin() + static_cast<long>(from), o.end());
        break;
      }
      case 7:  // an interesting integer as text, over a number or inserted
      case 8: {
        const std::string t = kInterestingText[rng_.below(sizeof(kInterestingText) / sizeof(*kInterestingText))];
        replace_number(b, t);
        break;
      }
      case 9: {  // an interesting integer as little-endian u64 (or u32), overwritten or inserted
        const uint64_t v = kInterestingU64[rng_.below(sizeof(kInterestingU64) / sizeof(*kInterestingU64))];
        const size_t width = rng_.chance(3) ? 4 : 8;
        Bytes le(width);
        for (size_t i = 0; i < width; ++i) le[i] = static_cast<uint8_t>(v >> (8 * i));
        if (b.size() >= width && !rng_.chance(4)) {
          // Offset 0 half the time: the safetensors header length lives there.
          const size_t at = rng_.chance(2) ? 0 : rng_.below(b.size() - width + 1);
          std::copy(le.begin(), le.end(), b.begin() + static_cast<long>(at));
        } else {
          insert(b, pos(b), le);
        }
        break;
      }
      default: {  // a dictionary token, inserted or over existing bytes
        if (dict_.empty()) {
          b.push_back(static_cast<uint8_t>(rng_.next()));
          break;
        }
        const Bytes& t = dict_[rng_.below(dict_.size())];
        const size_t at = pos(b);
        if (rng_.chance(2) && at + t.size() <= b.size()) {
          std::copy(t.begin(), t.end(), b.begin() + static_cast<long>(at));
        } else {
          insert(b, at, t);
        }
        break;
      }
    }
  }

  const std::vector<Bytes>& seeds_;
  const std::vector<Bytes>& dict_;
  size_t max_len_;
  Rng rng_;
};

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------
Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz_driver: cannot read %s\n", p.c_str());
    std::exit(1);
  }
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<fs::path> corpus_files(const std::vector<std::string>& args) {
  std::vector<fs::path> out;
  for (const auto& a : args) {
    if (fs::is_directory(a)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::recursive_directory_iterator(a))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());  // the same order everywhere
      out.insert(out.end(), files.begin(), files.end());
    } else if (fs::is_regular_file(a)) {
      out.push_back(a);
    } else {
      std::fprintf(stderr, "fuzz_driver: no such file or folder: %s\n", a.c_str());
      std::exit(1);
    }
  }
  return out;
}

// libFuzzer's dictionary format: one token a line, `"text"` or `name="text"`, with \\ \" and \xAB
// escapes; '#' starts a comment line.
std::vector<Bytes> read_dict(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "fuzz_driver: cannot read the dictionary %s\n", path.c_str());
    std::exit(1);
  }
  std::vector<Bytes> out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const size_t q = line.find('"'), last = line.rfind('"');
    if (q == std::string::npos || last <= q) {
      std::fprintf(stderr, "fuzz_driver: %s:%d: expected \"token\"\n", path.c_str(), line_no);
      std::exit(1);
    }
    Bytes t;
    for (size_t i = q + 1; i < last; ++i) {
      if (line[i] != '\\' || i + 1 >= last) {
        t.push_back(static_cast<uint8_t>(line[i]));
      } else if (line[i + 1] == 'x' && i + 3 < last) {
        t.push_back(static_cast<uint8_t>(std::stoi(line.substr(i + 2, 2), nullptr, 16)));
        i += 3;
      } else {
        t.push_back(static_cast<uint8_t>(line[++i]));
      }
    }
    out.push_back(t);
  }
  return out;
}

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--seconds S] [--runs N] [--seed K] [--max-len L] [--timeout T] [--rss-limit-mb M]\n"
               "          [--dict FILE] [--out-dir DIR] CORPUS_FILE_OR_FOLDER...\n"
               "       %s --repro FILE\n",
               argv0, argv0);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0, timeout_s = 10;
  int64_t runs = -1, rss_limit_mb = 2048;
  uint64_t seed = 1;
  size_t max_len = 65536;
  std::string dict_path, repro, out_dir = std::getenv("OUT_DIR") ? std::getenv("OUT_DIR") : ".";
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(argv[0]);
      return argv[++i];
    };
    if (a == "--seconds")
      seconds = std::stod(value());
    else if (a == "--runs")
      runs = std::stoll(value());
    else if (a == "--seed")
      seed = std::stoull(value());
    else if (a == "--max-len")
      max_len = std::stoull(value());
    else if (a == "--timeout")
      timeout_s = std::stod(value());
    else if (a == "--rss-limit-mb")
      rss_limit_mb = std::stoll(value());
    else if (a == "--dict")
      dict_path = value();
    else if (a == "--out-dir")
      out_dir = value();
    else if (a == "--repro")
      repro = value();
    else if (a == "-h" || a == "--help")
      usage(argv[0]);
    else if (a.rfind("-", 0) == 0)
      usage(argv[0]);
    else
      corpus.push_back(a);
  }
  if (repro.empty() && corpus.empty()) usage(argv[0]);
  if (runs < 0 && seconds <= 0) runs = 10000;  // bounded unless asked otherwise

  std::snprintf(g_argv0, sizeof(g_argv0), "%s", argv[0]);
  fs::create_directories(out_dir);
  std::snprintf(g_out_prefix, sizeof(g_out_prefix), "%s/", out_dir.c_str());
  g_main_thread = pthread_self();
  pthread_getcpuclockid(g_main_thread, &g_main_cpu_clock);
  install_handlers();
  std::thread(watchdog, timeout_s, rss_limit_mb).detach();

  if (!repro.empty()) {
    // No crash-to-be file and no crash-* copy: the input is a file already.
    g_repro = true;
    run_one(read_file(repro));
    std::fprintf(stderr, "fuzz_driver: %s ran without a finding\n", repro.c_str());
    return 0;
  }

  std::snprintf(g_current_path, sizeof(g_current_path), "%scurrent-input-%s", g_out_prefix,
                fs::path(argv[0]).filename().c_str());
  g_current_fd = open(g_current_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (g_current_fd < 0) {
    std::fprintf(stderr, "fuzz_driver: cannot create %s\n", g_current_path);
    return 1;
  }

  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  const std::vector<fs::path> files = corpus_files(corpus);
  std::vector<Bytes> seeds;
  for (const auto& p : files) seeds.push_back(read_file(p));
  const std::vector<Bytes> dict = dict_path.empty() ? std::vector<Bytes>{} : read_dict(dict_path);
  std::fprintf(stderr, "fuzz_driver: %zu seeds, %zu dictionary tokens, seed %" PRIu64 ", %s\n", seeds.size(),
               dict.size(), seed,
               (runs >= 0 ? std::to_string(runs) + " runs" : std::to_string(seconds) + " s").c_str());

  for (size_t i = 0; i < seeds.size(); ++i) {
    // Named first, so that a seed that crashes is easy to spot in the log.
    std::fprintf(stderr, "fuzz_driver: seed %s\n", files[i].c_str());
    run_one(seeds[i]);
  }
  std::fprintf(stderr, "fuzz_driver: all %zu seeds ran in %.1f s\n", seeds.size(), elapsed());

  Mutator m(seeds, dict, max_len, seed);
  int64_t done = 0;
  double next_report = 5;
  while ((runs < 0 || done < runs) && (seconds <= 0 || elapsed() < seconds)) {
    run_one(m.next());
    ++done;
    if (elapsed() >= next_report) {
      std::fprintf(stderr, "fuzz_driver: %" PRId64 " inputs, %.0f/s, rss %" PRId64 " MB\n", done, done / elapsed(),
                   rss_mb());
      next_report += 5;
    }
  }
  close(g_current_fd);
  unlink(g_current_path);
  std::fprintf(stderr,
               "fuzz_driver: done: %zu seeds and %" PRId64 " mutated inputs in %.1f s (seed %" PRIu64 "), no finding\n",
               seeds.size(), done, elapsed(), seed);
  return 0;
}
