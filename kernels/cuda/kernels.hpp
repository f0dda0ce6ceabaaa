#pragma once
// Host entry points of the CUDA kernels (elementwise.cu, rows.cu). Plain C++ types only, so that
// src/backends/cuda/cuda_backend.cpp, compiled by the C++ compiler, can call them. Each launcher
// runs on the current device's default stream (the one cuBLAS and cudaMemcpy use too, so work is
// ordered without events) and throws DeviceError when the launch fails. Pointers are device
// pointers; sizes are element counts.
#include <cstdint>

#include "elementwise_math.hpp"

namespace transformers::kernels::cuda {

// Views with more dimensions than this (after merging the ones that can be merged) are made
// contiguous by the caller first.
constexpr int kMaxDims = 8;

// Maps a row-major index over `sizes` to an element offset of a strided view.
struct StridedLayout {
  int rank = 0;
  int64_t sizes[kMaxDims] = {};
  int64_t strides[kMaxDims] = {};
};

// Two views of the same shape read together (binary ops): one index, two offsets.
struct PairLayout {
  int rank = 0;
  int64_t sizes[kMaxDims] = {};
  int64_t strides_a[kMaxDims] = {};
  int64_t strides_b[kMaxDims] = {};
};

// An additive softmax mask expanded to [rows, n]: `rows` locates a row's first element,
// `column_stride` steps along it (0 when the mask broadcasts over the last dimension).
struct MaskLayout {
  StridedLayout rows;
  int64_t column_stride = 0;
};

// Element types of copy() and embedding(), in the order of transformers::DType.
enum class ElementType : int { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };

// dst[offset_b(i)] = convert(src[offset_a(i)]) for the `count` elements of `layout` (strides_a are
// the source's, strides_b the destination's, in elements): strided copies, casts (PyTorch's
// conversions: floats round to nearest even, float -> integer truncates, anything -> bool is != 0).
void copy(const void* src, ElementType src_type, void* dst, ElementType dst_type, const PairLayout& layout,
          int64_t count);

void unary(UnaryOp op, const float* x, float* out, int64_t count, float scalar);
// out[i] = a[offset_a(i)] op b[offset_b(i)] for the `count` elements of contiguous out.
void binary(BinaryOp op, const float* a, const float* b, const PairLayout& layout, float* out, int64_t count);
// out[r, :] = row for r < rows: seeds a GEMM output with its bias.
void fill_rows(const float* row, float* out, int64_t rows, int64_t n);
// out[i, :] = table[ids[i], :] widened to f32; the table is F32, F16 or BF16; ids are already
// range-checked.
void embedding(const void* table, ElementType type, const int64_t* ids, float* out, int64_t count, int64_t dim);

// Row kernels over contiguous x [rows, n] (one thread block per row).
void softmax(const float* x, const float* mask, const MaskLayout& mask_layout, float* out, int64_t rows, int64_t n,
             bool log);
void layer_norm(const float* x, const float* weight, const float* bias, float eps, float* out, int64_t rows, int64_t n);
void rms_norm(const float* x, const float* weight, float eps, float* out, int64_t rows, int64_t n);
void reduce(ReduceOp op, const float* x, float* out, int64_t rows, int64_t n);

// Selection over the rows of contiguous x [rows, n] (select.cu). NaN counts as the largest value
// and equal values keep the lower index first, as torch on the CPU.
// out[r] = index of the first maximum of row r.
void argmax(const float* x, int64_t* out, int64_t rows, int64_t n);
// values / indices [rows, k]: the k largest (or smallest) of each row, in order. `taken` is
// scratch of rows * n bytes.
void topk(const float* x, int64_t rows, int64_t n, int64_t k, bool largest, float* values, int64_t* indices,
          unsigned char* taken);

}  // namespace transformers::kernels::cuda
