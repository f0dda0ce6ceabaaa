// BERT, DistilBERT, RoBERTa, XLM-RoBERTa, CamemBERT and ELECTRA: every head against the tiny
// fixtures transformers made, loaded through the Auto registry.
#include "encoder_fixtures.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;

TEST_CASE("BERT-shaped families equal transformers for every head", "[models][bert-family]") {
  for (const char* arch : {"bert", "distilbert", "roberta", "xlm-roberta", "camembert", "electra"}) {
    for (const auto& [head_folder, task] : encoder_fixtures::heads()) {
      encoder_fixtures::check(arch, head_folder, [task = task](const std::string& dir) {
        return auto_model_from_pretrained(dir, task);
      });
    }
  }
}
