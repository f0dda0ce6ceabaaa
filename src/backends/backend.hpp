#pragma once
// What a device must provide to run the ops. The ops layer (src/ops) validates arguments, makes
// inputs contiguous where a method says so, allocates outputs on the input's device and calls the
// backend of that device. A method a backend lacks throws, naming the op and the device.
#include <string>

#include "transformers/core/tensor.hpp"

namespace transformers::backend {

enum class Unary { Gelu, GeluTanh, QuickGelu, Relu, Silu, Tanh, Sigmoid, Scale, AddScalar };
enum class Binary { Add, Sub, Mul, Div, Minimum };  // Minimum: NaN wins, as torch.minimum
enum class Reduce { Sum, Mean, Max };

// What a GEMM does to its output before storing it (its epilogue): an activation of
// (product + bias), then a residual added.
struct Epilogue {
  bool has_activation = false;
  Unary activation = Unary::Gelu;
  Tensor residual;  // undefined, or contiguous f32 shaped like the output
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  // out[batch] = alpha * op(a[batch]) . op(b[batch]) (+ bias broadcast over rows).
  // a is [batch_a, M, K] ([batch_a, K, M] when transpose_a), b is [batch_b, K, N] ([batch_b, N, K]
  // when transpose_b); batch_a and batch_b equal the output batch or are 1. All contiguous f32;
  // bias undefined or [N]; out [batch, M, N] contiguous.
  virtual void matmul(const Tensor& a, const Tensor& b, const Tensor& bias, Tensor& out, bool transpose_a,
                      bool transpose_b, float alpha) = 0;
  // out = activation(alpha * op(a) . op(b) + bias) + residual, operands as for matmul. The
  // default composes matmul, unary and binary over out in place; a backend that can fuse them
  // into the GEMM (oneDNN post-ops) overrides it.
  virtual void matmul_epilogue(const Tensor& a, const Tensor& b, const Tensor& bias, Tensor& out, bool transpose_a,
                               bool transpose_b, float alpha, const Epilogue& epilogue) {
    matmul(a, b, bias, out, transpose_a, transpose_b, alpha);
    if (out.numel() == 0) return;
    if (epilogue.has_activation) unary(epilogue.activation, out, out, 0.0f);
    if (epilogue.residual.defined()) binary(Binary::Add, out, epilogue.residual, out);
  }
  // out [M, N] = activation(x [M, K] . weight^T + bias) + residual: a model's linear layer. x is
  // contiguous f32; weight [N, K] is contiguous in the dtype it is stored in (f32, bf16, f16: a
  // backend widens half weights as it reads them, it never copies a whole weight); bias undefined
  // or f32 [N]; out contiguous f32 [M, N]. The default takes f32 weights through matmul_epilogue
  // and refuses other storage; backends override it for the formats they read.
  virtual void linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& out,
                      const Epilogue& epilogue) {
    if (weight.dtype() != DType::F32)
      throw InvalidArgument("linear: the " + name() + " backend cannot read " +
                            std::string(dtype_name(weight.dtype())) + " weights");
    const int64_t m = x.size(0), k = x.size(1), n = weight.size(0);
    Tensor out3 = out.view({1, m, n});
    Epilogue epilogue3 = epilogue;
    if (epilogue.residual.defined()) epilogue3.residual = epilogue.residual.view({1, m, n});
    matmul_epilogue(x.view({1, m, k}), weight.view({1, n, k}), bias, out3, false, true, 1.0f, epilogue3);
  }
  // `weight` (a linear layer's or embedding table's, block-quantized) in the layout this backend
  // multiplies fastest: the CPU interleaves rows of some formats; the default keeps it as it is.
  virtual Tensor pack_weight(const Tensor& weight) { return weight; }
  // out = f(x) element-wise; x and out contiguous f32 of equal size. `scalar` feeds Scale/AddScalar.
  virtual void unary(Unary op, const Tensor& x, Tensor& out, float scalar) = 0;
  // out = a op b; a and b are f32 views already expanded to out's shape (strides may be 0); out
  // contiguous.
  virtual void binary(Binary op, const Tensor& a, const Tensor& b, Tensor& out) = 0;
  // Softmax (or log-softmax) over the last dimension of contiguous x. mask is undefined or an f32
  // view expanded to x's shape (strides may be 0) added before the exponent.
  virtual void softmax(const Tensor& x, const Tensor& mask, Tensor& out, bool log) = 0;
  // Over the last dimension of contiguous x; weight/bias undefined or contiguous [hidden].
  virtual void layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps, Tensor& out) = 0;
  virtual void rms_norm(const Tensor& x, const Tensor& weight, float eps, Tensor& out) = 0;
  // out [n, dim] = weight[ids[i]]; ids contiguous int64 already range-checked, weight contiguous f32.
  virtual void embedding(const Tensor& weight, const Tensor& ids, Tensor& out) = 0;
  // Reduces the last dimension of contiguous x into out [rows].
  virtual void reduce(Reduce op, const Tensor& x, Tensor& out) = 0;
  // Selection over the last dimension of contiguous f32 x [rows, n] (n >= 1), NaN counting as the
  // largest value and ties keeping the lower index first, as torch on the CPU: out [rows] int64 =
  // the index of each row's maximum; values / indices [rows, k] = the k largest (or smallest) in order.
  virtual void argmax(const Tensor& x, Tensor& out) = 0;
  virtual void topk(const Tensor& x, int64_t k, bool largest, Tensor& values, Tensor& indices) = 0;
  // dst = src converted to dst's dtype: two same-shaped views on this backend's device, any strides
  // (a slice of a cache, a transposed view) and dtypes.
  virtual void copy(const Tensor& src, Tensor& dst) = 0;
  // Fused scaled-dot-product attention, when the backend has it; returns false otherwise and the
  // op is composed from matmul and softmax. q [B, H, Lq, D], k and v [B, Hkv, Lk, D] and out
  // [B, H, Lq, D] are f32 views whose last dimension is contiguous (stride 1) but whose other
  // strides are arbitrary: the heads of a [B, L, H * D] projection are read and written in place
  // (ops::attention writes out in [B, Lq, H, D] memory). mask undefined or an f32 view expanded to
  // [B, H, Lq, Lk] (strides may be 0). A backend that needs contiguous operands copies them itself.
  virtual bool fused_attention(const Tensor& /*q*/, const Tensor& /*k*/, const Tensor& /*v*/, const Tensor& /*mask*/,
                               bool /*causal*/, float /*scale*/, Tensor& /*out*/) {
    return false;
  }
};

Backend& cpu_backend();
// Throws NotBuilt in a build without CUDA (src/backends/cuda_stub.cpp).
Backend& cuda_backend();
Backend& backend_for(Device device);

}  // namespace transformers::backend
