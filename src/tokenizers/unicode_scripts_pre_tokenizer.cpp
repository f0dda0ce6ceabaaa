// UnicodeScripts: split where the Unicode script changes (spaces belong to every script, and
// Hiragana, Katakana and Hangul count as Han, as in HF). Scripts come from Oniguruma's tables.
#include <iterator>

#include "pre_tokenizer.hpp"
#include "regex.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

constexpr const char* kScriptNames[] = {"Adlam",
                                        "Ahom",
                                        "Anatolian_Hieroglyphs",
                                        "Arabic",
                                        "Armenian",
                                        "Avestan",
                                        "Balinese",
                                        "Bamum",
                                        "Bassa_Vah",
                                        "Batak",
                                        "Bengali",
                                        "Bhaiksuki",
                                        "Bopomofo",
                                        "Brahmi",
                                        "Braille",
                                        "Buginese",
                                        "Buhid",
                                        "Canadian_Aboriginal",
                                        "Carian",
                                        "Caucasian_Albanian",
                                        "Chakma",
                                        "Cham",
                                        "Cherokee",
                                        "Chorasmian",
                                        "Common",
                                        "Coptic",
                                        "Cuneiform",
                                        "Cypriot",
                                        "Cypro_Minoan",
                                        "Cyrillic",
                                        "Deseret",
                                        "Devanagari",
                                        "Dives_Akuru",
                                        "Dogra",
                                        "Duployan",
                                        "Egyptian_Hieroglyphs",
                                        "Elbasan",
                                        "Elymaic",
                                        "Ethiopic",
                                        "Georgian",
                                        "Glagolitic",
                                        "Gothic",
                                        "Grantha",
                                        "Greek",
                                        "Gujarati",
                                        "Gunjala_Gondi",
                                        "Gurmukhi",
                                        "Han",
                                        "Hangul",
                                        "Hanifi_Rohingya",
                                        "Hanunoo",
                                        "Hatran",
                                        "Hebrew",
                                        "Hiragana",
                                        "Imperial_Aramaic",
                                        "Inherited",
                                        "Inscriptional_Pahlavi",
                                        "Inscriptional_Parthian",
                                        "Javanese",
                                        "Kaithi",
                                        "Kannada",
                                        "Katakana",
                                        "Kawi",
                                        "Kayah_Li",
                                        "Kharoshthi",
                                        "Khitan_Small_Script",
                                        "Khmer",
                                        "Khojki",
                                        "Khudawadi",
                                        "Lao",
                                        "Latin",
                                        "Lepcha",
                                        "Limbu",
                                        "Linear_A",
                                        "Linear_B",
                                        "Lisu",
                                        "Lycian",
                                        "Lydian",
                                        "Mahajani",
                                        "Makasar",
                                        "Malayalam",
                                        "Mandaic",
                                        "Manichaean",
                                        "Marchen",
                                        "Masaram_Gondi",
                                        "Medefaidrin",
                                        "Meetei_Mayek",
                                        "Mende_Kikakui",
                                        "Meroitic_Cursive",
                                        "Meroitic_Hieroglyphs",
                                        "Miao",
                                        "Modi",
                                        "Mongolian",
                                        "Mro",
                                        "Multani",
                                        "Myanmar",
                                        "Nabataean",
                                        "Nag_Mundari",
                                        "Nandinagari",
                                        "New_Tai_Lue",
                                        "Newa",
                                        "Nko",
                                        "Nushu",
                                        "Nyiakeng_Puachue_Hmong",
                                        "Ogham",
                                        "Ol_Chiki",
                                        "Old_Hungarian",
                                        "Old_Italic",
                                        "Old_North_Arabian",
                                        "Old_Permic",
                                        "Old_Persian",
                                        "Old_Sogdian",
                                        "Old_South_Arabian",
                                        "Old_Turkic",
                                        "Old_Uyghur",
                                        "Oriya",
                                        "Osage",
                                        "Osmanya",
                                        "Pahawh_Hmong",
                                        "Palmyrene",
                                        "Pau_Cin_Hau",
                                        "Phags_Pa",
                                        "Phoenician",
                                        "Psalter_Pahlavi",
                                        "Rejang",
                                        "Runic",
                                        "Samaritan",
                                        "Saurashtra",
                                        "Sharada",
                                        "Shavian",
                                        "Siddham",
                                        "SignWriting",
                                        "Sinhala",
                                        "Sogdian",
                                        "Sora_Sompeng",
                                        "Soyombo",
                                        "Sundanese",
                                        "Syloti_Nagri",
                                        "Syriac",
                                        "Tagalog",
                                        "Tagbanwa",
                                        "Tai_Le",
                                        "Tai_Tham",
                                        "Tai_Viet",
                                        "Takri",
                                        "Tamil",
                                        "Tangsa",
                                        "Tangut",
                                        "Telugu",
                                        "Thaana",
                                        "Thai",
                                        "Tibetan",
                                        "Tifinagh",
                                        "Tirhuta",
                                        "Toto",
                                        "Ugaritic",
                                        "Vai",
                                        "Vithkuqi",
                                        "Wancho",
                                        "Warang_Citi",
                                        "Yezidi",
                                        "Yi",
                                        "Zanabazar_Square"};

// Each script this Oniguruma knows, as a one-char regex.
class ScriptTable {
 public:
  ScriptTable() {
    for (int index = 0; index < static_cast<int>(std::size(kScriptNames)); ++index) {
      const std::string name = kScriptNames[index];
      try {
        scripts_.push_back({std::make_unique<Regex>("\\A\\p{" + name + "}", "UnicodeScripts"), index});
      } catch (const std::exception&) {
        // A script newer than this Oniguruma: its chars count as "any script".
      }
      if (name == "Han") han_ = index;
    }
  }

  // -1 stands for "any script" (joins its neighbours).
  int script_of(char32_t c) const {
    if (c == U' ') return -1;
    if (c == 0x30FC) return han_;
    std::string text;
    append_utf8(text, c);
    for (const auto& script : scripts_) {
      if (script.regex->find_all(text).empty()) continue;
      const std::string_view name = kScriptNames[script.index];
      return name == "Hiragana" || name == "Katakana" || name == "Hangul" ? han_ : script.index;
    }
    return -1;
  }

 private:
  struct Script {
    std::unique_ptr<Regex> regex;
    int index;
  };
  std::vector<Script> scripts_;
  int han_ = -1;
};

const ScriptTable& script_table() {
  static const ScriptTable table;
  return table;
}

class UnicodeScriptsPreTokenizer final : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& text) const override {
    text.split_normalized([](size_t, NormalizedString&& piece) {
      const std::string& chars = piece.get();
      std::vector<size_t> cuts;
      int last_script = -2;  // nothing seen yet
      for (size_t at = 0, length = 0; at < chars.size(); at += length) {
        const int script = script_table().script_of(decode_utf8(chars, at, length));
        if (script != -1 && last_script != -1 && last_script != script) cuts.push_back(at);
        if (script != -1) last_script = script;
      }
      cuts.push_back(chars.size());
      std::vector<NormalizedString> pieces;
      for (size_t i = 0; i + 1 < cuts.size(); ++i) pieces.push_back(piece.slice(cuts[i], cuts[i + 1]));
      return pieces;
    });
  }
};

}  // namespace

std::unique_ptr<PreTokenizer> make_unicode_scripts_pre_tokenizer(const json&, const std::string&) {
  return std::make_unique<UnicodeScriptsPreTokenizer>();
}

}  // namespace transformers::tokenizers::detail
