// Every op fixture written by scripts/make_fixtures.py (torch's own results, see
// tests/fixtures/ops/README.md) checked against our ops. The file's "op" metadata picks the
// check, so a new fixture without a check here fails instead of being skipped.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <cstring>
#include <map>

#include "ops/device_under_test.hpp"
#include "test_util.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/ops/ops.hpp"

using namespace transformers;

namespace {

constexpr double kTolerance = 1e-4;  // the project's f32 bar; most ops land far below it

struct Fixture {
  std::shared_ptr<safetensors::File> file;
  // Each tensor on the device under test (device_under_test.hpp).
  Tensor operator[](const std::string& name) const { return device_test::dev(file->get(name)); }
  std::string meta(const std::string& key) const {
    auto it = file->metadata().find(key);
    REQUIRE(it != file->metadata().end());
    return it->second;
  }
  int64_t meta_int(const std::string& key) const { return std::stoll(meta(key)); }
  bool meta_bool(const std::string& key) const { return meta(key).rfind("true", 0) == 0; }
};

// Inputs where torch's result is an artifact of its vectorized erf rather than gelu's value:
// gelu(finfo.max) overflows to inf and gelu(+-inf) is NaN in torch; ours give finfo.max and the
// IEEE limits. Everything else must match.
bool torch_gelu_artifact(const std::string& act, float x) { return act == "gelu" && std::fabs(x) > 1e30f; }

void check_activation(const Fixture& f) {
  const std::string act = f.meta("hf_act");
  std::vector<float> input = f["input"].to_vector<float>(), expected = f["expected"].to_vector<float>();
  std::vector<float> ours = ops::activation(f["input"], act).to_vector<float>();
  double worst = 0.0;
  for (size_t i = 0; i < input.size(); ++i)
    if (!torch_gelu_artifact(act, input[i])) worst = std::max(worst, std::fabs(double(ours[i]) - double(expected[i])));
  INFO("max abs diff " << worst);
  REQUIRE(worst <= kTolerance);
  if (act == "gelu") return;  // its non-finite results are the artifacts above
  // inf, -inf, NaN: same values (max_abs_diff treats matching NaNs as equal).
  Tensor nonfinite = ops::activation(f["input_nonfinite"], act);
  std::vector<float> ours_nonfinite = nonfinite.to_vector<float>(), theirs = f["expected_nonfinite"].to_vector<float>();
  for (size_t i = 0; i < ours_nonfinite.size(); ++i) {
    INFO("non-finite input " << i);
    CHECK((std::isnan(ours_nonfinite[i]) ? std::isnan(theirs[i]) : ours_nonfinite[i] == theirs[i]));
  }
}

void check_softmax(const Fixture& f, bool log) {
  Tensor mask = f.file->contains("mask") ? f["mask"] : Tensor();
  const int64_t axis = f.meta_int("axis");
  Tensor got = log ? ops::log_softmax(f["input"], axis, mask) : ops::softmax(f["input"], axis, mask);
  REQUIRE_CLOSE(got, f["expected"], kTolerance);
}

void check_attention(const Fixture& f) {
  ops::AttentionOptions options;
  options.causal = f.meta_bool("is_causal");
  if (f.file->contains("mask")) options.mask = f["mask"];
  Tensor got = ops::attention(f["query"], f["key"], f["value"], options);
  REQUIRE_CLOSE(got, f["expected"], kTolerance);
  REQUIRE_CLOSE(got, f["expected_eager"], kTolerance);
  // The same through the integer padding mask, where the fixture has one and no extra structure.
  if (f.file->contains("attention_mask") && f.meta("name") == "attention_padding") {
    ops::AttentionOptions padding;
    padding.mask = f["attention_mask"];
    REQUIRE_CLOSE(ops::attention(f["query"], f["key"], f["value"], padding), f["expected"], kTolerance);
  }
}

void check_matmul(const Fixture& f) {
  Tensor got = ops::matmul(f["input"], f["other"], f.meta_bool("transpose_a"), f.meta_bool("transpose_b"));
  REQUIRE_CLOSE(got, f["expected"], kTolerance);
}

void check_reduction(const Fixture& f) {
  const std::string op = f.meta("op");
  const int64_t axis = f.meta_int("axis");
  if (op == "argmax") {
    CHECK(ops::argmax(f["input"], axis).to_vector<int64_t>() == f["expected"].to_vector<int64_t>());
    return;
  }
  Tensor got = op == "sum"    ? ops::sum(f["input"], axis)
               : op == "mean" ? ops::mean(f["input"], axis)
                              : ops::max(f["input"], axis);
  REQUIRE_CLOSE(got, f["expected"], kTolerance);
  if (op == "max")
    CHECK(ops::argmax(f["input"], axis).to_vector<int64_t>() == f["expected_indices"].to_vector<int64_t>());
}

void check_topk(const Fixture& f) {
  auto [values, indices] = ops::topk(f["input"], f.meta_int("k"), f.meta_int("axis"), f.meta_bool("largest"));
  REQUIRE_CLOSE(values, f["expected"], 0.0);
  CHECK(indices.to_vector<int64_t>() == f["expected_indices"].to_vector<int64_t>());
}

void check_cast(const Fixture& f) {
  const DType to = f.meta("to") == "F16" ? DType::F16 : f.meta("to") == "BF16" ? DType::BF16 : DType::F32;
  if (to == DType::F32) {
    // 16-bit patterns -> f32: exact, bit for bit (signed zeros and subnormals included).
    std::vector<float> ours = f["input"].to(DType::F32).to_vector<float>();
    std::vector<int32_t> ours_bits(ours.size());
    std::memcpy(ours_bits.data(), ours.data(), ours.size() * sizeof(float));
    CHECK(ours_bits == f["expected_bits"].to_vector<int32_t>());
    const bool from_f16 = f.meta("from") == "F16";
    for (int16_t bits : f["input_nan_bits"].to_vector<int16_t>()) {
      const auto pattern = static_cast<uint16_t>(bits);
      CHECK(std::isnan(from_f16 ? f16_bits_to_float(pattern) : bf16_bits_to_float(pattern)));
    }
    return;
  }
  Tensor ours = f["input"].to(to);
  std::vector<int16_t> ours_bits(static_cast<size_t>(ours.numel()));
  std::memcpy(ours_bits.data(), ours.data_ptr(), ours.nbytes());
  CHECK(ours_bits == f["expected_bits"].to_vector<int16_t>());
  // NaN inputs must stay NaN (payload and sign are implementation details, see the README).
  CHECK(std::isnan(f["input_nan"].to(to).to(DType::F32).to_vector<float>()[0]));
}

void check_rope(const Fixture& f) {
  const int64_t head_dim = f.meta_int("head_dim");
  auto [cos, sin] = ops::rope_cos_sin(f["position_ids"], head_dim, std::stof(f.meta("rope_theta")));
  REQUIRE_CLOSE(cos, f["expected_cos"], 1e-6);
  REQUIRE_CLOSE(sin, f["expected_sin"], 1e-6);
  REQUIRE_CLOSE(ops::rope(f["query"], cos, sin), f["expected_query"], kTolerance);
  REQUIRE_CLOSE(ops::rope(f["key"], cos, sin), f["expected_key"], kTolerance);
}

const std::map<std::string, std::function<void(const Fixture&)>>& checks() {
  static const std::map<std::string, std::function<void(const Fixture&)>> table{
      {"gelu", check_activation},
      {"gelu_tanh", check_activation},
      {"gelu_new", check_activation},
      {"quick_gelu", check_activation},
      {"silu", check_activation},
      {"relu", check_activation},
      {"tanh", check_activation},
      {"sigmoid", check_activation},
      {"softmax", [](const Fixture& f) { check_softmax(f, false); }},
      {"log_softmax", [](const Fixture& f) { check_softmax(f, true); }},
      {"layer_norm",
       [](const Fixture& f) {
         REQUIRE_CLOSE(ops::layer_norm(f["input"], f["weight"], f["bias"], std::stof(f.meta("eps"))), f["expected"],
                       kTolerance);
       }},
      {"rms_norm",
       [](const Fixture& f) {
         REQUIRE_CLOSE(ops::rms_norm(f["input"], f["weight"], std::stof(f.meta("eps"))), f["expected"], kTolerance);
       }},
      {"linear",
       [](const Fixture& f) {
         REQUIRE_CLOSE(ops::linear(f["input"], f["weight"], f["bias"]), f["expected"], kTolerance);
         REQUIRE_CLOSE(ops::linear(f["input"], f["weight"]), f["expected_nobias"], kTolerance);
       }},
      {"matmul", check_matmul},
      {"embedding",
       [](const Fixture& f) { REQUIRE_CLOSE(ops::embedding(f["weight"], f["input"]), f["expected"], 0.0); }},
      {"attention", check_attention},
      {"sum", check_reduction},
      {"mean", check_reduction},
      {"max", check_reduction},
      {"argmax", check_reduction},
      {"topk", check_topk},
      {"cast", check_cast},
      {"rope", check_rope},
  };
  return table;
}

}  // namespace

TEST_CASE("ops equal torch on every golden fixture", "[ops][golden]") {
  const std::filesystem::path folder = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "ops";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".safetensors") continue;
    Fixture fixture{safetensors::File::open(entry.path().string())};
    const std::string op = fixture.meta("op");
    DYNAMIC_SECTION(entry.path().filename().string()) {
      auto check = checks().find(op);
      if (check == checks().end()) FAIL("op '" << op << "' has no check in test_golden_ops.cpp");
      check->second(fixture);
    }
    ++checked;
  }
  CHECK(checked >= 50);
}
