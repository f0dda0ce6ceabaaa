// llama.cpp's pre-tokenizer names (llama-vocab.cpp, llm_tokenizer_bpe) as regex lists. The patterns
// are llama.cpp's, in Oniguruma syntax: where llama.cpp rewrote a tokenizer.json pattern for
// std::regex (case-insensitive contractions spelt out, \p{Lu}/\p{Ll} emulated with look-aheads that
// treat every non-ASCII letter as both cases), we keep its rewrite, since its output is the reference.
#include "gguf_pre_tokenizers.hpp"

#include <map>

namespace transformers::tokenizers {

namespace {

// 's 't 're 've 'm 'll 'd in either case, as llama.cpp spells out transformers' (?i:...).
const std::string kContractions = R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]))";
const std::string kGpt2 = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
const std::string kLlama3 =
    kContractions + R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kQwen2 =
    kContractions + R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kQwen35 =
    kContractions +
    R"(|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kJais2 =
    kContractions +
    R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s{512}(?!\S)|\s{256}(?!\S)|\s{128}(?!\S)|\s{64}(?!\S)|\s{32}(?!\S)|\s{16}(?!\S)|\s{8}(?!\S)|\s{4}(?!\S)|\s{1,2}(?!\S)|\s{1})";
const std::string kSeedCoder =
    kContractions + R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kBailingMoe =
    R"('(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";
const std::string kUfakzeka = R"([^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kExaoneMoe =
    kContractions +
    R"(|[^\r\n\p{L}\p{N}]?(?:\p{L}\p{M}*(?: \p{L}\p{M}*)*)+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]?|\s*[\r\n]|\s+(?!\S)|\s+)";
const std::string kMiniCpm5 =
    kContractions + R"(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Upper-then-lower and lower-only letter runs, in llama.cpp's look-ahead form.
const std::string kCasedWords =
    R"([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+)";
const std::string kUpperWords =
    R"([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*)";
const std::string kTekken =
    kCasedWords + "|" + kUpperWords + R"(|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kGpt4o = kCasedWords + kContractions + "?|" + kUpperWords + kContractions +
                           R"(?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kDeepseek3 =
    R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const std::string kPoro = R"( ?[^(\s|.,!?…。，、।۔،)]+)";
// DeepSeek LLM's letters: Latin, Greek, Cyrillic, Armenian, Georgian, Cherokee and other cased scripts.
const std::string kDeepseekLetters = "A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃";

GgufPreTokenizer split(std::vector<std::string> patterns) {
  GgufPreTokenizer pre;
  pre.patterns = std::move(patterns);
  return pre;
}

GgufPreTokenizer ignoring_merges(GgufPreTokenizer pre) {
  pre.ignore_merges = true;
  return pre;
}

GgufPreTokenizer adding_bos(GgufPreTokenizer pre) {
  pre.add_bos = true;
  return pre;
}

GgufPreTokenizer without_bos(GgufPreTokenizer pre) {
  pre.bos_token_is_none = true;
  return pre;
}

std::map<std::string, GgufPreTokenizer> make_table() {
  const GgufPreTokenizer gpt2 = split({kGpt2});
  const GgufPreTokenizer llama3 = split({kLlama3});
  const GgufPreTokenizer qwen2 = split({kQwen2});
  const GgufPreTokenizer starcoder = split({R"(\p{N})", kGpt2});
  const GgufPreTokenizer deepseek3 = split({R"(\p{N}{1,3})", "[一-龥぀-ゟ゠-ヿ]+", kDeepseek3});
  return {
      {"default", split({R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", "[0-9][0-9][0-9]"})},
      // llama3 family: Llama 3's split, whole-word vocabulary hits skip the merges, BOS by default
      {"llama3", adding_bos(ignoring_merges(llama3))},
      {"llama-v3", adding_bos(ignoring_merges(llama3))},
      {"llama-bpe", adding_bos(ignoring_merges(llama3))},
      {"falcon3", adding_bos(ignoring_merges(llama3))},
      {"falcon-h1", adding_bos(ignoring_merges(llama3))},
      {"pixtral", adding_bos(ignoring_merges(llama3))},
      {"midm-2.0", adding_bos(ignoring_merges(llama3))},
      {"lfm2", adding_bos(ignoring_merges(llama3))},
      {"jina-v5-nano", adding_bos(ignoring_merges(llama3))},
      {"dbrx", llama3},
      {"smaug-bpe", llama3},
      {"chatglm-bpe", without_bos(llama3)},
      {"glm4", without_bos(ignoring_merges(llama3))},
      {"glm5", without_bos(ignoring_merges(llama3))},
      {"jais-2", split({kJais2})},
      {"deepseek-llm",
       split({R"([\r\n])", R"(\s?[)" + kDeepseekLetters + "]+", R"(\s?[!-/:-~！-／：-～‘-‟　-。]+)", R"(\s+\z)",
              "[一-龥ࠀ-一가-퟿]+", R"(\p{N}+)"})},
      {"deepseek-coder", split({R"([\r\n])", R"(\s?\p{L}+)", R"(\s?\p{P}+)", "[一-龥ࠀ-一가-퟿]+", R"(\p{N})"})},
      {"deepseek-v3", deepseek3},
      {"hunyuan-dense", deepseek3},
      {"joyai-llm", deepseek3},
      {"hy_v4", deepseek3},
      {"falcon", split({R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2, "[0-9][0-9][0-9]"})},
      // GPT-2's own split
      {"gpt-2", gpt2},
      {"phi-2", gpt2},
      {"mpt", gpt2},
      {"olmo", gpt2},
      {"jais", gpt2},
      {"trillion", gpt2},
      {"granite-docling", gpt2},
      {"exaone4", gpt2},
      {"jina-es", gpt2},
      {"jina-de", gpt2},
      {"jina-v2-es", gpt2},
      {"jina-v2-de", gpt2},
      {"jina-v1-en", gpt2},
      {"jina-v2-code", gpt2},
      {"roberta-bpe", gpt2},
      {"gigachat", gpt2},
      {"a.x-4.0", gpt2},
      {"mellum", gpt2},
      {"modern-bert", gpt2},
      // GPT-2's split after every digit is made a piece of its own
      {"starcoder", starcoder},
      {"refact", starcoder},
      {"command-r", starcoder},
      {"smollm", starcoder},
      {"codeshell", starcoder},
      {"exaone", starcoder},
      {"minerva-7b", starcoder},
      {"mellum2", starcoder},
      // Qwen 2's split: one digit per piece
      {"qwen2", qwen2},
      {"deepseek-r1-qwen", qwen2},
      {"kormo", qwen2},
      {"f2llmv2", qwen2},
      {"stablelm2", qwen2},
      {"megrez", qwen2},
      {"hunyuan", qwen2},
      {"solar-open", qwen2},
      {"grok-2", qwen2},
      {"qwen35", split({kQwen35})},
      {"ufakzeka", split({kUfakzeka})},
      {"laguna", split({R"([^\n]+|[\n]+)", kQwen2})},
      {"seed-coder", split({kSeedCoder})},
      {"bailingmoe", split({kBailingMoe})},
      {"bailingmoe2", split({kBailingMoe})},
      {"llada-moe", split({kBailingMoe})},
      {"exaone-moe", split({kExaoneMoe})},
      {"minicpm5", ignoring_merges(split({R"(\p{N}{1,3})", kMiniCpm5}))},
      {"poro-chat", split({kPoro})},
      {"bloom", split({kPoro})},
      {"gpt3-finnish", split({kPoro})},
      {"viking", split({kPoro, R"(\p{N})"})},
      {"tekken", adding_bos(ignoring_merges(split({kTekken})))},
      {"gpt-4o", split({kGpt4o})},
      {"llama4", split({kGpt4o})},
      {"kanana2", split({kGpt4o})},
      {"talkie", split({kGpt4o})},
      {"minimax-m2", split({kGpt4o})},
      {"chameleon", adding_bos(split({"<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\\t\\n]|    |  )",
                                      R"(\p{N})", R"([\p{P}!-/:-@\[-`{-~])", kGpt2}))},
  };
}

const std::map<std::string, GgufPreTokenizer>& table() {
  static const std::map<std::string, GgufPreTokenizer> names = make_table();
  return names;
}

}  // namespace

std::optional<GgufPreTokenizer> gguf_pre_tokenizer(const std::string& name) {
  const auto& names = table();
  const auto found = names.find(name.empty() ? "default" : name);
  if (found == names.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> known_gguf_pre_tokenizers() {
  std::vector<std::string> list;
  for (const auto& [name, pre] : table()) list.push_back(name);
  return list;
}

}  // namespace transformers::tokenizers
