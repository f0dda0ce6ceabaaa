#pragma once
// The commands of transformers-cli, one file each; main.cpp lists them.
#include <span>
#include <string>

namespace transformers::cli {

int tokenize_command(std::span<const std::string> args);
int pipeline_command(std::span<const std::string> args);
// hub_commands.cpp
int download_command(std::span<const std::string> args);
int scan_cache_command(std::span<const std::string> args);
int delete_cache_command(std::span<const std::string> args);
int info_command(std::span<const std::string> args);

}  // namespace transformers::cli
