#include "dnnl_matmul.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "transformers/core/error.hpp"

namespace transformers::backend::cpu {

namespace {

using dnnl::memory;
using Dims = memory::dims;

struct ShapeHash {
  size_t operator()(const MatmulShape& s) const {
    size_t h = 0;
    for (int64_t v : {s.batch_a, s.batch_b, s.m, s.k, s.n})
      h = h * 1000003u ^ std::hash<int64_t>()(v);
    h = h * 31 + (s.transpose_a ? 1 : 0) + (s.transpose_b ? 2 : 0) + (s.has_bias ? 4 : 0);
    return h ^ std::hash<float>()(s.alpha);
  }
};

struct CachedMatmul {
  dnnl::matmul primitive;
  memory::desc a, b, bias, c, scratchpad;
};

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

CachedMatmul build(const MatmulShape& s) {
  const int64_t batch = std::max(s.batch_a, s.batch_b);
  // Transposes are expressed as strides, so no operand is ever copied.
  memory::desc a({s.batch_a, s.m, s.k}, memory::data_type::f32,
                 s.transpose_a ? Dims{s.m * s.k, 1, s.m} : Dims{s.m * s.k, s.k, 1});
  memory::desc b({s.batch_b, s.k, s.n}, memory::data_type::f32,
                 s.transpose_b ? Dims{s.k * s.n, 1, s.k} : Dims{s.k * s.n, s.n, 1});
  memory::desc bias = s.has_bias ? memory::desc({1, 1, s.n}, memory::data_type::f32, Dims{s.n, s.n, 1})
                                 : memory::desc();
  memory::desc c({batch, s.m, s.n}, memory::data_type::f32, Dims{s.m * s.n, s.n, 1});
  dnnl::primitive_attr attr;
  // A user scratchpad lets several threads run one cached primitive at once.
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (s.alpha != 1.0f) attr.set_output_scales(0, {s.alpha});
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, bias, c), attr, cpu_engine());
  return CachedMatmul{dnnl::matmul(pd), a, b, bias, c, pd.scratchpad_desc()};
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
  if (it == cache.entries.end())
    it = cache.entries.emplace(shape, std::make_unique<CachedMatmul>(build(shape))).first;
  return *it->second;
}

}  // namespace

size_t dnnl_matmul_cache_size() {
  PrimitiveCache& cache = primitive_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.entries.size();
}

void dnnl_matmul(const MatmulShape& shape, const float* a, const float* b, const float* bias, float* c) {
  try {
    const CachedMatmul& mm = lookup(shape);
    dnnl::engine& engine = cpu_engine();
    thread_local std::vector<unsigned char> scratch;
    if (scratch.size() < mm.scratchpad.get_size()) scratch.resize(mm.scratchpad.get_size());
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory(mm.a, engine, const_cast<float*>(a))},
        {DNNL_ARG_WEIGHTS, memory(mm.b, engine, const_cast<float*>(b))},
        {DNNL_ARG_DST, memory(mm.c, engine, c)},
        {DNNL_ARG_SCRATCHPAD, memory(mm.scratchpad, engine, scratch.data())}};
    if (shape.has_bias) args.emplace(DNNL_ARG_BIAS, memory(mm.bias, engine, const_cast<float*>(bias)));
    thread_local dnnl::stream stream(engine);
    mm.primitive.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& e) {
    throw Error(std::string("oneDNN matmul failed: ") + e.what());
  }
}

}  // namespace transformers::backend::cpu
