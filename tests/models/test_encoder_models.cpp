// Tiny random BERT and DistilBERT made and run by transformers (scripts/make_fixtures.py):
// our forward passes must give its logits and hidden states within 1e-4 on a padded batch.
#include <catch2/catch.hpp>

#include <filesystem>

#include "test_util.hpp"
#include "src/backends/cpu/dnnl_matmul.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;

namespace {

const std::filesystem::path kModels = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models";
constexpr double kTolerance = 1e-4;

ModelInputs load_inputs(const std::filesystem::path& folder) {
  auto file = safetensors::File::open((folder / "inputs.safetensors").string());
  ModelInputs in;
  in.input_ids = file->get("input_ids");
  in.attention_mask = file->get("attention_mask");
  if (file->contains("token_type_ids")) in.token_type_ids = file->get("token_type_ids");
  return in;
}

// Runs the sequence classifier in model_folder on inputs_folder/inputs.safetensors and compares
// with expected_folder/expected.safetensors.
void check_against_transformers(const std::filesystem::path& model_folder, const std::filesystem::path& expected_folder,
                                const std::filesystem::path& inputs_folder, double tolerance = kTolerance) {
  auto model = AutoModelForSequenceClassification::from_pretrained(model_folder.string());
  ModelOutput out = model->forward(load_inputs(inputs_folder), true);
  auto expected = safetensors::File::open((expected_folder / "expected.safetensors").string());
  REQUIRE_CLOSE(out.logits, expected->get("logits"), tolerance);
  REQUIRE_CLOSE(out.last_hidden_state, expected->get("last_hidden_state"), tolerance);
  for (size_t i = 0; i < out.hidden_states.size(); ++i) {
    if (!expected->contains("hidden_states_" + std::to_string(i))) continue;
    INFO("hidden_states[" << i << "]");
    REQUIRE_CLOSE(out.hidden_states[i], expected->get("hidden_states_" + std::to_string(i)), tolerance);
  }
  if (expected->contains("pooler_output")) REQUIRE_CLOSE(out.pooler_output, expected->get("pooler_output"), tolerance);
}

}  // namespace

TEST_CASE("BertForSequenceClassification equals transformers", "[models][bert]") {
  check_against_transformers(kModels / "tiny-bert", kModels / "tiny-bert", kModels / "tiny-bert");
}

TEST_CASE("BERT from sharded, f16 and bf16 checkpoints", "[models][bert]") {
  // The sharded copy holds the same weights: the same outputs as the single file.
  check_against_transformers(kModels / "tiny-bert" / "sharded", kModels / "tiny-bert", kModels / "tiny-bert");
  // Half-precision files computed in f32: compared with transformers running the half weights in f32.
  // Where the CPU multiplies bf16 natively, bf16 weights meet activations rounded to bf16: then the
  // bound is the one for bf16 numerics (README, "Fidelity").
  for (const char* dtype : {"f16", "bf16"}) {
    INFO(dtype);
    const bool rounded = std::string(dtype) == "bf16" && backend::cpu::dnnl_has_native_bf16();
    check_against_transformers(kModels / "tiny-bert" / dtype, kModels / "tiny-bert" / dtype, kModels / "tiny-bert",
                               rounded ? 3e-2 : kTolerance);
  }
}

TEST_CASE("BERT from pytorch_model.bin, one file and sharded", "[models][bert][pytorch]") {
  // The same weights torch.save'd (scripts/make_pytorch_fixtures.py): the same outputs.
  check_against_transformers(kModels / "tiny-bert" / "pytorch", kModels / "tiny-bert", kModels / "tiny-bert");
  check_against_transformers(kModels / "tiny-bert" / "pytorch-sharded", kModels / "tiny-bert", kModels / "tiny-bert");
}

TEST_CASE("DistilBertForSequenceClassification equals transformers", "[models][distilbert]") {
  check_against_transformers(kModels / "tiny-distilbert", kModels / "tiny-distilbert", kModels / "tiny-distilbert");
}

TEST_CASE("base models load from head checkpoints", "[models]") {
  ModelInputs in = load_inputs(kModels / "tiny-bert");
  auto expected = safetensors::File::open((kModels / "tiny-bert" / "expected.safetensors").string());
  auto bert = AutoModel::from_pretrained((kModels / "tiny-bert").string());
  REQUIRE_CLOSE(bert->forward(in).last_hidden_state, expected->get("last_hidden_state"), kTolerance);
  auto distil = AutoModel::from_pretrained((kModels / "tiny-distilbert").string());
  auto distil_expected = safetensors::File::open((kModels / "tiny-distilbert" / "expected.safetensors").string());
  REQUIRE_CLOSE(distil->forward(load_inputs(kModels / "tiny-distilbert")).last_hidden_state,
                distil_expected->get("last_hidden_state"), kTolerance);
}
