// Every encoder-decoder architecture against the tiny checkpoints transformers made
// (tests/fixtures/models/seq2seq/<model_type>/<case>, scripts/make_seq2seq_fixtures.py): the
// encoder's output and the decoder's logits of a full forward, the same logits one decoder token at
// a time through the self- and cross-attention caches, and generate(): greedy tokens and every
// beam-search variant's sequences and scores, from a right-padded batch.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "models/decoder_fixtures.hpp"  // max_diff_at_tokens
#include "test_util.hpp"
#include "transformers/generation/generate.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;
namespace fs = std::filesystem;

namespace {

fs::path root() { return fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models" / "seq2seq"; }

std::vector<fs::path> cases() {
  std::vector<fs::path> out;
  for (const auto& family : fs::directory_iterator(root()))
    if (family.is_directory())
      for (const auto& c : fs::directory_iterator(family.path()))
        if (c.is_directory()) out.push_back(c.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string name(const fs::path& folder) {
  return folder.parent_path().filename().string() + "/" + folder.filename().string();
}

struct Fixture {
  std::shared_ptr<safetensors::File> inputs, expected;
  explicit Fixture(const fs::path& folder)
      : inputs(safetensors::File::open((folder / "inputs.safetensors").string())),
        expected(safetensors::File::open((folder / "expected.safetensors").string())) {}
  Tensor input(const std::string& key) const { return inputs->get(key); }
  Tensor want(const std::string& key) const { return expected->get(key); }
  ModelInputs forward_inputs() const {
    ModelInputs in;
    in.input_ids = input("input_ids");
    in.attention_mask = input("attention_mask");
    in.decoder_input_ids = input("decoder_input_ids");
    return in;
  }
};

// The generation config of a fixture's folder with the call's arguments.
GenerationConfig config_for(const fs::path& folder, const nlohmann::json& kwargs) {
  return GenerationConfig::from_pretrained(folder.string()).updated(kwargs);
}

}  // namespace

TEST_CASE("encoder-decoders equal transformers: encoder output, logits, base model", "[models][seq2seq]") {
  const std::vector<fs::path> all = cases();
  REQUIRE(all.size() >= 7);
  for (const fs::path& folder : all) {
    INFO(name(folder));
    const Fixture f(folder);
    const auto model = AutoModelForSeq2SeqLM::from_pretrained(folder.string());
    const ModelOutput out = model->forward(f.forward_inputs());
    CHECK(decoder_fixtures::max_diff_at_tokens(out.encoder_last_hidden_state.contiguous(),
                                               f.want("encoder_last_hidden_state"), f.input("attention_mask")) < 1e-4);
    REQUIRE_CLOSE(out.logits, f.want("logits"), 1e-4);
    const auto base = AutoModel::from_pretrained(folder.string());
    REQUIRE_CLOSE(base->forward(f.forward_inputs()).last_hidden_state, f.want("last_hidden_state"), 1e-4);
  }
}

TEST_CASE("encoder-decoders decode token by token through their caches as in one pass", "[models][seq2seq]") {
  for (const fs::path& folder : cases()) {
    INFO(name(folder));
    const Fixture f(folder);
    const auto model = AutoModelForSeq2SeqLM::from_pretrained(folder.string());
    const auto& encoder_decoder = dynamic_cast<const EncoderDecoderModel&>(*model);
    const Tensor decoder_ids = f.input("decoder_input_ids");
    const int64_t batch = decoder_ids.size(0), length = decoder_ids.size(1);
    const Tensor encoded = encoder_decoder.encode(f.input("input_ids"), f.input("attention_mask"));
    nn::KVCache cache(*model->cache_layout(), batch, length);
    nn::CrossAttentionCache cross;
    std::vector<Tensor> logits;
    for (int64_t t = 0; t < length; ++t) {
      ModelInputs step;
      step.attention_mask = f.input("attention_mask");
      step.decoder_input_ids = decoder_ids.narrow(1, t, 1).contiguous();
      step.encoder_outputs = encoded;
      step.past_key_values = &cache;
      step.cross_attention_cache = &cross;
      logits.push_back(model->forward(step).logits);
    }
    CHECK(cache.length() == length);
    REQUIRE_CLOSE(ops::concat(logits, 1), f.want("logits"), 1e-4);
  }
}

TEST_CASE("generate() gives transformers' greedy tokens on every encoder-decoder", "[generation][seq2seq]") {
  for (const fs::path& folder : cases()) {
    INFO(name(folder));
    const Fixture f(folder);
    const auto model = AutoModelForSeq2SeqLM::from_pretrained(folder.string());
    const Tensor greedy = f.want("greedy");
    const std::vector<float> margins = f.want("greedy_margins").to_vector<float>();
    REQUIRE(*std::min_element(margins.begin(), margins.end()) >= 1e-3f);  // every step clear-cut
    const int64_t steps = greedy.size(1) - 1;
    GenerationConfig config =
        config_for(folder, {{"do_sample", false}, {"max_new_tokens", steps}, {"min_new_tokens", steps}});
    config.eos_token_id.reset();  // transformers ran it with eos_token_id=None
    GenerateOptions options;
    options.attention_mask = f.input("attention_mask");
    const GenerateOutput out = generate(*model, f.input("input_ids"), config, options);
    CHECK(out.sequences.to_vector<int64_t>() == greedy.to_vector<int64_t>());
    // Without the caches: every step runs the whole decoder sequence again.
    const GenerateOutput uncached = generate(*model, f.input("input_ids"), config.updated({{"use_cache", false}}), options);
    CHECK(uncached.sequences.to_vector<int64_t>() == greedy.to_vector<int64_t>());
  }
}

TEST_CASE("generate() gives transformers' beam search on every encoder-decoder", "[generation][seq2seq]") {
  const std::vector<std::pair<std::string, nlohmann::json>> beam_cases = {
      {"default", {{"num_beams", 4}}},
      {"length_penalty", {{"num_beams", 4}, {"length_penalty", 0.6}, {"num_return_sequences", 1}}},
      {"no_repeat", {{"num_beams", 4}, {"no_repeat_ngram_size", 2}, {"early_stopping", true}}},
      {"never_stop", {{"num_beams", 4}, {"early_stopping", "never"}, {"length_penalty", 2.0}}},
  };
  for (const fs::path& folder : cases()) {
    const Fixture f(folder);
    const auto model = AutoModelForSeq2SeqLM::from_pretrained(folder.string());
    const int64_t eos = f.want("beam_eos").to_vector<int64_t>().at(0);
    for (const auto& [case_name, kwargs] : beam_cases) {
      INFO(name(folder) << " beam_" << case_name);
      nlohmann::json call = kwargs;
      call.update({{"do_sample", false}, {"max_new_tokens", 32}, {"eos_token_id", eos}});
      GenerateOptions options;
      options.attention_mask = f.input("attention_mask");
      const GenerateOutput out = generate(*model, f.input("input_ids"), config_for(folder, call).updated(
                                                                             {{"output_scores", true},
                                                                              {"return_dict_in_generate", true}}),
                                          options);
      CHECK(out.sequences.to_vector<int64_t>() == f.want("beam_" + case_name).to_vector<int64_t>());
      REQUIRE_CLOSE(out.sequences_scores, f.want("beam_" + case_name + "_scores"), 1e-4);
    }
  }
}

TEST_CASE("encoder-decoders: tiny configs run, bad inputs are named", "[models][seq2seq]") {
  for (const char* model_type : {"t5", "mt5", "bart", "marian"}) {
    INFO(model_type);
    const auto model = AutoModelForSeq2SeqLM::from_config(tiny_config(model_type), 3);
    ModelInputs in;
    in.input_ids = Tensor::from_vector(std::vector<int64_t>{5, 6, 7, 8, 9, 10}, {2, 3});
    CHECK_THROWS_WITH(model->forward(in), Catch::Contains("decoder_input_ids"));
    in.decoder_input_ids = Tensor::from_vector(std::vector<int64_t>{0, 4, 0, 5}, {2, 2});
    const ModelOutput out = model->forward(in);
    CHECK(out.logits.shape() == Shape{2, 2, 99});
    CHECK(out.encoder_last_hidden_state.shape() == Shape{2, 3, 32});
    in.attention_mask = Tensor::from_vector(std::vector<int64_t>{1, 1}, {2, 1});
    CHECK_THROWS_WITH(model->forward(in), Catch::Contains("attention_mask"));
    const GenerationConfig config = GenerationConfig().updated({{"max_new_tokens", 3}, {"decoder_start_token_id", 0}});
    CHECK(generate(*model, in.input_ids, config).sequences.shape() == Shape{2, 4});
    CHECK_THROWS_WITH(generate(*model, in.input_ids, GenerationConfig().updated({{"max_new_tokens", 3}})),
                      Catch::Contains("decoder_start_token_id"));
    if (std::string(model_type) == "bart" || std::string(model_type) == "marian") {  // 64 positions
      ModelInputs long_decoder = in;
      long_decoder.attention_mask = Tensor();
      long_decoder.decoder_input_ids = Tensor::full({2, 70}, 4.0, DType::I64);
      CHECK_THROWS_WITH(model->forward(long_decoder), Catch::Contains("max_position_embeddings"));
    }
  }
}
