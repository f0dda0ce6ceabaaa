#include "dnnl_matmul.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "transformers/core/error.hpp"

namespace transformers::backend::cpu {

namespace {

using dnnl::memory;
using Dims = memory::dims;

struct ShapeHash {
  size_t operator()(const MatmulShape& s) const {
    size_t h = 0;
    for (int64_t v : {s.batch_a, s.batch_b, s.m, s.k, s.n, s.ldc}) h = h * 1000003u ^ std::hash<int64_t>()(v);
    h = h * 31 + (s.transpose_a ? 1 : 0) + (s.transpose_b ? 2 : 0) + (s.has_bias ? 4 : 0) + (s.has_residual ? 8 : 0) +
        (s.serial ? 16 : 0) + (s.bf16_operands ? 64 : 0) + 128 * static_cast<size_t>(s.activation);
    return h ^ std::hash<float>()(s.alpha);
  }
};

struct CachedMatmul {
  dnnl::matmul primitive;
  memory::desc a, b, bias, c, scratchpad;
  int residual_post_op = -1;  // index of the binary-add post-op, or -1
};

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

CachedMatmul build(const MatmulShape& s) {
  const int64_t batch = std::max(s.batch_a, s.batch_b);
  // Transposes are expressed as strides, so no operand is ever copied.
  const auto operand_type = s.bf16_operands ? memory::data_type::bf16 : memory::data_type::f32;
  memory::desc a({s.batch_a, s.m, s.k}, operand_type,
                 s.transpose_a ? Dims{s.m * s.k, 1, s.m} : Dims{s.m * s.k, s.k, 1});
  memory::desc b({s.batch_b, s.k, s.n}, operand_type,
                 s.transpose_b ? Dims{s.k * s.n, 1, s.k} : Dims{s.k * s.n, s.n, 1});
  memory::desc bias =
      s.has_bias ? memory::desc({1, 1, s.n}, memory::data_type::f32, Dims{s.n, s.n, 1}) : memory::desc();
  const int64_t ldc = s.ldc > 0 ? s.ldc : s.n;
  memory::desc c({batch, s.m, s.n}, memory::data_type::f32, Dims{s.m * ldc, ldc, 1});
  dnnl::primitive_attr attr;
  // A user scratchpad lets several threads run one cached primitive at once.
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (s.alpha != 1.0f) attr.set_output_scales(0, {s.alpha});
  // Post-ops run on the accumulated tile before it is stored: the activation, then the residual.
  dnnl::post_ops post;
  switch (s.activation) {
    case PostActivation::None: break;
    case PostActivation::GeluErf: post.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f); break;
    case PostActivation::GeluTanh: post.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_tanh, 0.0f, 0.0f); break;
    case PostActivation::Relu: post.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f); break;
  }
  if (s.has_residual) post.append_binary(dnnl::algorithm::binary_add, c);
  if (post.len() > 0) attr.set_post_ops(post);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, bias, c), attr, cpu_engine());
  return CachedMatmul{dnnl::matmul(pd), a, b, bias, c, pd.scratchpad_desc(), s.has_residual ? post.len() - 1 : -1};
}

struct PrimitiveCache {
  std::mutex mutex;
  std::unordered_map<MatmulShape, std::unique_ptr<CachedMatmul>, ShapeHash> entries;
};

PrimitiveCache& primitive_cache() {
  static PrimitiveCache cache;
  return cache;
}

const CachedMatmul& lookup(const MatmulShape& shape) {
  PrimitiveCache& cache = primitive_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  auto it = cache.entries.find(shape);
  if (it == cache.entries.end()) it = cache.entries.emplace(shape, std::make_unique<CachedMatmul>(build(shape))).first;
  return *it->second;
}

}  // namespace

size_t dnnl_matmul_cache_size() {
  PrimitiveCache& cache = primitive_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.entries.size();
}

// The memory objects and argument map of one cached primitive, built once per thread: per call
// only the data pointers change (set_data_handle), which saves microseconds at batch 1.
struct ThreadArguments {
  memory a, b, c, bias, residual, scratchpad;
  std::vector<unsigned char> scratch;
  std::unordered_map<int, memory> args;

  explicit ThreadArguments(const CachedMatmul& mm) {
    dnnl::engine& engine = cpu_engine();
    a = memory(mm.a, engine, DNNL_MEMORY_NONE);
    b = memory(mm.b, engine, DNNL_MEMORY_NONE);
    c = memory(mm.c, engine, DNNL_MEMORY_NONE);
    scratch.resize(mm.scratchpad.get_size());
    scratchpad = memory(mm.scratchpad, engine, scratch.data());
    args = {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}, {DNNL_ARG_SCRATCHPAD, scratchpad}};
    if (!mm.bias.is_zero()) {
      bias = memory(mm.bias, engine, DNNL_MEMORY_NONE);
      args.emplace(DNNL_ARG_BIAS, bias);
    }
    if (mm.residual_post_op >= 0) {
      residual = memory(mm.c, engine, DNNL_MEMORY_NONE);
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(mm.residual_post_op) | DNNL_ARG_SRC_1, residual);
    }
  }
};

namespace {

// Below this many multiply-adds a product runs on the calling thread only: for the smallest
// products (attention scores of one short sequence, 16x16x32) waking the OpenMP team costs more
// than the second thread saves. Batch-1 layers (BERT-base at 1x16: 16x768x768 is 2^23.2) are
// above it: on an idle 2-core machine splitting them makes BERT-base 1x16 1.8x faster (2^26, the
// earlier value tuned under load, kept them all on one thread).
// TRANSFORMERS_SERIAL_GEMM_MACS overrides it (0: always use the whole team).
int64_t serial_macs() {
  static const int64_t value = [] {
    const char* env = std::getenv("TRANSFORMERS_SERIAL_GEMM_MACS");
    return env ? std::atoll(env) : int64_t{1} << 20;
  }();
  return value;
}

// Runs with the calling thread's OpenMP team size set to one, restoring it after. oneDNN sizes
// its parallel regions from omp_get_max_threads() both when a primitive is built and when it runs.
struct SingleThread {
  int saved = omp_get_max_threads();
  SingleThread() { omp_set_num_threads(1); }
  ~SingleThread() { omp_set_num_threads(saved); }
  SingleThread(const SingleThread&) = delete;
  SingleThread& operator=(const SingleThread&) = delete;
};

}  // namespace

bool dnnl_has_native_bf16() {
  static const bool native = [] {
    const char* cap = std::getenv("TRANSFORMERS_CPU_ISA");  // generic / avx2 caps rule it out
    if (cap != nullptr && std::string(cap) != "avx512") return false;
    const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
    return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
  }();
  return native;
}

void dnnl_matmul(const MatmulShape& shape_in, const void* a, const void* b, const float* bias, float* c,
                 const float* residual) {
  MatmulShape shape = shape_in;
  shape.serial = omp_get_max_threads() > 1 && !omp_in_parallel() &&
                 std::max(shape.batch_a, shape.batch_b) * shape.m * shape.n * shape.k < serial_macs();
  std::optional<SingleThread> single;
  if (shape.serial) single.emplace();
  try {
    const CachedMatmul& mm = lookup(shape);
    // Cached primitives are never freed, so their addresses are stable keys.
    thread_local std::unordered_map<const CachedMatmul*, std::unique_ptr<ThreadArguments>> per_thread;
    std::unique_ptr<ThreadArguments>& slot = per_thread[&mm];
    if (!slot) slot = std::make_unique<ThreadArguments>(mm);
    slot->a.set_data_handle(const_cast<void*>(a));
    slot->b.set_data_handle(const_cast<void*>(b));
    slot->c.set_data_handle(c);
    if (shape.has_bias) slot->bias.set_data_handle(const_cast<float*>(bias));
    if (shape.has_residual) slot->residual.set_data_handle(const_cast<float*>(residual));
    thread_local dnnl::stream stream(cpu_engine());
    mm.primitive.execute(stream, slot->args);
    stream.wait();
  } catch (const dnnl::error& e) {
    throw Error(std::string("oneDNN matmul failed: ") + e.what());
  }
}

}  // namespace transformers::backend::cpu
