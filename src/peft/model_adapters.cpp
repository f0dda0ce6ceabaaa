// PreTrainedModel's adapter methods (transformers' PeftAdapterMixin): reading a PEFT LoRA folder into
// the model's adapter index, switching, merging, and saving the merged model.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "../io/temporary_file.hpp"
#include "transformers/core/error.hpp"
#include "transformers/hub/hub.hpp"
#include "transformers/io/gguf_checkpoint.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/peft/lora_config.hpp"

namespace fs = std::filesystem;

namespace transformers {
namespace {

// One module's tensors in adapter_model.safetensors.
struct ModuleTensors {
  Tensor lora_a, lora_b, weight, bias;
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// adapter_model.safetensors' tensors by module ("model.layers.0.self_attn.q_proj"). PEFT saves them as
// base_model.model.<module>.lora_A.weight / .lora_B.weight, and the modules_to_save copies (and, with
// bias "all" / "lora_only", trained biases) as base_model.model.<module>.weight / .bias.
std::map<std::string, ModuleTensors> read_modules(const safetensors::File& file) {
  static const std::string peft_prefix = "base_model.model.";
  std::map<std::string, ModuleTensors> modules;
  for (const std::string& stored : file.names()) {
    const std::string name = stored.rfind(peft_prefix, 0) == 0 ? stored.substr(peft_prefix.size()) : stored;
    const auto module = [&](const std::string& suffix) -> ModuleTensors& {
      return modules[name.substr(0, name.size() - suffix.size())];
    };
    if (name.find(".lora_embedding_") != std::string::npos || name.find(".lora_magnitude_vector") != std::string::npos)
      throw FileError(file.path() + ": tensor '" + stored + "' is a LoRA on an embedding or a DoRA magnitude, " +
                      "which transformers.cpp does not apply");
    if (ends_with(name, ".lora_A.weight"))
      module(".lora_A.weight").lora_a = file.get(stored);
    else if (ends_with(name, ".lora_B.weight"))
      module(".lora_B.weight").lora_b = file.get(stored);
    else if (name.find(".lora_") != std::string::npos)
      throw FileError(file.path() + ": tensor '" + stored + "' is not a LoRA tensor transformers.cpp knows");
    else if (ends_with(name, ".weight"))
      module(".weight").weight = file.get(stored);
    else if (ends_with(name, ".bias"))
      module(".bias").bias = file.get(stored);
    else
      throw FileError(file.path() + ": tensor '" + stored + "' is neither a LoRA matrix nor a module's weight or bias");
  }
  return modules;
}

std::string shape_of(const Tensor& t) { return shape_str(t.shape()); }

int64_t columns_of(const Tensor& weight) {
  return is_block_quantized(weight.dtype()) ? block_columns(weight.dtype(), weight.size(1)) : weight.size(1);
}

// One module's update, checked against the layer it changes; throws FileError naming the module.
nn::AdapterUpdate make_update(const std::string& file, const std::string& module, const ModuleTensors& t,
                              const nn::AdapterSlot& slot, const peft::LoraConfig& config) {
  const Tensor& base = slot.base_weight();
  const int64_t out = base.size(0), in = columns_of(base);
  const Device device = base.device();
  const auto fail = [&](const std::string& what) { throw FileError(file + ": module '" + module + "': " + what); };
  nn::AdapterUpdate u;
  if (t.lora_a.defined() != t.lora_b.defined())
    fail(std::string("has lora_") + (t.lora_a.defined() ? "A" : "B") + " but no lora_" +
         (t.lora_a.defined() ? "B" : "A"));
  if (t.lora_a.defined()) {
    const Tensor& a = t.lora_a;
    const Tensor& b = t.lora_b;
    if (a.dim() != 2 || b.dim() != 2 || a.size(1) != in || b.size(0) != out || b.size(1) != a.size(0))
      fail("lora_A " + shape_of(a) + " and lora_B " + shape_of(b) + " do not fit the model's layer [" +
           std::to_string(out) + ", " + std::to_string(in) + "] (an adapter for another base model?)");
    if (!is_floating(a.dtype()) || !is_floating(b.dtype())) fail("lora_A / lora_B must hold floating-point values");
    const int64_t rank = config.rank_for(module);
    if (a.size(0) != rank)
      fail("lora_A has rank " + std::to_string(a.size(0)) + " but " + config.source + " gives it r = " +
           std::to_string(rank));
    const float scaling = static_cast<float>(config.scaling_for(module));
    u.lora_a = a.to(DType::F32).contiguous().to(device);
    u.lora_b_scaled = slot.layout().rows_to_model(ops::scale(b.to(DType::F32), scaling)).contiguous().to(device);
  }
  if (t.weight.defined()) {
    const Shape stored = slot.layout().transposed ? Shape{in, out} : Shape{out, in};
    if (t.weight.shape() != stored) fail("weight " + shape_of(t.weight) + " is not the layer's " + shape_str(stored));
    // The layer's own copy replaced (modules_to_save): in the model's dtype, f32 over a quantized base.
    const DType dtype = is_floating(base.dtype()) ? base.dtype() : DType::F32;
    u.weight = slot.layout().weight_to_model(t.weight.to(DType::F32)).to(dtype).to(device);
  }
  if (t.bias.defined()) {
    if (t.bias.shape() != Shape{out}) fail("bias " + shape_of(t.bias) + " is not [" + std::to_string(out) + "]");
    u.bias = slot.layout().rows_to_model(t.bias.to(DType::F32)).contiguous().to(device);
  }
  return u;
}

// `text` in the file `path`, whole or not at all.
void write_text(const std::string& path, const std::string& text) {
  detail::TemporaryFile file(path);
  file.write(text.data(), text.size());
  file.commit();
}

fs::path adapter_weights_file(const fs::path& folder) {
  const fs::path safetensors = folder / "adapter_model.safetensors";
  if (fs::exists(safetensors)) return safetensors;
  if (fs::exists(folder / "adapter_model.bin"))
    throw FileError(folder.string() + ": has adapter_model.bin (a pickle), which transformers.cpp does not read; " +
                    "save the adapter with safe_serialization=True (adapter_model.safetensors)");
  throw FileError(folder.string() + ": no adapter_model.safetensors");
}

}  // namespace

nn::AdapterIndex& PreTrainedModel::adapters() const {
  if (!adapter_index_)
    throw InvalidArgument("this model was not loaded by an Auto class (AutoModel*::from_pretrained / from_config), "
                          "so adapters cannot find its layers");
  return *adapter_index_;
}

void PreTrainedModel::load_adapter(const std::string& path_or_id, const std::string& adapter_name) {
  nn::AdapterIndex& index = adapters();
  if (adapter_name.empty()) throw InvalidArgument("load_adapter: the adapter name is empty");
  if (index.adapter(adapter_name) >= 0)
    throw InvalidArgument("load_adapter: an adapter named '" + adapter_name + "' is already loaded");
  const fs::path folder = hub::resolve_model_path(path_or_id);
  const fs::path config_path = folder / "adapter_config.json";
  if (!fs::exists(config_path))
    throw FileError(folder.string() + ": no adapter_config.json (not a PEFT adapter folder)");
  const peft::LoraConfig lora = peft::LoraConfig::from_file(config_path.string());
  const std::shared_ptr<safetensors::File> file = safetensors::File::open(adapter_weights_file(folder).string());
  const std::map<std::string, ModuleTensors> modules = read_modules(*file);
  if (modules.empty()) throw FileError(file->path() + ": holds no tensors");

  // Every module checked before any is attached: a bad adapter leaves the model as it was.
  std::vector<std::pair<std::shared_ptr<nn::AdapterSlot>, nn::AdapterUpdate>> updates;
  for (const auto& [module, tensors] : modules) {
    std::shared_ptr<nn::AdapterSlot> slot = index.find(module);
    if (!slot)
      throw FileError(file->path() + ": the adapter changes '" + module + "', which is not a linear layer of " +
                      "this model (" + config().model_type + "; output heads tied to the embeddings and " +
                      "embeddings take no adapters)");
    updates.emplace_back(slot, make_update(file->path(), module, tensors, *slot, lora));
  }
  const int id = static_cast<int>(index.names().size());
  for (auto& [slot, update] : updates) slot->set(id, std::move(update));
  index.names().push_back(adapter_name);
  if (index.selection().active < 0) index.selection().active = id;
}

void PreTrainedModel::set_adapter(const std::string& adapter_name) {
  nn::AdapterIndex& index = adapters();
  const int id = index.adapter(adapter_name);
  if (id < 0) {
    std::string loaded;
    for (const std::string& name : adapter_names()) loaded += (loaded.empty() ? "" : ", ") + name;
    throw InvalidArgument("set_adapter: no adapter named '" + adapter_name + "' is loaded (loaded: " +
                          (loaded.empty() ? "none" : loaded) + ")");
  }
  if (index.selection().active != id) unmerge_adapter();  // as PEFT: switching unmerges first
  index.selection().active = id;
}

void PreTrainedModel::disable_adapters() {
  unmerge_adapter();
  adapters().selection().enabled = false;
}

void PreTrainedModel::enable_adapters() { adapters().selection().enabled = true; }

void PreTrainedModel::delete_adapter(const std::string& adapter_name) {
  nn::AdapterIndex& index = adapters();
  const int id = index.adapter(adapter_name);
  if (id < 0) throw InvalidArgument("delete_adapter: no adapter named '" + adapter_name + "' is loaded");
  for (const auto& [name, slot] : index.layers()) {
    if (slot->merged_adapter() == id) slot->unmerge();
    slot->erase(id);
  }
  index.names()[static_cast<size_t>(id)].clear();
  if (index.selection().active == id) index.selection().active = -1;
}

std::vector<std::string> PreTrainedModel::active_adapters() const {
  const nn::AdapterIndex& index = adapters();
  const nn::AdapterSelection& s = index.selection();
  if (!s.enabled || s.active < 0) return {};
  return {index.names()[static_cast<size_t>(s.active)]};
}

std::vector<std::string> PreTrainedModel::adapter_names() const {
  std::vector<std::string> names;
  for (const std::string& name : adapters().names())
    if (!name.empty()) names.push_back(name);
  return names;
}

void PreTrainedModel::merge_adapter() {
  nn::AdapterIndex& index = adapters();
  const int active = index.selection().active;
  if (active < 0 || !index.selection().enabled) throw InvalidArgument("merge_adapter: no adapter is active");
  for (const auto& [name, slot] : index.layers())
    if (slot->update(active) && is_block_quantized(slot->base_weight().dtype()))
      throw InvalidArgument("merge_adapter: layer '" + name + "' is stored quantized (" +
                            dtype_name(slot->base_weight().dtype()) +
                            "); adapters on quantized layers are applied unmerged");
  for (const auto& [name, slot] : index.layers()) {
    if (slot->merged_adapter() == active) continue;
    slot->unmerge();
    slot->merge(active);
  }
}

void PreTrainedModel::unmerge_adapter() {
  for (const auto& [name, slot] : adapters().layers()) slot->unmerge();
}

void PreTrainedModel::merge_and_unload() {
  nn::AdapterIndex& index = adapters();
  if (index.selection().active >= 0 && index.selection().enabled) merge_adapter();
  for (const auto& [name, slot] : index.layers()) {
    slot->keep_merged();
    for (size_t id = 0; id < index.names().size(); ++id) slot->erase(static_cast<int>(id));
  }
  for (std::string& name : index.names()) name.clear();
  index.selection() = nn::AdapterSelection{};
}

void PreTrainedModel::save_pretrained(const std::string& folder) const {
  const nn::AdapterIndex& index = adapters();
  if (index.checkpoint().empty())
    throw InvalidArgument("save_pretrained: the model has random weights, no checkpoint to save from");
  // The checkpoint opened again: the tensors no layer changed are copied from it as stored.
  const std::shared_ptr<const TensorSource> source =
      ends_with(index.checkpoint(), ".gguf")
          ? gguf::hf_tensors(gguf::File::open(index.checkpoint()), config().raw)
          : tensor_source(safetensors::Checkpoint::open(index.checkpoint()));
  // The checkpoint's name of each layer whose weights changed.
  std::map<std::string, const nn::AdapterSlot*> changed;
  for (const auto& [name, slot] : index.layers()) {
    if (!slot->changed()) continue;
    const std::string prefixed = index.prefix() + ".";
    const std::string other = name.rfind(prefixed, 0) == 0 ? name.substr(prefixed.size()) : prefixed + name;
    const std::string stored = source->contains(name + ".weight") ? name : other;
    changed[stored] = slot.get();
  }
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const std::string& name : source->names()) {
    const std::optional<DType> stored_dtype = source->stored_dtype(name);
    Tensor tensor = source->get(name, stored_dtype.value_or(DType::F32));
    const auto module = [&](const std::string& suffix) -> const nn::AdapterSlot* {
      if (!ends_with(name, suffix)) return nullptr;
      const auto it = changed.find(name.substr(0, name.size() - suffix.size()));
      return it == changed.end() ? nullptr : it->second;
    };
    const DType dtype = stored_dtype.value_or(DType::F32);
    if (const nn::AdapterSlot* weight_of = module(".weight"))
      tensor = weight_of->layout().weight_to_file(weight_of->weight().to(DType::F32)).to(dtype);
    else if (const nn::AdapterSlot* bias_of = module(".bias"); bias_of && bias_of->bias().defined())
      tensor = bias_of->layout().rows_to_file(bias_of->bias()).to(dtype);
    tensors.emplace_back(name, tensor);
  }
  fs::create_directories(folder);
  safetensors::save((fs::path(folder) / "model.safetensors").string(), tensors, {{"format", "pt"}});
  write_text((fs::path(folder) / "config.json").string(), config().raw.dump(2) + "\n");
  // The base folder's generation config goes along, as transformers' save_pretrained writes it.
  const fs::path generation_config = fs::path(index.checkpoint()) / "generation_config.json";
  std::error_code error;
  if (fs::is_regular_file(generation_config, error)) {
    std::ifstream in(generation_config, std::ios::binary);
    write_text((fs::path(folder) / "generation_config.json").string(),
               std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
  }
}

}  // namespace transformers
