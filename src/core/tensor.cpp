#include "transformers/core/tensor.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "convert.hpp"
#include "device_runtime.hpp"

namespace transformers {

namespace {

std::string dtype_short(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::F16: return "f16";
    case DType::BF16: return "bf16";
    case DType::F64: return "f64";
    case DType::I64: return "i64";
    case DType::I32: return "i32";
    case DType::I16: return "i16";
    case DType::I8: return "i8";
    case DType::U8: return "u8";
    case DType::Bool: return "bool";
    default: return dtype_name(t);
  }
}

void check_shape(const Shape& shape, const char* what) {
  for (int64_t d : shape)
    if (d < 0) throw InvalidArgument(std::string(what) + ": negative dimension in shape " + shape_str(shape));
}

// Calls f(src_element_offset, dst_element_offset, run_length) for every run of elements that is
// contiguous in both tensors (the innermost dimension when both have stride 1 there).
template <typename F>
void for_each_run(const Shape& shape, const Shape& src_strides, const Shape& dst_strides, F&& f) {
  const int64_t ndim = static_cast<int64_t>(shape.size());
  if (shape_numel(shape) == 0) return;
  if (ndim == 0) {
    f(0, 0, 1);
    return;
  }
  const bool inner_runs = src_strides[ndim - 1] == 1 && dst_strides[ndim - 1] == 1;
  const int64_t run = inner_runs ? shape[ndim - 1] : 1;
  const int64_t outer_dims = inner_runs ? ndim - 1 : ndim;
  std::vector<int64_t> index(outer_dims, 0);
  int64_t src = 0, dst = 0;
  while (true) {
    f(src, dst, run);
    int64_t d = outer_dims - 1;
    for (; d >= 0; --d) {
      if (++index[d] < shape[d]) {
        src += src_strides[d];
        dst += dst_strides[d];
        break;
      }
      src -= src_strides[d] * (shape[d] - 1);
      dst -= dst_strides[d] * (shape[d] - 1);
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace

Tensor::Tensor(std::shared_ptr<Storage> storage, DType dtype, Shape shape, Shape strides, int64_t offset)
    : storage_(std::move(storage)),
      dtype_(dtype),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset) {
  if (shape_.size() != strides_.size())
    throw InvalidArgument("Tensor: shape " + shape_str(shape_) + " and strides " + shape_str(strides_) +
                          " differ in rank");
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  check_shape(shape, "Tensor::empty");
  auto storage = Storage::allocate(static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype), device);
  return Tensor(std::move(storage), dtype, shape, contiguous_strides(shape), 0);
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }

Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor host = empty(shape, dtype);
  const int64_t n = host.numel();
  std::vector<double> one{value};
  std::vector<unsigned char> element(dtype_size(dtype));
  detail::convert_elements(one.data(), DType::F64, element.data(), dtype, 1);
  auto* out = static_cast<unsigned char*>(host.data_ptr());
  for (int64_t i = 0; i < n; ++i) std::memcpy(out + i * element.size(), element.data(), element.size());
  return host.to(device);
}

template <typename T>
Tensor Tensor::from_vector(const std::vector<T>& values, const Shape& shape) {
  if (static_cast<int64_t>(values.size()) != shape_numel(shape))
    throw InvalidArgument("Tensor::from_vector: " + std::to_string(values.size()) + " values do not fill shape " +
                          shape_str(shape));
  Tensor t = empty(shape, dtype_of<T>());
  if constexpr (std::is_same_v<T, bool>) {
    auto* out = static_cast<bool*>(t.data_ptr());
    for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  } else {
    if (!values.empty()) std::memcpy(t.data_ptr(), values.data(), values.size() * sizeof(T));
  }
  return t;
}

template Tensor Tensor::from_vector(const std::vector<float>&, const Shape&);
template Tensor Tensor::from_vector(const std::vector<double>&, const Shape&);
template Tensor Tensor::from_vector(const std::vector<Half>&, const Shape&);
template Tensor Tensor::from_vector(const std::vector<BFloat16>&, const Shape&);
template Tensor Tensor::from_vector(const std::vector<int64_t>&, const Shape&);
template Tensor Tensor::from_vector(const std::vector<int32_t>&, const Shape&);
template Tensor Tensor::from_vector(const std::vector<int16_t>&, const Shape&);
template Tensor Tensor::from_vector(const std::vector<int8_t>&, const Shape&);
template Tensor Tensor::from_vector(const std::vector<uint8_t>&, const Shape&);
template Tensor Tensor::from_vector(const std::vector<bool>&, const Shape&);

Tensor Tensor::arange(int64_t n, DType dtype) {
  std::vector<int64_t> values(static_cast<size_t>(std::max<int64_t>(n, 0)));
  std::iota(values.begin(), values.end(), 0);
  return from_vector(values, Shape{static_cast<int64_t>(values.size())}).to(dtype);
}

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (shape_[d] == 1) continue;
    if (strides_[d] != expected) return false;
    expected *= shape_[d];
  }
  return true;
}

std::string Tensor::describe() const {
  if (!defined()) return "undefined tensor";
  return dtype_short(dtype_) + shape_str(shape_) + " " + device().str();
}

void Tensor::require_defined(const char* what) const {
  if (!defined()) throw InvalidArgument(std::string(what) + " on an undefined tensor");
}

void* Tensor::data_ptr() const {
  require_defined("Tensor::data_ptr");
  return static_cast<char*>(storage_->data()) + offset_ * static_cast<int64_t>(dtype_size(dtype_));
}

int64_t Tensor::normalize_dim(int64_t d, int64_t ndim_extra) const {
  const int64_t n = dim() + ndim_extra;
  const int64_t r = d < 0 ? d + n : d;
  if (r < 0 || r >= n)
    throw InvalidArgument("dimension " + std::to_string(d) + " out of range for tensor " + describe() +
                          (ndim_extra ? " (plus a new dimension)" : ""));
  return r;
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  require_defined("Tensor::to_vector");
  Tensor host = to(Device::cpu()).contiguous();
  std::vector<T> out(static_cast<size_t>(numel()));
  if constexpr (std::is_same_v<T, bool>) {
    Tensor b = host.to(DType::Bool);
    const bool* p = static_cast<const bool*>(b.data_ptr());
    for (size_t i = 0; i < out.size(); ++i) out[i] = p[i];
  } else {
    detail::convert_elements(host.data_ptr(), dtype_, out.data(), dtype_of<T>(), out.size());
  }
  return out;
}

template std::vector<float> Tensor::to_vector() const;
template std::vector<double> Tensor::to_vector() const;
template std::vector<Half> Tensor::to_vector() const;
template std::vector<BFloat16> Tensor::to_vector() const;
template std::vector<int64_t> Tensor::to_vector() const;
template std::vector<int32_t> Tensor::to_vector() const;
template std::vector<int16_t> Tensor::to_vector() const;
template std::vector<int8_t> Tensor::to_vector() const;
template std::vector<uint8_t> Tensor::to_vector() const;
template std::vector<bool> Tensor::to_vector() const;

double Tensor::item() const {
  if (numel() != 1) throw InvalidArgument("Tensor::item on " + describe() + ": needs exactly one element");
  return to_vector<double>()[0];
}

// ---- views ----

Tensor Tensor::view(const Shape& requested) const {
  require_defined("Tensor::view");
  Shape shape = requested;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) throw InvalidArgument("view " + shape_str(requested) + ": more than one -1");
      infer = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      throw InvalidArgument("view " + shape_str(requested) + ": negative dimension");
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || numel() % known != 0)
      throw InvalidArgument("view " + shape_str(requested) + " does not fit " + describe());
    shape[infer] = numel() / known;
  }
  if (shape_numel(shape) != numel())
    throw InvalidArgument("view " + shape_str(requested) + " does not fit " + describe());
  if (!is_contiguous())
    throw InvalidArgument("view of non-contiguous " + describe() + ": use reshape() or contiguous()");
  return Tensor(storage_, dtype_, shape, contiguous_strides(shape), offset_);
}

Tensor Tensor::reshape(const Shape& shape) const { return is_contiguous() ? view(shape) : contiguous().view(shape); }

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  d = normalize_dim(d);
  if (step < 1) throw InvalidArgument("slice step must be >= 1, got " + std::to_string(step));
  const int64_t n = shape_[d];
  auto clamp = [n](int64_t i) { return std::clamp(i < 0 ? i + n : i, int64_t{0}, n); };
  start = clamp(start);
  end = std::max(clamp(end), start);
  Shape shape = shape_, strides = strides_;
  shape[d] = (end - start + step - 1) / step;
  strides[d] = strides_[d] * step;
  return Tensor(storage_, dtype_, shape, strides, offset_ + start * strides_[d]);
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  d = normalize_dim(d);
  if (start < 0) start += shape_[d];
  if (start < 0 || length < 0 || start + length > shape_[d])
    throw InvalidArgument("narrow(" + std::to_string(d) + ", " + std::to_string(start) + ", " + std::to_string(length) +
                          ") out of range for " + describe());
  return slice(d, start, start + length);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  d = normalize_dim(d);
  if (index < 0) index += shape_[d];
  if (index < 0 || index >= shape_[d])
    throw InvalidArgument("select index " + std::to_string(index) + " out of range for dimension " + std::to_string(d) +
                          " of " + describe());
  Shape shape = shape_, strides = strides_;
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return Tensor(storage_, dtype_, shape, strides, offset_ + index * strides_[d]);
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  d0 = normalize_dim(d0);
  d1 = normalize_dim(d1);
  Shape shape = shape_, strides = strides_;
  std::swap(shape[d0], shape[d1]);
  std::swap(strides[d0], strides[d1]);
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  if (static_cast<int64_t>(dims.size()) != dim())
    throw InvalidArgument("permute needs " + std::to_string(dim()) + " dimensions for " + describe());
  Shape shape(dims.size()), strides(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = normalize_dim(dims[i]);
    if (seen[d]) throw InvalidArgument("permute: dimension " + std::to_string(d) + " repeated");
    seen[d] = true;
    shape[i] = shape_[d];
    strides[i] = strides_[d];
  }
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

Tensor Tensor::squeeze(int64_t d) const {
  d = normalize_dim(d);
  if (shape_[d] != 1) return *this;  // as torch: squeezing a non-1 dimension is a no-op
  return select(d, 0);
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = normalize_dim(d, 1);
  Shape shape = shape_, strides = strides_;
  int64_t stride = d < dim() ? shape_[d] * strides_[d] : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

Tensor Tensor::expand(const Shape& shape) const {
  if (static_cast<int64_t>(shape.size()) < dim())
    throw InvalidArgument("expand to " + shape_str(shape) + ": fewer dimensions than " + describe());
  const size_t lead = shape.size() - shape_.size();
  Shape strides(shape.size(), 0);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) continue;
    const int64_t have = shape_[i - lead];
    if (have == shape[i]) {
      strides[i] = strides_[i - lead];
    } else if (have != 1) {
      throw InvalidArgument("expand " + describe() + " to " + shape_str(shape) + ": dimension " + std::to_string(i) +
                            " is " + std::to_string(have) + ", not 1");
    }
  }
  return Tensor(storage_, dtype_, shape, strides, offset_);
}

// ---- copies ----

Tensor Tensor::contiguous() const {
  require_defined("Tensor::contiguous");
  if (is_contiguous()) return *this;
  Tensor out = empty(shape_, dtype_, device());
  out.copy_from(*this);
  return out;
}

Tensor Tensor::clone() const {
  require_defined("Tensor::clone");
  Tensor out = empty(shape_, dtype_, device());
  out.copy_from(*this);
  return out;
}

Tensor Tensor::to(Device target) const {
  require_defined("Tensor::to");
  if (device() == target) return *this;
  Tensor out = empty(shape_, dtype_, target);
  out.copy_from(*this);
  return out;
}

Tensor Tensor::to(DType target) const {
  require_defined("Tensor::to");
  if (dtype_ == target) return *this;
  Tensor out = empty(shape_, target, device());
  out.copy_from(*this);
  return out;
}

void Tensor::copy_from(const Tensor& src) {
  require_defined("Tensor::copy_from");
  src.require_defined("Tensor::copy_from");
  if (src.shape_ != shape_)
    throw InvalidArgument("copy_from: source " + src.describe() + " does not match destination " + describe());
  if (src.numel() == 0) return;
  const bool src_on_host = src.device().is_cpu(), dst_on_host = device().is_cpu();
  if (src_on_host && dst_on_host) {
    const size_t in_size = dtype_size(src.dtype_), out_size = dtype_size(dtype_);
    auto* in = static_cast<const char*>(src.data_ptr());
    auto* out = static_cast<char*>(data_ptr());
    for_each_run(shape_, src.strides_, strides_, [&](int64_t s, int64_t d, int64_t n) {
      detail::convert_elements(in + s * static_cast<int64_t>(in_size), src.dtype_,
                               out + d * static_cast<int64_t>(out_size), dtype_, static_cast<size_t>(n));
    });
    return;
  }
  if (!src_on_host && !dst_on_host) {
    if (src.device() == device()) {
      detail::device_runtime(device()).copy_view(src, *this);  // strides and dtypes handled on the device
    } else {
      copy_from(src.to(Device::cpu()));  // two devices: through the host
    }
    return;
  }
  // Between the host and a device bytes travel contiguous and already in the destination's dtype;
  // strides and conversions are handled on the side where the data is.
  const auto packed = [&](const Tensor& t) { return t.is_contiguous() && t.dtype() == dtype_; };
  if (dst_on_host) {
    const detail::DeviceRuntime& runtime = detail::device_runtime(src.device());
    Tensor staged = src;
    if (!packed(src)) {
      staged = empty(shape_, dtype_, src.device());
      staged.copy_from(src);
    }
    Tensor target = is_contiguous() ? *this : empty(shape_, dtype_);
    runtime.copy_to_host(target.data_ptr(), staged.data_ptr(), nbytes(), src.device().index);
    if (!is_contiguous()) copy_from(target);
    return;
  }
  const detail::DeviceRuntime& runtime = detail::device_runtime(device());
  Tensor staged = src;
  if (!packed(src)) {
    staged = empty(shape_, dtype_);
    staged.copy_from(src);
  }
  Tensor target = is_contiguous() ? *this : empty(shape_, dtype_, device());
  runtime.copy_from_host(target.data_ptr(), staged.data_ptr(), nbytes(), device().index);
  if (!is_contiguous()) runtime.copy_view(target, *this);
}

}  // namespace transformers
