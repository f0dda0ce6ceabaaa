// The CUDA backend: cuBLAS for matrix products, our kernels (kernels/cuda) for everything else.
// Each op makes its output's device current and queues its work on that device's default stream,
// the stream cudaMemcpy uses too: results are ready whenever the host copies them back.
#include <algorithm>
#include <climits>
#include <string>
#include <unordered_map>
#include <vector>

#include "../../../kernels/cuda/kernels.hpp"
#include "../backend.hpp"
#include "cuda_check.hpp"
#include "cuda_runtime.hpp"

namespace transformers::backend {

namespace {

namespace gpu = transformers::kernels::cuda;
using cuda::detail::DeviceGuard;

// ---- cuBLAS handles ----

// One handle per host thread and device: a handle belongs to the device that was current when it
// was created, and cuBLAS asks that threads do not share one concurrently.
class CublasHandles {
 public:
  CublasHandles() = default;
  CublasHandles(const CublasHandles&) = delete;
  CublasHandles& operator=(const CublasHandles&) = delete;
  ~CublasHandles() {
    for (auto& entry : handles_) static_cast<void>(cublasDestroy(entry.second));  // no throwing at thread exit
  }

  // `device` must be current.
  cublasHandle_t get(int device) {
    auto found = handles_.find(device);
    if (found != handles_.end()) return found->second;
    cublasHandle_t handle = nullptr;
    TRANSFORMERS_CUDA_CHECK(cublasCreate(&handle));
    // Plain FP32 arithmetic: TF32 tensor cores would be faster but drift ~1e-3 from the CPU results.
    const cublasStatus_t status = cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH);
    if (status != CUBLAS_STATUS_SUCCESS) {
      static_cast<void>(cublasDestroy(handle));
      cuda::detail::check(status, "cublasSetMathMode");
    }
    handles_.emplace(device, handle);
    return handle;
  }

 private:
  std::unordered_map<int, cublasHandle_t> handles_;
};

cublasHandle_t cublas_handle(int device) {
  thread_local CublasHandles handles;
  return handles.get(device);
}

// ---- op codes ----

gpu::UnaryOp kernel_op(Unary op) {
  switch (op) {
    case Unary::Gelu: return gpu::UnaryOp::Gelu;
    case Unary::GeluTanh: return gpu::UnaryOp::GeluTanh;
    case Unary::QuickGelu: return gpu::UnaryOp::QuickGelu;
    case Unary::Relu: return gpu::UnaryOp::Relu;
    case Unary::Silu: return gpu::UnaryOp::Silu;
    case Unary::Tanh: return gpu::UnaryOp::Tanh;
    case Unary::Sigmoid: return gpu::UnaryOp::Sigmoid;
    case Unary::Scale: return gpu::UnaryOp::Scale;
    case Unary::AddScalar: return gpu::UnaryOp::AddScalar;
  }
  throw InvalidArgument("cuda backend: unknown unary op " + std::to_string(static_cast<int>(op)));
}

gpu::BinaryOp kernel_op(Binary op) {
  switch (op) {
    case Binary::Add: return gpu::BinaryOp::Add;
    case Binary::Sub: return gpu::BinaryOp::Sub;
    case Binary::Mul: return gpu::BinaryOp::Mul;
    case Binary::Div: return gpu::BinaryOp::Div;
    case Binary::Minimum: return gpu::BinaryOp::Minimum;
  }
  throw InvalidArgument("cuda backend: unknown binary op " + std::to_string(static_cast<int>(op)));
}

gpu::ReduceOp kernel_op(Reduce op) {
  switch (op) {
    case Reduce::Sum: return gpu::ReduceOp::Sum;
    case Reduce::Mean: return gpu::ReduceOp::Mean;
    case Reduce::Max: return gpu::ReduceOp::Max;
  }
  throw InvalidArgument("cuda backend: unknown reduction " + std::to_string(static_cast<int>(op)));
}

gpu::ElementType element_type(DType dtype) {
  switch (dtype) {
    case DType::F32: return gpu::ElementType::F32;
    case DType::F16: return gpu::ElementType::F16;
    case DType::BF16: return gpu::ElementType::BF16;
    case DType::F64: return gpu::ElementType::F64;
    case DType::I64: return gpu::ElementType::I64;
    case DType::I32: return gpu::ElementType::I32;
    case DType::I16: return gpu::ElementType::I16;
    case DType::I8: return gpu::ElementType::I8;
    case DType::U8: return gpu::ElementType::U8;
    case DType::Bool: return gpu::ElementType::Bool;
    default: break;
  }
  throw InvalidArgument(std::string("cuda backend: cannot hold ") + dtype_name(dtype) +
                        " tensors (quantized blocks are read on the CPU only)");
}

// ---- strided layouts ----

// Dimensions of one or more same-shaped views read together, with size-1 dimensions dropped and
// neighbours merged wherever every view steps through them as through one dimension. Most
// broadcasts end up with one to three dimensions.
struct CollapsedDims {
  Shape sizes;
  std::vector<Shape> strides;  // [view][dimension]
};

CollapsedDims collapse_dims(const Shape& sizes, const std::vector<Shape>& view_strides) {
  CollapsedDims dims{{}, std::vector<Shape>(view_strides.size())};
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1) continue;
    bool merges = !dims.sizes.empty();
    for (size_t v = 0; v < view_strides.size() && merges; ++v)
      merges = dims.strides[v].back() == sizes[d] * view_strides[v][d];
    if (merges) {
      dims.sizes.back() *= sizes[d];
      for (size_t v = 0; v < view_strides.size(); ++v) dims.strides[v].back() = view_strides[v][d];
    } else {
      dims.sizes.push_back(sizes[d]);
      for (size_t v = 0; v < view_strides.size(); ++v) dims.strides[v].push_back(view_strides[v][d]);
    }
  }
  return dims;
}

// The kernels index at most kMaxDims dimensions; any beyond those (outermost first) are walked
// here, one launch per index. Rare: it takes nine alternating broadcast dimensions.
size_t outer_rank(const CollapsedDims& dims) {
  return dims.sizes.size() > static_cast<size_t>(gpu::kMaxDims) ? dims.sizes.size() - gpu::kMaxDims : 0;
}

// Calls launch(element offset of each view, linear outer index) for every index of the outer dims.
template <typename Launch>
void for_each_outer_index(const CollapsedDims& dims, Launch launch) {
  const size_t outer = outer_rank(dims);
  int64_t outer_count = 1;
  for (size_t d = 0; d < outer; ++d) outer_count *= dims.sizes[d];
  std::vector<int64_t> offsets(dims.strides.size());
  for (int64_t index = 0; index < outer_count; ++index) {
    int64_t rest = index;
    std::fill(offsets.begin(), offsets.end(), 0);
    for (size_t d = outer; d-- > 0;) {
      const int64_t coordinate = rest % dims.sizes[d];
      rest /= dims.sizes[d];
      for (size_t v = 0; v < offsets.size(); ++v) offsets[v] += coordinate * dims.strides[v][d];
    }
    launch(offsets, index);
  }
}

// The inner (kernel-indexed) part of view `view`'s layout.
gpu::StridedLayout inner_layout(const CollapsedDims& dims, size_t view) {
  gpu::StridedLayout layout;
  const size_t outer = outer_rank(dims);
  layout.rank = static_cast<int>(dims.sizes.size() - outer);
  for (size_t d = outer; d < dims.sizes.size(); ++d) {
    layout.sizes[d - outer] = dims.sizes[d];
    layout.strides[d - outer] = dims.strides[view][d];
  }
  return layout;
}

int64_t inner_count(const CollapsedDims& dims) {
  int64_t count = 1;
  for (size_t d = outer_rank(dims); d < dims.sizes.size(); ++d) count *= dims.sizes[d];
  return count;
}

Shape leading(const Shape& values) { return Shape(values.begin(), values.end() - 1); }

// Two same-shaped views read and written together (a copy, a binary op): the kernels' layout.
gpu::PairLayout pair_layout(const CollapsedDims& dims) {
  gpu::PairLayout layout;
  const gpu::StridedLayout first = inner_layout(dims, 0), second = inner_layout(dims, 1);
  layout.rank = first.rank;
  for (int d = 0; d < layout.rank; ++d) {
    layout.sizes[d] = first.sizes[d];
    layout.strides_a[d] = first.strides[d];
    layout.strides_b[d] = second.strides[d];
  }
  return layout;
}

// ---- matmul ----

int cublas_int(int64_t value, const char* what) {
  if (value > INT_MAX)
    throw InvalidArgument(std::string("matmul on CUDA: ") + what + " = " + std::to_string(value) +
                          " is beyond cuBLAS's int range");
  return static_cast<int>(value);
}

class CudaBackend final : public Backend {
 public:
  std::string name() const override { return "cuda (cuBLAS)"; }

  // cuBLAS is column-major; a row-major matrix is its transpose there. So the row-major product
  // out = op(a) . op(b) is computed as the column-major out^T = op(b)^T . op(a)^T: the operands
  // swap places and each keeps its own transpose flag. A batch of 1 is broadcast with stride 0.
  void matmul(const Tensor& a, const Tensor& b, const Tensor& bias, Tensor& out, bool transpose_a, bool transpose_b,
              float alpha) override {
    const int64_t batch = out.size(0), m = out.size(1), n = out.size(2);
    const int64_t k = transpose_a ? a.size(1) : a.size(2);
    if (out.numel() == 0) return;
    DeviceGuard guard(out.device().index);
    float* c = out.data<float>();
    // With a bias, out starts as the bias repeated over its rows and the GEMM adds to it (beta 1).
    if (bias.defined()) {
      gpu::fill_rows(bias.data<float>(), c, batch * m, n);
    } else if (k == 0) {
      TRANSFORMERS_CUDA_CHECK(cudaMemsetAsync(c, 0, out.nbytes(), nullptr));
    }
    if (k == 0) return;  // an empty sum: out is the bias, or zero
    const float beta = bias.defined() ? 1.0f : 0.0f;
    const int rows = cublas_int(m, "M"), cols = cublas_int(n, "N"), inner = cublas_int(k, "K");
    const long long stride_a = a.size(0) == 1 ? 0 : m * k, stride_b = b.size(0) == 1 ? 0 : k * n;
    const cublasStatus_t status =
        cublasSgemmStridedBatched(cublas_handle(out.device().index), transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                  transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, cols, rows, inner, &alpha, b.data<float>(),
                                  transpose_b ? inner : cols, stride_b, a.data<float>(), transpose_a ? rows : inner,
                                  stride_a, &beta, c, cols, static_cast<long long>(m) * n, cublas_int(batch, "batch"));
    if (status != CUBLAS_STATUS_SUCCESS)
      cuda::detail::check(status, "cublasSgemmStridedBatched for matmul of " + a.describe() + " and " + b.describe());
  }

  void unary(Unary op, const Tensor& x, Tensor& out, float scalar) override {
    DeviceGuard guard(out.device().index);
    gpu::unary(kernel_op(op), x.data<float>(), out.data<float>(), x.numel(), scalar);
  }

  void binary(Binary op, const Tensor& a, const Tensor& b, Tensor& out) override {
    DeviceGuard guard(out.device().index);
    const CollapsedDims dims = collapse_dims(out.shape(), {a.strides(), b.strides()});
    const gpu::PairLayout layout = pair_layout(dims);
    const int64_t count = inner_count(dims);
    const float *pa = a.data<float>(), *pb = b.data<float>();
    float* po = out.data<float>();
    for_each_outer_index(dims, [&](const std::vector<int64_t>& offsets, int64_t index) {
      gpu::binary(kernel_op(op), pa + offsets[0], pb + offsets[1], layout, po + index * count, count);
    });
  }

  void softmax(const Tensor& x, const Tensor& mask, Tensor& out, bool log) override {
    DeviceGuard guard(out.device().index);
    const int64_t n = x.size(-1), rows = x.numel() / n;
    const float* px = x.data<float>();
    float* po = out.data<float>();
    if (!mask.defined()) {
      gpu::softmax(px, nullptr, gpu::MaskLayout{}, po, rows, n, log);
      return;
    }
    // The mask's rows are located through its strides over x's leading dimensions.
    const CollapsedDims dims = collapse_dims(leading(x.shape()), {leading(mask.strides())});
    gpu::MaskLayout layout{inner_layout(dims, 0), mask.stride(-1)};
    const int64_t inner_rows = inner_count(dims);
    const float* pm = mask.data<float>();
    for_each_outer_index(dims, [&](const std::vector<int64_t>& offsets, int64_t index) {
      const int64_t first = index * inner_rows * n;
      gpu::softmax(px + first, pm + offsets[0], layout, po + first, inner_rows, n, log);
    });
  }

  void layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps, Tensor& out) override {
    DeviceGuard guard(out.device().index);
    const int64_t n = x.size(-1);
    gpu::layer_norm(x.data<float>(), weight.defined() ? weight.data<float>() : nullptr,
                    bias.defined() ? bias.data<float>() : nullptr, eps, out.data<float>(), x.numel() / n, n);
  }

  void rms_norm(const Tensor& x, const Tensor& weight, float eps, Tensor& out) override {
    DeviceGuard guard(out.device().index);
    const int64_t n = x.size(-1);
    gpu::rms_norm(x.data<float>(), weight.defined() ? weight.data<float>() : nullptr, eps, out.data<float>(),
                  x.numel() / n, n);
  }

  // A half-precision table stays so: the kernel widens the rows it gathers.
  void embedding(const Tensor& weight, const Tensor& ids, Tensor& out) override {
    DeviceGuard guard(out.device().index);
    gpu::embedding(weight.data_ptr(), element_type(weight.dtype()), ids.data<int64_t>(), out.data<float>(), ids.numel(),
                   weight.size(1));
  }

  // f32 weights take the f32 GEMM; bf16 / f16 weights a cublasGemmEx in their own type with the input
  // rounded to it (what transformers computes in bf16) and f32 accumulation and output.
  void linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& out,
              const Epilogue& epilogue) override {
    if (weight.dtype() == DType::F32) return Backend::linear(x, weight, bias, out, epilogue);
    if (weight.dtype() != DType::BF16 && weight.dtype() != DType::F16)
      return Backend::linear(x, weight, bias, out, epilogue);
    const int64_t m = x.size(0), k = x.size(1), n = weight.size(0);
    if (out.numel() == 0) return;
    DeviceGuard guard(out.device().index);
    float* c = out.data<float>();
    if (bias.defined()) {
      gpu::fill_rows(bias.data<float>(), c, m, n);
    } else if (k == 0) {
      TRANSFORMERS_CUDA_CHECK(cudaMemsetAsync(c, 0, out.nbytes(), nullptr));
    }
    if (k > 0) {
      Tensor x_half = Tensor::empty(x.shape(), weight.dtype(), x.device());
      copy(x, x_half);
      const cudaDataType type = weight.dtype() == DType::BF16 ? CUDA_R_16BF : CUDA_R_16F;
      const float alpha = 1.0f, beta = bias.defined() ? 1.0f : 0.0f;
      const int rows = cublas_int(m, "M"), cols = cublas_int(n, "N"), inner = cublas_int(k, "K");
      // Column-major out^T [n, m] = W [n, k] . x^T: W is stored row-major [n, k], i.e. its transpose.
      const cublasStatus_t status =
          cublasGemmEx(cublas_handle(out.device().index), CUBLAS_OP_T, CUBLAS_OP_N, cols, rows, inner, &alpha,
                       weight.data_ptr(), type, inner, x_half.data_ptr(), type, inner, &beta, c, CUDA_R_32F, cols,
                       CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
      if (status != CUBLAS_STATUS_SUCCESS)
        cuda::detail::check(status, "cublasGemmEx for linear of " + x.describe() + " and " + weight.describe());
    }
    if (epilogue.has_activation) unary(epilogue.activation, out, out, 0.0f);
    if (epilogue.residual.defined()) binary(Binary::Add, out, epilogue.residual, out);
  }

  void copy(const Tensor& src, Tensor& dst) override {
    if (dst.numel() == 0) return;
    DeviceGuard guard(dst.device().index);
    const CollapsedDims dims = collapse_dims(dst.shape(), {src.strides(), dst.strides()});
    const gpu::PairLayout layout = pair_layout(dims);
    const int64_t count = inner_count(dims);
    const size_t src_size = dtype_size(src.dtype()), dst_size = dtype_size(dst.dtype());
    const auto* from = static_cast<const char*>(src.data_ptr());
    auto* to = static_cast<char*>(dst.data_ptr());
    for_each_outer_index(dims, [&](const std::vector<int64_t>& offsets, int64_t) {
      gpu::copy(from + offsets[0] * static_cast<int64_t>(src_size), element_type(src.dtype()),
                to + offsets[1] * static_cast<int64_t>(dst_size), element_type(dst.dtype()), layout, count);
    });
  }

  void argmax(const Tensor& x, Tensor& out) override {
    DeviceGuard guard(out.device().index);
    gpu::argmax(x.data<float>(), out.data<int64_t>(), x.size(0), x.size(1));
  }

  void topk(const Tensor& x, int64_t k, bool largest, Tensor& values, Tensor& indices) override {
    DeviceGuard guard(values.device().index);
    Tensor taken = Tensor::empty(x.shape(), DType::U8, x.device());
    gpu::topk(x.data<float>(), x.size(0), x.size(1), k, largest, values.data<float>(), indices.data<int64_t>(),
              static_cast<unsigned char*>(taken.data_ptr()));
  }

  // out has one element per row; rows may be empty (x's last dimension 0).
  void reduce(Reduce op, const Tensor& x, Tensor& out) override {
    DeviceGuard guard(out.device().index);
    gpu::reduce(kernel_op(op), x.data<float>(), out.data<float>(), out.numel(), x.size(-1));
  }
};

}  // namespace

Backend& cuda_module_backend() {
  static CudaBackend backend;
  return backend;
}

}  // namespace transformers::backend
