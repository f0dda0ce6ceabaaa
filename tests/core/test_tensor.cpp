#include <catch2/catch.hpp>

#include "test_util.hpp"
#include "transformers/backends/cuda.hpp"
#include "transformers/core/memory.hpp"
#include "transformers/core/tensor.hpp"

using namespace transformers;

TEST_CASE("empty tensors are 64-byte aligned and report their metadata", "[tensor]") {
  Tensor t = Tensor::empty({2, 3, 5});
  CHECK(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64 == 0);
  CHECK(t.numel() == 30);
  CHECK(t.strides() == Shape{15, 5, 1});
  CHECK(t.is_contiguous());
  CHECK(t.describe() == "f32[2, 3, 5] cpu");
  CHECK_FALSE(Tensor().defined());
  CHECK_THROWS_AS(Tensor::empty({2, -1}), InvalidArgument);
}

TEST_CASE("views share storage and index correctly", "[tensor]") {
  Tensor t = Tensor::arange(24).to(DType::F32).view({2, 3, 4});
  Tensor tr = t.transpose(0, 2);  // [4, 3, 2]
  CHECK(tr.shape() == Shape{4, 3, 2});
  CHECK_FALSE(tr.is_contiguous());
  CHECK(tr.storage() == t.storage());
  // element [i][j][k] of the transpose is t[k][j][i] = k*12 + j*4 + i
  std::vector<float> v = tr.to_vector<float>();
  CHECK(v[0] == 0);
  CHECK(v[1] == 12);  // [0][0][1]
  CHECK(v[2] == 4);   // [0][1][0]
  CHECK(v[6] == 1);   // [1][0][0]
  CHECK(tr.contiguous().is_contiguous());
  CHECK(tr.reshape({24}).to_vector<float>() == v);

  Tensor s = t.slice(2, 1, 4, 2);  // columns 1 and 3
  CHECK(s.to_vector<float>() == std::vector<float>{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23});
  CHECK(t.slice(1, -2, 100).shape() == Shape{2, 2, 4});
  CHECK(t.narrow(1, 1, 1).select(1, 0).to_vector<float>() == std::vector<float>{4, 5, 6, 7, 16, 17, 18, 19});
  CHECK(t.select(0, -1).to_vector<float>()[0] == 12);
  CHECK(t.permute({2, 0, 1}).shape() == Shape{4, 2, 3});
  CHECK(t.permute({2, 0, 1}).to_vector<float>()[1] == 4);  // [0][0][1] = t[0][1][0]
  CHECK(t.unsqueeze(0).shape() == Shape{1, 2, 3, 4});
  CHECK(t.unsqueeze(-1).shape() == Shape{2, 3, 4, 1});
  CHECK(t.unsqueeze(0).squeeze(0).shape() == t.shape());
  CHECK(t.squeeze(1).shape() == t.shape());  // not size 1: unchanged, as torch
  CHECK(t.view({-1, 4}).shape() == Shape{6, 4});
  CHECK_THROWS_AS(tr.view({24}), InvalidArgument);
  CHECK_THROWS_AS(t.view({5, -1}), InvalidArgument);
  CHECK_THROWS_AS(t.narrow(1, 2, 2), InvalidArgument);
  CHECK_THROWS_AS(t.transpose(0, 3), InvalidArgument);
  CHECK_THROWS_AS(t.permute({0, 0, 1}), InvalidArgument);
}

TEST_CASE("expand broadcasts with zero strides", "[tensor]") {
  Tensor row = Tensor::from_vector(std::vector<float>{1, 2, 3}, {1, 3});
  Tensor e = row.expand({2, 3});
  CHECK(e.strides()[0] == 0);
  CHECK(e.to_vector<float>() == std::vector<float>{1, 2, 3, 1, 2, 3});
  CHECK(row.expand({4, 2, 3}).shape() == Shape{4, 2, 3});
  CHECK_THROWS_AS(row.expand({2, 4}), InvalidArgument);
}

TEST_CASE("casts follow PyTorch's rules", "[tensor]") {
  Tensor f = Tensor::from_vector(std::vector<float>{-2.7f, -0.5f, 0.0f, 0.5f, 2.7f, 300.0f}, {6});
  CHECK(f.to(DType::I64).to_vector<int64_t>() == std::vector<int64_t>{-2, 0, 0, 0, 2, 300});  // truncation
  CHECK(f.to(DType::Bool).to_vector<bool>() == std::vector<bool>{true, true, false, true, true, true});
  CHECK(f.to(DType::BF16).to_vector<float>()[4] == 2.703125f);
  CHECK(f.to(DType::F16).to_vector<float>()[4] == 2.69921875f);
  Tensor big = Tensor::from_vector(std::vector<int64_t>{(int64_t{1} << 53) + 1, -7}, {2});
  CHECK(big.to(DType::F64).to(DType::I64).to_vector<int64_t>()[1] == -7);
  CHECK(big.to(DType::I32).to_vector<int32_t>()[1] == -7);
  CHECK(big.to(DType::F32).to_vector<float>()[0] == 9007199254740992.0f);
}

TEST_CASE("copies keep values through strided layouts and dtypes", "[tensor]") {
  Tensor src = test_util::random_tensor({3, 4, 5}, 1);
  Tensor view = src.permute({2, 0, 1});
  Tensor copy = view.clone();
  CHECK(copy.is_contiguous());
  CHECK(copy.to_vector<float>() == view.to_vector<float>());
  Tensor dst = Tensor::zeros({5, 3, 4}, DType::BF16);
  dst.copy_from(view);
  CHECK(test_util::max_abs_diff(dst.to(DType::F32), view) < 1e-2);
  CHECK_THROWS_AS(dst.copy_from(src), InvalidArgument);
  CHECK(Tensor::full({2, 2}, 1.5, DType::F16).to_vector<float>() == std::vector<float>{1.5f, 1.5f, 1.5f, 1.5f});
  CHECK(Tensor::zeros({0, 3}).numel() == 0);
  CHECK(Tensor::zeros({}).item() == 0.0);
}

TEST_CASE("typed access checks the dtype", "[tensor]") {
  Tensor t = Tensor::zeros({2}, DType::I32);
  CHECK_NOTHROW(t.data<int32_t>());
  CHECK_THROWS_WITH(t.data<float>(), Catch::Contains("float32") && Catch::Contains("int32"));
  CHECK_THROWS_AS(Tensor().data_ptr(), InvalidArgument);
}

TEST_CASE("devices and dtypes parse from their PyTorch names", "[tensor]") {
  CHECK(Device("cpu") == Device::cpu());
  CHECK(Device("cuda:1") == Device::cuda(1));
  CHECK(Device("cuda") == Device::cuda(0));
  CHECK_THROWS_AS(Device("gpu"), InvalidArgument);
  CHECK_THROWS_AS(Device("cuda:x"), InvalidArgument);
  CHECK(parse_dtype("torch.bfloat16") == DType::BF16);
  CHECK(parse_dtype("float16") == DType::F16);
  CHECK_THROWS_WITH(parse_dtype("float8"), Catch::Contains("float8"));
}

TEST_CASE("CUDA tensors fail clearly when CUDA is not usable", "[tensor]") {
  if (cuda::is_available()) return;  // covered by the CUDA tests
  CHECK_THROWS_AS(Tensor::empty({2}, DType::F32, Device::cuda()), Error);
}

TEST_CASE("large host blocks are cached and reused", "[tensor][memory]") {
  empty_host_cache();
  CHECK(host_cached_bytes() == 0);
  const void* first = nullptr;
  {
    Tensor big = Tensor::empty({3 << 18});  // 3 MiB of f32
    first = big.data_ptr();
    big.data<float>()[0] = 1.0f;
  }
  const size_t cached = host_cached_bytes();
  CHECK(cached >= (size_t{3} << 20));
  Tensor again = Tensor::empty({(3 << 18) - 100});  // a slightly different size shares the bucket
  CHECK(again.data_ptr() == first);
  CHECK(reinterpret_cast<uintptr_t>(again.data_ptr()) % 64 == 0);
  CHECK(host_cached_bytes() == 0);
  Tensor small = Tensor::empty({16});  // small blocks never enter the cache
  small = Tensor();
  CHECK(host_cached_bytes() == 0);
  again = Tensor();
  empty_host_cache();
  CHECK(host_cached_bytes() == 0);
}
