#pragma once
// The commands of transformers-cli, one file each (the Hub's four share hub_commands.cpp); main.cpp
// lists them. Each function returns the command's table: name, arguments, options and entry point.
#include "command_line.hpp"

namespace transformers::cli {

Command tokenize_command();
Command pipeline_command();
Command generate_command();
Command chat_template_command();
Command chat_command();
Command perplexity_command();
Command serve_command();
// hub_commands.cpp
Command download_command();
Command scan_cache_command();
Command delete_cache_command();
Command info_command();

}  // namespace transformers::cli
