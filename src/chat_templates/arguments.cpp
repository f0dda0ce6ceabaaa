// Binding call arguments to a Python signature, shared by filters, tests, methods and globals.
#include "library.hpp"

namespace transformers::chat_templates::detail {

BoundArguments::BoundArguments(std::string_view function, CallArguments& arguments,
                               std::initializer_list<std::string_view> parameters, bool variadic, bool keywords)
    : function_(function), names_(parameters), values_(names_.size()) {
  auto& positional = arguments.positional;
  for (size_t i = 0; i < positional.size(); ++i) {
    if (i < names_.size()) {
      values_[i] = std::move(positional[i]);
    } else if (variadic) {
      rest.push_back(std::move(positional[i]));
    } else {
      raise("TypeError", function_ + "() takes at most " + std::to_string(names_.size()) + " argument(s) (" +
                             std::to_string(positional.size()) + " given)");
    }
  }
  for (auto& [name, value] : arguments.keywords) {
    size_t index = 0;
    while (index < names_.size() && names_[index] != name) ++index;
    if (index < names_.size()) {
      if (values_[index]) raise("TypeError", function_ + "() got multiple values for argument '" + name + "'");
      values_[index] = std::move(value);
    } else if (keywords) {
      extra.emplace_back(name, std::move(value));
    } else {
      raise("TypeError", function_ + "() got an unexpected keyword argument '" + name + "'");
    }
  }
}

const Value& BoundArguments::required(size_t index) const {
  if (!values_[index])
    raise("TypeError", function_ + "() missing required argument: '" + std::string(names_[index]) + "'");
  return *values_[index];
}

int64_t to_index(const Value& value, std::string_view what) {
  if (value.is_int() || value.is_bool()) return value.as_int();
  if (value.is_undefined()) fail_undefined(value);
  raise("TypeError", std::string(what) + " must be an integer, not '" + type_name(value) + "'");
}

}  // namespace transformers::chat_templates::detail
