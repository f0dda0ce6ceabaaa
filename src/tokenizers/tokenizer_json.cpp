// Reading a tokenizer.json document into a TokenizerPipeline.
#include "tokenizer_pipeline.hpp"

namespace transformers::tokenizers::detail {

namespace {

Side parse_side(const json& config, const std::string& where) {
  const std::string side = string_field(config, "direction", "Right", where);
  if (side == "Right") return Side::Right;
  if (side == "Left") return Side::Left;
  throw_config_error(where, "field 'direction' must be \"Left\" or \"Right\", found \"" + side + "\"");
}

size_t non_negative(int64_t value, const char* field, const std::string& where) {
  if (value < 0) throw_config_error(where, std::string("field '") + field + "' must not be negative");
  return static_cast<size_t>(value);
}

std::optional<TruncationParams> parse_truncation(const json& config, const std::string& where) {
  if (config.is_null()) return std::nullopt;
  TruncationParams params;
  params.max_length = non_negative(int_field(config, "max_length", 512, where), "max_length", where);
  params.stride = non_negative(int_field(config, "stride", 0, where), "stride", where);
  params.direction = parse_side(config, where);
  const std::string strategy = string_field(config, "strategy", "LongestFirst", where);
  if (strategy == "LongestFirst")
    params.strategy = TruncationStrategy::LongestFirst;
  else if (strategy == "OnlyFirst")
    params.strategy = TruncationStrategy::OnlyFirst;
  else if (strategy == "OnlySecond")
    params.strategy = TruncationStrategy::OnlySecond;
  else
    throw_config_error(where, "unknown truncation strategy '" + strategy + "'");
  return params;
}

std::optional<PaddingParams> parse_padding(const json& config, const std::string& where) {
  if (config.is_null()) return std::nullopt;
  PaddingParams params;
  const json strategy = config.value("strategy", json("BatchLongest"));
  if (strategy.is_object() && strategy.contains("Fixed") && strategy["Fixed"].is_number_integer()) {
    params.fixed_length = non_negative(strategy["Fixed"].get<int64_t>(), "strategy.Fixed", where);
  } else if (strategy != json("BatchLongest")) {
    throw_config_error(where, "field 'strategy' must be \"BatchLongest\" or {\"Fixed\": N}, found " + strategy.dump());
  }
  params.direction = parse_side(config, where);
  if (const auto multiple = optional_int_field(config, "pad_to_multiple_of", where))
    params.pad_to_multiple_of = non_negative(*multiple, "pad_to_multiple_of", where);
  params.pad_id = int_field(config, "pad_id", 0, where);
  params.pad_type_id = int_field(config, "pad_type_id", 0, where);
  params.pad_token = string_field(config, "pad_token", "[PAD]", where);
  return params;
}

template <typename Component, typename Maker>
std::unique_ptr<Component> optional_component(const json& document, const char* key, Maker make,
                                              const std::string& source) {
  const auto found = document.find(key);
  if (found == document.end() || found->is_null()) return nullptr;
  return make(*found, source + ": " + key);
}

// The "type" of a component and of everything nested in it, outermost first (a Sequence's steps).
void collect_types(const json& component, std::vector<std::string>& types) {
  if (component.is_object()) {
    if (auto it = component.find("type"); it != component.end() && it->is_string()) types.push_back(*it);
    for (const auto& [key, value] : component.items())
      if (key != "type") collect_types(value, types);
  } else if (component.is_array()) {
    for (const json& item : component) collect_types(item, types);
  }
}

}  // namespace

std::shared_ptr<TokenizerPipeline> parse_tokenizer_json(const json& document, const std::string& source) {
  if (!document.is_object()) throw_config_error(source, "expected a JSON object at the top level");
  auto pipeline = std::make_shared<TokenizerPipeline>();
  pipeline->normalizer = optional_component<Normalizer>(document, "normalizer", make_normalizer, source);
  pipeline->pre_tokenizer = optional_component<PreTokenizer>(document, "pre_tokenizer", make_pre_tokenizer, source);
  pipeline->model = make_model(required_field(document, "model", source), source + ": model");
  const json& model = document["model"];
  // Files from old versions may leave "type" out; a model with merges is a BPE.
  pipeline->model_type = model.contains("type") && model["type"].is_string() ? model["type"].get<std::string>()
                         : model.contains("merges")                          ? "BPE"
                                                                             : "";
  if (model.contains("continuing_subword_prefix") && model["continuing_subword_prefix"].is_string())
    pipeline->continuing_subword_prefix = model["continuing_subword_prefix"].get<std::string>();
  pipeline->post_processor = optional_component<PostProcessor>(document, "post_processor", make_post_processor, source);
  pipeline->decoder = optional_component<Decoder>(document, "decoder", make_decoder, source);
  collect_types(document.value("decoder", json()), pipeline->decoder_types);

  std::vector<AddedToken> added;
  if (document.contains("added_tokens") && !document["added_tokens"].is_null()) {
    const json& entries = document["added_tokens"];
    if (!entries.is_array()) throw_config_error(source, "field 'added_tokens' must be a list");
    for (const json& entry : entries) added.push_back(parse_added_token(entry, source + ": added_tokens"));
  }
  pipeline->added_vocabulary =
      std::make_unique<AddedVocabulary>(std::move(added), *pipeline->model, pipeline->normalizer.get());

  pipeline->truncation = parse_truncation(document.value("truncation", json()), source + ": truncation");
  pipeline->padding = parse_padding(document.value("padding", json()), source + ": padding");
  return pipeline;
}

}  // namespace transformers::tokenizers::detail
