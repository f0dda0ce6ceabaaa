// Row kernels written as plain loops that the compiler vectorizes for the instruction set of the
// translation unit that includes this file (see kernels_*.cpp). KERNEL_NAMESPACE names the copy.
// Not a public header: included only by the kernels_*.cpp files.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels.hpp"
#include "transformers/core/half.hpp"

#if defined(__AVX2__) || defined(__AVX512F__) || defined(__F16C__)
#include <immintrin.h>
#endif

namespace transformers::kernels::cpu::KERNEL_NAMESPACE {

// exp(x) to ~1 ulp, branch-free so that loops calling it vectorize: Cody-Waite range reduction
// x = n ln2 + r, a degree-6 polynomial for e^r, then 2^n assembled in the exponent bits.
inline float exp_approx(float x) {
  // Ternaries rather than std::fmin/fmax: those keep IEEE NaN rules that stop vectorization.
  const float clamped = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  // Round to nearest by adding and removing 1.5 * 2^23 (exact for |v| < 2^22): unlike
  // nearbyint it vectorizes without SSE4.1, so the generic build stays fast too.
  constexpr float kRoundingShift = 12582912.0f;
  const float n = (clamped * 1.44269504088896341f + kRoundingShift) - kRoundingShift;
  float r = std::fma(n, -0.693359375f, clamped);
  r = std::fma(n, 2.12194440e-4f, r);
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  p = std::fma(p * r, r, r) + 1.0f;
  int32_t bits;
  std::memcpy(&bits, &p, sizeof bits);
  bits += static_cast<int32_t>(n) << 23;
  float result;
  std::memcpy(&result, &bits, sizeof result);
  if (x != x) return x;  // NaN stays NaN, so a NaN anywhere in a softmax row spreads as in torch
  return x < -87.3f ? 0.0f : result;
}

static void softmax_row(const float* x, const float* mask, int64_t mask_stride, float* out, int64_t n, bool log) {
  float max_value = -std::numeric_limits<float>::infinity();
  if (mask && mask_stride == 1) {  // the common case, kept apart so that it vectorizes
#pragma omp simd reduction(max : max_value)
    for (int64_t i = 0; i < n; ++i) {
      out[i] = x[i] + mask[i];
      max_value = out[i] > max_value ? out[i] : max_value;
    }
  } else if (mask) {
#pragma omp simd reduction(max : max_value)
    for (int64_t i = 0; i < n; ++i) {
      out[i] = x[i] + mask[i * mask_stride];
      max_value = out[i] > max_value ? out[i] : max_value;
    }
  } else {
#pragma omp simd reduction(max : max_value)
    for (int64_t i = 0; i < n; ++i) {
      out[i] = x[i];
      max_value = x[i] > max_value ? x[i] : max_value;
    }
  }
  float total = 0.0f;
  if (log) {
#pragma omp simd reduction(+ : total)
    for (int64_t i = 0; i < n; ++i) total += exp_approx(out[i] - max_value);
    // (x - max) - log(total), in that order: for a fully masked row max is about -3.4e38 and
    // max + log(total) would absorb log(total).
    const float log_total = std::log(total);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] = (out[i] - max_value) - log_total;
    return;
  }
#pragma omp simd reduction(+ : total)
  for (int64_t i = 0; i < n; ++i) {
    out[i] = exp_approx(out[i] - max_value);
    total += out[i];
  }
  const float inverse = 1.0f / total;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] *= inverse;
}

static void layer_norm_row(const float* x, const float* weight, const float* bias, float eps, float* out, int64_t n) {
  float total = 0.0f;
#pragma omp simd reduction(+ : total)
  for (int64_t i = 0; i < n; ++i) total += x[i];
  const float mean = total / static_cast<float>(n);
  float squares = 0.0f;
#pragma omp simd reduction(+ : squares)
  for (int64_t i = 0; i < n; ++i) squares += (x[i] - mean) * (x[i] - mean);
  const float inv_std = 1.0f / std::sqrt(squares / static_cast<float>(n) + eps);
  if (weight && bias) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] = (x[i] - mean) * inv_std * weight[i] + bias[i];
  } else {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
      float y = (x[i] - mean) * inv_std;
      if (weight) y *= weight[i];
      if (bias) y += bias[i];
      out[i] = y;
    }
  }
}

static void rms_norm_row(const float* x, const float* weight, float eps, float* out, int64_t n) {
  float squares = 0.0f;
#pragma omp simd reduction(+ : squares)
  for (int64_t i = 0; i < n; ++i) squares += x[i] * x[i];
  const float inv_rms = 1.0f / std::sqrt(squares / static_cast<float>(n) + eps);
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * inv_rms * (weight ? weight[i] : 1.0f);
}

// Register-blocked pieces of attention: kRows query rows x kBlock floats of accumulators stay in
// vector registers (8 zmm with AVX-512) while the reduction dimension streams through, so each
// load feeds kRows FMAs and independent accumulators hide the FMA latency. KERNEL_BLOCK is the
// vector-friendly block of the including file; it divides kAttentionBlock, the padding unit.
constexpr int64_t kBlock = KERNEL_BLOCK;
constexpr int kRows = 4;
static_assert(kAttentionBlock % kBlock == 0, "the padding must be whole blocks");
static_assert(kRows == kAttentionRows, "scratch is sized for kAttentionRows rows");

inline int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// out[r][n] = sum_i a[r][i] * b[i][n] for Rows rows of a (rows a_stride apart, `inner` long) and a
// panel b of `columns` columns (a multiple of kBlock; rows b_stride apart), register-blocked kBlock
// columns at a time. Attention's scores are q . K^T (K stored transposed) and its output p . V.
template <int Rows>
static void rows_times_panel(const float* a, int64_t a_stride, int64_t inner, const float* b, int64_t b_stride,
                             int64_t columns, float* out, int64_t out_stride) {
  for (int64_t n0 = 0; n0 < columns; n0 += kBlock) {
    float acc[Rows][kBlock] = {};
    for (int64_t i = 0; i < inner; ++i) {
      const float* b_row = b + i * b_stride + n0;
      for (int r = 0; r < Rows; ++r) {
        const float a_ri = a[r * a_stride + i];
#pragma omp simd
        for (int64_t n = 0; n < kBlock; ++n) acc[r][n] += a_ri * b_row[n];
      }
    }
    for (int r = 0; r < Rows; ++r) std::memcpy(out + r * out_stride + n0, acc[r], sizeof acc[r]);
  }
}

// Scales, masks and normalizes one row of scores in place.
static void finish_scores(const AttentionHead& a, int64_t i, float* scores) {
  constexpr float kMasked = std::numeric_limits<float>::lowest();  // torch.finfo(float32).min
  const int64_t n = a.keys;
  const int64_t visible = a.causal ? n - a.queries + i + 1 : n;
  if (a.mask) {
    const float* m = a.mask + i * a.mask_row_stride;
    for (int64_t j = 0; j < visible; ++j) scores[j] = scores[j] * a.scale + m[j * a.mask_col_stride];
  } else {
#pragma omp simd
    for (int64_t j = 0; j < visible; ++j) scores[j] *= a.scale;
  }
  for (int64_t j = std::max<int64_t>(visible, 0); j < n; ++j) scores[j] = scores[j] * a.scale + kMasked;
  softmax_row(scores, nullptr, 0, scores, n, false);
  for (int64_t j = n; j < round_up(n, kAttentionBlock); ++j) scores[j] = 0.0f;
}

// Queries i0 .. i0 + Rows - 1 of one head.
template <int Rows>
static void attention_rows(const AttentionHead& a, int64_t i0, const float* kt, const float* vp, float* scores,
                           float* rows_out) {
  const int64_t n_pad = round_up(a.keys, kAttentionBlock), d_pad = round_up(a.head_dim, kAttentionBlock);
  rows_times_panel<Rows>(a.q + i0 * a.q_stride, a.q_stride, a.head_dim, kt, n_pad, n_pad, scores, n_pad);
  for (int r = 0; r < Rows; ++r) finish_scores(a, i0 + r, scores + r * n_pad);
  rows_times_panel<Rows>(scores, n_pad, a.keys, vp, d_pad, d_pad, rows_out, d_pad);
  for (int r = 0; r < Rows; ++r)
    std::memcpy(a.out + (i0 + r) * a.out_stride, rows_out + r * d_pad, static_cast<size_t>(a.head_dim) * sizeof(float));
}

// One query against K and V as they lie, for a head with fewer queries than a register block
// (decoding): copying K transposed and V would cost more than the products themselves.
static void attention_query(const AttentionHead& a, int64_t i, float* scores) {
  const float* q = a.q + i * a.q_stride;
  for (int64_t j = 0; j < a.keys; ++j) {
    const float* k = a.k + j * a.k_stride;
    float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
    for (int64_t c = 0; c < a.head_dim; ++c) dot += q[c] * k[c];
    scores[j] = dot;
  }
  finish_scores(a, i, scores);
  float* out = a.out + i * a.out_stride;
  for (int64_t c = 0; c < a.head_dim; ++c) out[c] = 0.0f;
  for (int64_t j = 0; j < a.keys; ++j) {
    const float p = scores[j];
    const float* v = a.v + j * a.v_stride;
#pragma omp simd
    for (int64_t c = 0; c < a.head_dim; ++c) out[c] += p * v[c];
  }
}

static void attention_head(const AttentionHead& a, float* scratch) {
  if (a.queries < kRows) {
    for (int64_t i = 0; i < a.queries; ++i) attention_query(a, i, scratch);
    return;
  }
  const int64_t n = a.keys, d = a.head_dim;
  const int64_t n_pad = round_up(n, kAttentionBlock), d_pad = round_up(d, kAttentionBlock);
  float* kt = scratch;                                // [d][n_pad], K transposed, zero padded
  float* vp = kt + d * n_pad;                         // [n][d_pad], V zero padded
  float* scores = vp + n * d_pad;                     // [kAttentionRows][n_pad]
  float* rows_out = scores + kAttentionRows * n_pad;  // [kAttentionRows][d_pad]
  for (int64_t c = 0; c < d; ++c) {
    for (int64_t j = 0; j < n; ++j) kt[c * n_pad + j] = a.k[j * a.k_stride + c];
    for (int64_t j = n; j < n_pad; ++j) kt[c * n_pad + j] = 0.0f;
  }
  for (int64_t j = 0; j < n; ++j) {
    std::memcpy(vp + j * d_pad, a.v + j * a.v_stride, static_cast<size_t>(d) * sizeof(float));
    for (int64_t c = d; c < d_pad; ++c) vp[j * d_pad + c] = 0.0f;
  }
  int64_t i = 0;
  for (; i + kRows <= a.queries; i += kRows) attention_rows<kRows>(a, i, kt, vp, scores, rows_out);
  for (; i < a.queries; ++i) attention_rows<1>(a, i, kt, vp, scores, rows_out);
}

// ---- half-precision weights ----------------------------------------------------------------

// bf16 is the top half of an f32: a shift, which every build vectorizes. f16 needs F16C's
// conversion instruction where the build has it (AVX2 and AVX-512 builds), else the bit-exact
// scalar conversion.
static void widen_half(HalfFormat format, const uint16_t* in, float* out, int64_t count) {
  if (format == HalfFormat::BF16) {
#pragma omp simd
    for (int64_t i = 0; i < count; ++i) {
      const uint32_t bits = static_cast<uint32_t>(in[i]) << 16;
      float value;
      std::memcpy(&value, &bits, sizeof value);
      out[i] = value;
    }
    return;
  }
  int64_t i = 0;
#if defined(__AVX512F__)
  for (; i + 16 <= count; i += 16)
    // (the masked form: GCC 12 warns about the unmasked one's undefined pass-through operand)
    _mm512_storeu_ps(out + i,
                     _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i))));
#elif defined(__F16C__)
  for (; i + 8 <= count; i += 8)
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
#endif
  for (; i < count; ++i) out[i] = f16_bits_to_float(in[i]);
}

// One weight, widened (the tails of the vector loops).
static inline float weight_at(WeightFormat format, const void* w, int64_t i) {
  switch (format) {
    case WeightFormat::F32: return static_cast<const float*>(w)[i];
    case WeightFormat::BF16: return bf16_bits_to_float(static_cast<const uint16_t*>(w)[i]);
    case WeightFormat::F16: return f16_bits_to_float(static_cast<const uint16_t*>(w)[i]);
  }
  return 0.0f;
}

#if defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
// Eight weights of row `w` from column i, widened to f32 in a register.
template <WeightFormat format>
static inline __m256 load_weights(const char* w, int64_t i) {
  if constexpr (format == WeightFormat::F32) return _mm256_loadu_ps(reinterpret_cast<const float*>(w) + i);
  const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint16_t*>(w) + i));
  if constexpr (format == WeightFormat::F16) return _mm256_cvtph_ps(half);
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16));  // bf16: the top half of an f32
}

static inline float horizontal_sum(__m256 v) {
  const __m128 pair = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 two = _mm_add_ps(pair, _mm_movehl_ps(pair, pair));
  return _mm_cvtss_f32(_mm_add_ss(two, _mm_movehdup_ps(two)));
}

// One weight row against kRows activation rows, read in memory order: consecutive rows continue
// one sequential stream, which the hardware prefetchers follow best (taking 8 rows side by side
// made 8 short streams and reached only 70 % of the bandwidth). kUnroll accumulators per activation
// row hide the FMA latency; each widened weight vector feeds every activation row.
template <WeightFormat format, int kRows>
static void dot_one_row(const float* x, const char* row, int64_t k, float* out, int64_t out_stride) {
  constexpr int kUnroll = kRows == 1 ? 4 : 2;  // at most 8 accumulators of the 16 registers
  __m256 sums[kRows][kUnroll];
  for (int r = 0; r < kRows; ++r)
    for (int u = 0; u < kUnroll; ++u) sums[r][u] = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 * kUnroll <= k; i += 8 * kUnroll)
    for (int u = 0; u < kUnroll; ++u) {
      const __m256 w = load_weights<format>(row, i + 8 * u);
      for (int r = 0; r < kRows; ++r)
        sums[r][u] = _mm256_fmadd_ps(_mm256_loadu_ps(x + r * k + i + 8 * u), w, sums[r][u]);
    }
  for (; i + 8 <= k; i += 8) {
    const __m256 w = load_weights<format>(row, i);
    for (int r = 0; r < kRows; ++r) sums[r][0] = _mm256_fmadd_ps(_mm256_loadu_ps(x + r * k + i), w, sums[r][0]);
  }
  for (int r = 0; r < kRows; ++r) {
    __m256 sum = sums[r][0];
    for (int u = 1; u < kUnroll; ++u) sum = _mm256_add_ps(sum, sums[r][u]);
    float total = horizontal_sum(sum);
    for (int64_t t = i; t < k; ++t) total += x[r * k + t] * weight_at(format, row, t);
    out[r * out_stride] = total;
  }
}

// Weight row by weight row, every activation row against it four at a time: the row is read from
// memory for the first four and from the L1 cache after.
template <WeightFormat format>
static void dot_rows_in(const float* x, int64_t rows, const void* w, int64_t k, float* out, int64_t out_stride,
                        int64_t count) {
  constexpr int64_t kElement = format == WeightFormat::F32 ? 4 : 2;
  for (int64_t j = 0; j < count; ++j) {
    const char* row = static_cast<const char*>(w) + j * k * kElement;
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) dot_one_row<format, 4>(x + r * k, row, k, out + r * out_stride + j, out_stride);
    switch (rows - r) {
      case 1: dot_one_row<format, 1>(x + r * k, row, k, out + r * out_stride + j, out_stride); break;
      case 2: dot_one_row<format, 2>(x + r * k, row, k, out + r * out_stride + j, out_stride); break;
      case 3: dot_one_row<format, 3>(x + r * k, row, k, out + r * out_stride + j, out_stride); break;
      default: break;
    }
  }
}

static void dot_rows(WeightFormat format, const float* x, int64_t rows, const void* w, int64_t k, float* out,
                     int64_t out_stride, int64_t count) {
  switch (format) {
    case WeightFormat::F32: return dot_rows_in<WeightFormat::F32>(x, rows, w, k, out, out_stride, count);
    case WeightFormat::BF16: return dot_rows_in<WeightFormat::BF16>(x, rows, w, k, out, out_stride, count);
    case WeightFormat::F16: return dot_rows_in<WeightFormat::F16>(x, rows, w, k, out, out_stride, count);
  }
}
#else
// Without AVX2 the weight is taken four rows and kChunk columns at a time: widened into a buffer
// that stays in L1, then each activation row is multiplied with all four at once (four
// accumulators share every load of x).
constexpr int64_t kChunk = 256;
constexpr int64_t kRowsAtOnce = 4;

static void widen_chunk(WeightFormat format, const void* w, int64_t start, float* out, int64_t count) {
  if (format == WeightFormat::F32) {
    std::memcpy(out, static_cast<const float*>(w) + start, static_cast<size_t>(count) * sizeof(float));
    return;
  }
  widen_half(format == WeightFormat::BF16 ? HalfFormat::BF16 : HalfFormat::F16, static_cast<const uint16_t*>(w) + start,
             out, count);
}

static void dot_rows(WeightFormat format, const float* x, int64_t rows, const void* w, int64_t k, float* out,
                     int64_t out_stride, int64_t count) {
  const int64_t element = format == WeightFormat::F32 ? 4 : 2;
  alignas(64) float chunk[kRowsAtOnce][kChunk];
  for (int64_t j = 0; j < count; j += kRowsAtOnce) {
    const int64_t group = count - j < kRowsAtOnce ? count - j : kRowsAtOnce;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t g = 0; g < group; ++g) out[r * out_stride + j + g] = 0.0f;
    for (int64_t start = 0; start < k; start += kChunk) {
      const int64_t length = k - start < kChunk ? k - start : kChunk;
      for (int64_t g = 0; g < kRowsAtOnce; ++g) {
        if (g < group) {
          widen_chunk(format, static_cast<const char*>(w) + (j + g) * k * element, start, chunk[g], length);
        } else {
          for (int64_t i = 0; i < length; ++i) chunk[g][i] = 0.0f;  // a missing row multiplies by zero
        }
      }
      for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * k + start;
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
        for (int64_t i = 0; i < length; ++i) {
          s0 += xr[i] * chunk[0][i];
          s1 += xr[i] * chunk[1][i];
          s2 += xr[i] * chunk[2][i];
          s3 += xr[i] * chunk[3][i];
        }
        const float sums[kRowsAtOnce] = {s0, s1, s2, s3};
        for (int64_t g = 0; g < group; ++g) out[r * out_stride + j + g] += sums[g];
      }
    }
  }
}
#endif

}  // namespace transformers::kernels::cpu::KERNEL_NAMESPACE
