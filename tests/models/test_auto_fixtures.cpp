// Every architecture and head against the tiny fixtures transformers made, loaded through the
// Auto registry as a user would load them.
#include "encoder_fixtures.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;

TEST_CASE("every encoder architecture and head equals transformers through the Auto classes", "[models][auto-fixtures]") {
  for (const char* arch : {"bert", "distilbert", "roberta", "xlm-roberta", "camembert", "electra", "albert", "mpnet", "deberta-v2"}) {
    for (const auto& [head_folder, task] : encoder_fixtures::heads()) {
      encoder_fixtures::check(arch, head_folder, [task = task](const std::string& dir) {
        return auto_model_from_pretrained(dir, task);
      });
    }
  }
}
