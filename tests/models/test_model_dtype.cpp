// Models keep their weights in the checkpoint's dtype (from_pretrained's dtype="auto"): every bf16
// fixture (tests/fixtures/models/bf16, scripts/make_dtype_fixtures.py) runs in bf16 within 3e-2 of
// transformers running it in bf16 and at cosine >= 0.999 of the f32 result; dtype=float32 gives the
// f32 result at 1e-4; an f16 checkpoint keeps f16 weights and computes in f32.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "test_util.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;
namespace fs = std::filesystem;

namespace {

const fs::path kModels = fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models";

ModelInputs read_inputs(const fs::path& folder) {
  auto file = safetensors::File::open((folder / "inputs.safetensors").string());
  ModelInputs in;
  in.input_ids = file->get("input_ids");
  in.attention_mask = file->get("attention_mask");
  if (file->contains("token_type_ids")) in.token_type_ids = file->get("token_type_ids");
  return in;
}

double cosine(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double dot = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    dot += x[i] * y[i];
    xx += x[i] * x[i];
    yy += y[i] * y[i];
  }
  return dot / std::sqrt(xx * yy);
}

std::vector<fs::path> bf16_fixtures() {
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(kModels / "bf16"))
    if (entry.is_directory()) folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  return folders;
}

}  // namespace

TEST_CASE("bf16 checkpoints run in bf16 by default, as transformers runs them", "[models][dtype]") {
  const auto folders = bf16_fixtures();
  REQUIRE(folders.size() >= 5);
  for (const fs::path& folder : folders) {
    INFO(folder.filename().string());
    auto expected = safetensors::File::open((folder / "expected.safetensors").string());
    const ModelInputs in = read_inputs(folder);
    const Tensor logits = AutoModelForSequenceClassification::from_pretrained(folder.string())->forward(in).logits;
    REQUIRE_CLOSE(logits, expected->get("logits"), 3e-2);
    CHECK(cosine(logits, expected->get("logits_f32")) >= 0.999);
    // dtype=float32 widens the weights once: the f32 result.
    LoadOptions in_f32;
    in_f32.dtype = DType::F32;
    const Tensor f32 = AutoModelForSequenceClassification::from_pretrained(folder.string(), in_f32)->forward(in).logits;
    REQUIRE_CLOSE(f32, expected->get("logits_f32"), 1e-4);
  }
}

TEST_CASE("weights in the model's dtype are mapped from the file, not copied", "[models][dtype]") {
  const fs::path folder = bf16_fixtures().front();
  nn::Weights weights(safetensors::Checkpoint::open(folder.string()), "");
  CHECK(weights.dtype() == DType::F32);  // without with_dtype: float32, as before dtypes existed
  weights.with_dtype(std::nullopt);      // "auto": the checkpoint's
  CHECK(weights.dtype() == DType::BF16);
  for (const std::string& name : weights.source().names()) {
    const Tensor stored = weights.source().get(name, DType::F32);
    if (stored.dtype() != DType::BF16) continue;
    const Tensor got = weights.get(name, stored.shape());
    INFO(name);
    CHECK(got.dtype() == DType::BF16);
    CHECK_FALSE(got.storage()->owns_memory());  // a view of the mapped file
  }
  weights.with_dtype(DType::F32);
  const std::string first = weights.source().names().front();
  CHECK(weights.get(first, weights.source().get(first, DType::F32).shape()).storage()->owns_memory());
  CHECK_THROWS_WITH(weights.with_dtype(DType::I64), Catch::Contains("float32, bfloat16 or float16"));
}

TEST_CASE("an f16 checkpoint keeps f16 weights and computes in f32", "[models][dtype]") {
  // tiny-bert/f16/expected.safetensors: transformers running the f16 weights in float32.
  const fs::path folder = kModels / "tiny-bert" / "f16";
  auto expected = safetensors::File::open((folder / "expected.safetensors").string());
  const ModelInputs in = read_inputs(kModels / "tiny-bert");
  for (std::optional<DType> dtype :
       {std::optional<DType>(), std::optional<DType>(DType::F16), std::optional<DType>(DType::F32)}) {
    INFO((dtype ? dtype_name(*dtype) : "auto"));
    LoadOptions options;
    options.dtype = dtype;
    const Tensor logits =
        AutoModelForSequenceClassification::from_pretrained(folder.string(), options)->forward(in).logits;
    REQUIRE_CLOSE(logits, expected->get("logits"), 1e-4);
  }
}

TEST_CASE("dtype names as transformers' from_pretrained takes them", "[models][dtype]") {
  CHECK(parse_model_dtype("auto") == std::nullopt);
  CHECK(parse_model_dtype("bfloat16") == DType::BF16);
  CHECK(parse_model_dtype("torch.float16") == DType::F16);
  CHECK(parse_model_dtype("float32") == DType::F32);
  CHECK_THROWS_WITH(parse_model_dtype("int8"), Catch::Contains("\"auto\", float32, bfloat16 or float16"));
  CHECK_THROWS_AS(parse_model_dtype("float128"), InvalidArgument);
}
