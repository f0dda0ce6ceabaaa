// The main job: rank sentences by meaning against a query with a real sentence-embedding model
// (sentence-transformers/all-MiniLM-L6-v2 from the Hugging Face cache, offline), the way
// sentence-transformers' encode() + cosine similarity does it.
//
//   semantic_search [--model ID_OR_FOLDER] QUERY [SENTENCE ...]
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include <transformers/transformers.hpp>

int main(int argc, char** argv) {
  using namespace transformers;
  std::string model = "sentence-transformers/all-MiniLM-L6-v2";
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2 && args[0] == "--model") {
    model = args[1];
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.empty()) {
    std::cerr << "usage: " << argv[0] << " [--model ID_OR_FOLDER] QUERY [SENTENCE ...]\n";
    return 2;
  }
  std::vector<std::string> corpus(args.begin() + 1, args.end());
  if (corpus.empty())
    corpus = {"A man is eating food.",        "A man is riding a horse.",
              "The new movie is awesome.",    "I love this library!",
              "The cat sits outside.",        "Two people are playing guitar.",
              "A woman is slicing an onion.", "This product broke after one day."};
  try {
    SentenceTransformer encoder = SentenceTransformer::from_pretrained(model);
    std::vector<std::string> texts{args[0]};
    texts.insert(texts.end(), corpus.begin(), corpus.end());
    std::vector<float> embeddings = encoder.encode(texts).to_vector<float>();
    const size_t dim = embeddings.size() / texts.size();
    // The embeddings are L2-normalized, so cosine similarity is the dot product.
    std::vector<double> scores(corpus.size());
    for (size_t i = 0; i < corpus.size(); ++i)
      scores[i] = std::inner_product(embeddings.begin(), embeddings.begin() + static_cast<long>(dim),
                                     embeddings.begin() + static_cast<long>((i + 1) * dim), 0.0);
    std::vector<size_t> order(corpus.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    std::cout << "query: " << args[0] << "\n";
    for (size_t i : order) std::cout << std::fixed << std::setprecision(4) << scores[i] << "  " << corpus[i] << "\n";
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
