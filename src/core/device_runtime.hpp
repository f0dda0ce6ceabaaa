#pragma once
// What the core needs from a device other than the host: memory, byte copies to and from the host,
// and copies between two views on the device (strided, converting dtypes: what contiguous(), to(dtype),
// a slice write into a cache and concat are made of). The core knows no backend: each backend
// registers its runtime here (the CUDA one in src/backends/cuda_loader.cpp, or the stub that says it
// was not built), and Storage and Tensor reach the device through it.
#include <cstddef>

#include "transformers/core/device.hpp"

namespace transformers {
class Tensor;
}

namespace transformers::detail {

struct DeviceRuntime {
  void* (*allocate)(size_t nbytes, int index);
  void (*deallocate)(void* data, size_t nbytes, int index);
  void (*copy_to_host)(void* host, const void* device, size_t nbytes, int index);
  void (*copy_from_host)(void* device, const void* host, size_t nbytes, int index);
  void (*copy_within)(void* dst, const void* src, size_t nbytes, int index);
  // dst[i] = convert(src[i]) for two same-shaped views on the same device, any strides and dtypes.
  void (*copy_view)(const Tensor& src, Tensor& dst);
};

// Called once by a backend (static registration); a second registration for a type replaces the first.
void register_device_runtime(DeviceType type, const DeviceRuntime& runtime);
// The runtime of a non-host device; throws DeviceError naming the device when none is registered.
const DeviceRuntime& device_runtime(Device device);

}  // namespace transformers::detail
