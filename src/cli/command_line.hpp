#pragma once
// The option parser every transformers-cli command uses: "--name value", "--name=value", switches
// ("--json") and positional arguments. Each command declares its options, so a misspelt one is an
// error naming it instead of being silently ignored.
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace transformers::cli {

// Bad arguments: main() prints the message and the command's usage, and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;       // without the leading "--"
  bool takes_value;       // false: a switch
  bool repeatable = false;
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

// Each command: parses its own arguments (everything after the command name), writes its results to
// stdout and its diagnostics to stderr, returns the exit status. Library errors propagate to main().
struct Command {
  const char* name;
  const char* usage;    // one line: arguments after the command name
  const char* summary;  // one line for the command list
  int (*run)(std::span<const std::string> args);
};

}  // namespace transformers::cli
