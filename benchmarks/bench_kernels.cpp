// bench_kernels: times the library's CPU ops on the shapes BERT-base, MiniLM and a Llama-sized
// layer use, next to the same work done by oneDNN called directly (the floor for the ops'
// overhead), by Eigen's GEMM, and by each instruction set's row kernels. See README.md.
//
//   bench_kernels [--quick] [--filter SUBSTRING] [--json PATH] [--time SECONDS] [--list]
//
// Every implementation of a case is warmed up and calibrated, then the implementations run N
// times each, interleaved (a, b, c, b, c, a, c, a, b, ...), with N chosen so that each spends about
// --time seconds: a burst of load on a shared machine then hits all of them alike and their
// ratios stay meaningful. Reported: median and min of the N runs, GFLOP/s or GB/s from the
// median, and minor page faults per run (fresh memory being touched).
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <oneapi/dnnl/dnnl.hpp>

#include "../kernels/cpu/kernels.hpp"
#include "eigen_gemm.hpp"
#include "transformers/core/tensor.hpp"
#include "transformers/core/threads.hpp"
#include "transformers/ops/ops.hpp"

namespace {

using transformers::Shape;
using transformers::Tensor;
namespace ops = transformers::ops;
namespace kcpu = transformers::kernels::cpu;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Options and measurement

struct Options {
  bool quick = false;
  bool list = false;
  std::string filter;
  std::string json_path;
  double seconds_per_impl = 0.3;  // timed work per implementation of a case
  int min_runs = 7;
};

struct Impl {
  std::string name;
  std::function<void()> run;
};

// One piece of work (a name and a shape) done by one or more implementations.
struct Case {
  std::string name;
  std::string shape;
  double flops = 0;       // per run; GFLOP/s is reported when > 0
  double bytes = 0;       // read + written per run; GB/s is reported when flops == 0
  std::string reference;  // implementation the "vs reference" column compares with (default: first)
  std::string floor;      // what the ops:: implementation runs underneath: its overhead is measured
                          // against this one in the summary (empty: no such comparison)
  std::vector<Impl> impls;
};

struct Result {
  std::string name, shape, impl, reference, floor;
  int runs = 0;
  double median_ms = 0, min_ms = 0;
  double gflops = 0, gbps = 0;  // from the median; one of them is 0
  double reference_median_ms = 0, reference_min_ms = 0;
  double floor_median_ms = 0, floor_min_ms = 0;
  double page_faults = 0;  // minor page faults per run (fresh memory being touched)
};

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Minor page faults of the process so far (all threads): a run that touches freshly mapped memory
// pays one per 4 KiB page, which shows up here.
long minor_page_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

class Bench {
 public:
  explicit Bench(Options options) : options_(std::move(options)) {}

  // Whether the filter keeps this implementation of this case ("name shape impl" contains it).
  bool selected(const std::string& name, const std::string& shape, const std::string& impl) const {
    if (options_.filter.empty()) return true;
    return (name + " " + shape + " " + impl).find(options_.filter) != std::string::npos;
  }
  bool any_selected(const std::string& name, const std::string& shape, const std::vector<std::string>& impls) const {
    return std::any_of(impls.begin(), impls.end(), [&](const std::string& i) { return selected(name, shape, i); });
  }

  void run(Case c) {
    std::erase_if(c.impls, [&](const Impl& i) { return !selected(c.name, c.shape, i.name); });
    if (c.impls.empty()) return;
    if (options_.list) {
      for (const Impl& i : c.impls) std::printf("%-22s %-34s %s\n", c.name.c_str(), c.shape.c_str(), i.name.c_str());
      return;
    }
    print_header();
    const size_t count = c.impls.size();
    // Warm-up (primitive creation, caches, page faults), then a calibration that estimates the
    // time of one run of each implementation.
    std::vector<double> estimate(count);
    const double calibrate_for = options_.seconds_per_impl * 0.1;
    for (size_t i = 0; i < count; ++i) {
      const auto warm_start = Clock::now();
      c.impls[i].run();
      estimate[i] = seconds_since(warm_start);
      if (estimate[i] >= calibrate_for) continue;  // a slow case: the warm-up is estimate enough
      int calls = 0;
      const auto start = Clock::now();
      do {
        c.impls[i].run();
        ++calls;
      } while (seconds_since(start) < calibrate_for && calls < 100000);
      estimate[i] = seconds_since(start) / calls;
    }
    double per_round = 0;
    for (double e : estimate) per_round += e;
    const double wanted = options_.seconds_per_impl * static_cast<double>(count) / std::max(per_round, 1e-9);
    const int runs = static_cast<int>(std::clamp(wanted, static_cast<double>(options_.min_runs), 1e6));
    std::vector<std::vector<double>> samples(count, std::vector<double>(static_cast<size_t>(runs)));
    std::vector<long> faults(count, 0);
    // Round r starts with implementation r % count, so that each one follows each of the others
    // equally often: what the previous run left in the caches is then no one's steady advantage.
    for (int r = 0; r < runs; ++r)
      for (size_t j = 0; j < count; ++j) {
        const size_t i = (j + static_cast<size_t>(r)) % count;
        const long faults_before = minor_page_faults();
        const auto start = Clock::now();
        c.impls[i].run();
        samples[i][static_cast<size_t>(r)] = seconds_since(start) * 1e3;
        faults[i] += minor_page_faults() - faults_before;
      }
    auto index_of = [&](const std::string& impl) -> std::optional<size_t> {
      for (size_t i = 0; i < count; ++i)
        if (c.impls[i].name == impl) return i;
      return std::nullopt;
    };
    const size_t ref = index_of(c.reference).value_or(0);
    const std::optional<size_t> floor_index = index_of(c.floor);
    const double ref_median = median_of(samples[ref]);
    const double ref_min = *std::min_element(samples[ref].begin(), samples[ref].end());
    for (size_t i = 0; i < count; ++i) {
      Result r;
      r.name = c.name;
      r.shape = c.shape;
      r.impl = c.impls[i].name;
      r.reference = c.impls[ref].name;
      r.runs = runs;
      r.median_ms = median_of(samples[i]);
      r.min_ms = *std::min_element(samples[i].begin(), samples[i].end());
      r.page_faults = static_cast<double>(faults[i]) / runs;
      if (c.flops > 0)
        r.gflops = c.flops / (r.median_ms * 1e-3) / 1e9;
      else
        r.gbps = c.bytes / (r.median_ms * 1e-3) / 1e9;
      r.reference_median_ms = ref_median;
      r.reference_min_ms = ref_min;
      if (floor_index && *floor_index != i && r.impl.rfind("ops::", 0) == 0) {
        r.floor = c.impls[*floor_index].name;
        r.floor_median_ms = median_of(samples[*floor_index]);
        r.floor_min_ms = *std::min_element(samples[*floor_index].begin(), samples[*floor_index].end());
      }
      print_row(r, i == 0);
      results_.push_back(r);
    }
  }

  // Titles the cases that follow; printed with the column headers before the first of them runs.
  void section(const std::string& title) { pending_section_ = title; }

  const std::vector<Result>& results() const { return results_; }

 private:
  void print_header() {
    if (pending_section_.empty()) return;
    std::printf("\n== %s\n", pending_section_.c_str());
    pending_section_.clear();
    std::printf("%-22s %-34s %-16s %7s %10s %10s %9s %7s %8s  %s\n", "case", "shape", "impl", "runs", "median ms",
                "min ms", "GFLOP/s", "GB/s", "faults", "vs reference (median)");
    std::printf("%s\n", std::string(22 + 34 + 16 + 7 + 2 * 10 + 9 + 7 + 8 + 9 + 2 + 24, '-').c_str());
  }

  static void print_row(const Result& r, bool first) {
    char ratio[96] = "";
    if (r.impl != r.reference) {
      const double pct = (r.median_ms / r.reference_median_ms - 1.0) * 100.0;
      std::snprintf(ratio, sizeof ratio, "  %+6.1f%% time = %.2fx speed of %s", pct,
                    r.reference_median_ms / r.median_ms, r.reference.c_str());
    }
    const std::string gflops = r.gflops > 0 ? fixed(r.gflops, 1) : "", gbps = r.gbps > 0 ? fixed(r.gbps, 1) : "";
    std::printf("%-22s %-34s %-16s %7d %10s %10s %9s %7s %8s%s\n", first ? r.name.c_str() : "",
                first ? r.shape.c_str() : "", r.impl.c_str(), r.runs, fixed(r.median_ms, 4).c_str(),
                fixed(r.min_ms, 4).c_str(), gflops.c_str(), gbps.c_str(), fixed(r.page_faults, 0).c_str(), ratio);
    std::fflush(stdout);
  }
  static std::string fixed(double v, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
    return buffer;
  }

  Options options_;
  std::vector<Result> results_;
  std::string pending_section_;
};

// ---------------------------------------------------------------------------------------------
// Data

// Deterministic values in [lo, hi) (a fixed-seed xorshift: the inputs are the same every run).
Tensor random_tensor(const Shape& shape, float lo = -1.0f, float hi = 1.0f, uint64_t seed = 1) {
  Tensor t = Tensor::empty(shape);
  float* p = t.data<float>();
  const int64_t n = t.numel();
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (int64_t i = 0; i < n; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    p[i] = lo + (hi - lo) * static_cast<float>(state >> 40) / static_cast<float>(1 << 24);
  }
  return t;
}

std::string dims(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

constexpr double kF32 = sizeof(float);

// ---------------------------------------------------------------------------------------------
// oneDNN called directly

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}
dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

enum class DnnlMode {
  Plain,    // primitive and memory objects made once; each run is execute() + wait(): the floor
  PerCall,  // as the library: user scratchpad, memory objects and argument map made on every run
  Packed,   // weights in the layout oneDNN prefers (format_tag::any), reordered once up front
};

// c[batch, m, n] = alpha * a[batch, m, k] . op(b) (+ bias[n]); op(b) = b[batch_b, n, k]^T when
// transpose_b, else b[batch_b, k, n]. Memory descriptors as src/backends/cpu/dnnl_matmul.cpp makes
// them, so that the comparison isolates the per-call cost.
class DirectMatmul {
 public:
  DirectMatmul(DnnlMode mode, int64_t batch, int64_t batch_b, int64_t m, int64_t k, int64_t n, bool transpose_b,
               float alpha, const float* a, const float* b, const float* bias, float* c)
      : mode_(mode),
        a_ptr_(const_cast<float*>(a)),
        b_ptr_(const_cast<float*>(b)),
        bias_ptr_(const_cast<float*>(bias)),
        c_ptr_(c) {
    using memory = dnnl::memory;
    using Dims = memory::dims;
    a_desc_ = memory::desc({batch, m, k}, memory::data_type::f32, Dims{m * k, k, 1});
    const memory::desc b_user({batch_b, k, n}, memory::data_type::f32,
                              transpose_b ? Dims{k * n, 1, k} : Dims{k * n, n, 1});
    b_desc_ = mode == DnnlMode::Packed ? memory::desc({batch_b, k, n}, memory::data_type::f32, memory::format_tag::any)
                                       : b_user;
    if (bias) bias_desc_ = memory::desc({1, 1, n}, memory::data_type::f32, Dims{n, n, 1});
    c_desc_ = memory::desc({batch, m, n}, memory::data_type::f32, Dims{m * n, n, 1});
    dnnl::primitive_attr attr;
    if (mode == DnnlMode::PerCall) attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_desc_, b_desc_, bias_desc_, c_desc_), attr, engine());
    primitive_ = dnnl::matmul(pd);
    scratchpad_desc_ = pd.scratchpad_desc();
    if (mode == DnnlMode::PerCall) return;
    memory b_memory(b_user, engine(), b_ptr_);
    if (mode == DnnlMode::Packed && pd.weights_desc() != b_user) {
      memory user(b_user, engine(), b_ptr_);
      b_memory = memory(pd.weights_desc(), engine());
      dnnl::reorder(user, b_memory).execute(stream(), user, b_memory);
      stream().wait();
    }
    args_ = {{DNNL_ARG_SRC, memory(a_desc_, engine(), a_ptr_)},
             {DNNL_ARG_WEIGHTS, b_memory},
             {DNNL_ARG_DST, memory(c_desc_, engine(), c_ptr_)}};
    if (bias) args_.emplace(DNNL_ARG_BIAS, memory(bias_desc_, engine(), bias_ptr_));
  }

  void operator()() {
    if (mode_ != DnnlMode::PerCall) {
      primitive_.execute(stream(), args_);
      stream().wait();
      return;
    }
    using memory = dnnl::memory;
    if (scratch_.size() < scratchpad_desc_.get_size()) scratch_.resize(scratchpad_desc_.get_size());
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(a_desc_, engine(), a_ptr_)},
                                         {DNNL_ARG_WEIGHTS, memory(b_desc_, engine(), b_ptr_)},
                                         {DNNL_ARG_DST, memory(c_desc_, engine(), c_ptr_)},
                                         {DNNL_ARG_SCRATCHPAD, memory(scratchpad_desc_, engine(), scratch_.data())}};
    if (bias_ptr_) args.emplace(DNNL_ARG_BIAS, memory(bias_desc_, engine(), bias_ptr_));
    primitive_.execute(stream(), args);
    stream().wait();
  }

 private:
  DnnlMode mode_;
  float *a_ptr_, *b_ptr_, *bias_ptr_, *c_ptr_;
  dnnl::memory::desc a_desc_, b_desc_, bias_desc_, c_desc_, scratchpad_desc_;
  dnnl::matmul primitive_;
  std::unordered_map<int, dnnl::memory> args_;
  std::vector<unsigned char> scratch_;
};

// ---------------------------------------------------------------------------------------------
// Eigen: the widest copy this CPU runs

std::pair<bench::EigenLinearFn, const char*> eigen_linear() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl"))
    return {bench::eigen_linear_avx512, "eigen(avx512)"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {bench::eigen_linear_avx2, "eigen(avx2)"};
  return {bench::eigen_linear_generic, "eigen(sse2)"};
}

// ---------------------------------------------------------------------------------------------
// The cases

// y = x . W^T + b for `tokens` rows of `in` features, as nn.Linear(in, out).
void bench_linear(Bench& bench, const std::string& name, int64_t tokens, int64_t in, int64_t out) {
  const std::string shape = std::to_string(tokens) + "x" + std::to_string(in) + " -> " + std::to_string(out);
  const auto [eigen_fn, eigen_name] = eigen_linear();
  if (!bench.any_selected(name, shape, {"ops::linear", "onednn", "onednn-percall", "onednn-packed", eigen_name}))
    return;
  auto x = std::make_shared<Tensor>(random_tensor({tokens, in}, -1, 1, 1));
  auto w = std::make_shared<Tensor>(random_tensor({out, in}, -0.05f, 0.05f, 2));
  auto b = std::make_shared<Tensor>(random_tensor({out}, -0.1f, 0.1f, 3));
  auto y = std::make_shared<Tensor>(Tensor::zeros({tokens, out}));
  const float *px = x->data<float>(), *pw = w->data<float>(), *pb = b->data<float>();
  float* py = y->data<float>();
  Case c{name, shape,    2.0 * static_cast<double>(tokens) * static_cast<double>(in) * static_cast<double>(out),
         0,    "onednn", "onednn",
         {}};
  auto add = [&](const std::string& impl, std::function<void()> fn) {
    if (bench.selected(name, shape, impl)) c.impls.push_back({impl, std::move(fn)});
  };
  add("ops::linear", [x, w, b] { Tensor r = ops::linear(*x, *w, *b); });
  auto direct = [&](DnnlMode mode) {
    auto mm = std::make_shared<DirectMatmul>(mode, 1, 1, tokens, in, out, true, 1.0f, px, pw, pb, py);
    return [mm, x, w, b, y] { (*mm)(); };
  };
  if (bench.selected(name, shape, "onednn")) add("onednn", direct(DnnlMode::Plain));
  if (bench.selected(name, shape, "onednn-percall")) add("onednn-percall", direct(DnnlMode::PerCall));
  if (bench.selected(name, shape, "onednn-packed")) add("onednn-packed", direct(DnnlMode::Packed));
  add(eigen_name, [x, w, b, y, fn = eigen_fn, tokens, in, out] {
    fn(x->data<float>(), w->data<float>(), b->data<float>(), y->data<float>(), tokens, in, out);
  });
  bench.run(std::move(c));
}

// Attention's two products per head: scores = q . k^T * scale and context = p . v.
void bench_batched_matmul(Bench& bench, int64_t batch, int64_t heads, int64_t seq, int64_t head_dim) {
  const Shape qshape = batch == 1 ? Shape{heads, seq, head_dim} : Shape{batch, heads, seq, head_dim};
  const Shape pshape = batch == 1 ? Shape{heads, seq, seq} : Shape{batch, heads, seq, seq};
  const int64_t count = batch * heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const double flops = 2.0 * static_cast<double>(count * seq * seq * head_dim);
  {
    const std::string name = "matmul q.k^T", shape = dims(qshape) + " x " + dims(qshape) + "^T";
    if (bench.any_selected(name, shape, {"ops::matmul", "onednn"})) {
      auto q = std::make_shared<Tensor>(random_tensor(qshape, -1, 1, 4));
      auto k = std::make_shared<Tensor>(random_tensor(qshape, -1, 1, 5));
      auto s = std::make_shared<Tensor>(Tensor::zeros(pshape));
      auto mm = std::make_shared<DirectMatmul>(DnnlMode::Plain, count, count, seq, head_dim, seq, true, scale,
                                               q->data<float>(), k->data<float>(), nullptr, s->data<float>());
      Case c{name, shape, flops, 0, "onednn", "onednn", {}};
      c.impls.push_back({"ops::matmul", [q, k, scale] { Tensor r = ops::matmul(*q, *k, false, true, scale); }});
      c.impls.push_back({"onednn", [mm, q, k, s] { (*mm)(); }});
      bench.run(std::move(c));
    }
  }
  {
    const std::string name = "matmul p.v", shape = dims(pshape) + " x " + dims(qshape);
    if (bench.any_selected(name, shape, {"ops::matmul", "onednn"})) {
      auto p = std::make_shared<Tensor>(random_tensor(pshape, 0, 1.0f / static_cast<float>(seq), 6));
      auto v = std::make_shared<Tensor>(random_tensor(qshape, -1, 1, 7));
      auto o = std::make_shared<Tensor>(Tensor::zeros(qshape));
      auto mm = std::make_shared<DirectMatmul>(DnnlMode::Plain, count, count, seq, seq, head_dim, false, 1.0f,
                                               p->data<float>(), v->data<float>(), nullptr, o->data<float>());
      Case c{name, shape, flops, 0, "onednn", "onednn", {}};
      c.impls.push_back({"ops::matmul", [p, v] { Tensor r = ops::matmul(*p, *v); }});
      c.impls.push_back({"onednn", [mm, p, v, o] { (*mm)(); }});
      bench.run(std::move(c));
    }
  }
}

// "kernel:avx512": the row-kernel table's instruction set, named briefly (filters, JSON).
std::string kernel_impl(const kcpu::KernelTable& t) {
  switch (t.isa) {
    case kcpu::Isa::Generic: return "kernel:generic";
    case kcpu::Isa::Avx2: return "kernel:avx2";
    case kcpu::Isa::Avx512: return "kernel:avx512";
  }
  return std::string("kernel:") + t.name;
}

// Runs `row` over every row of x on the OpenMP threads, as the CPU backend does.
template <typename Row>
void for_rows(int64_t rows, const Row& row) {
#pragma omp parallel for
  for (int64_t r = 0; r < rows; ++r) row(r);
}

// The implementations of a row-kernel case: each ISA's kernel over all rows (kernel:generic is
// the reference, so the column shows what dispatch buys), then the op, whose floor is the kernel
// it dispatches to. Each kernel writes its own output buffer, as the op does: with one shared
// buffer, the kernels would find it in the last-level cache, left there by each other, and the
// op, which never does, would look slower than it is.
Case row_kernel_case(const std::string& name, const std::string& shape, double bytes, const std::string& op,
                     std::function<void()> op_run,
                     const std::function<std::function<void()>(const kcpu::KernelTable&)>& kernel_run) {
  Case c{name, shape, 0, bytes, "kernel:generic", kernel_impl(kcpu::best_kernels()), {}};
  for (const kcpu::KernelTable* t : kcpu::supported_kernels()) c.impls.push_back({kernel_impl(*t), kernel_run(*t)});
  c.impls.push_back({op, std::move(op_run)});
  return c;
}

std::vector<std::string> row_kernel_impls(const std::string& op) {
  std::vector<std::string> impls{op};
  for (const kcpu::KernelTable* t : kcpu::supported_kernels()) impls.push_back(kernel_impl(*t));
  return impls;
}

void bench_softmax(Bench& bench, const Shape& shape, bool masked) {
  const std::string name = masked ? "softmax+mask" : "softmax";
  const int64_t batch = shape[0], n = shape.back();
  const Shape mask_shape{batch, 1, 1, n};
  const std::string shape_str = dims(shape) + (masked ? " + " + dims(mask_shape) : "");
  if (!bench.any_selected(name, shape_str, row_kernel_impls("ops::softmax"))) return;
  auto x = std::make_shared<Tensor>(random_tensor(shape, -4, 4, 8));
  // An attention mask: the last (b % 32) keys of batch row b are padding.
  auto mask = std::make_shared<Tensor>(Tensor::zeros(mask_shape));
  float* pm = mask->data<float>();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t k = n - b % 32; k < n; ++k) pm[b * n + k] = std::numeric_limits<float>::lowest();
  const double bytes = kF32 * static_cast<double>(2 * x->numel() + (masked ? mask->numel() : 0));
  const int64_t rows = x->numel() / n, rows_per_batch = rows / batch;
  std::function<void()> op = [x] { Tensor r = ops::softmax(*x); };
  if (masked) op = [x, mask] { Tensor r = ops::softmax(*x, -1, *mask); };
  bench.run(row_kernel_case(name, shape_str, bytes, "ops::softmax", op, [&](const kcpu::KernelTable& t) {
    auto y = std::make_shared<Tensor>(Tensor::zeros(shape));
    return [&t, x, y, mask, masked, n, rows, rows_per_batch] {
      const float* px = x->data<float>();
      const float* pmask = mask->data<float>();
      float* py = y->data<float>();
      for_rows(rows, [&](int64_t r) {
        t.softmax_row(px + r * n, masked ? pmask + (r / rows_per_batch) * n : nullptr, 1, py + r * n, n, false);
      });
    };
  }));
}

void bench_layer_norm(Bench& bench, int64_t rows, int64_t hidden) {
  const std::string name = "layer_norm", shape = dims({rows, hidden});
  if (!bench.any_selected(name, shape, row_kernel_impls("ops::layer_norm"))) return;
  auto x = std::make_shared<Tensor>(random_tensor({rows, hidden}, -2, 2, 9));
  auto w = std::make_shared<Tensor>(random_tensor({hidden}, 0.5f, 1.5f, 10));
  auto b = std::make_shared<Tensor>(random_tensor({hidden}, -0.1f, 0.1f, 11));
  const double bytes = kF32 * static_cast<double>(2 * rows * hidden + 2 * hidden);
  auto op = [x, w, b] { Tensor r = ops::layer_norm(*x, *w, *b, 1e-12f); };
  bench.run(row_kernel_case(name, shape, bytes, "ops::layer_norm", op, [&](const kcpu::KernelTable& t) {
    auto y = std::make_shared<Tensor>(Tensor::zeros({rows, hidden}));
    return [&t, x, w, b, y, rows, hidden] {
      const float *px = x->data<float>(), *pw = w->data<float>(), *pb = b->data<float>();
      float* py = y->data<float>();
      for_rows(rows, [&](int64_t r) { t.layer_norm_row(px + r * hidden, pw, pb, 1e-12f, py + r * hidden, hidden); });
    };
  }));
}

void bench_rms_norm(Bench& bench, int64_t rows, int64_t hidden) {
  const std::string name = "rms_norm", shape = dims({rows, hidden});
  if (!bench.any_selected(name, shape, row_kernel_impls("ops::rms_norm"))) return;
  auto x = std::make_shared<Tensor>(random_tensor({rows, hidden}, -2, 2, 12));
  auto w = std::make_shared<Tensor>(random_tensor({hidden}, 0.5f, 1.5f, 13));
  const double bytes = kF32 * static_cast<double>(2 * rows * hidden + hidden);
  auto op = [x, w] { Tensor r = ops::rms_norm(*x, *w, 1e-6f); };
  bench.run(row_kernel_case(name, shape, bytes, "ops::rms_norm", op, [&](const kcpu::KernelTable& t) {
    auto y = std::make_shared<Tensor>(Tensor::zeros({rows, hidden}));
    return [&t, x, w, y, rows, hidden] {
      const float* px = x->data<float>();
      const float* pw = w->data<float>();
      float* py = y->data<float>();
      for_rows(rows, [&](int64_t r) { t.rms_norm_row(px + r * hidden, pw, 1e-6f, py + r * hidden, hidden); });
    };
  }));
}

// The memory-bandwidth yardstick for the GB/s columns: a parallel memcpy of a buffer far larger
// than the last-level cache (GB/s counts bytes read + written, as for the ops). The ops' smaller
// tensors can partly stay in cache and beat it.
void bench_copy(Bench& bench, int64_t floats) {
  const std::string name = "copy (yardstick)", shape = dims({floats});
  if (!bench.any_selected(name, shape, {"memcpy"})) return;
  auto x = std::make_shared<Tensor>(random_tensor({floats}, -1, 1, 14));
  auto y = std::make_shared<Tensor>(Tensor::zeros({floats}));
  Case c{name, shape, 0, kF32 * 2.0 * static_cast<double>(floats), "memcpy", "", {}};
  c.impls.push_back({"memcpy", [x, y, floats] {
                       const float* src = x->data<float>();
                       float* dst = y->data<float>();
                       const int64_t chunk = 1 << 16;
                       for_rows((floats + chunk - 1) / chunk, [&](int64_t i) {
                         const int64_t start = i * chunk, len = std::min(chunk, floats - start);
                         std::memcpy(dst + start, src + start, static_cast<size_t>(len) * sizeof(float));
                       });
                     }});
  bench.run(std::move(c));
}

// ops::attention: softmax(q.k^T * scale + mask) . v. FLOPs count both products in full (the
// causal case computes the masked half too).
void bench_attention(Bench& bench, int64_t batch, int64_t heads, int64_t seq, int64_t head_dim, bool causal) {
  const Shape qshape{batch, heads, seq, head_dim};
  const std::string name = causal ? "attention causal" : "attention padded";
  const std::string shape =
      dims(qshape) + (causal ? "" : " + mask[" + std::to_string(batch) + "," + std::to_string(seq) + "]");
  if (!bench.any_selected(name, shape, {"ops::attention"})) return;
  auto q = std::make_shared<Tensor>(random_tensor(qshape, -1, 1, 15));
  auto k = std::make_shared<Tensor>(random_tensor(qshape, -1, 1, 16));
  auto v = std::make_shared<Tensor>(random_tensor(qshape, -1, 1, 17));
  ops::AttentionOptions options;
  options.causal = causal;
  if (!causal) {
    std::vector<int64_t> keep(static_cast<size_t>(batch * seq));
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < seq; ++t) keep[static_cast<size_t>(b * seq + t)] = t < seq - (b * 7) % (seq / 2) ? 1 : 0;
    options.mask = Tensor::from_vector(keep, {batch, seq});
  }
  const double flops = 4.0 * static_cast<double>(batch * heads) * static_cast<double>(seq * seq * head_dim);
  Case c{name, shape, flops, 0, "ops::attention", "", {}};
  c.impls.push_back({"ops::attention", [q, k, v, options] { Tensor r = ops::attention(*q, *k, *v, options); }});
  bench.run(std::move(c));
}

// ---------------------------------------------------------------------------------------------
// Report

void print_overheads(const std::vector<Result>& results) {
  bool any = false;
  for (const Result& r : results) {
    if (r.floor.empty() || r.impl.rfind("ops::", 0) != 0) continue;
    if (!any) {
      std::printf(
          "\n== Overhead of the ops over what they run underneath (oneDNN called directly, or the row kernel\n"
          "   ops dispatch to); target <= 5%% on the BERT linear shapes\n");
      std::printf("%-22s %-34s %-16s %10s %10s\n", "case", "shape", "vs", "by median", "by min");
      any = true;
    }
    const double by_median = (r.median_ms / r.floor_median_ms - 1.0) * 100.0;
    const double by_min = (r.min_ms / r.floor_min_ms - 1.0) * 100.0;
    const bool bert = r.name.rfind("linear bert", 0) == 0;
    std::printf("%-22s %-34s %-16s %+9.1f%% %+9.1f%%  %s\n", r.name.c_str(), r.shape.c_str(), r.floor.c_str(),
                by_median, by_min, bert ? (by_median <= 5.0 ? "ok" : "OVER TARGET") : "");
  }
}

void write_json(const std::string& path, const std::vector<Result>& results, int threads) {
  nlohmann::json doc = nlohmann::json::array();
  for (const Result& r : results) {
    nlohmann::json entry{
        {"name", r.name},     {"shape", r.shape}, {"impl", r.impl},     {"median_ms", r.median_ms},
        {"min_ms", r.min_ms}, {"runs", r.runs},   {"threads", threads}, {"page_faults_per_run", r.page_faults}};
    if (r.gflops > 0)
      entry["gflops"] = r.gflops;
    else
      entry["gbps"] = r.gbps;
    if (r.impl != r.reference) {
      entry["reference"] = r.reference;
      entry["vs_reference_pct"] = (r.median_ms / r.reference_median_ms - 1.0) * 100.0;
    }
    if (!r.floor.empty()) {
      entry["floor"] = r.floor;
      entry["overhead_vs_floor_pct"] = (r.median_ms / r.floor_median_ms - 1.0) * 100.0;
    }
    doc.push_back(std::move(entry));
  }
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << doc.dump(2) << "\n";
  if (!out) throw std::runtime_error("error writing " + path);
}

void usage(const char* argv0) {
  std::printf(
      "usage: %s [--quick] [--filter SUBSTRING] [--json PATH] [--time SECONDS] [--list]\n"
      "  --quick        a ~5 s smoke run (one or a few timed runs per case: rough numbers)\n"
      "  --filter S     only implementations whose \"case shape impl\" contains S (e.g. 'linear bert', 'kernel:')\n"
      "  --json PATH    also write the results as a JSON array to PATH\n"
      "  --time S       timed seconds per implementation of a case (default 0.3, --quick 0.02)\n"
      "  --list         list the cases and exit\n"
      "Threads: OMP_NUM_THREADS (oneDNN, Eigen and our kernels share one OpenMP pool).\n",
      argv0);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::optional<double> time_override;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--quick")
      options.quick = true;
    else if (arg == "--filter")
      options.filter = value();
    else if (arg == "--json")
      options.json_path = value();
    else if (arg == "--time")
      time_override = std::atof(value().c_str());
    else if (arg == "--list")
      options.list = true;
    else if (arg == "-h" || arg == "--help") {
      usage(argv[0]);
      return 0;
    } else {
      std::fprintf(stderr, "unknown argument '%s'\n", arg.c_str());
      usage(argv[0]);
      return 2;
    }
  }
  if (options.quick) {
    options.seconds_per_impl = 0.02;
    options.min_runs = 1;
  }
  if (time_override) options.seconds_per_impl = std::max(*time_override, 0.0);

  try {
    const int threads = transformers::get_num_threads();
    const char* env_threads = std::getenv("OMP_NUM_THREADS");
    std::string isas;
    for (const kcpu::KernelTable* t : kcpu::supported_kernels())
      isas += std::string(isas.empty() ? "" : ", ") + t->name;
    const dnnl_version_t* version = dnnl_version();
    if (!options.list) {
      std::printf("bench_kernels: %d threads (OMP_NUM_THREADS=%s), row kernels: %s (ops use %s), oneDNN %d.%d.%d, %s\n",
                  threads, env_threads ? env_threads : "unset", isas.c_str(), kcpu::best_kernels().name, version->major,
                  version->minor, version->patch, eigen_linear().second);
      std::printf(
          "%s; median and min of N runs, GFLOP/s and GB/s from the median; ratios compare implementations "
          "timed interleaved in the same case.\n",
          options.quick ? "quick run" : "full run");
    }
    Bench bench(options);
    const auto start = Clock::now();

    bench.section("Linear: y = x . W^T + b (ops::linear vs oneDNN direct / per-call / packed weights vs Eigen)");
    const int64_t tokens = 32 * 128;
    bench_linear(bench, "linear bert qkv/out", tokens, 768, 768);
    bench_linear(bench, "linear bert ffn.in", tokens, 768, 3072);
    bench_linear(bench, "linear bert ffn.out", tokens, 3072, 768);
    bench_linear(bench, "linear minilm attn", tokens, 384, 384);
    bench_linear(bench, "linear minilm ffn.in", tokens, 384, 1536);
    bench_linear(bench, "linear minilm ffn.out", tokens, 1536, 384);
    bench_linear(bench, "linear 16 tokens", 16, 768, 3072);
    bench_linear(bench, "linear gemv", 1, 768, 768);
    bench_linear(bench, "linear gemv", 1, 768, 3072);
    bench_linear(bench, "linear gemv", 1, 4096, 4096);

    bench.section("Batched matmul as attention does it (12 heads x 128 tokens x 64)");
    bench_batched_matmul(bench, 1, 12, 128, 64);
    bench_batched_matmul(bench, 32, 12, 128, 64);

    bench.section(
        "Softmax and norms: each ISA's row kernels vs kernel:generic, then the op (GB/s = bytes read + written / "
        "median)");
    bench_copy(bench, int64_t{1} << 24);  // 64 MiB each way: twice the 32 MiB L3 here, so DRAM-bound
    bench_softmax(bench, {32, 12, 128, 128}, false);
    bench_softmax(bench, {32, 12, 128, 128}, true);
    bench_layer_norm(bench, 4096, 768);
    bench_layer_norm(bench, 4096, 384);
    bench_rms_norm(bench, 2048, 4096);

    bench.section("Attention (both products counted in full)");
    bench_attention(bench, 32, 12, 128, 64, false);
    bench_attention(bench, 1, 32, 128, 128, true);

    if (options.list) return 0;
    if (bench.results().empty()) {
      std::fprintf(stderr, "bench_kernels: no case matches --filter '%s' (see --list)\n", options.filter.c_str());
      return 1;
    }
    print_overheads(bench.results());
    std::printf("\ntotal %.1f s\n", seconds_since(start));
    if (!options.json_path.empty()) {
      write_json(options.json_path, bench.results(), threads);
      std::printf("wrote %s\n", options.json_path.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_kernels: %s\n", e.what());
    return 1;
  }
  return 0;
}
