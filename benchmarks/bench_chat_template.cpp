// bench_chat_template: the time to render one conversation through a chat template, parsed once
// and rendered many times (what apply_chat_template does per prompt). bench_chat_template.py runs
// it next to Python's jinja2 in transformers' environment and checks that both texts are equal.
//
//   bench_chat_template TEMPLATE.jinja CONVERSATION.json [--repeat N] [--output PATH]
//
// CONVERSATION.json: {"messages": [...], "tools": [...] (optional), "variables": {...} (optional)}.
// Prints one JSON line: the parse time, the median and best render time over N renders (default
// 2000) in microseconds, and the rendered size; --output writes the rendered text.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <transformers/chat_templates/render_conversation.hpp>

namespace {

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

double microseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace transformers::chat_templates;
  if (argc < 3) {
    std::cerr << "usage: bench_chat_template TEMPLATE.jinja CONVERSATION.json [--repeat N] [--output PATH]\n";
    return 2;
  }
  size_t repeat = 2000;
  std::string output_path;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--repeat") repeat = std::stoul(argv[i + 1]);
    else if (option == "--output") output_path = argv[i + 1];
  }
  const std::string source = read_file(argv[1]);
  const auto input = nlohmann::ordered_json::parse(read_file(argv[2]));

  auto parse_start = std::chrono::steady_clock::now();
  const Template chat_template(source, argv[1]);
  const double parse_us = microseconds_since(parse_start);

  ConversationOptions options;
  options.add_generation_prompt = true;
  if (input.contains("tools")) options.tools = input["tools"];
  if (input.contains("variables")) options.variables = input["variables"];
  std::string text;
  std::vector<double> times;
  times.reserve(repeat);
  for (size_t i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    text = render_conversation(chat_template, input["messages"], options).text;
    times.push_back(microseconds_since(start));
  }
  std::sort(times.begin(), times.end());
  if (!output_path.empty()) std::ofstream(output_path, std::ios::binary) << text;
  std::cout << nlohmann::json{{"parse_us", parse_us},
                              {"render_median_us", times[times.size() / 2]},
                              {"render_best_us", times.front()},
                              {"renders", repeat},
                              {"bytes", text.size()}}
                   .dump()
            << "\n";
  return 0;
}
