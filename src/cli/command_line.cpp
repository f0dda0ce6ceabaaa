#include "command_line.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace transformers::cli {

CommandLine::CommandLine(std::span<const std::string> args, const std::vector<OptionSpec>& specs) {
  auto find_spec = [&](const std::string& name) -> const OptionSpec& {
    auto it = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == name; });
    if (it == specs.end()) throw UsageError("unknown option --" + name);
    return *it;
  };
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (arg == "--") {
        options_ended = true;
        continue;
      }
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec& spec = find_spec(name);
    std::string value;
    if (spec.takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        throw UsageError("option --" + name + " needs a value");
      }
    } else if (inline_value) {
      throw UsageError("option --" + name + " takes no value");
    }
    auto& slot = values_[name];
    if (!slot.empty() && !spec.repeatable && spec.takes_value)
      throw UsageError("option --" + name + " given more than once");
    slot.push_back(std::move(value));
  }
}

std::optional<std::string> CommandLine::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::string CommandLine::value_or(const std::string& name, const std::string& fallback) const {
  return value(name).value_or(fallback);
}

std::vector<std::string> CommandLine::values(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<long long> CommandLine::integer(const std::string& name) const {
  auto text = value(name);
  if (!text) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long number = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno == ERANGE)
    throw UsageError("option --" + name + " needs a whole number, got '" + *text + "'");
  return number;
}

}  // namespace transformers::cli
