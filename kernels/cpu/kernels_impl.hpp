// Row kernels written as plain loops that the compiler vectorizes for the instruction set of the
// translation unit that includes this file (see kernels_*.cpp). KERNEL_NAMESPACE names the copy.
// Not a public header: included only by the kernels_*.cpp files.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace transformers::kernels::cpu::KERNEL_NAMESPACE {

// exp(x) to ~1 ulp, branch-free so that loops calling it vectorize: Cody-Waite range reduction
// x = n ln2 + r, a degree-6 polynomial for e^r, then 2^n assembled in the exponent bits.
inline float exp_approx(float x) {
  const float clamped = std::fmin(std::fmax(x, -87.3f), 88.7f);
  const float n = std::nearbyint(clamped * 1.44269504088896341f);
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
  return x < -87.3f ? 0.0f : result;
}

static void softmax_row(const float* x, const float* mask, int64_t mask_stride, float* out, int64_t n, bool log) {
  float max_value = -std::numeric_limits<float>::infinity();
  if (mask) {
#pragma omp simd reduction(max : max_value)
    for (int64_t i = 0; i < n; ++i) {
      out[i] = x[i] + mask[i * mask_stride];
      max_value = std::fmax(max_value, out[i]);
    }
  } else {
#pragma omp simd reduction(max : max_value)
    for (int64_t i = 0; i < n; ++i) {
      out[i] = x[i];
      max_value = std::fmax(max_value, x[i]);
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

}  // namespace transformers::kernels::cpu::KERNEL_NAMESPACE
