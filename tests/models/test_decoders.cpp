// Every decoder-only architecture against transformers on its tiny fixtures
// (tests/fixtures/models/decoders, scripts/make_decoder_fixtures.py), loaded through the Auto classes:
// logits of a left-padded batch with position ids from the mask, the same logits through the KV cache
// one token at a time, 64 greedy tokens, the base model's hidden states, bf16 checkpoints; and the
// errors a bad config gets.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <set>

#include "decoder_fixtures.hpp"
#include "test_util.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;
using namespace decoder_fixtures;

TEST_CASE("every decoder architecture has fixtures from transformers", "[models][decoders]") {
  std::set<std::string> with_fixtures;
  for (const fs::path& folder : cases(false)) with_fixtures.insert(folder.parent_path().filename().string());
  for (const ModelEntry& entry : model_registry()) {
    if (entry.task != Task::CausalLM) continue;
    INFO(entry.class_name);
    CHECK(with_fixtures.count(entry.model_type) == 1);
  }
}

TEST_CASE("decoders equal transformers on a left-padded batch, with and without the cache", "[models][decoders]") {
  const auto folders = cases(false);
  REQUIRE(folders.size() >= 12);
  for (const fs::path& folder : folders) {
    INFO("fixture " << name(folder));
    const Fixture f(folder);
    auto model = AutoModelForCausalLM::from_pretrained(folder.string());
    const Tensor ids = f.input("input_ids"), mask = f.input("attention_mask");
    ModelInputs in;  // no position ids: the model makes them from the mask, as generate() does
    in.input_ids = ids;
    in.attention_mask = mask;
    const ModelOutput out = model->forward(in, true);
    REQUIRE_CLOSE(out.logits, f.want("logits"), 1e-4);  // padded positions too
    REQUIRE(static_cast<int64_t>(out.hidden_states.size()) == model->cache_layout()->layers + 1);
    REQUIRE_CLOSE(AutoModel::from_pretrained(folder.string())->forward(in).last_hidden_state,
                  f.want("last_hidden_state"), 1e-4);

    // Prefill 5 tokens, then one at a time: transformers' cached logits (the full forward's, unless
    // the rope depends on the sequence length) at every real token.
    const Tensor cached = cached_logits(*model, ids, mask, 5);
    const Tensor want = f.expected->contains("logits_cached") ? f.want("logits_cached") : f.want("logits");
    CHECK(max_diff_at_tokens(cached, want, mask) <= 1e-4);
    if (!f.expected->contains("logits_cached")) CHECK(max_diff_at_tokens(cached, out.logits, mask) <= 1e-4);

    check_greedy(*model, f);
  }
}

TEST_CASE("logits_to_keep and explicit position ids", "[models][decoders]") {
  const fs::path folder = root() / "llama" / "default";
  const Fixture f(folder);
  auto model = AutoModelForCausalLM::from_pretrained(folder.string());
  ModelInputs in;
  in.input_ids = f.input("input_ids");
  in.attention_mask = f.input("attention_mask");
  in.logits_to_keep = 3;
  const Tensor last = model->forward(in).logits;
  REQUIRE(last.shape() == Shape{3, 3, 96});
  REQUIRE_CLOSE(last, f.want("logits").narrow(1, 17, 3), 1e-4);
  in.logits_to_keep = 0;
  in.position_ids = f.input("position_ids");  // what the model would have made
  REQUIRE_CLOSE(model->forward(in).logits, f.want("logits"), 1e-4);
  in.position_ids = Tensor::from_vector(std::vector<int64_t>(60, 0), {3, 20});
  CHECK(test_util::max_abs_diff(model->forward(in).logits, f.want("logits")) > 1e-2);
  in.position_ids = Tensor::from_vector(std::vector<int64_t>(3, 0), {3, 1});
  CHECK_THROWS_WITH(model->forward(in), Catch::Contains("position_ids") && Catch::Contains("[3, 20]"));
  in.position_ids = {};
  in.attention_mask = in.attention_mask.narrow(1, 0, 19).contiguous();
  CHECK_THROWS_WITH(model->forward(in), Catch::Contains("attention_mask") && Catch::Contains("[3, 20]"));
}

TEST_CASE("the cache layout says which layers slide", "[models][decoders]") {
  auto gemma3 = AutoModelForCausalLM::from_pretrained((root() / "gemma3_text" / "local-global").string());
  const nn::CacheLayout layout = *gemma3->cache_layout();
  CHECK(layout.sliding_windows == std::vector<int64_t>{6, 6, 0});
  CHECK(layout.kv_heads == 2);
  CHECK(layout.head_dim == 16);
  CHECK(layout.dtype == DType::F32);
  auto qwen2 = AutoModel::from_pretrained((root() / "qwen2" / "sliding-bias").string());
  CHECK(qwen2->cache_layout()->sliding_windows == std::vector<int64_t>{0, 6});
}

namespace {

double cosine(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double dot = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    dot += x[i] * y[i];
    xx += x[i] * x[i];
    yy += y[i] * y[i];
  }
  return dot / std::sqrt(xx * yy);
}

}  // namespace

TEST_CASE("bf16 decoders run in bf16 by default, as transformers runs them", "[models][decoders][dtype]") {
  const auto folders = cases(true);
  REQUIRE(folders.size() >= 2);
  for (const fs::path& folder : folders) {
    INFO("fixture " << name(folder));
    const Fixture f(folder);
    ModelInputs in;
    in.input_ids = f.input("input_ids");
    in.attention_mask = f.input("attention_mask");
    const Tensor logits = AutoModelForCausalLM::from_pretrained(folder.string())->forward(in).logits;
    REQUIRE_CLOSE(logits, f.want("logits"), 3e-2);
    CHECK(cosine(logits, f.want("logits_f32")) >= 0.999);
    LoadOptions in_f32;
    in_f32.dtype = DType::F32;
    REQUIRE_CLOSE(AutoModelForCausalLM::from_pretrained(folder.string(), in_f32)->forward(in).logits,
                  f.want("logits_f32"), 1e-4);
  }
}

namespace {

// The llama/default config with `field` set to `value`, as a model would be built from it.
void build_llama_with(const std::string& field, const nlohmann::json& value) {
  nlohmann::json json = tiny_config("llama").raw;
  json[field] = value;
  AutoModelForCausalLM::from_config(PretrainedConfig::from_json(json, "bad llama config"));
}

}  // namespace

TEST_CASE("a malformed decoder config names the field", "[models][decoders][errors]") {
  CHECK_THROWS_WITH(build_llama_with("num_key_value_heads", 3),
                    Catch::Contains("bad llama config") && Catch::Contains("num_key_value_heads"));
  CHECK_THROWS_WITH(build_llama_with("hidden_size", "wide"), Catch::Contains("'hidden_size'"));
  CHECK_THROWS_WITH(
      build_llama_with("rope_parameters", {{"rope_type", "spiral"}}),
      Catch::Contains("rope_parameters.rope_type") && Catch::Contains("spiral") && Catch::Contains("llama3"));
  CHECK_THROWS_WITH(build_llama_with("rope_parameters", {{"rope_type", "linear"}}),
                    Catch::Contains("rope_parameters.factor"));
  CHECK_THROWS_WITH(build_llama_with("rope_scaling", {{"type", "yarn"}, {"factor", "four"}}),
                    Catch::Contains("rope_scaling.factor") && Catch::Contains("wrong type"));
  CHECK_THROWS_WITH(
      build_llama_with("rope_parameters", {{"rope_type", "longrope"}, {"short_factor", {1.0}}, {"long_factor", {1.0}}}),
      Catch::Contains("short_factor"));
  nlohmann::json gemma2 = tiny_config("gemma2").raw;
  gemma2["layer_types"] = {"sliding_attention", "chunked_attention"};
  CHECK_THROWS_WITH(AutoModel::from_config(PretrainedConfig::from_json(gemma2, "bad gemma2 config")),
                    Catch::Contains("layer_types[1]") && Catch::Contains("chunked_attention"));
}

TEST_CASE("an unknown decoder architecture names the supported ones", "[models][decoders][errors]") {
  const PretrainedConfig mamba = PretrainedConfig::from_json({{"model_type", "mamba"}}, "mamba config");
  CHECK_THROWS_WITH(AutoModelForCausalLM::from_config(mamba),
                    Catch::Contains("'mamba'") && Catch::Contains("causal-lm") && Catch::Contains("LlamaForCausalLM") &&
                        Catch::Contains("GPT2LMHeadModel") && Catch::Contains("Qwen3MoeForCausalLM"));
  // An encoder has no causal LM here either.
  CHECK_THROWS_WITH(AutoModelForCausalLM::from_config(tiny_config("bert")), Catch::Contains("'bert'"));
}
