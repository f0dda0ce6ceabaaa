#include "command_line.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace transformers::cli {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = diagonal + (a[i - 1] != b[j - 1]);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

// "top_k" and "topk" are the same typo family as "top-k": compare without separators too.
std::string without_separators(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '-' || c == '_'; }), text.end());
  return text;
}

}  // namespace

std::optional<std::string> nearest_option(const std::string& name, const std::vector<OptionSpec>& specs) {
  std::optional<std::string> best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;
  for (const OptionSpec& spec : specs) {
    const size_t distance =
        without_separators(spec.name) == without_separators(name) ? 0 : edit_distance(name, spec.name);
    if (distance < best_distance) {
      best_distance = distance;
      best = spec.name;
    }
  }
  return best;
}

CommandLine::CommandLine(std::span<const std::string> args, const std::vector<OptionSpec>& specs) {
  auto find_spec = [&](const std::string& name) -> const OptionSpec& {
    auto it = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == name; });
    if (it != specs.end()) return *it;
    const auto nearest = nearest_option(name, specs);
    throw UsageError("unknown option --" + name + (nearest ? "; did you mean --" + *nearest + "?" : ""));
  };
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (arg == "--" && !options_ended) {
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
    if (spec.takes_value()) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        throw UsageError("option --" + name + " needs a value (" + spec.value_name + ")");
      }
    } else if (inline_value) {
      throw UsageError("option --" + name + " takes no value");
    }
    auto& slot = values_[name];
    if (!slot.empty() && !spec.repeatable && spec.takes_value())
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

void print_usage(std::ostream& out, const Command& command) {
  out << "usage: transformers-cli " << command.name;
  if (!command.arguments.empty()) out << " " << command.arguments;
  if (!command.options.empty()) out << " [OPTIONS]";
  out << "\n";
}

void print_help(std::ostream& out, const Command& command) {
  print_usage(out, command);
  out << "\n" << command.summary << "\n";
  if (command.options.empty()) return;
  out << "\noptions:\n";
  std::vector<std::string> left;
  size_t width = 0;
  for (const OptionSpec& spec : command.options) {
    left.push_back("--" + spec.name + (spec.takes_value() ? " " + spec.value_name : ""));
    width = std::max(width, left.back().size());
  }
  for (size_t i = 0; i < command.options.size(); ++i) {
    const OptionSpec& spec = command.options[i];
    out << "  " << left[i] << std::string(width - left[i].size() + 2, ' ') << spec.help;
    if (spec.repeatable) out << " (repeatable)";
    if (!spec.default_value.empty()) out << " (default: " << spec.default_value << ")";
    out << "\n";
  }
  out << "  " << std::string("--help") << std::string(width > 6 ? width - 6 + 2 : 2, ' ') << "show this help\n";
}

}  // namespace transformers::cli
