// Products of f32 activations with ggml's block-quantized weights (Q4_0 ... Q8_0, Q2_K ... Q6_K)
// read as a GGUF file stores them, never dequantized whole. As llama.cpp does, the activations are
// rounded to int8 blocks of 32 first, so that 32 weights times 32 activations is one integer
// multiply-add (AVX2's maddubs) instead of 32 widenings to f32. Every format is seen as chunks of
// 32 weights, w_i = d * s_i * (q_i - offset) + m * n_i with small unsigned quants q (signed for
// Q8_0), a float scale d and minimum m per chunk, and integer sub-scales s and sub-minimums n per
// 16 (Q2_K, Q3_K, Q6_K have sub-scales, Q2_K sub-minimums; they are 1 elsewhere).
// The x8 formats (eight rows interleaved, kernels.hpp) have their own AVX2 kernel, dot_group, whose
// vector lanes are the eight rows; without AVX2 they are unpacked and take the plain path.
// Not a public header: included by the kernels_*.cpp files after kernels_impl.hpp.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels.hpp"
#include "transformers/core/half.hpp"

#if defined(__AVX2__) || defined(__F16C__)
#include <immintrin.h>
#endif

namespace transformers::kernels::cpu::KERNEL_NAMESPACE {

static void quantize_activations(const float* x, int64_t rows, int64_t k, ActivationBlock* out) {
  const int64_t blocks = k / kActivationBlock;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < blocks; ++b) {
      const float* v = x + r * k + b * kActivationBlock;
      ActivationBlock& block = out[r * blocks + b];
      float largest = 0.0f, sum = 0.0f;
#pragma omp simd reduction(max : largest) reduction(+ : sum)
      for (int i = 0; i < kActivationBlock; ++i) {
        const float magnitude = std::fabs(v[i]);
        largest = magnitude > largest ? magnitude : largest;
        sum += v[i];
      }
      float scale = largest / 127.0f;
      const float inverse = scale > 0.0f && scale < 3.0e38f ? 1.0f / scale : 0.0f;
      // A NaN or infinity stays one in every product (torch's answer), not rounded away.
      if (!(sum == sum) || largest > 3.0e38f) scale = std::nanf("");
      int32_t quants[kActivationBlock];
      constexpr float kRoundingShift = 12582912.0f;  // 1.5 * 2^23: round to nearest, ties to even
#pragma omp simd
      for (int i = 0; i < kActivationBlock; ++i) {
        const float scaled = v[i] * inverse;
        // A NaN (or infinity times zero) becomes quant 0: the NaN scale above carries it.
        quants[i] = static_cast<int32_t>(scaled == scaled ? (scaled + kRoundingShift) - kRoundingShift : 0.0f);
      }
      int32_t low = 0, high = 0;
      for (int i = 0; i < kActivationBlock; ++i) {
        block.q[i] = static_cast<int8_t>(quants[i]);
        (i < kActivationBlock / 2 ? low : high) += quants[i];
      }
      block.scale = scale;
      block.sum = sum;
      block.half_sums[0] = static_cast<int16_t>(low);
      block.half_sums[1] = static_cast<int16_t>(high);
    }
}

namespace quantized {

inline float half_at(const uint8_t* p) {
  uint16_t bits;
  std::memcpy(&bits, p, 2);
#if defined(__F16C__)
  return _cvtsh_ss(bits);  // one instruction where the CPU converts halves itself
#else
  return f16_bits_to_float(bits);
#endif
}

// What a block holds besides its quants, decoded once per block.
struct BlockHeader {
  float d = 0.0f, m = 0.0f;
  uint32_t fifth_bits = 0;  // Q5_0 / Q5_1: bit i is the fifth bit of quant i
  int scales[16] = {}, minimums[8] = {};  // Q4_K / Q5_K: six-bit scale and minimum of each chunk;
                                          // Q3_K: the signed scale of each 16
};

// The numbers of one chunk of 32 weights (see the file comment).
struct ChunkScales {
  float d, m;
  int offset;
  int sub_scales[2];  // of elements 0-15 and 16-31
  int sub_minimums[2] = {1, 1};
};

// d and m, two consecutive halves, in one conversion where the CPU has one.
inline void read_two_halves(const uint8_t* block, BlockHeader& h) {
#if defined(__F16C__)
  int32_t both;
  std::memcpy(&both, block, 4);
  const __m128 values = _mm_cvtph_ps(_mm_cvtsi32_si128(both));
  h.d = _mm_cvtss_f32(values);
  h.m = _mm_cvtss_f32(_mm_movehdup_ps(values));
#else
  h.d = half_at(block);
  h.m = half_at(block + 2);
#endif
}

template <BlockFormat F>
inline BlockHeader read_header(const uint8_t* block) {
  BlockHeader h;
  if constexpr (F == BlockFormat::Q4_0 || F == BlockFormat::Q8_0) {
    h.d = half_at(block);
  } else if constexpr (F == BlockFormat::Q4_1) {
    read_two_halves(block, h);
  } else if constexpr (F == BlockFormat::Q5_0) {
    h.d = half_at(block);
    std::memcpy(&h.fifth_bits, block + 2, 4);
  } else if constexpr (F == BlockFormat::Q5_1) {
    read_two_halves(block, h);
    std::memcpy(&h.fifth_bits, block + 4, 4);
  } else if constexpr (F == BlockFormat::Q2_K) {  // scales[16], qs[64], d, dmin
    read_two_halves(block + 80, h);
  } else if constexpr (F == BlockFormat::Q3_K) {  // hmask[32], qs[64], scales[12], d
    h.d = half_at(block + 108);
    const uint8_t* s = block + 96;  // low four bits in bytes 0-7, the two high bits in 8-11
    for (int i = 0; i < 16; ++i)
      h.scales[i] = (((i < 8 ? s[i] : s[i - 8] >> 4) & 0x0F) | (((s[8 + i % 4] >> (2 * (i / 4))) & 0x03) << 4)) - 32;
  } else if constexpr (F == BlockFormat::Q4_K || F == BlockFormat::Q5_K) {  // d, dmin, scales[12], ...
    read_two_halves(block, h);
    const uint8_t* s = block + 4;
    for (int i = 0; i < 4; ++i) {
      h.scales[i] = s[i] & 0x3F;
      h.minimums[i] = s[4 + i] & 0x3F;
      h.scales[4 + i] = (s[8 + i] & 0x0F) | ((s[i] >> 2) & 0x30);
      h.minimums[4 + i] = (s[8 + i] >> 4) | ((s[4 + i] >> 2) & 0x30);
    }
  } else {  // Q6_K: ql[128], qh[64], scales[16], d
    h.d = half_at(block + 208);
  }
  return h;
}

// The products multiply d and the chunk's sums the way the dequantization does: Q4_K's chunk
// scale is (d * scale) and its minimum (dmin * minimum), as gguf.quants forms them.
template <BlockFormat F>
inline ChunkScales chunk_scales(const uint8_t* block, const BlockHeader& h, int chunk) {
  switch (F) {
    case BlockFormat::Q4_0: return {h.d, 0.0f, 8, {1, 1}};
    case BlockFormat::Q5_0: return {h.d, 0.0f, 16, {1, 1}};
    case BlockFormat::Q4_1:
    case BlockFormat::Q5_1: return {h.d, h.m, 0, {1, 1}};
    case BlockFormat::Q8_0: return {h.d, 0.0f, 0, {1, 1}};
    case BlockFormat::Q2_K: {  // a byte per 16: four-bit scale, four-bit minimum
      const int first = block[2 * chunk], second = block[2 * chunk + 1];
      return {h.d, -h.m, 0, {first & 0x0F, second & 0x0F}, {first >> 4, second >> 4}};
    }
    case BlockFormat::Q3_K: return {h.d, 0.0f, 4, {h.scales[2 * chunk], h.scales[2 * chunk + 1]}};
    case BlockFormat::Q4_K:
    case BlockFormat::Q5_K:
      return {h.d * static_cast<float>(h.scales[chunk]), -(h.m * static_cast<float>(h.minimums[chunk])), 0, {1, 1}};
    case BlockFormat::Q6_K: {
      const auto* scales = reinterpret_cast<const int8_t*>(block + 192);
      return {h.d, 0.0f, 32, {scales[2 * chunk], scales[2 * chunk + 1]}};
    }
    default: break;  // packed formats: dot_group reads them
  }
  return {};
}

template <BlockFormat F>
constexpr int chunks_per_block() {
  return static_cast<int>(block_elements(F) / kActivationBlock);
}

// `total` plus what the chunk's offset and minimum add to its integer product with activation
// block a (nothing for Q8_0; each format computes only the terms it has).
template <BlockFormat F>
inline float add_correction(float total, const ChunkScales& c, const ActivationBlock& a) {
  if constexpr (F == BlockFormat::Q4_0 || F == BlockFormat::Q5_0 || F == BlockFormat::Q3_K ||
                F == BlockFormat::Q6_K) {
    const int offset_sum = c.offset * (c.sub_scales[0] * a.half_sums[0] + c.sub_scales[1] * a.half_sums[1]);
    total -= (c.d * a.scale) * static_cast<float>(offset_sum);
  }
  if constexpr (F == BlockFormat::Q4_1 || F == BlockFormat::Q5_1 || F == BlockFormat::Q4_K ||
                F == BlockFormat::Q5_K)
    total = std::fma(c.m, a.sum, total);
  if constexpr (F == BlockFormat::Q2_K) {  // a minimum per 16: the rounded activations' half sums
    const int minimum_sum = c.sub_minimums[0] * a.half_sums[0] + c.sub_minimums[1] * a.half_sums[1];
    total = std::fma(c.m * a.scale, static_cast<float>(minimum_sum), total);
  }
  return total;
}

#if defined(__AVX2__)

inline float sum_lanes(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Two nibbles per byte of 16 bytes: the low nibbles are quants 0-15, the high ones 16-31.
inline __m256i nibbles(const uint8_t* packed) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed));
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(bytes, 4), low_mask), _mm_and_si128(bytes, low_mask));
}

// 0x10 in byte i where bit i of `bits` is set.
inline __m256i fifth_bits(uint32_t bits) {
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int32_t>(bits)),
      _mm256_setr_epi64x(0x0000000000000000, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303));
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ULL));
  return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(0x10));
}

// Bits 2s and 2s+1 of each of 32 bytes.
inline __m256i crumbs(const uint8_t* bytes, int s) {
  const __m256i loaded = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes));
  return _mm256_and_si256(_mm256_srl_epi16(loaded, _mm_cvtsi32_si128(2 * s)), _mm256_set1_epi8(0x03));
}

// The low (half 0) or high (half 1) nibbles of 32 bytes.
inline __m256i nibbles_of_pair(const uint8_t* bytes, int half) {
  const __m256i loaded = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes));
  return _mm256_and_si256(_mm256_srl_epi16(loaded, _mm_cvtsi32_si128(4 * half)), _mm256_set1_epi8(0x0F));
}

// Bit b (0-7) of each of 32 bytes, as 0 or 1.
inline __m256i bit_of_bytes(const uint8_t* bytes, int b) {
  const __m256i loaded = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes));
  return _mm256_and_si256(_mm256_srl_epi16(loaded, _mm_cvtsi32_si128(b)), _mm256_set1_epi8(0x01));
}

// The 32 quants of chunk `chunk` as bytes (unsigned, Q8_0's signed).
template <BlockFormat F>
inline __m256i chunk_quants(const uint8_t* block, const BlockHeader& h, int chunk) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  switch (F) {
    case BlockFormat::Q4_0: return nibbles(block + 2);
    case BlockFormat::Q4_1: return nibbles(block + 4);
    case BlockFormat::Q5_0: return _mm256_or_si256(nibbles(block + 6), fifth_bits(h.fifth_bits));
    case BlockFormat::Q5_1: return _mm256_or_si256(nibbles(block + 8), fifth_bits(h.fifth_bits));
    case BlockFormat::Q8_0: return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
    case BlockFormat::Q2_K:  // chunks 4i ... 4i+3 share 32 bytes, two bits each
      return crumbs(block + 16 + 32 * (chunk / 4), chunk % 4);
    case BlockFormat::Q3_K:  // two bits as Q2_K's, the third of chunk c is bit c of hmask's bytes
      return _mm256_or_si256(crumbs(block + 32 + 32 * (chunk / 4), chunk % 4),
                             _mm256_slli_epi16(bit_of_bytes(block, chunk), 2));
    case BlockFormat::Q4_K:  // chunks 2i and 2i+1 share 32 bytes: low and high nibbles
      return nibbles_of_pair(block + 16 + 32 * (chunk / 2), chunk % 2);
    case BlockFormat::Q5_K:  // as Q4_K, the fifth bit of chunk c is bit c of qh's bytes
      return _mm256_or_si256(nibbles_of_pair(block + 48 + 32 * (chunk / 2), chunk % 2),
                             _mm256_slli_epi16(bit_of_bytes(block + 16, chunk), 4));
    case BlockFormat::Q6_K: {  // four low bits in ql, two high bits in qh
      const int half = chunk / 4, quarter = chunk % 4;
      const __m256i low_bytes =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + half * 64 + (quarter % 2) * 32));
      const __m256i high_bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 128 + half * 32));
      const __m256i low = _mm256_and_si256(_mm256_srl_epi16(low_bytes, _mm_cvtsi32_si128((quarter / 2) * 4)), low4);
      const __m256i high = _mm256_and_si256(_mm256_srl_epi16(high_bytes, _mm_cvtsi32_si128(quarter * 2)),
                                            _mm256_set1_epi8(0x03));
      return _mm256_or_si256(low, _mm256_slli_epi16(high, 4));
    }
    default: break;  // packed formats: dot_group reads them
  }
  return _mm256_setzero_si256();
}

// sum_i s_i q_i a_i as eight int32 lanes.
template <BlockFormat F>
inline __m256i chunk_product(__m256i quants, __m256i sub_scales, const int8_t* activations) {
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(activations));
  if constexpr (F == BlockFormat::Q8_0)  // maddubs takes one unsigned operand: move the signs over
    return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(quants, quants), _mm256_sign_epi8(a, quants)),
                             sub_scales);
  else
    return _mm256_madd_epi16(_mm256_maddubs_epi16(quants, a), sub_scales);
}

// Running sums of R activation rows against one weight row.
template <int R>
struct RowSums {
  __m256 vector[R];
  float scalar[R];
  RowSums() {
    for (int r = 0; r < R; ++r) {
      vector[r] = _mm256_setzero_ps();
      scalar[r] = 0.0f;
    }
  }
};

// Chunk `chunk` of `block` against the R activation blocks at x[r * x_blocks + index].
template <BlockFormat F, int R>
inline void add_chunk(const uint8_t* block, const BlockHeader& header, int chunk, const ActivationBlock* x,
                      int64_t x_blocks, int64_t index, RowSums<R>& sums) {
  const ChunkScales scales = chunk_scales<F>(block, header, chunk);
  const __m256i quants = chunk_quants<F>(block, header, chunk);
  const __m256i sub_scales = _mm256_set_m128i(_mm_set1_epi16(static_cast<int16_t>(scales.sub_scales[1])),
                                              _mm_set1_epi16(static_cast<int16_t>(scales.sub_scales[0])));
  for (int r = 0; r < R; ++r) {
    const ActivationBlock& a = x[r * x_blocks + index];
    const __m256i product = chunk_product<F>(quants, sub_scales, a.q);
    sums.vector[r] = _mm256_fmadd_ps(_mm256_set1_ps(scales.d * a.scale), _mm256_cvtepi32_ps(product), sums.vector[r]);
    sums.scalar[r] = add_correction<F>(sums.scalar[r], scales, a);
  }
}

// Weight row `row` against activation rows x[0..R) (each `x_blocks` blocks apart). Chunks
// alternate between two sets of sums, so that each add waits on the one two chunks back, not on the
// one just before (the adds' latency, not the loads, bounded a single chain).
template <BlockFormat F, int R>
inline void dot_row(const ActivationBlock* x, int64_t x_blocks, const uint8_t* row, int64_t k, float* out,
                    int64_t out_stride) {
  constexpr int kChunks = chunks_per_block<F>();
  RowSums<R> even, odd;
  const int64_t blocks = k / block_elements(F);
  if constexpr (kChunks == 1) {
    int64_t b = 0;
    for (; b + 2 <= blocks; b += 2) {
      const uint8_t* first = row + b * block_bytes(F);
      const uint8_t* second = first + block_bytes(F);
      add_chunk<F, R>(first, read_header<F>(first), 0, x, x_blocks, b, even);
      add_chunk<F, R>(second, read_header<F>(second), 0, x, x_blocks, b + 1, odd);
    }
    if (b < blocks) {
      const uint8_t* last = row + b * block_bytes(F);
      add_chunk<F, R>(last, read_header<F>(last), 0, x, x_blocks, b, even);
    }
  } else {
    for (int64_t b = 0; b < blocks; ++b) {
      const uint8_t* block = row + b * block_bytes(F);
      const BlockHeader header = read_header<F>(block);
      for (int c = 0; c < kChunks; c += 2) {
        add_chunk<F, R>(block, header, c, x, x_blocks, b * kChunks + c, even);
        add_chunk<F, R>(block, header, c + 1, x, x_blocks, b * kChunks + c + 1, odd);
      }
    }
  }
  for (int r = 0; r < R; ++r)
    out[r * out_stride] = sum_lanes(_mm256_add_ps(even.vector[r], odd.vector[r])) + (even.scalar[r] + odd.scalar[r]);
}

// out[0..32) = chunk `chunk` of `block`, dequantized.
template <BlockFormat F>
inline void widen_chunk(const uint8_t* block, const BlockHeader& header, int chunk, float* out) {
  const ChunkScales scales = chunk_scales<F>(block, header, chunk);
  const __m256i quants = chunk_quants<F>(block, header, chunk);
  const __m128i low = _mm256_castsi256_si128(quants), high = _mm256_extracti128_si256(quants, 1);
  const __m128i parts[4] = {low, _mm_srli_si128(low, 8), high, _mm_srli_si128(high, 8)};
  for (int p = 0; p < 4; ++p) {
    __m256i ints = F == BlockFormat::Q8_0 ? _mm256_cvtepi8_epi32(parts[p]) : _mm256_cvtepu8_epi32(parts[p]);
    ints = _mm256_sub_epi32(ints, _mm256_set1_epi32(scales.offset));
    const float scale = scales.d * static_cast<float>(scales.sub_scales[p / 2]);
    const float minimum = scales.m * static_cast<float>(scales.sub_minimums[p / 2]);
    _mm256_storeu_ps(out + 8 * p,
                     _mm256_fmadd_ps(_mm256_cvtepi32_ps(ints), _mm256_set1_ps(scale), _mm256_set1_ps(minimum)));
  }
}

// Eight interleaved rows (a packed format's group) against R activation rows: lane j of each sum
// is row j, so one maddubs multiplies four quants of all eight rows and no horizontal sum is needed.
template <BlockFormat F, int R>
inline void dot_group(const ActivationBlock* x, int64_t x_blocks, const uint8_t* group, int64_t k, float* out,
                      int64_t out_stride) {
  constexpr int64_t kColumnBytes = kPackedRows * block_bytes(F);
  constexpr bool kFourBit = F != BlockFormat::Q8_0x8;
  const __m256i ones = _mm256_set1_epi16(1), low4 = _mm256_set1_epi8(0x0F);
  __m256 sums[R];
  for (int r = 0; r < R; ++r) sums[r] = _mm256_setzero_ps();
  const int64_t blocks = k / kActivationBlock;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* column = group + b * kColumnBytes;
    const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(column)));
    if constexpr (kFourBit) {
      constexpr int kScaleBytes = F == BlockFormat::Q4_1x8 ? 32 : 16;
      __m256i low[4], high[4];  // quants 4g..4g+3 and 16+4g..16+4g+3 of the eight rows
      for (int g = 0; g < 4; ++g) {
        const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(column + kScaleBytes + 32 * g));
        low[g] = _mm256_and_si256(bytes, low4);
        high[g] = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low4);
      }
      for (int r = 0; r < R; ++r) {
        const ActivationBlock& a = x[r * x_blocks + b];
        int32_t words[8];
        std::memcpy(words, a.q, sizeof words);
        // pairs of products of 4-bit by 8-bit quants stay under 2^15 even summed eight times
        __m256i pairs = _mm256_setzero_si256();
        for (int g = 0; g < 4; ++g) {
          pairs = _mm256_add_epi16(pairs, _mm256_maddubs_epi16(low[g], _mm256_set1_epi32(words[g])));
          pairs = _mm256_add_epi16(pairs, _mm256_maddubs_epi16(high[g], _mm256_set1_epi32(words[4 + g])));
        }
        const __m256 scale = _mm256_mul_ps(d, _mm256_set1_ps(a.scale));
        sums[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, ones)), scale, sums[r]);
        if constexpr (F == BlockFormat::Q4_0x8)
          sums[r] = _mm256_fnmadd_ps(scale, _mm256_set1_ps(8.0f * static_cast<float>(a.half_sums[0] + a.half_sums[1])),
                                     sums[r]);
        else
          sums[r] = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(column + 16))),
                                    _mm256_set1_ps(a.sum), sums[r]);
      }
    } else {
      for (int r = 0; r < R; ++r) {
        const ActivationBlock& a = x[r * x_blocks + b];
        int32_t words[8];
        std::memcpy(words, a.q, sizeof words);
        __m256i total = _mm256_setzero_si256();
        for (int g = 0; g < 8; ++g) {
          const __m256i quants = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(column + 16 + 32 * g));
          const __m256i activations = _mm256_set1_epi32(words[g]);
          const __m256i pairs =
              _mm256_maddubs_epi16(_mm256_sign_epi8(quants, quants), _mm256_sign_epi8(activations, quants));
          total = _mm256_add_epi32(total, _mm256_madd_epi16(pairs, ones));
        }
        sums[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_mul_ps(d, _mm256_set1_ps(a.scale)), sums[r]);
      }
    }
  }
  for (int r = 0; r < R; ++r) _mm256_storeu_ps(out + r * out_stride, sums[r]);
}

#else

// Quant i of chunk `chunk` (unsigned, Q8_0's signed).
template <BlockFormat F>
inline int quant_at(const uint8_t* block, const BlockHeader& h, int chunk, int i) {
  const int nibble_byte = i % 16, shift = i < 16 ? 0 : 4;
  switch (F) {
    case BlockFormat::Q4_0: return (block[2 + nibble_byte] >> shift) & 0x0F;
    case BlockFormat::Q4_1: return (block[4 + nibble_byte] >> shift) & 0x0F;
    case BlockFormat::Q5_0:
      return ((block[6 + nibble_byte] >> shift) & 0x0F) | static_cast<int>(((h.fifth_bits >> i) & 1u) << 4);
    case BlockFormat::Q5_1:
      return ((block[8 + nibble_byte] >> shift) & 0x0F) | static_cast<int>(((h.fifth_bits >> i) & 1u) << 4);
    case BlockFormat::Q8_0: return static_cast<int8_t>(block[2 + i]);
    case BlockFormat::Q2_K: return (block[16 + 32 * (chunk / 4) + i] >> (2 * (chunk % 4))) & 0x03;
    case BlockFormat::Q3_K:
      return ((block[32 + 32 * (chunk / 4) + i] >> (2 * (chunk % 4))) & 0x03) | (((block[i] >> chunk) & 1) << 2);
    case BlockFormat::Q4_K: return (block[16 + 32 * (chunk / 2) + i] >> ((chunk % 2) * 4)) & 0x0F;
    case BlockFormat::Q5_K:
      return ((block[48 + 32 * (chunk / 2) + i] >> ((chunk % 2) * 4)) & 0x0F) | (((block[16 + i] >> chunk) & 1) << 4);
    case BlockFormat::Q6_K: {
      const int half = chunk / 4, quarter = chunk % 4;
      const int low = (block[half * 64 + (quarter % 2) * 32 + i] >> ((quarter / 2) * 4)) & 0x0F;
      const int high = (block[128 + half * 32 + i] >> (quarter * 2)) & 0x03;
      return low | (high << 4);
    }
    default: break;  // packed formats: unpacked first
  }
  return 0;
}

template <BlockFormat F, int R>
inline void dot_row(const ActivationBlock* x, int64_t x_blocks, const uint8_t* row, int64_t k, float* out,
                    int64_t out_stride) {
  constexpr int kChunks = chunks_per_block<F>();
  float sums[R] = {};
  const int64_t blocks = k / block_elements(F);
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* block = row + b * block_bytes(F);
    const BlockHeader header = read_header<F>(block);
    for (int c = 0; c < kChunks; ++c) {
      const ChunkScales scales = chunk_scales<F>(block, header, c);
      int quants[kActivationBlock];
      for (int i = 0; i < kActivationBlock; ++i) quants[i] = quant_at<F>(block, header, c, i);
      for (int r = 0; r < R; ++r) {
        const ActivationBlock& a = x[r * x_blocks + b * kChunks + c];
        int32_t low = 0, high = 0;
        for (int i = 0; i < kActivationBlock / 2; ++i) {
          low += quants[i] * a.q[i];
          high += quants[i + 16] * a.q[i + 16];
        }
        const int32_t product = scales.sub_scales[0] * low + scales.sub_scales[1] * high;
        sums[r] = add_correction<F>(sums[r] + scales.d * a.scale * static_cast<float>(product), scales, a);
      }
    }
  }
  for (int r = 0; r < R; ++r) out[r * out_stride] = sums[r];
}

// Without AVX2 a group of interleaved rows is unpacked, then multiplied row by row.
template <BlockFormat F, int R>
inline void dot_group(const ActivationBlock* x, int64_t x_blocks, const uint8_t* group, int64_t k, float* out,
                      int64_t out_stride) {
  constexpr BlockFormat kPlain = plain_format(F);
  const int64_t row_bytes = k / kActivationBlock * block_bytes(kPlain);
  thread_local std::vector<uint8_t> rows;
  rows.resize(static_cast<size_t>(kPackedRows * row_bytes));
  unpack_rows(F, group, kPackedRows, k, rows.data());
  for (int64_t j = 0; j < kPackedRows; ++j) dot_row<kPlain, R>(x, x_blocks, rows.data() + j * row_bytes, k, out + j, out_stride);
}

template <BlockFormat F>
inline void widen_chunk(const uint8_t* block, const BlockHeader& header, int chunk, float* out) {
  const ChunkScales scales = chunk_scales<F>(block, header, chunk);
  for (int i = 0; i < kActivationBlock; ++i) {
    const float scale = scales.d * static_cast<float>(scales.sub_scales[i / 16]);
    const float minimum = scales.m * static_cast<float>(scales.sub_minimums[i / 16]);
    out[i] = std::fma(static_cast<float>(quant_at<F>(block, header, chunk, i) - scales.offset), scale, minimum);
  }
}

#endif

template <BlockFormat F>
void widen_row(const void* w, int64_t k, float* out) {
  constexpr int kChunks = chunks_per_block<F>();
  for (int64_t b = 0; b < k / block_elements(F); ++b) {
    const uint8_t* block = static_cast<const uint8_t*>(w) + b * block_bytes(F);
    const BlockHeader header = read_header<F>(block);
    for (int c = 0; c < kChunks; ++c) widen_chunk<F>(block, header, c, out + (b * kChunks + c) * kActivationBlock);
  }
}

template <BlockFormat F>
void widen_rows(const void* w, int64_t k, float* out, int64_t rows) {
  const int64_t row_bytes = k / block_elements(F) * block_bytes(F);
  for (int64_t r = 0; r < rows; ++r) widen_row<F>(static_cast<const uint8_t*>(w) + r * row_bytes, k, out + r * k);
}

// A packed format's groups are unpacked, then widened row by row.
template <BlockFormat F>
void widen_groups(const void* w, int64_t k, float* out, int64_t rows) {
  constexpr BlockFormat kPlain = plain_format(F);
  const int64_t group_bytes = kPackedRows * (k / kActivationBlock) * block_bytes(kPlain);
  thread_local std::vector<uint8_t> plain;
  plain.resize(static_cast<size_t>(group_bytes));
  for (int64_t g = 0; g < rows / kPackedRows; ++g) {
    unpack_rows(F, static_cast<const uint8_t*>(w) + g * group_bytes, kPackedRows, k, plain.data());
    widen_rows<kPlain>(plain.data(), k, out + g * kPackedRows * k, kPackedRows);
  }
}

template <BlockFormat F>
void dot_blocks_in(const ActivationBlock* x, int64_t rows, const void* w, int64_t k, float* out, int64_t out_stride,
                   int64_t count) {
  const int64_t x_blocks = k / kActivationBlock, row_bytes = k / block_elements(F) * block_bytes(F);
  constexpr int64_t kStep = is_packed(F) ? kPackedRows : 1;
  for (int64_t j = 0; j < count; j += kStep) {
    const uint8_t* row = static_cast<const uint8_t*>(w) + j * row_bytes;
    const auto product = [&](auto group_rows, int64_t r) {
      constexpr int R = decltype(group_rows)::value;
      if constexpr (is_packed(F))
        dot_group<F, R>(x + r * x_blocks, x_blocks, row, k, out + r * out_stride + j, out_stride);
      else
        dot_row<F, R>(x + r * x_blocks, x_blocks, row, k, out + r * out_stride + j, out_stride);
    };
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) product(std::integral_constant<int, 4>{}, r);
    switch (rows - r) {
      case 1: product(std::integral_constant<int, 1>{}, r); break;
      case 2: product(std::integral_constant<int, 2>{}, r); break;
      case 3: product(std::integral_constant<int, 3>{}, r); break;
      default: break;
    }
  }
}

// Calls visit(std::integral_constant<BlockFormat, format>): the format as a template argument.
template <typename Visit>
void with_format(BlockFormat format, Visit&& visit) {
  using F = BlockFormat;
  switch (format) {
    case F::Q4_0: return visit(std::integral_constant<F, F::Q4_0>{});
    case F::Q4_1: return visit(std::integral_constant<F, F::Q4_1>{});
    case F::Q5_0: return visit(std::integral_constant<F, F::Q5_0>{});
    case F::Q5_1: return visit(std::integral_constant<F, F::Q5_1>{});
    case F::Q8_0: return visit(std::integral_constant<F, F::Q8_0>{});
    case F::Q2_K: return visit(std::integral_constant<F, F::Q2_K>{});
    case F::Q3_K: return visit(std::integral_constant<F, F::Q3_K>{});
    case F::Q4_K: return visit(std::integral_constant<F, F::Q4_K>{});
    case F::Q5_K: return visit(std::integral_constant<F, F::Q5_K>{});
    case F::Q6_K: return visit(std::integral_constant<F, F::Q6_K>{});
    case F::Q4_0x8: return visit(std::integral_constant<F, F::Q4_0x8>{});
    case F::Q4_1x8: return visit(std::integral_constant<F, F::Q4_1x8>{});
    case F::Q8_0x8: return visit(std::integral_constant<F, F::Q8_0x8>{});
  }
}

}  // namespace quantized

static void widen_blocks(BlockFormat format, const void* w, int64_t k, float* out, int64_t rows) {
  quantized::with_format(format, [&](auto f) {
    constexpr BlockFormat F = decltype(f)::value;
    if constexpr (is_packed(F))
      quantized::widen_groups<F>(w, k, out, rows);
    else
      quantized::widen_rows<F>(w, k, out, rows);
  });
}

static void dot_blocks(BlockFormat format, const ActivationBlock* x, int64_t rows, const void* w, int64_t k, float* out,
                       int64_t out_stride, int64_t count) {
  quantized::with_format(format, [&](auto f) {
    quantized::dot_blocks_in<decltype(f)::value>(x, rows, w, k, out, out_stride, count);
  });
}

}  // namespace transformers::kernels::cpu::KERNEL_NAMESPACE
