#pragma once
// Runs a model on one of the tiny encoder fixtures (tests/fixtures/models/encoders/<arch>/<head>,
// made by transformers: see the README there) and requires every output the fixture holds -
// head outputs, pooler, last and all hidden states - within 1e-4 of transformers'.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <memory>

#include "test_util.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/models/auto.hpp"

namespace encoder_fixtures {

using ModelFactory = std::function<std::unique_ptr<transformers::PreTrainedModel>(const std::string& folder)>;

inline std::filesystem::path folder(const std::string& arch, const std::string& head) {
  return std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models" / "encoders" / arch / head;
}

inline transformers::ModelInputs load_inputs(const std::filesystem::path& dir) {
  auto file = transformers::safetensors::File::open((dir / "inputs.safetensors").string());
  transformers::ModelInputs in;
  in.input_ids = file->get("input_ids");
  in.attention_mask = file->get("attention_mask");
  if (file->contains("token_type_ids")) in.token_type_ids = file->get("token_type_ids");
  return in;
}

inline void check(const std::string& arch, const std::string& head, const ModelFactory& make_model,
                  double tolerance = 1e-4) {
  INFO("fixture " << arch << "/" << head);
  const std::filesystem::path dir = folder(arch, head);
  std::unique_ptr<transformers::PreTrainedModel> model = make_model(dir.string());
  transformers::ModelOutput out = model->forward(load_inputs(dir), true);
  auto expected = transformers::safetensors::File::open((dir / "expected.safetensors").string());
  auto compare = [&](const char* name, const transformers::Tensor& ours) {
    if (!expected->contains(name)) return;
    INFO(name);
    REQUIRE(ours.defined());
    REQUIRE_CLOSE(ours, expected->get(name), tolerance);
  };
  compare("logits", out.logits);
  compare("start_logits", out.start_logits);
  compare("end_logits", out.end_logits);
  compare("pooler_output", out.pooler_output);
  compare("last_hidden_state", out.last_hidden_state);
  for (size_t i = 0; i < out.hidden_states.size(); ++i)
    compare(("hidden_states_" + std::to_string(i)).c_str(), out.hidden_states[i]);
  REQUIRE(expected->contains("hidden_states_" + std::to_string(out.hidden_states.size() - 1)));
}

// The head folders every architecture has, and the Auto task each one is loaded with.
inline const std::vector<std::pair<std::string, transformers::Task>>& heads() {
  using transformers::Task;
  static const std::vector<std::pair<std::string, Task>> all{
      {"base", Task::Base},
      {"sequence-classification-single-label", Task::SequenceClassification},
      {"sequence-classification-multi-label", Task::SequenceClassification},
      {"sequence-classification-regression", Task::SequenceClassification},
      {"token-classification", Task::TokenClassification},
      {"question-answering", Task::QuestionAnswering},
      {"masked-lm", Task::MaskedLM},
  };
  return all;
}

}  // namespace encoder_fixtures
