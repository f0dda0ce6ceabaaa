// Interleaving of quantized rows for the CPU's kernels (the x8 formats of kernels.hpp): plain
// byte moves, the same on every instruction set.
#include <cstring>

#include "kernels.hpp"

namespace transformers::kernels::cpu {

namespace {

// Bytes of the scale fields at the start of a plain block (d, and Q4_1's m): each becomes an
// array of eight in the packed block column.
int64_t scale_bytes(BlockFormat plain) { return plain == BlockFormat::Q4_1 ? 4 : 2; }

// Moves one column of blocks between eight plain rows (`row_stride` bytes apart) and its packed
// form; `to_packed` says which way.
void move_column(BlockFormat plain, uint8_t* rows, int64_t row_stride, uint8_t* packed, bool to_packed) {
  const int64_t block = block_bytes(plain), scales = scale_bytes(plain), quant_bytes = block - scales;
  for (int64_t r = 0; r < kPackedRows; ++r) {
    uint8_t* row = rows + r * row_stride;
    for (int64_t field = 0; field < scales / 2; ++field) {  // f16 d (and m): field-major, then row
      uint8_t* in_packed = packed + field * 2 * kPackedRows + r * 2;
      to_packed ? std::memcpy(in_packed, row + field * 2, 2) : std::memcpy(row + field * 2, in_packed, 2);
    }
    // quant word w (4 bytes) of row r sits at word w * 8 + r of the packed quants
    uint8_t* packed_quants = packed + scales * kPackedRows;
    for (int64_t w = 0; w < quant_bytes / 4; ++w) {
      uint8_t* in_packed = packed_quants + (w * kPackedRows + r) * 4;
      to_packed ? std::memcpy(in_packed, row + scales + w * 4, 4) : std::memcpy(row + scales + w * 4, in_packed, 4);
    }
  }
}

void move_rows(BlockFormat plain, uint8_t* rows, int64_t count, int64_t k, uint8_t* packed, bool to_packed) {
  const int64_t blocks = k / block_elements(plain), block = block_bytes(plain), row_bytes = blocks * block;
  for (int64_t group = 0; group < count / kPackedRows; ++group)
    for (int64_t b = 0; b < blocks; ++b)
      move_column(plain, rows + group * kPackedRows * row_bytes + b * block, row_bytes,
                  packed + group * kPackedRows * row_bytes + b * kPackedRows * block, to_packed);
}

}  // namespace

void pack_rows(BlockFormat plain, const void* rows, int64_t count, int64_t k, void* out) {
  move_rows(plain, const_cast<uint8_t*>(static_cast<const uint8_t*>(rows)), count, k, static_cast<uint8_t*>(out),
            true);  // read only: to_packed writes `out`
}

void unpack_rows(BlockFormat packed, const void* rows, int64_t count, int64_t k, void* out) {
  move_rows(plain_format(packed), static_cast<uint8_t*>(out), count, k,
            const_cast<uint8_t*>(static_cast<const uint8_t*>(rows)), false);  // read only: from packed
}

}  // namespace transformers::kernels::cpu
