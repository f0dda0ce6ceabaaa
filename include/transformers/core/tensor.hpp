#pragma once
// Tensor: a view (shape, strides in elements, element offset) into shared Storage. Copying a
// Tensor shares the bytes, as in PyTorch; views (slice, transpose, ...) never copy; contiguous(),
// clone() and to() do.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "transformers/core/device.hpp"
#include "transformers/core/dtype.hpp"
#include "transformers/core/error.hpp"
#include "transformers/core/shape.hpp"
#include "transformers/core/storage.hpp"

namespace transformers {

class Tensor {
 public:
  Tensor() = default;  // undefined tensor: defined() is false
  Tensor(std::shared_ptr<Storage> storage, DType dtype, Shape shape, Shape strides, int64_t offset);

  // ---- creation ----
  static Tensor empty(const Shape& shape, DType dtype = DType::F32, Device device = Device::cpu());
  static Tensor zeros(const Shape& shape, DType dtype = DType::F32, Device device = Device::cpu());
  static Tensor full(const Shape& shape, double value, DType dtype = DType::F32, Device device = Device::cpu());
  // Copies `values` into a new CPU tensor of the matching dtype.
  template <typename T>
  static Tensor from_vector(const std::vector<T>& values, const Shape& shape);
  static Tensor from_vector(const std::vector<float>& values) {
    return from_vector(values, Shape{static_cast<int64_t>(values.size())});
  }
  // 0, 1, ..., n-1 (int64), as torch.arange.
  static Tensor arange(int64_t n, DType dtype = DType::I64);

  // ---- metadata ----
  bool defined() const { return storage_ != nullptr; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_ ? storage_->device() : Device::cpu(); }
  const Shape& shape() const { return shape_; }
  const Shape& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t d) const { return shape_[normalize_dim(d)]; }
  int64_t stride(int64_t d) const { return strides_[normalize_dim(d)]; }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  // "f32[2, 3] cpu" - used in error messages.
  std::string describe() const;

  // ---- data access ----
  void* data_ptr() const;  // first element (storage base + offset)
  template <typename T>
  T* data() const {
    if (dtype_of<T>() != dtype_)
      throw InvalidArgument(std::string("Tensor::data<") + dtype_name(dtype_of<T>()) + ">() on a " +
                            dtype_name(dtype_) + " tensor");
    return static_cast<T*>(data_ptr());
  }
  // Copies the elements (in logical row-major order) to the host as T; converts from any dtype.
  template <typename T>
  std::vector<T> to_vector() const;
  // The single element of a one-element tensor, converted to double.
  double item() const;

  // ---- views (no copy) ----
  Tensor view(const Shape& shape) const;     // requires contiguous; one dim may be -1
  Tensor reshape(const Shape& shape) const;  // view when possible, else contiguous copy
  Tensor slice(int64_t d, int64_t start, int64_t end, int64_t step = 1) const;  // Python-style bounds
  Tensor narrow(int64_t d, int64_t start, int64_t length) const;
  Tensor select(int64_t d, int64_t index) const;  // removes dimension d
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor squeeze(int64_t d) const;
  Tensor unsqueeze(int64_t d) const;
  Tensor expand(const Shape& shape) const;  // broadcast size-1 dims with stride 0

  // ---- copies ----
  Tensor contiguous() const;  // this when already contiguous
  Tensor clone() const;
  Tensor to(Device device) const;  // this when already there
  Tensor to(DType dtype) const;    // this when already that dtype
  // Copies src's elements into this tensor (same shape; any strides, dtypes and devices).
  void copy_from(const Tensor& src);

  int64_t normalize_dim(int64_t d, int64_t ndim_extra = 0) const;

 private:
  void require_defined(const char* what) const;

  std::shared_ptr<Storage> storage_;
  DType dtype_ = DType::F32;
  Shape shape_;
  Shape strides_;
  int64_t offset_ = 0;  // in elements
};

}  // namespace transformers
