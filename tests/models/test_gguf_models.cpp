// GGUF checkpoints of every family transformers.cpp reads from GGUF, written as llama.cpp's converter
// writes them (permuted q/k rows, Gemma's 1 + w norms, GPT-2's transposed Conv1D weights, Q8_0 and
// Q4_K blocks): the logits equal those transformers computes after loading the same file with
// from_pretrained(gguf_file=) (tests/fixtures/gguf/models, scripts/make_gguf_model_fixtures.py).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <optional>
#include <string>

#include "test_util.hpp"
#include "transformers/io/gguf_checkpoint.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;
namespace fs = std::filesystem;

namespace {

const fs::path kGguf = fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "gguf";

// Options loading `name` from a folder (one assignment per object: GCC 12 under the sanitizers
// reports a false maybe-uninitialized when an optional<string> member is assigned a literal).
LoadOptions gguf_file_options(const std::string& name, std::optional<DType> dtype = std::nullopt) {
  LoadOptions options;
  options.hub.gguf_file.emplace(name);
  options.dtype = dtype;
  return options;
}

Tensor logits_of(const PreTrainedModel& model, const Tensor& ids) {
  ModelInputs in;
  in.input_ids = ids;
  return model.forward(in).logits.to(DType::F32).contiguous();
}

double cosine(const Tensor& a_tensor, const Tensor& b_tensor) {
  const std::vector<float> a = a_tensor.to_vector<float>(), b = b_tensor.to_vector<float>();
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i)
    dot += double(a[i]) * b[i], na += double(a[i]) * a[i], nb += double(b[i]) * b[i];
  return dot / std::sqrt(na * nb);
}

}  // namespace

TEST_CASE("GGUF models give transformers' logits for every family, close to them kept quantized", "[models][gguf]") {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kGguf / "models")) {
    const fs::path folder = entry.path();
    INFO(folder.filename().string());
    const auto expected = safetensors::File::open((folder / "expected.safetensors").string());
    const Tensor ids = expected->get("input_ids"), want = expected->get("logits");
    const auto model = AutoModelForCausalLM::from_pretrained((folder / "model.gguf").string(), LoadOptions{});
    CHECK(test_util::max_abs_diff(logits_of(*model, ids), want) <= 1e-4);
    // The same file named by gguf_file inside its folder, and computed in bf16.
    const auto half =
        AutoModelForCausalLM::from_pretrained(folder.string(), gguf_file_options("model.gguf", DType::BF16));
    CHECK(cosine(logits_of(*half, ids), want) >= 0.999);
    // Kept quantized (LoadOptions::keep_quantized): blocks multiplied as stored with int8-rounded
    // activations. Each product is off by up to half an activation step (1/254 of its block's
    // largest activation) times the weights, which these small models with widely spread weights
    // carry to a few 0.1 of their logits (standard deviation ~2.5); the bar is the project's bf16
    // one.
    LoadOptions options;
    options.keep_quantized = true;
    const auto kept = AutoModelForCausalLM::from_pretrained((folder / "model.gguf").string(), options);
    const double similarity = cosine(logits_of(*kept, ids), want);
    WARN(folder.filename().string() << " kept quantized: cosine to transformers' logits " << similarity);
    CHECK(similarity >= 0.999);
    ++checked;
  }
  CHECK(checked == 7);
}

TEST_CASE("a GGUF file transformers.cpp cannot map is refused by name", "[models][gguf]") {
  const auto file = gguf::File::open((kGguf / "all_types.gguf").string());  // general.architecture "test"
  CHECK_THROWS_WITH(gguf::hf_config(*file), Catch::Contains("all_types.gguf") &&
                                                Catch::Contains("GGUF architecture 'test' is not supported") &&
                                                Catch::Contains("llama"));
  const std::string llama = (kGguf / "models" / "llama").string();
  CHECK_THROWS_WITH(AutoModelForCausalLM::from_pretrained(llama, gguf_file_options("nowhere.gguf")),
                    Catch::Contains("no GGUF file 'nowhere.gguf'"));
  // never outside the folder
  CHECK_THROWS(AutoModelForCausalLM::from_pretrained(llama, gguf_file_options("../../all_types.gguf")));
}

TEST_CASE("Weights hands out GGUF blocks as stored when asked, and checks their shape", "[models][gguf]") {
  const std::string path = (kGguf / "models" / "llama" / "model.gguf").string();
  const auto file = gguf::File::open(path);
  const nlohmann::json config = gguf::hf_config(*file);
  const int64_t hidden = config["hidden_size"], intermediate = config["intermediate_size"];
  nn::Weights weights(gguf::hf_tensors(file, config), "model");
  const std::string down = "model.layers.0.mlp.down_proj.weight";
  CHECK(weights.get(down, {hidden, intermediate}).dtype() == DType::F32);  // dequantized, as transformers
  weights.keep_quantized(true);
  const Tensor blocks = weights.get(down, {hidden, intermediate});
  CHECK(blocks.dtype() == DType::Q8_0x8);  // interleaved by eight rows for the CPU's kernels
  CHECK(blocks.shape() == Shape{hidden, intermediate / 32 * 34});
  CHECK_THROWS_WITH(weights.get(down, {hidden, intermediate + 32}),
                    Catch::Contains(down) && Catch::Contains("but the config needs"));
  CHECK_THROWS_WITH(blocks.to(DType::F32), Catch::Contains("q8_0") && Catch::Contains("quantized blocks"));
  // Norms are f32 in the file: as before.
  CHECK(weights.get("model.norm.weight", {hidden}).dtype() == DType::F32);
}
