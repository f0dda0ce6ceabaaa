#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "transformers/config/pretrained_config.hpp"

using namespace transformers;
using nlohmann::json;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("transformers_config_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("a sentiment config reads labels, problem type and sizes", "[config]") {
  json j = {{"model_type", "distilbert"},
            {"architectures", {"DistilBertForSequenceClassification"}},
            {"id2label", {{"0", "NEGATIVE"}, {"1", "POSITIVE"}}},
            {"label2id", {{"NEGATIVE", 0}, {"POSITIVE", 1}}},
            {"dim", 768},
            {"vocab_size", 30522},
            {"torch_dtype", "float32"},
            {"pad_token_id", 0}};
  PretrainedConfig c = PretrainedConfig::from_json(j, "sst2/config.json");
  CHECK(c.model_type == "distilbert");
  CHECK(c.architectures == std::vector<std::string>{"DistilBertForSequenceClassification"});
  CHECK(c.id2label.at(1) == "POSITIVE");
  CHECK(c.label2id.at("NEGATIVE") == 0);
  CHECK(c.num_labels() == 2);
  CHECK(c.torch_dtype == DType::F32);
  CHECK(c.vocab_size == 30522);
  CHECK(c.pad_token_id == 0);
  CHECK(!c.problem_type);
  CHECK(c.get<int64_t>("dim", 0) == 768);  // architecture-specific field from the raw JSON
  CHECK(c.get<int64_t>("n_layers", 6) == 6);
  CHECK(c.layer_norm_eps == 1e-12);
}

TEST_CASE("defaults follow transformers", "[config]") {
  PretrainedConfig c = PretrainedConfig::from_json({{"model_type", "bert"}});
  CHECK(c.id2label == std::map<int64_t, std::string>{{0, "LABEL_0"}, {1, "LABEL_1"}});
  CHECK(c.label2id.at("LABEL_1") == 1);
  CHECK(c.tie_word_embeddings);
  PretrainedConfig three = PretrainedConfig::from_json({{"model_type", "bert"}, {"num_labels", 3}});
  CHECK(three.id2label.at(2) == "LABEL_2");
  PretrainedConfig newer =
      PretrainedConfig::from_json({{"model_type", "llama"}, {"dtype", "bfloat16"}, {"eos_token_id", {128001, 128009}}});
  CHECK(newer.torch_dtype == DType::BF16);
  CHECK(newer.eos_token_id == 128001);
}

TEST_CASE("bad fields are named in the error", "[config]") {
  CHECK_THROWS_WITH(PretrainedConfig::from_json({{"model_type", "bert"}, {"hidden_size", "big"}}, "x/config.json"),
                    Catch::Contains("x/config.json") && Catch::Contains("hidden_size") && Catch::Contains("integer"));
  CHECK_THROWS_WITH(PretrainedConfig::from_json({{"id2label", {{"zero", "A"}}}}), Catch::Contains("id2label"));
  CHECK_THROWS_WITH(PretrainedConfig::from_json({{"problem_type", "ranking"}}), Catch::Contains("problem_type"));
  CHECK_THROWS_WITH(PretrainedConfig::from_json({{"torch_dtype", "float8"}}), Catch::Contains("torch_dtype"));
  CHECK_THROWS_WITH(PretrainedConfig::from_json({{"hidden_size", 30}, {"num_attention_heads", 4}}),
                    Catch::Contains("multiple"));
  CHECK_THROWS_WITH(PretrainedConfig::from_json(json::array()), Catch::Contains("object"));
  PretrainedConfig c = PretrainedConfig::from_json({{"model_type", "bert"}, {"dim", "x"}}, "c.json");
  CHECK_THROWS_WITH(c.get<int64_t>("dim", 0), Catch::Contains("'dim'"));
  CHECK_THROWS_WITH(c.require<int64_t>("n_heads"), Catch::Contains("n_heads") && Catch::Contains("missing"));
}

TEST_CASE("from_pretrained reads a folder or a file", "[config]") {
  std::string path = write_temp("config.json", R"({"model_type": "bert", "hidden_size": 32})");
  CHECK(PretrainedConfig::from_pretrained(path).hidden_size == 32);
  CHECK(PretrainedConfig::from_pretrained(std::filesystem::path(path).parent_path().string()).model_type == "bert");
  std::string broken = write_temp("broken.json", R"({"model_type": "bert",)");
  CHECK_THROWS_WITH(PretrainedConfig::from_pretrained(broken),
                    Catch::Contains("broken.json") && Catch::Contains("JSON"));
  std::string untyped = write_temp("untyped.json", R"({"hidden_size": 32})");
  CHECK_THROWS_WITH(PretrainedConfig::from_pretrained(untyped), Catch::Contains("model_type"));
  CHECK_THROWS_WITH(PretrainedConfig::from_pretrained("/nonexistent/model"), Catch::Contains("/nonexistent/model"));
}

TEST_CASE("config.json files written by transformers parse", "[config][fixtures]") {
  const std::filesystem::path folder = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "config";
  int parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    INFO(entry.path().filename().string());
    PretrainedConfig c = PretrainedConfig::from_pretrained(entry.path().string());
    CHECK(!c.model_type.empty());
    CHECK(c.num_labels() >= 2);
    ++parsed;
  }
  CHECK(parsed >= 11);

  PretrainedConfig bert = PretrainedConfig::from_pretrained((folder / "bert.json").string());
  CHECK(bert.hidden_size == 768);
  CHECK(bert.num_hidden_layers == 12);
  CHECK(bert.num_attention_heads == 12);
  CHECK(bert.intermediate_size == 3072);
  CHECK(bert.hidden_act == "gelu");
  CHECK(bert.layer_norm_eps == 1e-12);
  CHECK(bert.get<int64_t>("type_vocab_size", 0) == 2);

  PretrainedConfig sentiment =
      PretrainedConfig::from_pretrained((folder / "bert-sequence-classification.json").string());
  CHECK(sentiment.id2label.at(1) == "POSITIVE");
  CHECK(sentiment.architectures == std::vector<std::string>{"BertForSequenceClassification"});

  PretrainedConfig toxic = PretrainedConfig::from_pretrained((folder / "distilbert-multi-label.json").string());
  CHECK(toxic.problem_type == "multi_label_classification");
  CHECK(toxic.num_labels() == 4);
  CHECK(toxic.label2id.at("threat") == 2);
  CHECK(toxic.get<int64_t>("dim", 0) == 768);  // DistilBERT names its width "dim"

  PretrainedConfig llama = PretrainedConfig::from_pretrained((folder / "llama.json").string());
  CHECK(llama.hidden_act == "silu");
  CHECK(llama.get<double>("rms_norm_eps", 0.0) == Approx(1e-6));
  CHECK(PretrainedConfig::from_pretrained((folder / "deberta-v2.json").string()).layer_norm_eps == 1e-7);
}
