#pragma once
// Fused row kernels for the CPU backend, compiled once per instruction set (kernels_impl.hpp is
// built as generic x86-64, AVX2+FMA and AVX-512) and picked at run time for the CPU we run on.
// Each works on one row; the backend spreads rows over the OpenMP threads.
#include <cstdint>
#include <string>
#include <vector>

namespace transformers::kernels::cpu {

enum class Isa { Generic, Avx2, Avx512 };

// One attention head: out_i = softmax(scale * q_i . K^T + mask_i) . V for every query row i.
// Rows are contiguous along head_dim; *_stride are row strides in elements.
struct AttentionHead {
  const float* q;
  const float* k;
  const float* v;
  float* out;
  int64_t queries, keys, head_dim;
  int64_t q_stride, k_stride, v_stride, out_stride;
  const float* mask;  // additive, may be null; entry (i, j) at i * mask_row_stride + j * mask_col_stride
  int64_t mask_row_stride, mask_col_stride;
  bool causal;  // query i sees keys j <= keys - queries + i; the rest get finfo.min added
  float scale;
};

// attention_head pads keys and head_dim to multiples of this many floats (its register blocks
// divide it) and works on up to kAttentionRows query rows at once.
constexpr int64_t kAttentionBlock = 32;
constexpr int64_t kAttentionRows = 4;

// Floats of scratch memory attention_head needs: K transposed and V, both padded, plus one row of
// scores and one of output.
inline int64_t attention_scratch_floats(int64_t keys, int64_t head_dim) {
  const int64_t keys_padded = (keys + kAttentionBlock - 1) / kAttentionBlock * kAttentionBlock;
  const int64_t dim_padded = (head_dim + kAttentionBlock - 1) / kAttentionBlock * kAttentionBlock;
  return head_dim * keys_padded + keys * dim_padded + kAttentionRows * (keys_padded + dim_padded);
}

// 16-bit floating-point storage formats a weight may keep (bf16: the top half of an f32; f16: IEEE
// half). The kernels widen them to f32 as they read, never copying a whole weight.
enum class HalfFormat { BF16, F16 };

// The formats a weight may be multiplied in as it is stored.
enum class WeightFormat { F32, BF16, F16 };

// ggml's block-quantized formats, multiplied as a GGUF file stores them (quantized_impl.hpp). A
// row of k weights is k / block_elements blocks of block_bytes each. The x8 formats are Q4_0, Q4_1
// and Q8_0 with eight rows interleaved (pack_rows): for each column of blocks, the eight rows' f16
// scales d[8] (and Q4_1's minimums m[8]), then their quants arranged so that one 32-byte load holds
// four consecutive quants of each of the eight rows, and one integer multiply-add serves eight
// rows. They take the same bytes as the rows they come from, eight rows at a time.
enum class BlockFormat { Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q4_0x8, Q4_1x8, Q8_0x8 };
constexpr int64_t kPackedRows = 8;
constexpr bool is_packed(BlockFormat format) { return format >= BlockFormat::Q4_0x8; }
// The format of the rows a packed format interleaves (plain formats: themselves).
constexpr BlockFormat plain_format(BlockFormat format) {
  switch (format) {
    case BlockFormat::Q4_0x8: return BlockFormat::Q4_0;
    case BlockFormat::Q4_1x8: return BlockFormat::Q4_1;
    case BlockFormat::Q8_0x8: return BlockFormat::Q8_0;
    default: return format;
  }
}
constexpr int64_t block_elements(BlockFormat format) {
  return format >= BlockFormat::Q2_K && format <= BlockFormat::Q6_K ? 256 : 32;
}
// Bytes of one row's block (a packed format: an eighth of a block column of its eight rows).
constexpr int64_t block_bytes(BlockFormat format) {
  switch (plain_format(format)) {
    case BlockFormat::Q4_0: return 18;
    case BlockFormat::Q4_1: return 20;
    case BlockFormat::Q5_0: return 22;
    case BlockFormat::Q5_1: return 24;
    case BlockFormat::Q8_0: return 34;
    case BlockFormat::Q2_K: return 84;
    case BlockFormat::Q3_K: return 110;
    case BlockFormat::Q4_K: return 144;
    case BlockFormat::Q5_K: return 176;
    case BlockFormat::Q6_K: return 210;
    default: return 0;
  }
}
// The packed format of `plain`, when it has one.
constexpr bool has_packed_format(BlockFormat plain) {
  return plain == BlockFormat::Q4_0 || plain == BlockFormat::Q4_1 || plain == BlockFormat::Q8_0;
}
constexpr BlockFormat packed_format(BlockFormat plain) {
  return plain == BlockFormat::Q4_0 ? BlockFormat::Q4_0x8
                                    : plain == BlockFormat::Q4_1 ? BlockFormat::Q4_1x8 : BlockFormat::Q8_0x8;
}
// `count` rows (a multiple of kPackedRows) of k elements in `plain` (has_packed_format) into
// packed_format(plain) at `out`, and back (repack.cpp; byte moves only).
void pack_rows(BlockFormat plain, const void* rows, int64_t count, int64_t k, void* out);
void unpack_rows(BlockFormat packed, const void* rows, int64_t count, int64_t k, void* out);

// 32 activations rounded to int8 for a product with quantized weights, as llama.cpp's Q8_0/Q8_1
// do: x_i ~ scale * q_i, scale = max |x_i| / 127. The exact sum of the 32 activations serves
// the formats with a minimum (w = d q + m adds m * sum); half_sums (of q over elements 0-15 and
// 16-31) the formats whose quants carry an offset (w = d (q - 8)).
constexpr int64_t kActivationBlock = 32;
struct ActivationBlock {
  float scale;
  float sum;
  int16_t half_sums[2];
  int8_t q[kActivationBlock];
};

// out[r * out_stride + j] = sum_i x[r * k + i] * widen(w[j * k + i]) for r < rows, j < count: a few
// activation rows (decoding: one per sequence) against `count` rows of a weight [count, k] in its
// own format, streamed from memory once whatever the number of rows (the decode product, bound by
// memory bandwidth).

struct KernelTable {
  Isa isa;
  const char* name;
  // out = softmax(x + mask) over n elements (log-softmax when `log`); mask may be null, and is
  // read at mask[i * mask_stride] so a broadcast (stride 0) mask needs no copy.
  void (*softmax_row)(const float* x, const float* mask, int64_t mask_stride, float* out, int64_t n, bool log);
  // out = (x - mean) / sqrt(var + eps) * weight + bias; weight and bias may be null.
  void (*layer_norm_row)(const float* x, const float* weight, const float* bias, float eps, float* out, int64_t n);
  // out = x / sqrt(mean(x^2) + eps) * weight; weight may be null.
  void (*rms_norm_row)(const float* x, const float* weight, float eps, float* out, int64_t n);
  // Fused attention for one head, never materializing more than one row of scores.
  void (*attention_head)(const AttentionHead& head, float* scratch);
  // out[i] = widen(in[i]) for i < count.
  void (*widen_half)(HalfFormat format, const uint16_t* in, float* out, int64_t count);
  // The row product above.
  void (*dot_rows)(WeightFormat format, const float* x, int64_t rows, const void* w, int64_t k, float* out,
                   int64_t out_stride, int64_t count);
  // x [rows, k] (k a multiple of kActivationBlock) into rows * k / kActivationBlock blocks.
  void (*quantize_activations)(const float* x, int64_t rows, int64_t k, ActivationBlock* out);
  // out[r * out_stride + j] = sum_i x_r[i] * w_j[i] for r < rows, j < count: quantized activation
  // rows x (k / kActivationBlock blocks each) against `count` weight rows of k elements in `format`
  // (a packed format: count a multiple of kPackedRows), each weight row read once for every four
  // activation rows (it stays in L1 after the first).
  void (*dot_blocks)(BlockFormat format, const ActivationBlock* x, int64_t rows, const void* w, int64_t k, float* out,
                     int64_t out_stride, int64_t count);
  // out [rows, k] = `rows` weight rows of k elements in `format`, dequantized (to float rounding of
  // gguf::dequantize: a multiply-add may be fused), for a GEMM over many activation rows. A packed
  // format takes whole groups of kPackedRows rows (as dot_blocks takes `count`).
  void (*widen_blocks)(BlockFormat format, const void* w, int64_t k, float* out, int64_t rows);
};

// The best table this CPU supports; TRANSFORMERS_CPU_ISA=generic|avx2|avx512 caps it.
const KernelTable& best_kernels();
// Every table this CPU can run (tests compare each with the reference ops).
std::vector<const KernelTable*> supported_kernels();

}  // namespace transformers::kernels::cpu
