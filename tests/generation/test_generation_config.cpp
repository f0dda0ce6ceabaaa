// GenerationConfig: what generate() runs with, against transformers' own resolution
// (tests/fixtures/generation/config.json), and the C++-side reading of files and arguments.
#include <filesystem>
#include <fstream>

#include "fixtures.hpp"
#include "transformers/generation/logits_process.hpp"
#include "transformers/generation/stopping_criteria.hpp"

using namespace transformers;
using generation_test::json;

namespace {

std::vector<std::string> names_of(const auto& list) {
  std::vector<std::string> names;
  for (const auto& item : list) names.push_back(item->name());
  return names;
}

// transformers keeps eos_token_id / forced_eos_token_id as given (an int or a list); here they are lists.
json as_list_field(const std::string& field, const json& value) {
  if ((field == "eos_token_id" || field == "forced_eos_token_id") && value.is_number()) return json::array({value});
  return value;
}

void check_resolved(const GenerationConfig& prepared, const json& expected) {
  const json actual = prepared.to_json();
  for (const auto& [field, value] : expected.items()) {
    INFO("field " << field << ": transformers " << value.dump() << ", here " << actual.value(field, json()).dump());
    const json mine = actual.value(field, json());
    if (value.is_number_float() || mine.is_number_float()) {
      REQUIRE(mine.is_number());
      CHECK(mine.get<double>() == Approx(value.get<double>()));
    } else {
      CHECK(mine == as_list_field(field, value));
    }
  }
}

}  // namespace

TEST_CASE("generation config resolution matches transformers' generate", "[generation][config]") {
  const json cases = generation_test::load_fixture("config.json");
  REQUIRE(cases.size() >= 30);
  for (const json& c : cases) {
    INFO(c["name"].get<std::string>());
    const int64_t input_length = c["input_length"];
    const int64_t max_position_embeddings =
        c["max_position_embeddings"].is_null() ? 0 : c["max_position_embeddings"].get<int64_t>();
    try {
      const GenerationConfig model_config =
          c["generation_config"].is_null()
              ? GenerationConfig::from_model_config(PretrainedConfig::from_json(c["model_config"]))
              : GenerationConfig::from_json(c["generation_config"]);
      const GenerationConfig prepared =
          model_config.updated(c["kwargs"]).prepared_for(input_length, max_position_embeddings);
      const LogitsProcessorList processors = make_logits_processors(prepared, input_length);
      const StoppingCriteriaList criteria = make_stopping_criteria(prepared, nullptr, max_position_embeddings);
      REQUIRE_FALSE(c.contains("error"));
      check_resolved(prepared, c["resolved"]);
      CHECK(names_of(processors) == c["processors"].get<std::vector<std::string>>());
      CHECK(names_of(criteria) == c["criteria"].get<std::vector<std::string>>());
    } catch (const InvalidArgument& e) {
      INFO("C++ raised: " << e.what());
      REQUIRE(c.contains("error"));
      CHECK(c["error"]["class"] == "ValueError");
      CHECK(std::string(e.what()) == c["error"]["message"].get<std::string>());
    }
  }
}

TEST_CASE("GenerationConfig reads generation_config.json, else config.json, else nothing", "[generation][config]") {
  namespace fs = std::filesystem;
  const fs::path folder = fs::temp_directory_path() / ("generation_config_test_" + std::to_string(::getpid()));
  fs::create_directories(folder);
  const auto write = [&](const std::string& name, const json& content) {
    std::ofstream(folder / name) << content.dump();
  };

  CHECK(GenerationConfig::from_pretrained(folder.string()).to_json() == json::object());

  write("config.json",
        {{"model_type", "llama"}, {"eos_token_id", {128001, 128009}}, {"bos_token_id", 128000}, {"hidden_size", 64}});
  const GenerationConfig from_model = GenerationConfig::from_pretrained(folder.string());
  CHECK(from_model.eos_token_id == std::vector<int64_t>{128001, 128009});
  CHECK(from_model.bos_token_id == 128000);
  CHECK_FALSE(from_model.other.contains("hidden_size"));

  // As transformers: a generation_config.json replaces config.json's values entirely.
  write("generation_config.json", {{"do_sample", true}, {"temperature", 0.6}, {"transformers_version", "5.23.0"}});
  const GenerationConfig from_file = GenerationConfig::from_pretrained(folder.string());
  CHECK(from_file.do_sample == true);
  CHECK(from_file.temperature == 0.6);
  CHECK_FALSE(from_file.eos_token_id.has_value());
  CHECK(from_file.other["transformers_version"] == "5.23.0");

  write("generation_config.json", {{"max_new_tokens", "ten"}});
  try {
    GenerationConfig::from_pretrained(folder.string());
    FAIL("a string max_new_tokens was accepted");
  } catch (const FileError& e) {
    CHECK_THAT(e.what(), Catch::Contains("generation_config.json") && Catch::Contains("'max_new_tokens'") &&
                             Catch::Contains("integer"));
  }
  write("generation_config.json", {{"eos_token_id", {1, "2"}}});
  CHECK_THROWS_WITH(GenerationConfig::from_pretrained(folder.string()), Catch::Contains("'eos_token_id'"));
  std::ofstream(folder / "generation_config.json") << "{not json";
  CHECK_THROWS_AS(GenerationConfig::from_pretrained(folder.string()), FileError);
  fs::remove_all(folder);
}

TEST_CASE("call arguments: precedence, types and unknown names", "[generation][config]") {
  const GenerationConfig model = GenerationConfig::from_json({{"do_sample", true}, {"top_k", 20}, {"eos_token_id", 2}});
  const GenerationConfig call = model.updated({{"top_k", 5}, {"max_new_tokens", 32}, {"eos_token_id", nullptr}});
  CHECK(call.top_k == 5);
  CHECK(call.do_sample == true);
  CHECK(call.max_new_tokens == 32);
  CHECK_FALSE(call.eos_token_id.has_value());  // null unsets
  CHECK(model.top_k == 20);                    // updated() copies

  CHECK_THROWS_WITH(model.updated({{"max_new_tokens", 1.5}}),
                    Catch::Contains("argument 'max_new_tokens'") && Catch::Contains("integer"));
  CHECK_THROWS_AS(model.updated({{"do_sample", "yes"}}), InvalidArgument);
  CHECK_THROWS_WITH(model.updated({{"temprature", 0.5}, {"topk", 3}}),
                    "The following `model_kwargs` are not used by the model: ['temprature', 'topk'] (note: typos in "
                    "the generate arguments will also show up in this list)");
  // generate()'s own arguments are no config fields (GenerateOptions holds them).
  CHECK_THROWS_WITH(model.updated({{"streamer", true}}), Catch::Contains("not used by the model: ['streamer']"));
  CHECK_THROWS_WITH(GenerationConfig::from_json({{"streamer", true}}),
                    Catch::StartsWith("Argument `streamer` is not a valid argument of `GenerationConfig`"));
}

TEST_CASE("to_json writes what generation_config.json holds and reads back the same", "[generation][config]") {
  const json written = {{"max_new_tokens", 12},
                        {"early_stopping", "never"},
                        {"stop_strings", {"###", "\n\n"}},
                        {"eos_token_id", {2, 3}},
                        {"bad_words_ids", {{4}, {5, 6}}},
                        {"sequence_bias", {{{7, 8}, -1.5}}},
                        {"exponential_decay_length_penalty", {3, 1.25}},
                        {"guidance_scale", 1.0}};
  const GenerationConfig config = GenerationConfig::from_json(written);
  CHECK(config.early_stopping == EarlyStopping::Never);
  CHECK(config.to_json() == written);
  CHECK(GenerationConfig::from_json(json{{"stop_strings", "###"}}).stop_strings == std::vector<std::string>{"###"});
}

TEST_CASE("settings transformers acts on but this library lacks are refused, not ignored", "[generation][config]") {
  CHECK_THROWS_WITH(GenerationConfig().updated({{"guidance_scale", 1.5}}).prepared_for(3),
                    Catch::Contains("`guidance_scale`") && Catch::Contains("classifier-free guidance"));
  CHECK_THROWS_WITH(GenerationConfig().updated({{"num_beam_groups", 2}}).prepared_for(3),
                    Catch::Contains("group beam search"));
  CHECK_NOTHROW(
      GenerationConfig().updated({{"guidance_scale", 1.0}, {"cache_implementation", "static"}}).prepared_for(3));
  CHECK_THROWS_WITH(GenerationConfig().updated({{"num_beams", 0}}).prepared_for(3),
                    "`num_beams` has to be a strictly positive integer, but is 0");
}
