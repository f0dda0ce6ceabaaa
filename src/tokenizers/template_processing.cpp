#include "template_processing.hpp"

#include <algorithm>

#include "encoding_ops.hpp"

namespace transformers::tokenizers::detail {

TemplateProcessing::TemplateProcessing(std::vector<TemplatePiece> single, std::vector<TemplatePiece> pair,
                                       std::map<std::string, SpecialTokenIds> special_tokens, const std::string& where)
    : single_(std::move(single)), pair_(std::move(pair)), special_tokens_(std::move(special_tokens)) {
  for (const auto* pieces : {&single_, &pair_})
    for (const TemplatePiece& piece : *pieces)
      if (!piece.is_sequence && !special_tokens_.count(piece.special_name))
        throw_config_error(where, "the template uses special token '" + piece.special_name +
                                      "' that 'special_tokens' does not define");
}

size_t TemplateProcessing::added_tokens(bool is_pair) const {
  size_t count = 0;
  for (const TemplatePiece& piece : is_pair ? pair_ : single_)
    if (!piece.is_sequence) count += special_tokens_.at(piece.special_name).ids.size();
  return count;
}

Encoding TemplateProcessing::special_encoding(const TemplatePiece& piece) const {
  const SpecialTokenIds& special = special_tokens_.at(piece.special_name);
  const size_t n = special.ids.size();
  Encoding encoding;
  encoding.ids = special.ids;
  encoding.tokens = special.tokens;
  encoding.type_ids.assign(n, piece.type_id);
  encoding.offsets.assign(n, CharOffsets{0, 0});
  encoding.special_tokens_mask.assign(n, 1);
  encoding.attention_mask.assign(n, 1);
  encoding.word_ids.assign(n, std::nullopt);
  encoding.sequence_ids.assign(n, std::nullopt);
  return encoding;
}

std::vector<Encoding> TemplateProcessing::process_encodings(std::vector<Encoding> encodings,
                                                            bool add_special_tokens) const {
  const bool is_pair = encodings.size() > 1;
  const std::vector<TemplatePiece>& pieces = is_pair ? pair_ : single_;
  std::vector<Encoding> parts;
  parts.reserve(pieces.size());
  for (size_t index = 0; index < pieces.size(); ++index) {
    const TemplatePiece& piece = pieces[index];
    if (piece.is_sequence) {
      // Only the kept window takes the template's type id; overflowing windows keep theirs, as in HF.
      if (piece.is_second && !is_pair) continue;
      // The sequence's last use in the template takes it without a copy.
      const bool used_later = std::any_of(
          pieces.begin() + static_cast<std::ptrdiff_t>(index) + 1, pieces.end(),
          [&](const TemplatePiece& later) { return later.is_sequence && later.is_second == piece.is_second; });
      Encoding& source = encodings[piece.is_second ? 1 : 0];
      Encoding part = used_later ? source : std::move(source);
      part.type_ids.assign(part.ids.size(), piece.type_id);
      parts.push_back(std::move(part));
    } else if (add_special_tokens) {
      parts.push_back(special_encoding(piece));
    }
  }
  return parts;
}

namespace {

// A piece in its JSON object form or the string shorthand ("$A", "$B:1", "[SEP]:1").
TemplatePiece parse_piece(const json& entry, const std::string& where) {
  TemplatePiece piece;
  if (entry.is_string()) {
    std::string text = entry.get<std::string>();
    if (const size_t colon = text.rfind(':'); colon != std::string::npos && colon + 1 < text.size()) {
      try {
        piece.type_id = std::stoll(text.substr(colon + 1));
        text.resize(colon);
      } catch (const std::exception&) {
      }
    }
    if (!text.empty() && text[0] == '$') {
      piece.is_sequence = true;
      const std::string name = text.substr(1);
      piece.is_second = name == "B" || name == "1";
      if (name != "A" && name != "B" && name != "0" && name != "1" && !name.empty())
        throw_config_error(where, "unknown sequence '" + text + "' in template");
    } else {
      piece.special_name = text;
    }
    return piece;
  }
  if (entry.contains("Sequence")) {
    const json& sequence = entry["Sequence"];
    piece.is_sequence = true;
    const std::string id = required_string_field(sequence, "id", where + " Sequence");
    if (id != "A" && id != "B") throw_config_error(where, "Sequence id must be \"A\" or \"B\", found \"" + id + "\"");
    piece.is_second = id == "B";
    piece.type_id = int_field(sequence, "type_id", 0, where + " Sequence");
    return piece;
  }
  if (entry.contains("SpecialToken")) {
    const json& special = entry["SpecialToken"];
    piece.special_name = required_string_field(special, "id", where + " SpecialToken");
    piece.type_id = int_field(special, "type_id", 0, where + " SpecialToken");
    return piece;
  }
  throw_config_error(where, "a template piece must be a Sequence or a SpecialToken, found " + entry.dump());
}

std::vector<TemplatePiece> parse_template(const json& config, const char* key, const std::string& fallback,
                                          const std::string& where) {
  json pieces = config.contains(key) && !config[key].is_null() ? config[key] : json(fallback);
  if (pieces.is_string()) {
    // "$A:0 $B:1" is a space-separated list of pieces.
    json list = json::array();
    std::string text = pieces.get<std::string>();
    for (size_t start = 0; start < text.size();) {
      const size_t end = std::min(text.find(' ', start), text.size());
      if (end > start) list.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    pieces = list;
  }
  if (!pieces.is_array()) throw_config_error(where, std::string("field '") + key + "' must be a list of pieces");
  std::vector<TemplatePiece> result;
  for (const json& entry : pieces) result.push_back(parse_piece(entry, where + " field '" + key + "'"));
  return result;
}

}  // namespace

std::unique_ptr<PostProcessor> make_template_processing(const json& config, const std::string& where) {
  std::map<std::string, SpecialTokenIds> special_tokens;
  if (config.contains("special_tokens") && !config["special_tokens"].is_null()) {
    const json& specials = config["special_tokens"];
    if (!specials.is_object()) throw_config_error(where, "field 'special_tokens' must be an object");
    for (const auto& [name, value] : specials.items()) {
      const std::string field_where = where + " special_tokens['" + name + "']";
      SpecialTokenIds special;
      const json& ids = required_field(value, "ids", field_where);
      const json& tokens = required_field(value, "tokens", field_where);
      if (!ids.is_array() || !tokens.is_array() || ids.size() != tokens.size())
        throw_config_error(field_where, "'ids' and 'tokens' must be lists of the same length");
      for (const json& id : ids) {
        if (!id.is_number_integer()) throw_config_error(field_where, "'ids' must hold integers");
        special.ids.push_back(id.get<int64_t>());
      }
      for (const json& token : tokens) {
        if (!token.is_string()) throw_config_error(field_where, "'tokens' must hold strings");
        special.tokens.push_back(token.get<std::string>());
      }
      special_tokens.emplace(name, std::move(special));
    }
  }
  return std::make_unique<TemplateProcessing>(parse_template(config, "single", "$0", where),
                                              parse_template(config, "pair", "$A:0 $B:1", where),
                                              std::move(special_tokens), where);
}

}  // namespace transformers::tokenizers::detail
