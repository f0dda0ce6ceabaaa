// The CPU backend: oneDNN for matrix products, Eigen for element-wise maths, our ISA-dispatched
// row kernels (kernels/cpu) for softmax and norms; rows are spread over the OpenMP threads.
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <memory>
#include <mutex>
#include <optional>
#include <algorithm>
#include <utility>
#include <vector>

#include "../backend.hpp"
#include "../../../kernels/cpu/kernels.hpp"
#include "../../io/block_dequantize.hpp"
#include "dnnl_matmul.hpp"
#include "weight_linear.hpp"
#include "eigen_unary.hpp"

namespace transformers::backend {

namespace {

using kernels::cpu::best_kernels;

// Element offset of row `row` (row-major over all dimensions but the last) in a strided view.
int64_t row_offset(const Tensor& t, int64_t row) {
  int64_t offset = 0;
  for (int64_t d = t.dim() - 2; d >= 0; --d) {
    const int64_t size = t.shape()[d];
    offset += (row % size) * t.strides()[d];
    row /= size;
  }
  return offset;
}

int64_t rows_of(const Tensor& t) {
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < t.dim(); ++d) rows *= t.size(d);
  return rows;
}
int64_t last_dim(const Tensor& t) { return t.dim() == 0 ? 1 : t.size(-1); }
int64_t last_stride(const Tensor& t) { return t.dim() == 0 ? 0 : t.stride(-1); }

// The oneDNN post-op for an activation, None when oneDNN has no such eltwise post-op.
cpu::PostActivation fusable(Unary activation) {
  switch (activation) {
    case Unary::Gelu: return cpu::PostActivation::GeluErf;
    case Unary::GeluTanh: return cpu::PostActivation::GeluTanh;
    case Unary::Relu: return cpu::PostActivation::Relu;
    default: return cpu::PostActivation::None;
  }
}

std::optional<kernels::cpu::WeightFormat> weight_format(DType dtype) {
  switch (dtype) {
    case DType::F32: return kernels::cpu::WeightFormat::F32;
    case DType::BF16: return kernels::cpu::WeightFormat::BF16;
    case DType::F16: return kernels::cpu::WeightFormat::F16;
    default: return std::nullopt;
  }
}

// The block-quantized dtypes and the kernels' name for each: one table, read both ways.
constexpr std::pair<DType, kernels::cpu::BlockFormat> kBlockFormats[] = {
    {DType::Q4_0, kernels::cpu::BlockFormat::Q4_0},     {DType::Q4_1, kernels::cpu::BlockFormat::Q4_1},
    {DType::Q5_0, kernels::cpu::BlockFormat::Q5_0},     {DType::Q5_1, kernels::cpu::BlockFormat::Q5_1},
    {DType::Q8_0, kernels::cpu::BlockFormat::Q8_0},     {DType::Q2_K, kernels::cpu::BlockFormat::Q2_K},
    {DType::Q3_K, kernels::cpu::BlockFormat::Q3_K},     {DType::Q4_K, kernels::cpu::BlockFormat::Q4_K},
    {DType::Q5_K, kernels::cpu::BlockFormat::Q5_K},     {DType::Q6_K, kernels::cpu::BlockFormat::Q6_K},     {DType::Q4_0x8, kernels::cpu::BlockFormat::Q4_0x8},
    {DType::Q4_1x8, kernels::cpu::BlockFormat::Q4_1x8}, {DType::Q8_0x8, kernels::cpu::BlockFormat::Q8_0x8}};

std::optional<kernels::cpu::BlockFormat> block_format(DType dtype) {
  for (const auto& [candidate, format] : kBlockFormats)
    if (candidate == dtype) return format;
  return std::nullopt;
}

DType dtype_of(kernels::cpu::BlockFormat format) {
  for (const auto& [dtype, candidate] : kBlockFormats)
    if (candidate == format) return dtype;
  throw InvalidArgument("cpu backend: a block format without a dtype");
}

// Below this many elements a row-wise op runs on one thread: waking the OpenMP team costs more
// than the work (at batch 1 the barriers were most of a forward pass).
constexpr int64_t kParallelElements = 65536;

// Where interleaved weights are copied at load: most are a few hundred KiB, which malloc would
// give in fresh 4 KiB pages, a page fault each on first touch. Carved out of 32 MiB blocks they
// land on 2 MiB pages instead (SmolLM2 Q4_1: model load 0.07-0.20 s, median ~0.09, against
// 0.10-0.17, median ~0.12, six runs each). A block lives while any of its tensors does; the arena
// only watches the current one.
class PackedArena {
 public:
  Tensor tensor(const Shape& shape, DType dtype) {
    const size_t nbytes = (static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype) + 63) / 64 * 64;
    if (nbytes >= kBlockBytes / 4) return Tensor::empty(shape, dtype);  // large: its own mapping already
    std::lock_guard<std::mutex> lock(mutex_);
    std::shared_ptr<Storage> block = current_.lock();
    if (!block || used_ + nbytes > block->nbytes()) {
      block = Storage::allocate(kBlockBytes);
      current_ = block;
      used_ = 0;
    }
    // a storage of its own (views count offsets from it), keeping the block alive
    auto storage = Storage::borrow(static_cast<char*>(block->data()) + used_, nbytes, block);
    used_ += nbytes;
    return Tensor(storage, dtype, shape, contiguous_strides(shape), 0);
  }

 private:
  static constexpr size_t kBlockBytes = size_t{32} << 20;
  std::mutex mutex_;
  std::weak_ptr<Storage> current_;
  size_t used_ = 0;
};

class CpuBackend final : public Backend {
 public:
  std::string name() const override { return std::string("cpu (") + best_kernels().name + ")"; }

  void matmul(const Tensor& a, const Tensor& b, const Tensor& bias, Tensor& out, bool transpose_a, bool transpose_b,
              float alpha) override {
    const int64_t m = out.size(1), n = out.size(2);
    const int64_t k = transpose_a ? a.size(1) : a.size(2);
    cpu::MatmulShape shape{a.size(0), b.size(0), m, k, n, transpose_a, transpose_b, bias.defined(), alpha};
    if (out.numel() == 0) return;
    if (k == 0) {  // an empty product: zeros, plus the bias as torch adds it
      float* po = out.data<float>();
      const float* pb = bias.defined() ? bias.data<float>() : nullptr;
      for (int64_t i = 0; i < out.numel(); ++i) po[i] = pb ? pb[i % n] : 0.0f;
      return;
    }
    cpu::dnnl_matmul(shape, a.data<float>(), b.data<float>(), bias.defined() ? bias.data<float>() : nullptr,
                     out.data<float>());
  }

  // GELU (erf or tanh) and ReLU become oneDNN eltwise post-ops, the residual a binary-add
  // post-op: one pass over the output instead of three. Other activations run after the GEMM.
  void matmul_epilogue(const Tensor& a, const Tensor& b, const Tensor& bias, Tensor& out, bool transpose_a,
                       bool transpose_b, float alpha, const Epilogue& epilogue) override {
    const int64_t m = out.size(1), n = out.size(2);
    const int64_t k = transpose_a ? a.size(1) : a.size(2);
    const cpu::PostActivation post = epilogue.has_activation ? fusable(epilogue.activation) : cpu::PostActivation::None;
    const bool fused_activation = !epilogue.has_activation || post != cpu::PostActivation::None;
    if (out.numel() == 0 || k == 0 || !fused_activation) {
      Backend::matmul_epilogue(a, b, bias, out, transpose_a, transpose_b, alpha, epilogue);
      return;
    }
    cpu::MatmulShape shape{a.size(0),
                           b.size(0),
                           m,
                           k,
                           n,
                           transpose_a,
                           transpose_b,
                           bias.defined(),
                           alpha,
                           post,
                           epilogue.residual.defined()};
    cpu::dnnl_matmul(shape, a.data<float>(), b.data<float>(), bias.defined() ? bias.data<float>() : nullptr,
                     out.data<float>(), epilogue.residual.defined() ? epilogue.residual.data<float>() : nullptr);
  }

  // Weights are multiplied as they are stored, f32, bf16, f16 or quantized blocks
  // (weight_linear.cpp). Activations oneDNN can fuse are fused on every route; others run after.
  void linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& out,
              const Epilogue& epilogue) override {
    const auto blocks = block_format(weight.dtype());
    const auto format = blocks ? kernels::cpu::WeightFormat::F32 : weight_format(weight.dtype());
    if (!format) return Backend::linear(x, weight, bias, out, epilogue);
    const cpu::PostActivation post = epilogue.has_activation ? fusable(epilogue.activation) : cpu::PostActivation::None;
    const bool fused = !epilogue.has_activation || post != cpu::PostActivation::None;
    cpu::WeightLinear job{x.data<float>(),
                          x.size(0),
                          x.size(1),
                          weight.data_ptr(),
                          weight.size(0),
                          *format,
                          bias.defined() ? bias.data<float>() : nullptr,
                          out.data<float>()};
    job.block_format = blocks;
    if (fused) {
      job.activation = post;
      job.residual = epilogue.residual.defined() ? epilogue.residual.data<float>() : nullptr;
    }
    cpu::weight_linear(job);
    if (fused) return;
    unary(epilogue.activation, out, out, 0.0f);
    if (epilogue.residual.defined()) binary(Binary::Add, out, epilogue.residual, out);
  }

  void unary(Unary op, const Tensor& x, Tensor& out, float scalar) override {
    cpu::eigen_unary(op, x.data<float>(), out.data<float>(), x.numel(), scalar);
  }

  void binary(Binary op, const Tensor& a, const Tensor& b, Tensor& out) override {
    const float* pa = a.data<float>();
    const float* pb = b.data<float>();
    float* po = out.data<float>();
    const int64_t rows = rows_of(out), n = last_dim(out);
    const int64_t sa = last_stride(a), sb = last_stride(b);
#pragma omp parallel for if (out.numel() > kParallelElements)
    for (int64_t r = 0; r < rows; ++r) {
      const float* x = pa + row_offset(a, r);
      const float* y = pb + row_offset(b, r);
      float* z = po + r * n;
      switch (op) {
        case Binary::Add:
          for (int64_t i = 0; i < n; ++i) z[i] = x[i * sa] + y[i * sb];
          break;
        case Binary::Sub:
          for (int64_t i = 0; i < n; ++i) z[i] = x[i * sa] - y[i * sb];
          break;
        case Binary::Mul:
          for (int64_t i = 0; i < n; ++i) z[i] = x[i * sa] * y[i * sb];
          break;
        case Binary::Div:
          for (int64_t i = 0; i < n; ++i) z[i] = x[i * sa] / y[i * sb];
          break;
        case Binary::Minimum:
          for (int64_t i = 0; i < n; ++i) {
            const float u = x[i * sa], v = y[i * sb];
            z[i] = std::isnan(u) || std::isnan(v) ? u + v : std::min(u, v);
          }
          break;
      }
    }
  }

  void softmax(const Tensor& x, const Tensor& mask, Tensor& out, bool log) override {
    const auto& k = best_kernels();
    const int64_t rows = rows_of(x), n = last_dim(x);
    const float* px = x.data<float>();
    const float* pm = mask.defined() ? mask.data<float>() : nullptr;
    const int64_t mask_stride = mask.defined() ? last_stride(mask) : 0;
    float* po = out.data<float>();
#pragma omp parallel for if (rows > 1 && x.numel() > kParallelElements)
    for (int64_t r = 0; r < rows; ++r)
      k.softmax_row(px + r * n, pm ? pm + row_offset(mask, r) : nullptr, mask_stride, po + r * n, n, log);
  }

  void layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps, Tensor& out) override {
    const auto& k = best_kernels();
    const int64_t rows = rows_of(x), n = last_dim(x);
    const float* w = weight.defined() ? weight.data<float>() : nullptr;
    const float* b = bias.defined() ? bias.data<float>() : nullptr;
#pragma omp parallel for if (rows > 1 && x.numel() > kParallelElements)
    for (int64_t r = 0; r < rows; ++r)
      k.layer_norm_row(x.data<float>() + r * n, w, b, eps, out.data<float>() + r * n, n);
  }

  void rms_norm(const Tensor& x, const Tensor& weight, float eps, Tensor& out) override {
    const auto& k = best_kernels();
    const int64_t rows = rows_of(x), n = last_dim(x);
    const float* w = weight.defined() ? weight.data<float>() : nullptr;
#pragma omp parallel for if (rows > 1 && x.numel() > kParallelElements)
    for (int64_t r = 0; r < rows; ++r) k.rms_norm_row(x.data<float>() + r * n, w, eps, out.data<float>() + r * n, n);
  }

  // Q4_0 / Q4_1 / Q8_0 weights with whole groups of eight rows are interleaved for dot_blocks'
  // eight-row kernel (a copy, made once at load; kernels.hpp describes the layout).
  Tensor pack_weight(const Tensor& weight) override {
    const auto format = block_format(weight.dtype());
    if (!format || !kernels::cpu::has_packed_format(*format) || weight.dim() != 2 ||
        weight.size(0) % kernels::cpu::kPackedRows != 0 || !weight.is_contiguous())
      return weight;
    Tensor out = packed_arena_.tensor(weight.shape(), dtype_of(kernels::cpu::packed_format(*format)));
    const int64_t columns = block_columns(weight.dtype(), weight.size(1));
    const int64_t groups = weight.size(0) / kernels::cpu::kPackedRows, group_bytes = kernels::cpu::kPackedRows * weight.size(1);
#pragma omp parallel for if (groups > 64)
    for (int64_t g = 0; g < groups; ++g)
      kernels::cpu::pack_rows(*format, static_cast<const uint8_t*>(weight.data_ptr()) + g * group_bytes,
                              kernels::cpu::kPackedRows, columns, static_cast<uint8_t*>(out.data_ptr()) + g * group_bytes);
    return out;
  }

  // A half-precision or quantized table stays so: only the rows looked up are widened.
  void embedding(const Tensor& weight, const Tensor& ids, Tensor& out) override {
    const int64_t count = ids.numel();
    const int64_t* index = ids.data<int64_t>();
    float* po = out.data<float>();
    if (is_block_quantized(weight.dtype())) {
      const int64_t row_bytes = weight.size(1), dim = block_columns(weight.dtype(), row_bytes);
      const auto* table = static_cast<const uint8_t*>(weight.data_ptr());
      if (!is_packed_quantized(weight.dtype())) {
        for (int64_t i = 0; i < count; ++i)
          dequantize_blocks(weight.dtype(), table + index[i] * row_bytes, po + i * dim, dim);
        return;
      }
      // the row's group of eight interleaved rows, unpacked
      const auto packed = *block_format(weight.dtype());
      const int64_t group_rows = kernels::cpu::kPackedRows;
      std::vector<uint8_t> group(static_cast<size_t>(group_rows * row_bytes));
      for (int64_t i = 0; i < count; ++i) {
        const int64_t first = index[i] / group_rows * group_rows;
        kernels::cpu::unpack_rows(packed, table + first * row_bytes, group_rows, dim, group.data());
        dequantize_blocks(dtype_of(kernels::cpu::plain_format(packed)), group.data() + (index[i] - first) * row_bytes, po + i * dim, dim);
      }
      return;
    }
    const int64_t dim = weight.size(1);
    if (weight.dtype() == DType::F32) {
      const float* table = weight.data<float>();
#pragma omp parallel for if (count * dim > kParallelElements)
      for (int64_t i = 0; i < count; ++i)
        std::memcpy(po + i * dim, table + index[i] * dim, static_cast<size_t>(dim) * sizeof(float));
      return;
    }
    const auto format = weight.dtype() == DType::BF16 ? kernels::cpu::HalfFormat::BF16 : kernels::cpu::HalfFormat::F16;
    const auto* table = static_cast<const uint16_t*>(weight.data_ptr());
    const auto& k = best_kernels();
#pragma omp parallel for if (count * dim > kParallelElements)
    for (int64_t i = 0; i < count; ++i) k.widen_half(format, table + index[i] * dim, po + i * dim, dim);
  }

  bool fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, bool causal, float scale,
                       Tensor& out) override {
    const auto& kernels = best_kernels();
    const int64_t batch = q.size(0), heads = q.size(1), queries = q.size(2), dim = q.size(3);
    const int64_t kv_heads = k.size(1), keys = k.size(2), groups = heads / kv_heads;
    const size_t scratch_floats = static_cast<size_t>(kernels::cpu::attention_scratch_floats(keys, dim));
    // Parallel over heads only when there is real work: 4 * queries * keys * head_dim flops per head
    // (a decode step's heads are worth splitting from about a hundred keys on).
    const bool parallel = batch * heads > 1 && batch * heads * queries * keys * dim > kParallelElements;
#pragma omp parallel for collapse(2) if (parallel)
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t h = 0; h < heads; ++h) {
        thread_local std::vector<float> scratch;
        if (scratch.size() < scratch_floats) scratch.resize(scratch_floats);
        // consecutive query heads share a kv head
        kernels::cpu::AttentionHead head{};
        head.q = q.data<float>() + b * q.stride(0) + h * q.stride(1);
        head.k = k.data<float>() + b * k.stride(0) + (h / groups) * k.stride(1);
        head.v = v.data<float>() + b * v.stride(0) + (h / groups) * v.stride(1);
        head.out = out.data<float>() + b * out.stride(0) + h * out.stride(1);
        head.queries = queries;
        head.keys = keys;
        head.head_dim = dim;
        head.q_stride = q.stride(2);
        head.k_stride = k.stride(2);
        head.v_stride = v.stride(2);
        head.out_stride = out.stride(2);
        if (mask.defined()) {
          head.mask = mask.data<float>() + b * mask.stride(0) + h * mask.stride(1);
          head.mask_row_stride = mask.stride(2);
          head.mask_col_stride = mask.stride(3);
        }
        head.causal = causal;
        head.scale = scale;
        kernels.attention_head(head, scratch.data());
      }
    return true;
  }

  void argmax(const Tensor& x, Tensor& out) override {
    const int64_t rows = x.size(0), n = x.size(1);
    const float* px = x.data<float>();
    int64_t* po = out.data<int64_t>();
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = px + r * n;
      int64_t best = 0;
      for (int64_t i = 1; i < n; ++i) {
        if (std::isnan(row[best])) break;  // torch: the first NaN is the maximum
        if (std::isnan(row[i]) || row[i] > row[best]) best = i;
      }
      po[r] = best;
    }
  }

  void topk(const Tensor& x, int64_t k, bool largest, Tensor& values, Tensor& indices) override {
    const int64_t rows = x.size(0), n = x.size(1);
    const float* px = x.data<float>();
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = px + r * n;
      std::iota(order.begin(), order.end(), 0);
      // NaN counts as the largest value, as in torch; ties keep the lower index first.
      auto before = [&](int64_t i, int64_t j) {
        const float a = row[i], b = row[j];
        const bool a_nan = std::isnan(a), b_nan = std::isnan(b);
        if (a_nan || b_nan) return largest ? (a_nan && !b_nan) : (!a_nan && b_nan);
        return largest ? a > b : a < b;
      };
      std::partial_sort(order.begin(), order.begin() + k, order.end(),
                        [&](int64_t i, int64_t j) { return before(i, j) || (!before(j, i) && i < j); });
      for (int64_t i = 0; i < k; ++i) {
        values.data<float>()[r * k + i] = row[order[static_cast<size_t>(i)]];
        indices.data<int64_t>()[r * k + i] = order[static_cast<size_t>(i)];
      }
    }
  }

  void copy(const Tensor& src, Tensor& dst) override { dst.copy_from(src); }

  void reduce(Reduce op, const Tensor& x, Tensor& out) override {
    const int64_t rows = rows_of(x), n = last_dim(x);
    const float* px = x.data<float>();
    float* po = out.data<float>();
#pragma omp parallel for if (x.numel() > kParallelElements)
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = px + r * n;
      if (op == Reduce::Max) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t i = 0; i < n; ++i) {
          if (std::isnan(row[i])) {
            best = row[i];
            break;
          }  // torch.max propagates NaN
          best = std::max(best, row[i]);
        }
        po[r] = best;
      } else {
        double total = 0.0;  // accumulate in f64: the f32 result is then correctly rounded
        for (int64_t i = 0; i < n; ++i) total += row[i];
        // The mean of nothing is NaN (0 / 0), as in torch.
        po[r] = static_cast<float>(op == Reduce::Mean ? total / static_cast<double>(n) : total);
      }
    }
  }

 private:
  PackedArena packed_arena_;
};

}  // namespace

Backend& cpu_backend() {
  static CpuBackend backend;
  return backend;
}

Backend& backend_for(Device device) { return device.is_cpu() ? cpu_backend() : cuda_backend(); }

}  // namespace transformers::backend
