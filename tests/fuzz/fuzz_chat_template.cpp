// Chat templates: the Jinja engine parsing a fuzzed template (the bytes before the first NUL) and
// rendering it with fuzzed messages (the JSON after it, when it parses) under tight render limits.
// Any input renders or throws a TemplateError: no crash, no hang, no runaway memory.
#include "fuzz_input.hpp"
#include "readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = fuzz::text(data, size);
  const size_t split = input.find('\0');
  nlohmann::ordered_json messages = readers::default_messages();
  if (split != std::string::npos) {
    auto parsed = nlohmann::ordered_json::parse(input.substr(split + 1), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) messages = std::move(parsed);
  }
  transformers::chat_templates::RenderOptions options;
  options.limits.max_steps = 100'000;
  options.limits.max_string_bytes = 1u << 20;
  options.limits.max_collection_items = 1u << 14;
  try {
    readers::render_chat_template(input.substr(0, split), "fuzzed template", messages, options);
  } catch (const transformers::chat_templates::TemplateError&) {
  }
  return 0;
}
