// AutoTokenizer: tokenizer.json (or the pipeline transformers builds from legacy vocabulary files) plus
// transformers' call semantics.
#include "transformers/tokenizers/auto_tokenizer.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gguf_vocab.hpp"
#include "legacy_tokenizer.hpp"
#include "transformers/core/json_nesting.hpp"
#include "transformers/io/gguf.hpp"
#include "transformers/chat_templates/render_conversation.hpp"

namespace transformers {

namespace {

namespace fs = std::filesystem;

nlohmann::json read_json_if_present(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return nlohmann::json::object();
  std::stringstream text;
  text << in.rdbuf();
  check_json_nesting(text.str(), path.string());
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw FileError(path.string() + ": not valid JSON: " + e.what());
  }
}

tokenizers::Side parse_side(const nlohmann::json& config, const char* key, const std::string& source) {
  if (!config.contains(key) || config[key].is_null()) return tokenizers::Side::Right;
  const std::string side = config[key].is_string() ? config[key].get<std::string>() : "";
  if (side == "right") return tokenizers::Side::Right;
  if (side == "left") return tokenizers::Side::Left;
  throw FileError(source + ": " + key + " must be \"left\" or \"right\"");
}

// transformers 5.23's model_input_names when tokenizer_config.json does not list them. The tokenizer
// classes (a "Fast" suffix names the same class) whose model_input_names include token_type_ids; every
// other class, the generic PreTrainedTokenizerFast / TokenizersBackend among them, returns input_ids and
// attention_mask only. Read from transformers (tokenizer_class_from_name(name).model_input_names).
bool class_takes_token_type_ids(std::string tokenizer_class) {
  static const std::set<std::string> kClasses = {"BertTokenizer",
                                                 "CanineTokenizer",
                                                 "ConvBertTokenizer",
                                                 "DPRContextEncoderTokenizer",
                                                 "DPRQuestionEncoderTokenizer",
                                                 "DebertaTokenizer",
                                                 "DebertaV2Tokenizer",
                                                 "ElectraTokenizer",
                                                 "FNetTokenizer",
                                                 "LayoutLMTokenizer",
                                                 "LayoutLMv2Tokenizer",
                                                 "LxmertTokenizer",
                                                 "MarkupLMTokenizer",
                                                 "MobileBertTokenizer",
                                                 "SqueezeBertTokenizer",
                                                 "TapasTokenizer"};
  if (tokenizer_class.ends_with("Fast")) tokenizer_class.resize(tokenizer_class.size() - 4);
  return kClasses.count(tokenizer_class) != 0;
}

// Without a tokenizer_class, AutoTokenizer picks the class from config.json's model_type; these model
// types get a class that returns token_type_ids (distilbert and electra get BertTokenizer).
bool model_type_takes_token_type_ids(const std::string& model_type) {
  static const std::set<std::string> kModelTypes = {
      "align",        "bark",       "bert",       "blip",       "bros",          "canine",
      "chinese_clip", "convbert",   "deberta",    "deberta-v2", "distilbert",    "dpr",
      "electra",      "ernie",      "flava",      "fnet",       "git",           "grounding-dino",
      "layoutlm",     "layoutlmv2", "lxmert",     "markuplm",   "megatron-bert", "mm-grounding-dino",
      "mobilebert",   "nezha",      "nomic_bert", "qdqbert",    "realm",         "retribert",
      "squeezebert",  "tapas",      "tvp",        "vilt",       "visual_bert"};
  return kModelTypes.count(model_type) != 0;
}

std::vector<std::string> model_input_names_for(const nlohmann::json& config, const std::string& tokenizer_class,
                                               const std::string& model_type, const std::string& source) {
  if (config.contains("model_input_names")) {
    const nlohmann::json& names = config["model_input_names"];
    if (!names.is_array()) throw FileError(source + ": model_input_names must be a list of strings");
    std::vector<std::string> list;
    for (const auto& name : names) {
      if (!name.is_string()) throw FileError(source + ": model_input_names must be a list of strings");
      list.push_back(name.get<std::string>());
    }
    return list;
  }
  const bool types = tokenizer_class.empty() ? model_type_takes_token_type_ids(model_type)
                                             : class_takes_token_type_ids(tokenizer_class);
  if (types) return {"input_ids", "token_type_ids", "attention_mask"};
  return {"input_ids", "attention_mask"};
}

using ChatTemplateList = std::vector<std::pair<std::string, std::shared_ptr<const chat_templates::Template>>>;

std::string read_text_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw FileError(path.string() + ": cannot read");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// transformers' loading of chat templates: chat_template.jinja and additional_chat_templates/*.jinja
// win over tokenizer_config.json's "chat_template" (a string, or a list of {name, template}). Each is
// parsed once, here. Returns whether transformers holds them as a dict of named templates.
bool load_chat_templates(ChatTemplateList& templates, const fs::path& folder, const nlohmann::json& config,
                         const std::string& config_source) {
  auto add = [&](const std::string& name, const std::string& text, const std::string& where) {
    templates.emplace_back(name, std::make_shared<const chat_templates::Template>(text, where));
  };
  std::vector<std::pair<std::string, fs::path>> files;  // none without a folder (a GGUF file)
  if (!folder.empty() && fs::exists(folder / "chat_template.jinja"))
    files.emplace_back("default", folder / "chat_template.jinja");
  if (!folder.empty() && fs::is_directory(folder / "additional_chat_templates")) {
    std::vector<fs::path> extra;
    for (const auto& entry : fs::directory_iterator(folder / "additional_chat_templates"))
      if (entry.is_regular_file() && entry.path().extension() == ".jinja") extra.push_back(entry.path());
    std::sort(extra.begin(), extra.end());
    for (const fs::path& path : extra) files.emplace_back(path.stem().string(), path);
  }
  if (!files.empty()) {
    for (const auto& [name, path] : files) add(name, read_text_file(path), path.string());
    return !(files.size() == 1 && files[0].first == "default");
  }
  if (!config.contains("chat_template") || config["chat_template"].is_null()) return false;
  const nlohmann::json& value = config["chat_template"];
  if (value.is_string()) {
    add("default", value.get<std::string>(), config_source + " chat_template");
    return false;
  }
  if (!value.is_array())
    throw FileError(config_source + ": chat_template must be a string or a list of {name, template}");
  for (const nlohmann::json& entry : value) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() || !entry.contains("template") ||
        !entry["template"].is_string())
      throw FileError(config_source + ": each chat_template entry needs a string \"name\" and \"template\"");
    const std::string name = entry["name"].get<std::string>();
    auto same = std::find_if(templates.begin(), templates.end(), [&](const auto& t) { return t.first == name; });
    if (same != templates.end()) templates.erase(same);  // a dict comprehension keeps the last
    add(name, entry["template"].get<std::string>(), config_source + " chat_template '" + name + "'");
  }
  return true;
}

// The number of code points in the first `bytes` bytes of UTF-8 text (Python's string indices).
size_t code_points_before(const std::string& text, size_t bytes) {
  size_t count = 0;
  for (size_t i = 0; i < bytes && i < text.size(); ++i) count += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  return count;
}

// BatchEncoding.char_to_token: the token whose character span holds `position`.
std::optional<size_t> char_to_token(const tokenizers::Encoding& encoding, size_t position) {
  for (size_t i = 0; i < encoding.size(); ++i) {
    if (encoding.special_tokens_mask[i] && encoding.offsets[i].first == encoding.offsets[i].second) continue;
    if (encoding.offsets[i].first <= position && position < encoding.offsets[i].second) return i;
  }
  return std::nullopt;
}

}  // namespace

PreTrainedTokenizerFast PreTrainedTokenizerFast::from_pretrained(const std::string& path_or_id,
                                                                 const hub::HubOptions& options) {
  if (const std::optional<std::string> gguf = hub::resolve_gguf_file(path_or_id, options)) return from_gguf(*gguf);
  const fs::path folder = hub::resolve_model_path(path_or_id, options);
  const nlohmann::json config = read_json_if_present(folder / "tokenizer_config.json");
  const nlohmann::json special_map = read_json_if_present(folder / "special_tokens_map.json");
  const std::string config_source = (folder / "tokenizer_config.json").string();
  if (!config.is_object()) throw FileError(config_source + ": expected a JSON object");

  const fs::path tokenizer_json = folder / "tokenizer.json";
  const nlohmann::json model_config = read_json_if_present(folder / "config.json");
  const std::string model_type =
      model_config.is_object() && model_config.contains("model_type") && model_config["model_type"].is_string()
          ? model_config["model_type"].get<std::string>()
          : "";
  std::optional<tokenizers::LegacyTokenizer> legacy;
  if (!fs::exists(tokenizer_json)) {
    legacy = tokenizers::legacy_tokenizer(folder, config, special_map, model_type);
    if (!legacy)
      throw FileError(folder.string() +
                      ": no tokenizer files (tokenizer.json, vocab.txt, vocab.json + merges.txt or a "
                      "SentencePiece .model)");
  }
  PreTrainedTokenizerFast t(
      legacy ? tokenizers::Tokenizer::from_document(
                   legacy->document, folder.string() + " (" + legacy->tokenizer_class + " from legacy files)")
             : tokenizers::Tokenizer::from_file(tokenizer_json.string()));
  t.source_ = config_source;
  t.configure(config, special_map, legacy ? &*legacy : nullptr, model_type, folder);
  return t;
}

PreTrainedTokenizerFast PreTrainedTokenizerFast::from_gguf(const std::string& path) {
  const std::shared_ptr<gguf::File> file = gguf::File::open(path);
  const tokenizers::GgufTokenizerFiles files = tokenizers::gguf_tokenizer_files(file->metadata(), path);
  PreTrainedTokenizerFast t(tokenizers::Tokenizer::from_document(files.tokenizer_json, path + " (GGUF vocabulary)"));
  t.source_ = path;
  t.configure(files.tokenizer_config, nlohmann::json::object(), nullptr, "", {});  // its chat_template is in the config
  return t;
}

void PreTrainedTokenizerFast::configure(const nlohmann::json& config, const nlohmann::json& special_map,
                                        const tokenizers::LegacyTokenizer* legacy, const std::string& model_type,
                                        const fs::path& folder) {
  if (config.contains("model_max_length") && config["model_max_length"].is_number()) {
    const double limit = config["model_max_length"].get<double>();
    if (limit > 0 && limit < 1e18) model_max_length_ = static_cast<size_t>(limit);  // int(1e30) means none
  }
  padding_side_ = legacy ? legacy->padding_side : tokenizers::Side::Right;
  if (config.contains("padding_side")) padding_side_ = parse_side(config, "padding_side", source_);
  truncation_side_ = parse_side(config, "truncation_side", source_);
  special_tokens_ = legacy ? legacy->special_tokens : tokenizers::resolve_special_tokens({}, config, special_map);
  if (auto pad = std::find_if(special_tokens_.begin(), special_tokens_.end(),
                              [](const auto& entry) { return entry.first == "pad_token"; });
      pad != special_tokens_.end()) {
    pad_token_ = pad->second;
    pad_token_id_ = tokenizer_.token_to_id(pad->second);
  }
  clean_up_tokenization_spaces_ = tokenizers::config_flag(config, "clean_up_tokenization_spaces", false);
  tokenizer_.set_encode_special_tokens(tokenizers::config_flag(config, "split_special_tokens", false));
  const std::string tokenizer_class = legacy
                                          ? legacy->tokenizer_class
                                          : (config.contains("tokenizer_class") && config["tokenizer_class"].is_string()
                                                 ? config["tokenizer_class"].get<std::string>()
                                                 : "");
  model_input_names_ = model_input_names_for(config, tokenizer_class, model_type, source_);
  returns_token_type_ids_ =
      std::find(model_input_names_.begin(), model_input_names_.end(), "token_type_ids") != model_input_names_.end();
  chat_templates_named_ = load_chat_templates(chat_templates_, folder, config, source_);
}

// get_chat_template, then render_jinja_template with the special tokens transformers passes
// (special_tokens_map: the named roles that are set, in transformers' order).
chat_templates::RenderOutput PreTrainedTokenizerFast::render_chat(const nlohmann::ordered_json& messages,
                                                                  const ChatTemplateOptions& options) const {
  auto named = [&](const std::string& name) -> std::shared_ptr<const chat_templates::Template> {
    for (const auto& [key, parsed] : chat_templates_)
      if (key == name) return parsed;
    return nullptr;
  };
  std::shared_ptr<const chat_templates::Template> chosen;
  if (chat_templates_named_) {
    if (options.chat_template) {
      chosen = named(*options.chat_template);
    } else if (!options.tools.is_null() && named("tool_use")) {
      chosen = named("tool_use");
    } else if (!(chosen = named("default"))) {
      std::string names;
      for (const auto& [key, parsed] : chat_templates_) names += (names.empty() ? "" : ", ") + key;
      throw InvalidArgument(source_ +
                            ": this tokenizer has several chat templates and none is named 'default'; pass "
                            "ChatTemplateOptions::chat_template (one of: " +
                            names + ")");
    }
  } else if (!options.chat_template) {
    if (!(chosen = named("default")))
      throw InvalidArgument(source_ +
                            ": this tokenizer has no chat template (tokenizer_config.json's chat_template or "
                            "chat_template.jinja); pass one in ChatTemplateOptions::chat_template");
  }
  if (!chosen) chosen = std::make_shared<const chat_templates::Template>(*options.chat_template, "chat_template");

  chat_templates::ConversationOptions conversation;
  conversation.add_generation_prompt = options.add_generation_prompt;
  conversation.continue_final_message = options.continue_final_message;
  conversation.tools = options.tools;
  conversation.documents = options.documents;
  conversation.render = options.render;
  static const char* const kRoles[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                       "pad_token", "cls_token", "mask_token"};
  for (const char* role : kRoles)
    for (const auto& [name, text] : special_tokens_)
      if (name == role) conversation.variables[name] = text;
  for (const auto& [key, value] : options.variables.items()) conversation.variables[key] = value;
  return chat_templates::render_conversation(*chosen, messages, conversation);
}

std::string PreTrainedTokenizerFast::apply_chat_template(const nlohmann::ordered_json& messages,
                                                         const ChatTemplateOptions& options) const {
  if (options.return_assistant_tokens_mask)
    throw InvalidArgument("return_assistant_tokens_mask needs the tokens: call tokenize_chat");
  return render_chat(messages, options).text;
}

ChatEncoding PreTrainedTokenizerFast::tokenize_chat(const nlohmann::ordered_json& messages,
                                                    const ChatTemplateOptions& options) const {
  if (options.return_assistant_tokens_mask && options.continue_final_message)
    throw InvalidArgument("ValueError: continue_final_message is not compatible with return_assistant_tokens_mask.");
  chat_templates::RenderOutput rendered = render_chat(messages, options);
  TokenizeOptions tokenize;
  tokenize.add_special_tokens = false;
  BatchEncoding batch = (*this)(std::vector<std::string>{rendered.text}, tokenize);
  const tokenizers::Encoding& encoding = batch.encodings.at(0);
  ChatEncoding out;
  out.input_ids = encoding.ids;
  if (options.return_assistant_tokens_mask) {
    // transformers' loop: from the token of the span's first character to the token of its last.
    out.assistant_masks.assign(encoding.size(), 0);
    for (const auto& [begin, end] : rendered.generation_spans) {
      const auto first = char_to_token(encoding, code_points_before(rendered.text, begin));
      const size_t end_char = code_points_before(rendered.text, end);
      const auto last = end_char > 0 ? char_to_token(encoding, end_char - 1) : std::nullopt;
      if (!first) break;
      const size_t stop = last && *last != 0 ? *last + 1 : encoding.size();
      for (size_t i = *first; i < stop; ++i) out.assistant_masks[i] = 1;
    }
  }
  out.text = std::move(rendered.text);
  return out;
}

std::optional<int64_t> PreTrainedTokenizerFast::special_token_id(const std::string& role) const {
  for (const auto& [name, text] : special_tokens_)
    if (name == role) return tokenizer_.token_to_id(text);
  return std::nullopt;
}

// A copy of the tokenizer with this call's padding and truncation, replacing the file's own
// settings as transformers does on every call (copies share the immutable pipeline).
tokenizers::Tokenizer PreTrainedTokenizerFast::configured(const TokenizeOptions& options) const {
  tokenizers::Tokenizer t = tokenizer_;
  std::optional<size_t> limit = options.max_length ? options.max_length : model_max_length_;
  if (options.truncation && limit) {
    tokenizers::TruncationParams truncation;
    truncation.max_length = *limit;
    truncation.stride = options.stride;
    truncation.direction = truncation_side_;
    t.set_truncation(truncation);
  } else {
    t.set_truncation(std::nullopt);
  }
  if (options.padding == PaddingStrategy::DoNotPad) {
    t.set_padding(std::nullopt);
  } else {
    if (!pad_token_id_) throw InvalidArgument(source_ + ": padding needs a pad token and this tokenizer has none");
    tokenizers::PaddingParams padding;
    if (options.padding == PaddingStrategy::MaxLength) {
      if (!limit)
        throw InvalidArgument("padding to max_length needs max_length (the tokenizer has no model_max_length)");
      padding.fixed_length = *limit;
    }
    padding.direction = padding_side_;
    padding.pad_to_multiple_of = options.pad_to_multiple_of;
    padding.pad_id = *pad_token_id_;
    padding.pad_token = pad_token_;
    t.set_padding(padding);
  }
  return t;
}

namespace {

template <typename Input>
std::vector<tokenizers::Encoding> encode_all(const tokenizers::Tokenizer& t, const std::vector<Input>& inputs,
                                             bool add_special_tokens) {
  return t.encode_batch(inputs, add_special_tokens);
}

std::vector<tokenizers::Encoding> encode_all(const tokenizers::Tokenizer& t,
                                             const std::vector<std::vector<std::string>>& word_lists,
                                             bool add_special_tokens) {
  return t.encode_batch_words(word_lists, add_special_tokens);
}

// transformers' clean_up_tokenization, written for WordPiece output.
std::string clean_up_tokenization(std::string text) {
  static const std::pair<std::string_view, std::string_view> kReplacements[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kReplacements) {
    std::string out;
    size_t start = 0;
    for (size_t at; (at = text.find(from, start)) != std::string::npos; start = at + from.size())
      out.append(text, start, at - start).append(to);
    text = out.append(text, start, std::string::npos);
  }
  return text;
}

Tensor stack(const std::vector<tokenizers::Encoding>& encodings, std::vector<int64_t> tokenizers::Encoding::*field) {
  const int64_t rows = static_cast<int64_t>(encodings.size()), cols = static_cast<int64_t>(encodings[0].size());
  std::vector<int64_t> values;
  values.reserve(static_cast<size_t>(rows * cols));
  for (const tokenizers::Encoding& e : encodings) values.insert(values.end(), (e.*field).begin(), (e.*field).end());
  return Tensor::from_vector(values, {rows, cols});
}

}  // namespace

template <typename Input>
BatchEncoding PreTrainedTokenizerFast::call(const std::vector<Input>& inputs, const TokenizeOptions& options) const {
  return batch_of(encode_all(configured(options), inputs, options.add_special_tokens));
}

BatchEncoding PreTrainedTokenizerFast::batch_of(std::vector<tokenizers::Encoding> encodings) const {
  BatchEncoding batch;
  batch.encodings = std::move(encodings);
  if (batch.encodings.empty()) return batch;
  const size_t length = batch.encodings[0].size();
  for (const tokenizers::Encoding& e : batch.encodings)
    if (e.size() != length) return batch;  // ragged: no tensors, as transformers without padding
  batch.input_ids = stack(batch.encodings, &tokenizers::Encoding::ids);
  batch.attention_mask = stack(batch.encodings, &tokenizers::Encoding::attention_mask);
  if (returns_token_type_ids_) batch.token_type_ids = stack(batch.encodings, &tokenizers::Encoding::type_ids);
  return batch;
}

BatchEncoding PreTrainedTokenizerFast::operator()(const std::vector<std::string>& texts,
                                                  const TokenizeOptions& options) const {
  return call(texts, options);
}

BatchEncoding PreTrainedTokenizerFast::operator()(const std::vector<std::string>& texts,
                                                  const std::vector<std::string>& text_pairs,
                                                  const TokenizeOptions& options) const {
  if (texts.size() != text_pairs.size())
    throw InvalidArgument("tokenizer: " + std::to_string(texts.size()) + " texts but " +
                          std::to_string(text_pairs.size()) + " text pairs");
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < texts.size(); ++i) pairs.emplace_back(texts[i], text_pairs[i]);
  return call(pairs, options);
}

BatchEncoding PreTrainedTokenizerFast::encode_each(const std::vector<TextInput>& inputs,
                                                   const TokenizeOptions& options) const {
  std::vector<std::pair<std::string, std::optional<std::string>>> items;
  items.reserve(inputs.size());
  for (const TextInput& input : inputs) {
    // tokenizer(text, text_pair="") in transformers: a falsy pair is no pair.
    const bool has_pair = input.text_pair && !input.text_pair->empty();
    items.emplace_back(input.text, has_pair ? input.text_pair : std::nullopt);
  }
  return call(items, options);
}

BatchEncoding PreTrainedTokenizerFast::encode_words(const std::vector<std::vector<std::string>>& word_lists,
                                                    const TokenizeOptions& options) const {
  return call(word_lists, options);
}

std::vector<int64_t> PreTrainedTokenizerFast::encode(const std::string& text, bool add_special_tokens) const {
  TokenizeOptions options;
  options.add_special_tokens = add_special_tokens;
  return encode_each({{text, std::nullopt}}, options).encodings.at(0).ids;
}

std::string PreTrainedTokenizerFast::decode(const std::vector<int64_t>& ids, bool skip_special_tokens,
                                            std::optional<bool> clean_up_tokenization_spaces) const {
  std::string text = tokenizer_.decode(ids, skip_special_tokens);
  const bool clean_up = clean_up_tokenization_spaces.value_or(clean_up_tokenization_spaces_);
  return clean_up && tokenizer_.model_type() != "BPE" ? clean_up_tokenization(std::move(text)) : text;
}

std::vector<std::string> PreTrainedTokenizerFast::batch_decode(const std::vector<std::vector<int64_t>>& batch,
                                                               bool skip_special_tokens,
                                                               std::optional<bool> clean_up_tokenization_spaces) const {
  std::vector<std::string> texts;
  texts.reserve(batch.size());
  for (const auto& ids : batch) texts.push_back(decode(ids, skip_special_tokens, clean_up_tokenization_spaces));
  return texts;
}

size_t PreTrainedTokenizerFast::add_tokens(const std::vector<std::string>& tokens, bool special_tokens) {
  std::vector<tokenizers::AddedToken> entries;
  for (const std::string& content : tokens) {
    tokenizers::AddedToken entry;
    entry.content = content;
    entry.special = special_tokens;
    entry.normalized = !special_tokens;
    entries.push_back(std::move(entry));
  }
  const size_t added = tokenizer_.add_tokens(entries);
  if (!pad_token_id_ && !pad_token_.empty()) pad_token_id_ = tokenizer_.token_to_id(pad_token_);
  return added;
}

}  // namespace transformers
