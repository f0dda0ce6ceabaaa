// transformers-cli: the command-line face of the library (tokenize, pipeline, Hub downloads and the
// cache). `transformers-cli COMMAND --help` prints one command's usage.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <transformers/core/error.hpp>

#include "command_line.hpp"
#include "commands.hpp"

namespace transformers::cli {
namespace {

const Command kCommands[] = {
    {"tokenize", "--model PATH_OR_ID [--pair] [--json] [--decode] [--no-special-tokens]",
     "encode texts read from stdin (one per line, or JSON lines) and print encodings as JSON lines",
     tokenize_command},
    {"pipeline", "TASK --model PATH_OR_ID [INPUT...] [--top-k N] [--batch-size N] [--aggregation-strategy S] "
     "[--candidate-labels a,b] [--multi-label] [--question Q] [--targets a,b] [--device cpu|cuda:N] [--kwargs JSON] ...",
     "run pipeline(TASK) on the arguments or on stdin lines (text or JSON) and print one JSON result per input",
     pipeline_command},
    {"download", "MODEL [--revision R] [--include GLOB]... [--cache-dir D] [--token T] [--quiet] [--repo-type T]",
     "download a Hub repo's files (all, or those matching --include) into the cache and print the snapshot folder",
     download_command},
    {"scan-cache", "[--cache-dir D]", "list the repos and revisions in the Hugging Face cache with their sizes",
     scan_cache_command},
    {"delete-cache", "MODEL [--revision R] [--cache-dir D] [--repo-type T]",
     "delete a cached repo (every revision, or only R) and the blobs no other revision uses", delete_cache_command},
    {"info", "MODEL [--revision R] [--cache-dir D] [--token T] [--quiet]",
     "show a model's card (license, tags, ...), config summary, parameter count and files", info_command},
};

void print_command_list(std::ostream& out) {
  out << "usage: transformers-cli COMMAND [ARGS...]\n\ncommands:\n";
  for (const Command& command : kCommands) out << "  " << command.name << "\t" << command.summary << "\n";
  out << "\n`transformers-cli COMMAND --help` shows a command's arguments.\n";
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_command_list(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  for (const Command& command : kCommands) {
    if (args[0] != command.name) continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (!rest.empty() && (rest[0] == "--help" || rest[0] == "-h")) {
      std::cout << "usage: transformers-cli " << command.name << " " << command.usage << "\n" << command.summary << "\n";
      return 0;
    }
    try {
      return command.run(rest);
    } catch (const UsageError& e) {
      std::cerr << "transformers-cli " << command.name << ": " << e.what() << "\nusage: transformers-cli "
                << command.name << " " << command.usage << "\n";
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
