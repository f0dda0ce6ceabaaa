// The CUDA runtime API: device queries, the caching allocator, raw copies and Tensor::to.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "cuda_test_utils.hpp"
#include "transformers/backends/cuda.hpp"
#include "transformers/core/error.hpp"

namespace cuda = transformers::cuda;
using cuda_test::kGpu;
using cuda_test::random_tensor;
using transformers::Device;
using transformers::DType;
using transformers::Tensor;

TEST_CASE("cuda runtime reports a usable GPU", "[cuda][runtime]") {
  CHECK(cuda::is_built());
  CHECK(cuda::is_available());
  CHECK(cuda::device_count() >= 1);
  CHECK_NOTHROW(cuda::synchronize(0));
}

TEST_CASE("cuda allocator reuses freed blocks and empty_cache releases them", "[cuda][allocator]") {
  cuda::empty_cache();
  REQUIRE(cuda::cached_bytes() == 0);

  void* first = cuda::allocate(1000, 0);
  REQUIRE(first != nullptr);
  CHECK(cuda::cached_bytes() == 0);
  cuda::deallocate(first, 1000, 0);
  CHECK(cuda::cached_bytes() >= 1000);

  // A slightly smaller request falls in the same size bucket and gets the cached block back.
  void* second = cuda::allocate(990, 0);
  CHECK(second == first);
  CHECK(cuda::cached_bytes() == 0);
  cuda::deallocate(second, 990, 0);

  // A large block is cached too, and given back by empty_cache.
  const size_t large = (size_t{3} << 20) + 1;
  void* big = cuda::allocate(large, 0);
  cuda::deallocate(big, large, 0);
  CHECK(cuda::cached_bytes() >= large + 1000);
  void* big_again = cuda::allocate(large, 0);
  CHECK(big_again == big);
  cuda::deallocate(big_again, large, 0);

  cuda::empty_cache();
  CHECK(cuda::cached_bytes() == 0);
}

TEST_CASE("cuda allocator handles empty requests and reports bad ones", "[cuda][allocator]") {
  void* empty = cuda::allocate(0, 0);
  CHECK(empty != nullptr);
  cuda::deallocate(empty, 0, 0);
  cuda::deallocate(nullptr, 0, 0);  // harmless

  CHECK_THROWS_AS(cuda::allocate(16, -1), transformers::InvalidArgument);
  CHECK_THROWS_AS(cuda::allocate(16, cuda::device_count()), transformers::InvalidArgument);

  // Far more than any GPU holds: cudaMalloc fails, the cache is released, the retry fails too.
  try {
    cuda::allocate(size_t{1} << 52, 0);
    FAIL("allocating 4 PiB succeeded");
  } catch (const transformers::DeviceError& error) {
    const std::string message = error.what();
    CHECK(message.find("cuda:0") != std::string::npos);
    CHECK(message.find(std::to_string(size_t{1} << 52)) != std::string::npos);
  }
  // The failure leaves the runtime usable.
  void* after = cuda::allocate(64, 0);
  CHECK(after != nullptr);
  cuda::deallocate(after, 64, 0);
}

TEST_CASE("cuda allocator is safe to use from several threads", "[cuda][allocator]") {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      std::mt19937 generator(static_cast<uint32_t>(t));
      std::uniform_int_distribution<size_t> size(1, size_t{1} << 21);
      std::vector<std::pair<void*, size_t>> held;
      for (int i = 0; i < 200; ++i) {
        const size_t nbytes = size(generator);
        held.emplace_back(cuda::allocate(nbytes, 0), nbytes);
        if (held.size() > 8) {
          cuda::deallocate(held.front().first, held.front().second, 0);
          held.erase(held.begin());
        }
      }
      for (auto& [ptr, nbytes] : held) cuda::deallocate(ptr, nbytes, 0);
    });
  }
  for (auto& thread : threads) thread.join();
  cuda::empty_cache();
  CHECK(cuda::cached_bytes() == 0);
}

TEST_CASE("cuda copies round trip host to device to device to host", "[cuda][copy]") {
  const std::vector<float> host = random_tensor({1000}, 7).to_vector<float>();
  const size_t nbytes = host.size() * sizeof(float);
  void* first = cuda::allocate(nbytes, 0);
  void* second = cuda::allocate(nbytes, 0);
  cuda::copy_host_to_device(first, host.data(), nbytes, 0);
  cuda::copy_device_to_device(second, first, nbytes, 0);
  std::vector<float> back(host.size(), 0.0f);
  cuda::copy_device_to_host(back.data(), second, nbytes, 0);
  cuda::synchronize(0);
  CHECK(std::memcmp(back.data(), host.data(), nbytes) == 0);
  CHECK_NOTHROW(cuda::copy_host_to_device(first, host.data(), 0, 0));  // nothing to copy
  cuda::deallocate(first, nbytes, 0);
  cuda::deallocate(second, nbytes, 0);
}

TEST_CASE("Tensor::to moves every dtype to the GPU and back unchanged", "[cuda][tensor]") {
  const Tensor source = random_tensor({3, 5, 7}, 11, -100.0f, 100.0f);
  for (DType dtype : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I64, DType::I32, DType::I16, DType::I8,
                      DType::U8, DType::Bool}) {
    INFO("dtype " << transformers::dtype_name(dtype));
    const Tensor host = source.to(dtype);
    const Tensor gpu = host.to(kGpu);
    CHECK(gpu.device() == kGpu);
    CHECK(gpu.dtype() == dtype);
    CHECK(gpu.shape() == host.shape());
    const Tensor back = gpu.to(Device::cpu());
    CHECK(back.device().is_cpu());
    REQUIRE(back.nbytes() == host.nbytes());
    CHECK(std::memcmp(back.data_ptr(), host.data_ptr(), host.nbytes()) == 0);
  }
}

TEST_CASE("Tensor copies between GPU tensors, views and dtypes", "[cuda][tensor]") {
  const Tensor host = random_tensor({4, 6}, 12);
  const Tensor gpu = host.to(Device("cuda:0"));

  SECTION("clone on the GPU copies device to device") {
    const Tensor copy = gpu.clone();
    CHECK(copy.device() == kGpu);
    CHECK(copy.storage() != gpu.storage());
    CHECK(copy.to_vector<float>() == host.to_vector<float>());
  }
  SECTION("a strided host view uploads in logical order") {
    const Tensor view = host.transpose(0, 1);
    CHECK(view.to(kGpu).to_vector<float>() == view.to_vector<float>());
  }
  SECTION("a dtype conversion of a GPU tensor stays on the GPU") {
    const Tensor half = gpu.to(DType::F16);
    CHECK(half.device() == kGpu);
    CHECK(half.to_vector<float>() == host.to(DType::F16).to_vector<float>());
  }
  SECTION("zeros and full fill GPU tensors") {
    const Tensor zeros = Tensor::zeros({5, 3}, DType::F32, kGpu);
    CHECK(zeros.device() == kGpu);
    CHECK(zeros.to_vector<float>() == std::vector<float>(15, 0.0f));
    CHECK(Tensor::full({2, 2}, 1.5, DType::F32, kGpu).to_vector<float>() == std::vector<float>(4, 1.5f));
  }
  SECTION("an empty tensor lives on the GPU too") {
    const Tensor empty = Tensor::empty({0, 4}, DType::F32, kGpu);
    CHECK(empty.numel() == 0);
    CHECK(empty.to(Device::cpu()).numel() == 0);
  }
}
