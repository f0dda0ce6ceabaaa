// transformers' preparation of a conversation for its template (utils/chat_template_utils.py
// render_jinja_template, and apply_chat_template's null-dropping), step for step.
#include "transformers/chat_templates/render_conversation.hpp"

#include <array>
#include <string_view>

#include "text.hpp"

namespace transformers::chat_templates {

namespace {

using Json = nlohmann::ordered_json;

// The names a message's reasoning goes under; templates read the first.
constexpr std::array<std::string_view, 3> kReasoningFields = {"reasoning_content", "thinking", "reasoning"};
constexpr std::string_view kContinueTag = "CONTINUE_FINAL_MESSAGE_TAG ";

bool is_reasoning_field(std::string_view field) {
  for (std::string_view name : kReasoningFields)
    if (name == field) return true;
  return false;
}

const Json* field_of(const Json& message, std::string_view key) {
  auto it = message.find(std::string(key));
  return it == message.end() || it->is_null() ? nullptr : &*it;
}

// {"thinking": reasoning, **message, "reasoning_content": reasoning}, keys in Python's order.
Json alias_reasoning(const Json& message) {
  const Json* reasoning = nullptr;
  for (std::string_view field : kReasoningFields)
    if ((reasoning = field_of(message, field))) break;
  if (!reasoning) return message;
  Json out = Json::object();
  out["thinking"] = *reasoning;
  for (const auto& [key, value] : message.items())
    if (key != "thinking") out[key] = value;
  if (message.contains("thinking")) out["thinking"] = message["thinking"];
  out["reasoning_content"] = *reasoning;
  return out;
}

std::string_view python_strip(std::string_view text) { return detail::strip(text, nullptr, true, true); }

[[noreturn]] void value_error(const std::string& message) { throw InvalidArgument("ValueError: " + message); }

}  // namespace

RenderOutput render_conversation(const Template& chat_template, const Json& messages,
                                 const ConversationOptions& options) {
  if (!messages.is_array()) throw InvalidArgument("a conversation is a JSON list of messages");
  if (messages.empty())
    value_error("Cannot apply chat template to an empty conversation. Provide at least one message.");
  if (options.continue_final_message && options.add_generation_prompt)
    value_error("continue_final_message and add_generation_prompt are not compatible.");
  Json chat = Json::array();
  for (const Json& message : messages) {
    if (!message.is_object()) throw InvalidArgument("a chat message is a JSON object, not " + message.dump());
    Json kept = Json::object();
    for (const auto& [key, value] : message.items())
      if (!value.is_null()) kept[key] = value;
    chat.push_back(alias_reasoning(kept));
  }

  std::string final_message;
  if (options.continue_final_message) {
    const std::string& field = options.continue_field;
    Json& last = chat.back();
    const Json* final_value = field_of(last, field);
    if (!final_value)
      value_error("continue_final_message is set but the final message has no \"" + field + "\" to continue!");
    std::vector<std::string> fields = {field};
    if (is_reasoning_field(field)) {
      fields.clear();
      for (std::string_view name : kReasoningFields)
        if (const Json* value = field_of(last, name); value && *value == *final_value) fields.emplace_back(name);
    }
    bool accepted = false;
    for (const std::string& name : fields) accepted |= chat_template.source().find(name) != std::string::npos;
    if (!accepted)
      value_error("continue_final_message is set to \"" + field + "\" but this is not an accepted field in the chat_template");
    if (final_value->is_array()) {
      Json* block = nullptr;
      for (auto it = last[field].rbegin(); it != last[field].rend(); ++it)
        if (it->is_object() && it->contains("text")) {
          block = &*it;
          break;
        }
      if (!block) value_error("continue_final_message is set but we could not find any text to continue in the final message!");
      if (!(*block)["text"].is_string()) throw InvalidArgument("TypeError: the final text block's text is not a string");
      final_message = (*block)["text"].get<std::string>();
      (*block)["text"] = final_message + std::string(kContinueTag);
    } else {
      if (!final_value->is_string()) throw InvalidArgument("TypeError: the final message's " + field + " is not a string");
      final_message = final_value->get<std::string>();
      for (const std::string& name : fields) last[name] = last[name].get<std::string>() + std::string(kContinueTag);
    }
  }

  Json context = Json::object();
  context["messages"] = std::move(chat);
  context["tools"] = options.tools;
  context["documents"] = options.documents;
  context["add_generation_prompt"] = options.add_generation_prompt;
  for (const auto& [key, value] : options.variables.items()) context[key] = value;
  RenderOutput output = chat_template.render_with_generation_spans(context, options.render);

  if (options.continue_final_message) {
    std::string& text = output.text;
    const std::string_view stripped_tag = python_strip(kContinueTag);
    if (text.find(python_strip(final_message)) == std::string::npos || text.find(stripped_tag) == std::string::npos)
      value_error("continue_final_message is set but the final message does not appear in the chat after applying "
                  "the chat template! This can happen if the chat template deletes portions of the final message.");
    const size_t tag = text.rfind(stripped_tag);
    if (text.compare(tag, kContinueTag.size(), kContinueTag) == 0) {
      text.resize(tag);
    } else {
      text = std::string(detail::strip(std::string_view(text).substr(0, tag), nullptr, false, true));
    }
  }
  return output;
}

}  // namespace transformers::chat_templates
