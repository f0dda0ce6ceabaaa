#pragma once
#include <cstdint>
#include <string>

namespace transformers {

enum class DeviceType : uint8_t { CPU, CUDA };

// Where a tensor's bytes live. Device("cuda:1"), Device::cuda(1), Device::cpu().
struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;

  Device() = default;
  Device(DeviceType t, int i = 0) : type(t), index(i) {}
  explicit Device(const std::string& spec);  // "cpu", "cuda", "cuda:N"

  static Device cpu() { return Device(DeviceType::CPU, 0); }
  static Device cuda(int i = 0) { return Device(DeviceType::CUDA, i); }
  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  std::string str() const { return is_cpu() ? "cpu" : "cuda:" + std::to_string(index); }
  friend bool operator==(const Device&, const Device&) = default;
};

}  // namespace transformers
