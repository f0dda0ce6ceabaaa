#pragma once
// The option parser every transformers-cli command uses: "--name value", "--name=value", switches
// ("--json") and positional arguments. Each command declares its options in a table (name, value,
// one-line help, default), which drives both the parsing — a misspelt option is an error that names
// the nearest real one — and `transformers-cli COMMAND --help`.
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace transformers::cli {

// Bad arguments: main() prints the message and the command's usage, and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  // A constructor rather than an aggregate: rows of an option table leave out trailing fields.
  OptionSpec(std::string name_, std::string value_name_ = {}, std::string help_ = {}, std::string default_value_ = {},
             bool repeatable_ = false)
      : name(std::move(name_)),
        value_name(std::move(value_name_)),
        help(std::move(help_)),
        default_value(std::move(default_value_)),
        repeatable(repeatable_) {}

  std::string name;           // without the leading "--"
  std::string value_name;     // "N", "PATH_OR_ID", ...; empty for a switch
  std::string help;           // one line
  std::string default_value;  // shown as "(default: ...)" when not empty
  bool repeatable = false;

  bool takes_value() const { return !value_name.empty(); }
};

class CommandLine {
 public:
  CommandLine(std::span<const std::string> args, const std::vector<OptionSpec>& specs);

  const std::vector<std::string>& positionals() const { return positionals_; }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // The option's value (the last one when repeated), or nullopt when absent.
  std::optional<std::string> value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& fallback) const;
  // Every value of a repeatable option, in order.
  std::vector<std::string> values(const std::string& name) const;
  // The value parsed as a whole number; UsageError naming the option when it is not one.
  std::optional<long long> integer(const std::string& name) const;

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
};

// One command of transformers-cli: main() parses its arguments with `options` and calls `run`, which
// writes results to stdout and diagnostics to stderr and returns the exit status. Library errors
// propagate to main().
struct Command {
  std::string name;
  std::string arguments;  // the positional arguments, e.g. "TASK [INPUT...]"
  std::string summary;    // one line for the command list
  std::vector<OptionSpec> options;
  int (*run)(const CommandLine& line) = nullptr;
};

// "usage: transformers-cli NAME ARGUMENTS [OPTIONS]" and the summary.
void print_usage(std::ostream& out, const Command& command);
// The usage, then every option with its value, help and default (`--help`).
void print_help(std::ostream& out, const Command& command);
// The declared name closest to `name` (edit distance), when one is close enough to be a likely typo.
std::optional<std::string> nearest_option(const std::string& name, const std::vector<OptionSpec>& specs);

}  // namespace transformers::cli
