// LoRA adapters against PEFT (tests/fixtures/peft/<case>, scripts/make_peft_fixtures.py): tiny random
// bases of several families with adapters PEFT made and saved; the logits of every adapter, unmerged
// and merged, greedy generations, switching and disabling adapters, from_pretrained(adapter folder),
// saving a merged model, quantized and bf16 bases, and adapters that do not fit.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include "models/decoder_fixtures.hpp"  // max_diff_at_tokens
#include "test_util.hpp"
#include "transformers/generation/generate.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/models/auto.hpp"
#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;
namespace fs = std::filesystem;

namespace {

fs::path root() { return fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "peft"; }

struct Case {
  fs::path folder;
  Task task;
  std::vector<std::string> adapters;  // the adapter folders' names
  std::shared_ptr<safetensors::File> inputs, expected;

  explicit Case(const std::string& name)
      : folder(root() / name),
        inputs(safetensors::File::open((folder / "inputs.safetensors").string())),
        expected(safetensors::File::open((folder / "expected.safetensors").string())) {
    const std::string architecture = PretrainedConfig::from_pretrained((folder / "base").string()).raw["architectures"][0];
    task = inputs->contains("decoder_input_ids")                                    ? Task::Seq2SeqLM
           : architecture.find("ForSequenceClassification") != std::string::npos ? Task::SequenceClassification
                                                                                  : Task::CausalLM;
    for (const auto& entry : fs::directory_iterator(folder))
      if (entry.is_directory() && entry.path().filename() != "base") adapters.push_back(entry.path().filename());
    std::sort(adapters.begin(), adapters.end());
  }
  bool causal() const { return task == Task::CausalLM; }
  Tensor want(const std::string& key) const { return expected->get(key); }
  ModelInputs model_inputs() const {
    ModelInputs in;
    in.input_ids = inputs->get("input_ids");
    in.attention_mask = inputs->get("attention_mask");
    if (inputs->contains("decoder_input_ids")) in.decoder_input_ids = inputs->get("decoder_input_ids");
    if (inputs->contains("position_ids")) in.position_ids = inputs->get("position_ids");
    return in;
  }
  std::unique_ptr<PreTrainedModel> load(const std::string& path, LoadOptions options = {}) const {
    options.dtype = options.dtype.value_or(DType::F32);
    return auto_model_from_pretrained(path, task, options);
  }
  std::unique_ptr<PreTrainedModel> base(LoadOptions options = {}) const {
    return load((folder / "base").string(), std::move(options));
  }
  // The largest difference of the model's logits from expected `key` (decoders: at real tokens).
  double diff(const PreTrainedModel& model, const std::string& key) const {
    const ModelInputs in = model_inputs();
    const Tensor logits = model.forward(in).logits;
    if (causal()) return decoder_fixtures::max_diff_at_tokens(logits, want(key), in.attention_mask);
    return test_util::max_abs_diff(logits, want(key));
  }
};

const std::vector<std::string> kCases{"bert", "gpt2", "gpt_neox", "llama", "phi3", "t5"};

Tensor greedy(const PreTrainedModel& model, const Case& c, int64_t new_tokens) {
  GenerationConfig config;
  config.do_sample = false;
  config.max_new_tokens = new_tokens;
  config.min_new_tokens = new_tokens;
  config.pad_token_id = 0;
  GenerateOptions options;
  options.attention_mask = c.inputs->get("attention_mask");
  return generate(model, c.inputs->get("input_ids"), config, options).sequences;
}

double cosine(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double dot = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < x.size(); ++i) dot += x[i] * y[i], xx += x[i] * x[i], yy += y[i] * y[i];
  return dot / std::sqrt(xx * yy);
}

fs::path scratch(const std::string& name) {
  const fs::path path = fs::temp_directory_path() / ("transformers_cpp_test_lora_" + name);
  fs::remove_all(path);
  fs::create_directories(path);
  return path;
}

}  // namespace

TEST_CASE("LoRA adapters give PEFT's logits, unmerged and merged, and switch", "[peft]") {
  for (const std::string& name : kCases) {
    const Case c(name);
    INFO("case " << name);
    std::unique_ptr<PreTrainedModel> model = c.base();
    REQUIRE(c.diff(*model, "logits_base") <= 1e-4);
    for (const std::string& adapter : c.adapters) model->load_adapter((c.folder / adapter).string(), adapter);
    CHECK(model->adapter_names() == c.adapters);
    CHECK(model->active_adapters() == std::vector<std::string>{c.adapters.front()});  // the first loaded
    for (const std::string& adapter : c.adapters) {
      INFO("adapter " << adapter);
      model->set_adapter(adapter);
      CHECK(c.diff(*model, "logits_" + adapter) <= 1e-4);
      model->merge_adapter();
      CHECK(c.diff(*model, "logits_" + adapter + "_merged") <= 1e-4);
      model->unmerge_adapter();
      CHECK(c.diff(*model, "logits_" + adapter) <= 1e-4);
    }
    // Disabled, and after merging and unmerging, the base computes exactly as before.
    const Tensor base_logits = c.base()->forward(c.model_inputs()).logits;
    model->disable_adapters();
    CHECK(model->active_adapters().empty());
    CHECK(test_util::max_abs_diff(model->forward(c.model_inputs()).logits, base_logits) == 0.0);
    model->enable_adapters();
    CHECK(c.diff(*model, "logits_" + c.adapters.back()) <= 1e-4);
  }
}

TEST_CASE("LoRA adapters generate PEFT's greedy tokens", "[peft]") {
  for (const std::string& name : kCases) {
    const Case c(name);
    if (!c.causal()) continue;
    for (const std::string& adapter : c.adapters) {
      INFO("case " << name << ", adapter " << adapter);
      std::unique_ptr<PreTrainedModel> model = c.base();
      model->load_adapter((c.folder / adapter).string(), adapter);
      const Tensor want = c.want("greedy_" + adapter);
      const int64_t new_tokens = want.size(1) - c.inputs->get("input_ids").size(1);
      CHECK(greedy(*model, c, new_tokens).to_vector<int64_t>() == want.to_vector<int64_t>());
      model->merge_adapter();
      CHECK(greedy(*model, c, new_tokens).to_vector<int64_t>() == want.to_vector<int64_t>());
    }
  }
}

TEST_CASE("from_pretrained(adapter folder) loads the base it names and the adapter as 'default'", "[peft]") {
  for (const std::string& name : kCases) {
    const Case c(name);
    INFO("case " << name);
    const std::string adapter = c.adapters.front();
    std::unique_ptr<PreTrainedModel> model = c.load((c.folder / adapter).string());  // base_model: "../base"
    CHECK(model->active_adapters() == std::vector<std::string>{"default"});
    CHECK(c.diff(*model, "logits_" + adapter) <= 1e-4);
  }
}

TEST_CASE("merge_and_unload then save_pretrained writes a plain model with the adapter in it", "[peft]") {
  for (const std::string& name : {std::string("gpt2"), std::string("gpt_neox"), std::string("bert"), std::string("t5")}) {
    const Case c(name);
    INFO("case " << name);
    const std::string adapter = c.adapters.front();
    std::unique_ptr<PreTrainedModel> model = c.base();
    model->load_adapter((c.folder / adapter).string(), adapter);
    model->merge_and_unload();
    CHECK(model->adapter_names().empty());
    CHECK(c.diff(*model, "logits_" + adapter + "_merged") <= 1e-4);
    model->disable_adapters();  // nothing left to disable: the merged weights are the model's own
    CHECK(c.diff(*model, "logits_" + adapter + "_merged") <= 1e-4);
    const fs::path out = scratch(name);
    model->save_pretrained(out.string());
    CHECK(c.diff(*c.load(out.string()), "logits_" + adapter + "_merged") <= 1e-4);
    CHECK(fs::exists(out / "generation_config.json") == fs::exists(c.folder / "base" / "generation_config.json"));
    fs::remove_all(out);
  }
}

TEST_CASE("adapters on bf16 and int8-quantized bases are applied unmerged", "[peft]") {
  const Case c("llama");
  const Tensor want = c.want("logits_qv");
  for (const std::string& precision : {std::string("bf16"), std::string("int8")}) {
    INFO(precision);
    LoadOptions options;
    if (precision == "bf16") options.dtype = DType::BF16;
    else options.quantization = "int8";
    std::unique_ptr<PreTrainedModel> model = c.base(options);
    model->load_adapter((c.folder / "qv").string(), "qv");
    const Tensor logits = model->forward(c.model_inputs()).logits;
    // Real tokens only: row 1 starts with three pads.
    CHECK(cosine(logits.narrow(1, 3, 7).contiguous(), want.narrow(1, 3, 7).contiguous()) >= 0.999);
    if (precision == "int8")
      CHECK_THROWS_WITH(model->merge_adapter(), Catch::Contains("stored quantized") && Catch::Contains("q_proj"));
    else {
      model->merge_adapter();
      CHECK(cosine(model->forward(c.model_inputs()).logits.narrow(1, 3, 7).contiguous(),
                   want.narrow(1, 3, 7).contiguous()) >= 0.999);
    }
  }
}

TEST_CASE("adapters that do not fit are refused by name, leaving the model as it was", "[peft]") {
  const Case llama("llama"), gpt2("gpt2");
  std::unique_ptr<PreTrainedModel> model = gpt2.base();
  CHECK_THROWS_WITH(model->load_adapter((llama.folder / "qv").string()),
                    Catch::Contains("model.layers.0.self_attn.q_proj") && Catch::Contains("not a linear layer"));
  CHECK(model->adapter_names().empty());
  CHECK(gpt2.diff(*model, "logits_base") <= 1e-4);
  model->load_adapter((gpt2.folder / "attn").string());
  CHECK_THROWS_WITH(model->load_adapter((gpt2.folder / "attn").string()), Catch::Contains("already loaded"));
  CHECK_THROWS_WITH(model->set_adapter("nope"), Catch::Contains("'nope'") && Catch::Contains("default"));
  model->delete_adapter("default");
  CHECK(model->adapter_names().empty());
  CHECK_THROWS_WITH(model->set_adapter(""), Catch::Contains("no adapter named ''"));  // not the deleted one
  CHECK(gpt2.diff(*model, "logits_base") <= 1e-4);

  // A config whose r disagrees with the tensors, DoRA, a missing weights file.
  const fs::path bad = scratch("bad");
  fs::copy(llama.folder / "qv", bad);
  const auto rewrite = [&](const std::string& key, const nlohmann::json& value) {
    nlohmann::json config = nlohmann::json::parse(std::ifstream(llama.folder / "qv" / "adapter_config.json"));
    config[key] = value;
    std::ofstream(bad / "adapter_config.json") << config.dump();
  };
  std::unique_ptr<PreTrainedModel> base = llama.base();
  rewrite("r", 4);
  CHECK_THROWS_WITH(base->load_adapter(bad.string()), Catch::Contains("rank 8") && Catch::Contains("r = 4"));
  rewrite("use_dora", true);
  CHECK_THROWS_WITH(base->load_adapter(bad.string()), Catch::Contains("use_dora"));
  rewrite("peft_type", "IA3");
  CHECK_THROWS_WITH(base->load_adapter(bad.string()), Catch::Contains("IA3"));
  rewrite("r", 8);
  fs::remove(bad / "adapter_model.safetensors");
  CHECK_THROWS_WITH(base->load_adapter(bad.string()), Catch::Contains("no adapter_model.safetensors"));
  CHECK(base->adapter_names().empty());
  fs::remove_all(bad);

  // A model built outside the Auto classes has no index of its layers.
  const PretrainedConfig config = PretrainedConfig::from_pretrained((llama.folder / "base").string());
  LlamaForCausalLM direct(config, nn::Weights::random("model"));
  CHECK_THROWS_WITH(direct.load_adapter((llama.folder / "qv").string()), Catch::Contains("Auto class"));
}

namespace {

// The recorded pipeline calls of the bert case, and a check of outputs against them.
std::vector<nlohmann::json> pipeline_calls() {
  std::ifstream in(root() / "bert" / "pipeline.json");
  REQUIRE(in);
  return nlohmann::json::parse(in).get<std::vector<nlohmann::json>>();
}

void require_same_scores(const nlohmann::json& ours, const nlohmann::json& theirs) {
  INFO("ours " << ours.dump() << ", transformers " << theirs.dump());
  REQUIRE(ours.size() == theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    CHECK(ours[i]["label"] == theirs[i]["label"]);
    CHECK(std::fabs(ours[i]["score"].get<double>() - theirs[i]["score"].get<double>()) <= 1e-4);
  }
}

}  // namespace

TEST_CASE("pipeline(task, adapter folder) takes the base's tokenizer and PEFT's numbers", "[peft][pipelines]") {
  const Case c("bert");
  std::unique_ptr<Pipeline> pipe = pipeline("text-classification", (c.folder / "cls").string());
  for (const nlohmann::json& call : pipeline_calls())
    require_same_scores((*pipe)(call["inputs"], call["kwargs"]), call["output"]);
  // The same through --adapter on the base, named: PipelineOptions::adapters.
  PipelineOptions options;
  options.adapters = {peft::parse_named_adapter("mine=" + (c.folder / "cls").string())};
  std::unique_ptr<Pipeline> named = pipeline("text-classification", (c.folder / "base").string(), options);
  for (const nlohmann::json& call : pipeline_calls())
    require_same_scores((*named)(call["inputs"], call["kwargs"]), call["output"]);
}

TEST_CASE("transformers-cli pipeline --adapter", "[peft][cli]") {
  const Case c("bert");
  const std::vector<nlohmann::json> calls = pipeline_calls();
  const fs::path input = scratch("cli") / "inputs.jsonl";
  {
    std::ofstream out(input);
    for (const nlohmann::json& call : calls) out << call["inputs"].dump() << "\n";
  }
  const std::string command = std::string(TRANSFORMERS_CLI) + " pipeline text-classification --top-k 3 --model '" +
                              (c.folder / "base").string() + "' --adapter '" + (c.folder / "cls").string() + "' < '" +
                              input.string() + "'";
  const std::vector<std::string> lines = test_util::command_output_lines(command);
  REQUIRE(lines.size() == calls.size());
  for (size_t i = 0; i < calls.size(); ++i) require_same_scores(nlohmann::json::parse(lines[i]), calls[i]["output"]);
  fs::remove_all(input.parent_path());
}

TEST_CASE("--adapter values: NAME=PATH or PATH named after its folder", "[peft]") {
  CHECK(peft::parse_named_adapter("a=/x/y").name == "a");
  CHECK(peft::parse_named_adapter("a=/x/y").path == "/x/y");
  CHECK(peft::parse_named_adapter("out/my-lora/").name == "my-lora");
  CHECK(peft::parse_named_adapter("my-lora").path == "my-lora");
  CHECK_THROWS_WITH(peft::parse_named_adapter("=x"), Catch::Contains("non-empty"));
}

TEST_CASE("transformers-cli generate on an adapter folder: the base's tokenizer, PEFT's tokens", "[peft][cli]") {
  const Case c("llama");
  std::ifstream in(c.folder / "generate.json");
  REQUIRE(in);
  const nlohmann::json want = nlohmann::json::parse(in);
  const std::string command = std::string(TRANSFORMERS_CLI) + " generate --model '" + (c.folder / "qv").string() +
                              "' --greedy --max-new-tokens 8 --kwargs '{\"min_new_tokens\": 8}' --no-special-tokens " +
                              "--json '" + want["prompt"].get<std::string>() + "'";
  const std::vector<std::string> lines = test_util::command_output_lines(command);
  REQUIRE(lines.size() == 1);
  const nlohmann::json out = nlohmann::json::parse(lines[0]);
  CHECK(out["prompt_tokens"] == want["prompt_ids"].size());
  CHECK(out["generated_token_ids"] == want["generated_token_ids"]);
}

TEST_CASE("an adapter on a GGUF base: dequantized as transformers does, or kept quantized", "[peft][gguf]") {
  const fs::path folder = root() / "llama-gguf";
  const auto expected = safetensors::File::open((folder / "expected.safetensors").string());
  ModelInputs in;
  in.input_ids = expected->get("input_ids");
  // from_pretrained(adapter folder) finds the .gguf its base_model_name_or_path names beside it.
  std::unique_ptr<PreTrainedModel> model = AutoModelForCausalLM::from_pretrained((folder / "qv").string());
  REQUIRE_CLOSE(model->forward(in).logits, expected->get("logits_qv"), 1e-4);
  model->disable_adapters();
  REQUIRE_CLOSE(model->forward(in).logits, expected->get("logits_base"), 1e-4);
  // Merged and saved: a safetensors model of the GGUF's dequantized weights with the adapter in them.
  model->enable_adapters();
  model->merge_and_unload();
  const fs::path out = scratch("gguf");
  model->save_pretrained(out.string());
  REQUIRE_CLOSE(AutoModelForCausalLM::from_pretrained(out.string())->forward(in).logits, expected->get("logits_qv"),
                1e-4);
  fs::remove_all(out);

  // Kept quantized (down_proj is Q8_0 in the file): the adapter is added to the quantized layer's output.
  LoadOptions options;
  options.keep_quantized = true;
  std::unique_ptr<PreTrainedModel> quantized = AutoModelForCausalLM::from_pretrained((folder / "qv").string(), options);
  CHECK(cosine(quantized->forward(in).logits, expected->get("logits_qv")) >= 0.999);
  CHECK_THROWS_WITH(quantized->merge_adapter(), Catch::Contains("down_proj") && Catch::Contains("quantized"));
}
