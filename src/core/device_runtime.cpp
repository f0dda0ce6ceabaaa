#include "device_runtime.hpp"

#include <array>
#include <mutex>
#include <optional>

#include "transformers/core/error.hpp"

namespace transformers::detail {

namespace {

struct Registry {
  std::mutex mutex;
  std::array<std::optional<DeviceRuntime>, 2> runtimes;  // by DeviceType
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void register_device_runtime(DeviceType type, const DeviceRuntime& runtime) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.runtimes.at(static_cast<size_t>(type)) = runtime;
}

const DeviceRuntime& device_runtime(Device device) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  const auto& runtime = r.runtimes.at(static_cast<size_t>(device.type));
  if (!runtime) throw DeviceError("no backend is registered for device " + device.str());
  return *runtime;
}

}  // namespace transformers::detail
