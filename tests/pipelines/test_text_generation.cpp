// pipeline("text-generation") against transformers' own pipeline on a tiny Llama
// (scripts/make_text_generation_fixtures.py): every recorded greedy and beam call gives the same
// text or ids, every refused call is refused, and the generation settings the pipeline adds to a
// call's own (its defaults: sampling at temperature 0.7, 256 new tokens) are Python's.
#include "recorded_calls.hpp"
#include "test_util.hpp"
#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;
using nlohmann::json;
using recorded::kFixtures;
using recorded::read_lines;
using recorded::require_equal;

namespace {

const std::filesystem::path kModel = kFixtures / "tiny-llama-gen";

const TextGenerationPipeline& generator() {
  static const std::unique_ptr<Pipeline> pipe = pipeline("text-generation", kModel.string());
  return dynamic_cast<const TextGenerationPipeline&>(*pipe);
}

// The recorded call with exactly these kwargs.
json recorded_call(const std::string& inputs, const json& kwargs) {
  for (const json& call : read_lines(kModel / "text_generation.jsonl"))
    if (call["inputs"] == inputs && call["kwargs"] == kwargs) return call;
  FAIL("no recorded call " << inputs << " " << kwargs.dump());
  return {};
}

// The reply transformers' pipeline added to a recorded chat call.
std::string recorded_reply(const json& chat, const json& kwargs) {
  for (const json& call : read_lines(kModel / "text_generation.jsonl"))
    if (call["inputs"] == chat && call["kwargs"] == kwargs) return call["output"][0]["generated_text"].back()["content"];
  FAIL("no recorded chat " << chat.dump() << " " << kwargs.dump());
  return {};
}

std::string cli(const std::string& arguments) {
  return std::string(TRANSFORMERS_CLI) + " " + arguments;
}

}  // namespace

TEST_CASE("text-generation equals the Python pipeline", "[pipelines][python][generation]") {
  int compared = 0;
  for (const json& call : read_lines(kModel / "text_generation.jsonl")) {
    INFO("inputs " << call["inputs"].dump() << " kwargs " << call["kwargs"].dump());
    if (call.contains("error")) {
      CHECK_THROWS_AS(generator()(call["inputs"], call["kwargs"]), Error);
      continue;
    }
    // Tokens are only comparable where Python's choice was no float-rounding tie (the fixture
    // script picks weights that make every greedy step clear by at least 1e-3).
    const json& margin = call["min_margin"];
    REQUIRE((margin.is_null() || margin.get<double>() >= 1e-3));
    require_equal(generator()(call["inputs"], call["kwargs"]), call["output"], 0);
    ++compared;
  }
  CHECK(compared >= 15);
}

TEST_CASE("text-generation adds transformers' defaults to what a call sets", "[pipelines][python][generation]") {
  const std::vector<std::string> fields = {"do_sample", "max_new_tokens", "max_length", "temperature", "top_k",
                                           "num_beams"};
  for (const json& line : read_lines(kModel / "generate_kwargs.jsonl")) {
    INFO("kwargs " << line["kwargs"].dump());
    const json ours = generator().call_config(line["kwargs"]).to_json();
    const json& theirs = line["generate_kwargs"];
    for (const std::string& field : fields) {
      INFO(field);
      REQUIRE(ours.contains(field) == theirs.contains(field));
      if (theirs.contains(field)) CHECK(ours[field] == theirs[field]);
    }
  }
}

TEST_CASE("text-generation samples by default, repeatably under a seed", "[pipelines][generation]") {
  const json kwargs = {{"max_new_tokens", 12}, {"seed", 7}};
  const json first = generator()("Hello world", kwargs);
  CHECK(first == generator()("Hello world", kwargs));
  const std::string text = first.at(0).at("generated_text").get<std::string>();
  CHECK(text.rfind("Hello world", 0) == 0);
  // Twelve new tokens and no eos in them: sampling ran to max_new_tokens (the fixture tokenizer has
  // no multi-byte merges that would hide a token count difference, so count the tokens).
  const json ids = generator()("Hello world", {{"max_new_tokens", 12}, {"seed", 7}, {"return_tensors", true}});
  const size_t prompt = generator().tokenizer().encode("Hello world").size();
  const size_t generated = ids.at(0).at("generated_token_ids").size() - prompt;
  CHECK(generated <= 12);
  CHECK(generated >= 1);
  bool some_seed_differs = false;
  for (int seed = 8; seed < 16 && !some_seed_differs; ++seed)
    some_seed_differs = generator()("Hello world", {{"max_new_tokens", 12}, {"seed", seed}}) != first;
  CHECK(some_seed_differs);
}

TEST_CASE("text-generation refuses what it cannot do", "[pipelines][generation]") {
  CHECK_THROWS_AS(generator()(json(42), json::object()), InvalidArgument);
  CHECK_THROWS_AS(generator()("Hello", {{"return_text", true}, {"return_full_text", false}}), InvalidArgument);
  CHECK_THROWS_AS(generator()("Hello", {{"max_new_tokens", 2}, {"batch_size", 0}}), InvalidArgument);
}

TEST_CASE("transformers-cli generate streams the Python pipeline's new text", "[pipelines][cli][generation]") {
  const json call = recorded_call("Hello world", {{"do_sample", false}, {"max_new_tokens", 8}, {"return_full_text", false}});
  const std::string new_text = call["output"][0]["generated_text"].get<std::string>();
  const std::string model = " --model '" + kModel.string() + "' --greedy --max-new-tokens 8 ";

  const std::vector<std::string> streamed = test_util::command_output_lines(cli("generate" + model + "--quiet Hello world"));
  REQUIRE(streamed.size() == 1);
  CHECK(streamed[0] == new_text);

  const std::vector<std::string> lines = test_util::command_output_lines(cli("generate" + model + "--json 'Hello world'"));
  REQUIRE(lines.size() == 1);
  const json line = json::parse(lines[0]);
  CHECK(line["generated_text"] == new_text);
  CHECK(line["new_tokens"] == 8);
  CHECK(line["prompt_tokens"] == 3);  // <s> Hello world

  const auto usage = test_util::run_command(cli("generate" + model + "--temperature warm Hello"));
  CHECK(usage.status == 2);
  CHECK_THAT(usage.output, Catch::Contains("--temperature expects a number"));
}

TEST_CASE("transformers-cli pipeline text-generation prints one result per stdin line", "[pipelines][cli][generation]") {
  const json first = recorded_call("Hello world", {{"do_sample", false}, {"max_new_tokens", 8}});
  const json second = recorded_call("Hello world", {{"add_special_tokens", false}, {"do_sample", false}, {"max_new_tokens", 8}});
  const std::vector<std::string> lines = test_util::command_output_lines(
      "printf 'Hello world\\n' | " + cli("pipeline text-generation --model '" + kModel.string() +
                                           "' --max-new-tokens 8 --kwargs '{\"do_sample\": false}'"));
  REQUIRE(lines.size() == 1);
  CHECK(json::parse(lines[0]) == first["output"]);
  CHECK(first["output"] != second["output"]);  // the bos token matters, so the line above saw it
}

TEST_CASE("transformers-cli generate --chat and chat answer through the chat template as the pipeline does",
          "[pipelines][cli][generation][chat]") {
  const json user = {{"role", "user"}, {"content", "Hello world"}};
  const std::string reply = recorded_reply(json::array({user}), {{"do_sample", false}, {"max_new_tokens", 6}});
  const std::string model = " --model '" + kModel.string() + "' --greedy --max-new-tokens 6 ";

  const std::vector<std::string> streamed =
      test_util::command_output_lines(cli("generate" + model + "--chat --quiet Hello world"));
  REQUIRE(streamed.size() == 1);
  CHECK(streamed[0] == reply);

  // Not a terminal: one turn per line. /reset forgets the first exchange, so the same question gets
  // the same reply; the second turn sees the history, so it gets another.
  const std::vector<std::string> lines = test_util::command_output_lines(
      "printf 'Hello world\\nHello world\\n/reset\\nHello world\\n' | " + cli("chat" + model));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == reply);
  CHECK(lines[2] == reply);
}
