// transformers-cli: the command-line face of the library (tokenize, pipeline, generate, Hub downloads
// and the cache). `transformers-cli COMMAND --help` lists one command's options.
#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <transformers/core/error.hpp>

#include "command_line.hpp"
#include "commands.hpp"

namespace transformers::cli {
namespace {

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      tokenize_command(),   pipeline_command(),   generate_command(),     chat_command(),
      perplexity_command(), serve_command(), chat_template_command(), download_command(), scan_cache_command(),
      delete_cache_command(), info_command()};
  return list;
}

void print_command_list(std::ostream& out) {
  out << "usage: transformers-cli COMMAND [ARGS...]\n\ncommands:\n";
  size_t width = 0;
  for (const Command& command : commands()) width = std::max(width, command.name.size());
  for (const Command& command : commands())
    out << "  " << command.name << std::string(width - command.name.size() + 2, ' ') << command.summary << "\n";
  out << "\n`transformers-cli COMMAND --help` lists a command's options.\n";
}

bool asks_for_help(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_command_list(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  for (const Command& command : commands()) {
    if (args[0] != command.name) continue;
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (asks_for_help(rest)) {
      print_help(std::cout, command);
      return 0;
    }
    try {
      return command.run(CommandLine(rest, command.options));
    } catch (const UsageError& e) {
      std::cerr << "transformers-cli " << command.name << ": " << e.what() << "\n";
      print_usage(std::cerr, command);
      std::cerr << "(`transformers-cli " << command.name << " --help` lists the options)\n";
      return 2;
    }
  }
  std::cerr << "transformers-cli: unknown command '" << args[0] << "'\n";
  print_command_list(std::cerr);
  return 2;
}

}  // namespace
}  // namespace transformers::cli

int main(int argc, char** argv) {
  try {
    return transformers::cli::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
