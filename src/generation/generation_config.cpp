// GenerationConfig from JSON (generation_config.json, config.json, keyword arguments) and back, with
// a type check per field whose error names it.
#include "transformers/generation/generation_config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "python_repr.hpp"
#include "transformers/core/json_nesting.hpp"

namespace transformers {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using generation_detail::python_list;

// Every typed field with its transformers name, for reading, writing and copying them alike.
template <typename Config, typename Visit>
void for_each_field(Config& c, Visit&& visit) {
  visit("max_length", c.max_length);
  visit("max_new_tokens", c.max_new_tokens);
  visit("min_length", c.min_length);
  visit("min_new_tokens", c.min_new_tokens);
  visit("early_stopping", c.early_stopping);
  visit("max_time", c.max_time);
  visit("stop_strings", c.stop_strings);
  visit("do_sample", c.do_sample);
  visit("num_beams", c.num_beams);
  visit("use_cache", c.use_cache);
  visit("temperature", c.temperature);
  visit("top_k", c.top_k);
  visit("top_p", c.top_p);
  visit("min_p", c.min_p);
  visit("typical_p", c.typical_p);
  visit("epsilon_cutoff", c.epsilon_cutoff);
  visit("eta_cutoff", c.eta_cutoff);
  visit("repetition_penalty", c.repetition_penalty);
  visit("length_penalty", c.length_penalty);
  visit("no_repeat_ngram_size", c.no_repeat_ngram_size);
  visit("bad_words_ids", c.bad_words_ids);
  visit("sequence_bias", c.sequence_bias);
  visit("renormalize_logits", c.renormalize_logits);
  visit("forced_bos_token_id", c.forced_bos_token_id);
  visit("forced_eos_token_id", c.forced_eos_token_id);
  visit("remove_invalid_values", c.remove_invalid_values);
  visit("exponential_decay_length_penalty", c.exponential_decay_length_penalty);
  visit("suppress_tokens", c.suppress_tokens);
  visit("begin_suppress_tokens", c.begin_suppress_tokens);
  visit("num_return_sequences", c.num_return_sequences);
  visit("output_scores", c.output_scores);
  visit("output_logits", c.output_logits);
  visit("return_dict_in_generate", c.return_dict_in_generate);
  visit("pad_token_id", c.pad_token_id);
  visit("bos_token_id", c.bos_token_id);
  visit("eos_token_id", c.eos_token_id);
  visit("decoder_start_token_id", c.decoder_start_token_id);
}

// transformers' other GenerationConfig attributes: kept in `other` as read; generate() refuses the
// ones that would change its result (prepared_for).
const std::vector<std::string>& untyped_fields() {
  static const std::vector<std::string> names = {"use_mtp",
                                                 "cache_implementation",
                                                 "cache_config",
                                                 "max_cache_len",
                                                 "top_h",
                                                 "encoder_repetition_penalty",
                                                 "token_healing",
                                                 "guidance_scale",
                                                 "watermarking_config",
                                                 "output_attentions",
                                                 "output_hidden_states",
                                                 "encoder_no_repeat_ngram_size",
                                                 "is_assistant",
                                                 "num_assistant_tokens",
                                                 "num_assistant_tokens_schedule",
                                                 "assistant_confidence_threshold",
                                                 "prompt_lookup_num_tokens",
                                                 "max_matching_ngram_size",
                                                 "assistant_early_exit",
                                                 "assistant_lookbehind",
                                                 "target_lookbehind",
                                                 "assistant_ensemble_weight",
                                                 "speculation_type",
                                                 "compile_config",
                                                 "disable_compile",
                                                 "continuous_batching_config",
                                                 "low_memory",
                                                 "penalty_alpha",
                                                 "dola_layers",
                                                 "diversity_penalty",
                                                 "num_beam_groups",
                                                 "constraints",
                                                 "force_words_ids",
                                                 "prefill_chunk_size",
                                                 "transformers_version",
                                                 "_from_model_config",
                                                 "_commit_hash"};
  return names;
}

bool is_untyped_field(const std::string& key) {
  const auto& names = untyped_fields();
  return std::find(names.begin(), names.end(), key) != names.end();
}

// Reads fields of one JSON source; errors name the source and the field (FileError for files,
// InvalidArgument for a call's arguments).
class FieldReader {
 public:
  FieldReader(std::string source, bool from_file) : source_(std::move(source)), from_file_(from_file) {}
  const std::string& source() const { return source_; }

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    const std::string message = source_ + ": " + (from_file_ ? "field '" : "argument '") + key + "' " + what;
    if (from_file_) throw FileError(message);
    throw InvalidArgument(message);
  }
  // transformers' own message for a value it refuses, prefixed with the source for files.
  [[noreturn]] void fail_as_transformers(const std::string& message) const {
    if (from_file_) throw FileError(source_ + ": " + message);
    throw InvalidArgument(message);
  }

  void read(const std::string& key, const json& value, std::optional<int64_t>& out) const { out = integer(key, value); }
  void read(const std::string& key, const json& value, std::optional<bool>& out) const {
    if (!value.is_boolean()) fail(key, std::string("must be true or false, found ") + value.dump());
    out = value.get<bool>();
  }
  void read(const std::string& key, const json& value, std::optional<double>& out) const {
    if (!value.is_number()) fail(key, std::string("must be a number, found ") + value.dump());
    out = value.get<double>();
  }
  void read(const std::string&, const json& value, std::optional<EarlyStopping>& out) const {
    if (value.is_boolean()) {
      out = value.get<bool>() ? EarlyStopping::True : EarlyStopping::False;
    } else if (value == "never") {
      out = EarlyStopping::Never;
    } else {
      const std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
      fail_as_transformers("`early_stopping` must be a boolean or 'never', but is " + shown + ".");
    }
  }
  void read(const std::string& key, const json& value, std::optional<std::vector<std::string>>& out) const {
    if (value.is_string()) {
      out = std::vector<std::string>{value.get<std::string>()};
      return;
    }
    if (!value.is_array()) fail(key, "must be a string or a list of strings, found " + value.dump());
    std::vector<std::string> strings;
    for (const json& item : value) {
      if (!item.is_string()) fail(key, "must be a string or a list of strings, found " + value.dump());
      strings.push_back(item.get<std::string>());
    }
    out = std::move(strings);
  }
  // Token id lists; eos_token_id and forced_eos_token_id may also be a single id.
  void read(const std::string& key, const json& value, std::optional<std::vector<int64_t>>& out) const {
    const bool single_allowed = key == "eos_token_id" || key == "forced_eos_token_id";
    if (single_allowed && value.is_number()) {
      out = std::vector<int64_t>{integer(key, value)};
      return;
    }
    if (!value.is_array())
      fail(key, std::string("must be ") + (single_allowed ? "an integer or " : "") + "a list of integers, found " +
                    value.dump());
    out = integers(key, value);
  }
  void read(const std::string& key, const json& value, std::optional<std::vector<std::vector<int64_t>>>& out) const {
    // transformers' NoBadWordsLogitsProcessor messages, for what the C++ type cannot even hold.
    if (!value.is_array() || value.empty())
      fail_as_transformers("`bad_words_ids` has to be a non-empty list, but is " + value.dump() + ".");
    std::vector<std::vector<int64_t>> lists;
    for (const json& item : value) {
      if (!item.is_array())
        fail_as_transformers("`bad_words_ids` has to be a list of lists, but is " + value.dump() + ".");
      lists.push_back(integers(key, item));
    }
    out = std::move(lists);
  }
  void read(const std::string& key, const json& value, std::optional<std::pair<int64_t, double>>& out) const {
    if (!value.is_array() || value.size() != 2 || !value[1].is_number())
      fail(key, "must be [start_index, decay_factor], found " + value.dump());
    out = std::pair<int64_t, double>{integer(key, value[0]), value[1].get<double>()};
  }
  // [[tokens], bias] pairs, transformers' list form of sequence_bias.
  void read(const std::string& key, const json& value, std::optional<std::vector<SequenceBias>>& out) const {
    if (!value.is_array() || value.empty()) fail(key, "must be a non-empty list of [[token ids], bias] pairs");
    std::vector<SequenceBias> biases;
    for (const json& item : value) {
      if (!item.is_array() || item.size() != 2 || !item[0].is_array() || item[0].empty() || !item[1].is_number())
        fail(key, "must be a non-empty list of [[token ids], bias] pairs, found " + item.dump());
      SequenceBias bias;
      bias.tokens = integers(key, item[0]);
      bias.bias = item[1].get<double>();
      biases.push_back(std::move(bias));
    }
    out = std::move(biases);
  }

 private:
  int64_t integer(const std::string& key, const json& value) const {
    if (!value.is_number_integer()) fail(key, "must be an integer, found " + value.dump());
    return value.get<int64_t>();
  }
  std::vector<int64_t> integers(const std::string& key, const json& list) const {
    std::vector<int64_t> values;
    for (const json& item : list) values.push_back(integer(key, item));
    return values;
  }

  std::string source_;
  bool from_file_;
};

json to_json_value(const std::optional<EarlyStopping>& value) {
  if (*value == EarlyStopping::Never) return "never";
  return *value == EarlyStopping::True;
}
json to_json_value(const std::optional<std::vector<SequenceBias>>& value) {
  json list = json::array();
  for (const SequenceBias& entry : *value) list.push_back(json::array({entry.tokens, entry.bias}));
  return list;
}
json to_json_value(const std::optional<std::pair<int64_t, double>>& value) {
  return json::array({value->first, value->second});
}
template <typename T>
json to_json_value(const std::optional<T>& value) {
  return json(*value);
}

// Sets the typed fields `json` names (a null value unsets); returns the keys that are not typed fields.
std::vector<std::string> read_fields(GenerationConfig& config, const json& object, const FieldReader& reader) {
  std::vector<std::string> rest;
  for (auto it = object.begin(); it != object.end(); ++it) rest.push_back(it.key());
  for_each_field(config, [&](const char* name, auto& field) {
    auto it = object.find(name);
    if (it == object.end()) return;
    rest.erase(std::find(rest.begin(), rest.end(), name));
    if (it->is_null()) {
      field.reset();
    } else {
      reader.read(name, *it, field);
    }
  });
  return rest;
}

json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw FileError(path.string() + ": cannot be read");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check_json_nesting(text, path.string());
  try {
    return json::parse(text);
  } catch (const json::exception& error) {
    throw FileError(path.string() + ": is not valid JSON (" + error.what() + ")");
  }
}

}  // namespace

GenerationConfig GenerationConfig::from_json(const json& object, const std::string& source) {
  if (!object.is_object()) throw FileError(source + ": must be a JSON object");
  GenerationConfig config;
  for (const std::string& key : read_fields(config, object, FieldReader(source, true))) config.other[key] = object[key];
  config.validate();
  return config;
}

GenerationConfig GenerationConfig::from_pretrained(const std::string& folder) {
  const fs::path root(folder);
  // A GGUF file holds no generation config: its model config's generation fields, as transformers.
  if (root.extension() == ".gguf") return from_model_config(PretrainedConfig::from_pretrained(folder));
  if (fs::is_regular_file(root)) return from_json(read_json_file(root), root.string());
  if (fs::exists(root / "generation_config.json"))
    return from_json(read_json_file(root / "generation_config.json"), (root / "generation_config.json").string());
  if (fs::exists(root / "config.json")) return from_model_config(PretrainedConfig::from_pretrained(folder));
  return {};
}

GenerationConfig GenerationConfig::from_model_config(const PretrainedConfig& model_config) {
  const json& raw = model_config.raw.is_object() ? model_config.raw : json::object();
  const FieldReader reader(model_config.source.empty() ? "config.json" : model_config.source, true);
  // Only generation fields are read (transformers' _from_model_config skips the rest).
  GenerationConfig config;
  read_fields(config, raw, reader);
  for (const std::string& key : untyped_fields())
    if (raw.contains(key) && !raw[key].is_null() && key != "transformers_version") config.other[key] = raw[key];
  // Composite models keep generation fields in their decoder's section; they fill what is unset.
  for (const char* section : {"decoder", "generator", "text_config"}) {
    const auto it = raw.find(section);
    if (it == raw.end() || !it->is_object() || it->empty()) continue;
    const json already_set = config.to_json();
    json unset_fields = json::object();
    for (const auto& [key, value] : it->items())
      if (!already_set.contains(key)) unset_fields[key] = value;
    read_fields(config, unset_fields, FieldReader(reader.source() + " " + section, true));
    break;
  }
  config.validate();
  return config;
}

void GenerationConfig::update(const json& kwargs) {
  if (!kwargs.is_object()) throw InvalidArgument("generate(): keyword arguments must be a JSON object");
  std::vector<std::string> unused;
  for (const std::string& key : read_fields(*this, kwargs, FieldReader("generate()", false))) {
    if (is_untyped_field(key)) {
      other[key] = kwargs[key];
    } else {
      unused.push_back("'" + key + "'");
    }
  }
  if (!unused.empty()) {
    std::string list;
    for (size_t i = 0; i < unused.size(); ++i) list += (i ? ", " : "") + unused[i];
    throw InvalidArgument("The following `model_kwargs` are not used by the model: [" + list +
                          "] (note: typos in the generate arguments will also show up in this list)");
  }
  validate();
}

GenerationConfig GenerationConfig::updated(const json& kwargs) const {
  GenerationConfig copy = *this;
  copy.update(kwargs);
  return copy;
}

json GenerationConfig::to_json() const {
  json out = other;
  for_each_field(*this, [&](const char* name, const auto& field) {
    if (field) out[name] = to_json_value(field);
  });
  return out;
}

}  // namespace transformers
