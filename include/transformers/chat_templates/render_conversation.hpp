#pragma once
// A conversation through a chat template, as transformers' render_jinja_template and
// apply_chat_template prepare it: keys whose value is null dropped from each message, the reasoning
// aliases (reasoning_content / thinking / reasoning) filled in, the template variables (messages,
// tools, documents, add_generation_prompt, then the special tokens and extra variables), and
// continue_final_message's trimming of everything after the final message. This is what
// PreTrainedTokenizerFast::apply_chat_template, the text-generation pipeline and the CLI call.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/chat_templates/template.hpp"

namespace transformers::chat_templates {

struct ConversationOptions {
  // Ends the prompt with the header of a new assistant turn.
  bool add_generation_prompt = false;
  // Leaves the final message open, so that the model continues it (transformers' trimming).
  // Incompatible with add_generation_prompt (InvalidArgument, as transformers' ValueError).
  bool continue_final_message = false;
  // The message field continue_final_message continues ("content", or a reasoning field).
  std::string continue_field = "content";
  // Tool definitions (JSON schemas) and documents; null when none are given (the template sees None).
  nlohmann::ordered_json tools;
  nlohmann::ordered_json documents;
  // Every other template variable: the tokenizer's special tokens (bos_token, eos_token, ...) and
  // the caller's extra variables, which win over special tokens of the same name.
  nlohmann::ordered_json variables = nlohmann::ordered_json::object();
  RenderOptions render;
};

// `messages`: a JSON list of message objects. TemplateError when the template fails (with the
// error transformers would raise); InvalidArgument for what transformers rejects with ValueError.
RenderOutput render_conversation(const Template& chat_template, const nlohmann::ordered_json& messages,
                                 const ConversationOptions& options = {});

}  // namespace transformers::chat_templates
