// The state-dict policy of the restricted unpickler (see torch_state_dict.hpp). The shapes of the
// calls follow torch/_utils.py and torch/serialization.py: a persistent id
// ('storage', storage_type, key, location, numel) stands for a storage,
// _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata]) for a
// tensor viewing it.
#include "torch_state_dict.hpp"

#include "transformers/io/safe_path.hpp"

namespace transformers::io {

namespace {

using pickle::Kind;
using pickle::Ref;
using pickle::Unpickler;

constexpr const char* kStorage = "storage";
constexpr const char* kTensor = "tensor";
constexpr size_t kMaxDims = 16;

const std::map<std::string, DType>& storage_dtypes() {
  static const std::map<std::string, DType> dtypes = {
      {"torch.FloatStorage", DType::F32},  {"torch.HalfStorage", DType::F16}, {"torch.BFloat16Storage", DType::BF16},
      {"torch.DoubleStorage", DType::F64}, {"torch.LongStorage", DType::I64}, {"torch.IntStorage", DType::I32},
      {"torch.ShortStorage", DType::I16},  {"torch.CharStorage", DType::I8},  {"torch.ByteStorage", DType::U8},
      {"torch.BoolStorage", DType::Bool}};
  return dtypes;
}

const char* const kCallables[] = {"collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
                                  "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter",
                                  "torch._utils._rebuild_parameter_with_state"};

bool is_opaque(const Unpickler& in, Ref ref, const char* what) {
  return in.at(ref).kind == Kind::Opaque && in.at(ref).text == what;
}

bool is_empty_dict(const Unpickler& in, Ref ref) { return in.at(ref).kind == Kind::Dict && in.at(ref).items.empty(); }

// offset + sum((size - 1) * stride) < numel, computed without overflow; sizes and strides checked
// to be non-negative. A tensor with a zero-size dimension reads nothing.
void check_view_inside(const Unpickler& in, const TensorRecord& tensor, const StorageRecord& storage) {
  if (tensor.shape.size() > kMaxDims) in.fail("a tensor with more than " + std::to_string(kMaxDims) + " dimensions");
  if (tensor.shape.size() != tensor.strides.size()) in.fail("a tensor's size and stride differ in length");
  if (tensor.offset < 0) in.fail("a tensor with a negative storage offset");
  int64_t last = tensor.offset;
  int64_t numel = 1;
  bool empty = false;
  for (size_t d = 0; d < tensor.shape.size(); ++d) {
    const int64_t size = tensor.shape[d], stride = tensor.strides[d];
    if (size < 0 || stride < 0) in.fail("a tensor with a negative size or stride");
    if (size == 0) empty = true;
    int64_t reach = 0;
    if (__builtin_mul_overflow(size == 0 ? 0 : size - 1, stride, &reach) ||
        __builtin_add_overflow(last, reach, &last) || __builtin_mul_overflow(numel, size, &numel))
      in.fail("a tensor whose size and strides overflow 64 bits");
  }
  if (!empty && last >= storage.numel)
    in.fail("a tensor reads element " + std::to_string(last) + " of storage '" + printable(storage.key) +
            "', which holds " + std::to_string(storage.numel));
}

}  // namespace

bool StateDictPolicy::allows_global(const std::string& qualified_name) const {
  for (const char* callable : kCallables)
    if (qualified_name == callable) return true;
  return storage_dtypes().count(qualified_name) != 0;
}

Ref StateDictPolicy::opaque(Unpickler& in, size_t index, const char* what) {
  pickle::Object object;
  object.kind = Kind::Opaque;
  object.integer = static_cast<int64_t>(index);
  object.text = what;
  return in.make(std::move(object));
}

Ref StateDictPolicy::rebuild_tensor(Unpickler& in, const std::vector<Ref>& args) {
  if (!is_opaque(in, args[0], kStorage)) in.fail("_rebuild_tensor's first argument is not a storage");
  TensorRecord tensor;
  tensor.storage = static_cast<size_t>(in.at(args[0]).integer);
  tensor.offset = in.as_int(args[1], "a tensor's storage offset");
  for (Ref size : in.as_int_tuple(args[2], "a tensor's size")) tensor.shape.push_back(in.at(size).integer);
  for (Ref stride : in.as_int_tuple(args[3], "a tensor's stride")) tensor.strides.push_back(in.at(stride).integer);
  check_view_inside(in, tensor, storages_[tensor.storage]);
  tensors_.push_back(std::move(tensor));
  return opaque(in, tensors_.size() - 1, kTensor);
}

Ref StateDictPolicy::call(Unpickler& in, const std::string& qualified_name, Ref args_ref) {
  const std::vector<Ref>& args = in.at(args_ref).items;
  if (qualified_name == "collections.OrderedDict") {
    if (!args.empty()) in.fail("collections.OrderedDict called with arguments");
    pickle::Object dict;
    dict.kind = Kind::Dict;
    return in.make(std::move(dict));
  }
  if (qualified_name == "torch._utils._rebuild_tensor_v2" || qualified_name == "torch._utils._rebuild_tensor") {
    const bool v2 = qualified_name.back() == '2';
    if (v2 ? args.size() != 6 && args.size() != 7 : args.size() != 4)
      in.fail(qualified_name + " called with " + std::to_string(args.size()) + " arguments");
    if (v2 && !is_empty_dict(in, args[5])) in.fail("a tensor saved with backward hooks");
    if (v2) in.as_bool(args[4], "requires_grad");
    return rebuild_tensor(in, args);
  }
  if (qualified_name == "torch._utils._rebuild_parameter" ||
      qualified_name == "torch._utils._rebuild_parameter_with_state") {
    if (args.size() < 3 || !is_opaque(in, args[0], kTensor)) in.fail(qualified_name + " not given a tensor");
    if (!is_empty_dict(in, args[2])) in.fail("a parameter saved with backward hooks");
    return args[0];
  }
  in.fail("calls '" + printable(qualified_name) + "', which is only allowed as a storage type");
}

// OrderedDict's instance attributes (a state dict's `_metadata`): set on a dict, ignored here.
void StateDictPolicy::build(Unpickler& in, Ref target, Ref state) {
  if (in.at(target).kind != Kind::Dict || in.at(state).kind != Kind::Dict)
    in.fail("BUILD on something other than a dict's attributes");
}

Ref StateDictPolicy::persistent_load(Unpickler& in, Ref id) {
  const std::vector<Ref>& fields = in.as_tuple(id, "a persistent id");
  const size_t expected = legacy_ ? 6 : 5;
  if (fields.size() != expected || in.at(fields[0]).kind != Kind::String || in.at(fields[0]).text != "storage")
    in.fail("a persistent id that is not ('storage', type, key, location, numel" +
            std::string(legacy_ ? ", view)" : ")"));
  if (in.at(fields[1]).kind != Kind::Global || !storage_dtypes().count(in.at(fields[1]).text))
    in.fail("a storage whose type is not one of torch's typed storages");
  if (legacy_ && in.at(fields[5]).kind != Kind::None) in.fail("a storage view (legacy format) is not read");
  StorageRecord storage{in.as_string(fields[2], "a storage key"), storage_dtypes().at(in.at(fields[1]).text),
                        in.as_int(fields[4], "a storage's size")};
  in.as_string(fields[3], "a storage location");
  if (storage.numel < 0) in.fail("a storage with a negative size");
  const auto [found, added] = storage_by_key_.emplace(storage.key, storages_.size());
  if (added) {
    storages_.push_back(storage);
  } else if (storages_[found->second].dtype != storage.dtype || storages_[found->second].numel != storage.numel) {
    in.fail("storage '" + printable(storage.key) + "' is named twice with different types or sizes");
  }
  return opaque(in, found->second, kStorage);
}

std::map<std::string, TensorRecord> StateDictPolicy::tensors_of(const Unpickler& in, Ref root) const {
  if (in.at(root).kind != Kind::Dict) in.fail("the pickled object is not a dict of tensors (a state dict)");
  std::map<std::string, TensorRecord> tensors;
  const std::vector<Ref>& items = in.at(root).items;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    const std::string& name = in.as_string(items[i], "a state dict key");
    if (!is_opaque(in, items[i + 1], kTensor))
      in.fail("the state dict's value for '" + printable(name) +
              "' is not a tensor (transformers reads a flat dict of tensors)");
    tensors[name] = tensors_[static_cast<size_t>(in.at(items[i + 1]).integer)];
  }
  return tensors;
}

}  // namespace transformers::io
