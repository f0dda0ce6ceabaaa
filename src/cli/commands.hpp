#pragma once
// The commands of transformers-cli, one file each; main.cpp lists them.
#include <span>
#include <string>

namespace transformers::cli {

int tokenize_command(std::span<const std::string> args);
int pipeline_command(std::span<const std::string> args);

}  // namespace transformers::cli
