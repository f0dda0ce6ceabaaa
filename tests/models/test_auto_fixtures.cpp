// Every registered encoder architecture and head against the tiny fixtures transformers made, loaded
// through the Auto registry as a user would load them. A model_type without fixtures fails: its
// equality with transformers would be unchecked. Decoders have theirs in fixtures/models/decoders
// (test_decoders.cpp), encoder-decoders in fixtures/models/seq2seq (test_seq2seq.cpp).
#include <filesystem>

#include "encoder_fixtures.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;

TEST_CASE("every registered architecture and head equals transformers through the Auto classes",
          "[models][auto-fixtures]") {
  const auto models = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models";
  for (const ModelEntry& entry : model_registry()) {
    INFO(entry.class_name);
    if (std::filesystem::is_directory(models / "decoders" / entry.model_type) ||
        std::filesystem::is_directory(models / "seq2seq" / entry.model_type))
      continue;
    for (const auto& [head_folder, task] : encoder_fixtures::heads()) {
      if (task != entry.task) continue;
      REQUIRE(std::filesystem::is_directory(encoder_fixtures::folder(entry.model_type, head_folder)));
      encoder_fixtures::check(entry.model_type, head_folder,
                              [task = task](const std::string& dir) { return auto_model_from_pretrained(dir, task); });
    }
  }
}
