#pragma once
// Tensor operations. Each op checks its inputs once (shape, dtype, device - with messages that
// name the argument), then runs on the device its inputs live on. Inputs of one op must share a
// device. Floating-point ops compute in f32 and take f32 tensors; ops::reference (reference.hpp)
// holds plain, obviously-correct versions that the tests compare against.
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "transformers/core/tensor.hpp"

namespace transformers::ops {

// ---- matrix products ----
// y = x . weight^T + bias, as torch.nn.functional.linear: x [..., in], weight [out, in], bias [out].
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});
// What linear does to its output in the same pass (a GEMM epilogue): y = act(x . weight^T + bias)
// + residual. activation is a transformers name as for ops::activation ("" for none); residual is
// undefined or has the output's shape. Equal to the composed ops::activation / ops::add.
struct LinearEpilogue {
  std::string_view activation = {};
  Tensor residual = {};
};
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias, const LinearEpilogue& epilogue);
// alpha * op(a) . op(b), op = transpose of the last two dims when asked. a [..., M, K], b [..., K, N];
// batch dims broadcast as in torch.matmul. 1-D and 2-D operands are treated as matrices.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false, float alpha = 1.0f);

// ---- element-wise, with numpy/torch broadcasting ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);  // element-wise; NaN wins, as torch.minimum
Tensor scale(const Tensor& x, float factor);       // x * factor
Tensor add_scalar(const Tensor& x, float value);

// ---- activations (names as transformers' ACT2FN) ----
Tensor gelu(const Tensor& x);        // "gelu": 0.5 x (1 + erf(x / sqrt 2))
Tensor gelu_tanh(const Tensor& x);   // "gelu_new", "gelu_pytorch_tanh", "gelu_fast"
Tensor quick_gelu(const Tensor& x);  // x * sigmoid(1.702 x)
Tensor relu(const Tensor& x);
Tensor silu(const Tensor& x);  // "silu", "swish"
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
// Applies the activation transformers names `name` (config.json's hidden_act); throws listing
// the known names otherwise.
Tensor activation(const Tensor& x, std::string_view name);

// ---- normalization and softmax ----
// Softmax over `axis`; `mask`, when given, is added to x before the exponent and must broadcast
// to x (for example [batch, 1, 1, keys] over attention scores).
Tensor softmax(const Tensor& x, int64_t axis = -1, const Tensor& mask = {});
Tensor log_softmax(const Tensor& x, int64_t axis = -1, const Tensor& mask = {});
// Normalizes over the last dimension: weight and bias have that dimension's size (either may be
// undefined, meaning 1 and 0).
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps);
Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps);

// ---- lookups and data movement ----
// Rows of weight [vocab, dim] picked by integer ids of any shape -> [*ids.shape, dim]. An id out of
// range throws naming it.
Tensor embedding(const Tensor& weight, const Tensor& ids);
// A block-quantized weight for linear / embedding, in the layout its device multiplies fastest
// (the CPU interleaves eight rows of Q4_0, Q4_1 and Q8_0 weights: a copy); else `weight` itself.
Tensor pack_quantized(const Tensor& weight);
// A floating matrix [rows, columns] (columns a multiple of 32) quantized row by row into blocks of
// 32 as ggml's reference quantizers do: Q8_0 (int8, one scale per block), Q4_0 (int4, one scale) or
// Q4_1 (int4, a scale and a minimum). The result is [rows, row bytes] in that dtype, on the CPU.
Tensor quantize_blocks(const Tensor& matrix, DType block_dtype);
Tensor concat(const std::vector<Tensor>& tensors, int64_t axis);
// Entries of x along `axis` at `index` (1-D integer tensor), as torch.index_select.
Tensor index_select(const Tensor& x, int64_t axis, const Tensor& index);
// out[i][j][k] = x[i][index[i][j][k]][k] for axis 1, as torch.gather.
Tensor gather(const Tensor& x, int64_t axis, const Tensor& index);
Tensor cast(const Tensor& x, DType dtype);

// ---- reductions ----
Tensor sum(const Tensor& x, int64_t axis, bool keepdim = false);
Tensor mean(const Tensor& x, int64_t axis, bool keepdim = false);
Tensor max(const Tensor& x, int64_t axis, bool keepdim = false);
Tensor argmax(const Tensor& x, int64_t axis, bool keepdim = false);  // int64; first maximum wins
// The k largest (or smallest) entries along `axis`, sorted, with their int64 indices; ties keep
// the lower index first, as torch.topk on CPU.
std::pair<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t axis = -1, bool largest = true);

// ---- rotary position embeddings (LLaMA's rotate_half convention) ----
// cos and sin [batch, positions, head_dim] for integer position_ids [batch, positions], as
// transformers' default rotary embedding computes them in f32: inv_freq = 1 / theta^(2i/head_dim),
// angle = position * inv_freq, repeated twice along the last dimension.
std::pair<Tensor, Tensor> rope_cos_sin(const Tensor& position_ids, int64_t head_dim, float theta);
// The same from given inverse frequencies (scaled rotary variants compute their own, nn/rotary.hpp):
// cos and sin [batch, positions, 2 * inv_freq.size()] of angle = position * inv_freq[i], each times
// attention_scaling (YaRN's and LongRoPE's factor), in f32 as transformers computes them.
std::pair<Tensor, Tensor> rope_cos_sin(const Tensor& position_ids, const std::vector<float>& inv_freq,
                                       float attention_scaling = 1.0f);
// x * cos + rotate_half(x) * sin for x [batch, heads, positions, head_dim], where
// rotate_half(x) = concat(-x[..., half:], x[..., :half]).
Tensor rope(const Tensor& x, const Tensor& cos, const Tensor& sin);

// ---- attention ----
struct AttentionOptions {
  // Either a key padding mask [batch, keys] (integer or bool; 0 = padding, masked out) or an
  // additive float mask that broadcasts to [batch, heads, queries, keys].
  Tensor mask;
  bool causal = false;         // query i sees keys <= i + (keys - queries)
  std::optional<float> scale;  // default 1 / sqrt(head_dim)
  // Gemma 2's logit soft-capping: scores = softcap * tanh(scores / softcap) after scaling, before the mask.
  std::optional<float> softcap;
};
// Scaled dot-product attention. q [batch, heads, queries, head_dim]; k and v
// [batch, kv_heads, keys, head_dim] with heads a multiple of kv_heads (grouped-query attention).
// Masked positions get finfo(float32).min added, as transformers does, so a fully masked row
// gives a uniform distribution rather than NaN.
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options = {});

}  // namespace transformers::ops
