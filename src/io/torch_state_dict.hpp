#pragma once
// What a pickled PyTorch state dict may contain, as a pickle::Policy: the globals torch.save
// writes for a dict of tensors (collections.OrderedDict, torch._utils._rebuild_tensor_v2,
// _rebuild_tensor, _rebuild_parameter, the typed storages torch.FloatStorage, ...), each built
// here as a record — never imported, never called. Every other global is refused by the
// unpickler with its name.
#include <map>
#include <string>
#include <vector>

#include "pickle.hpp"
#include "transformers/core/dtype.hpp"
#include "transformers/core/shape.hpp"

namespace transformers::io {

// A storage named by a persistent id: its key (the zip entry "data/<key>", or the legacy
// format's record), dtype and number of elements.
struct StorageRecord {
  std::string key;
  DType dtype = DType::F32;
  int64_t numel = 0;
};

// A tensor: a strided view into a storage, in elements.
struct TensorRecord {
  size_t storage = 0;
  int64_t offset = 0;
  Shape shape;
  Shape strides;
};

class StateDictPolicy final : public pickle::Policy {
 public:
  // legacy: persistent ids carry the legacy format's sixth field (a storage view, refused when set).
  explicit StateDictPolicy(bool legacy) : legacy_(legacy) {}

  bool allows_global(const std::string& qualified_name) const override;
  pickle::Ref call(pickle::Unpickler& in, const std::string& qualified_name, pickle::Ref args) override;
  void build(pickle::Unpickler& in, pickle::Ref target, pickle::Ref state) override;
  pickle::Ref persistent_load(pickle::Unpickler& in, pickle::Ref id) override;

  // The tensors of the state dict `root` by name (a later duplicate key wins, as in Python).
  // Throws naming the key when a value is not a tensor.
  std::map<std::string, TensorRecord> tensors_of(const pickle::Unpickler& in, pickle::Ref root) const;
  const std::vector<StorageRecord>& storages() const { return storages_; }

 private:
  pickle::Ref rebuild_tensor(pickle::Unpickler& in, const std::vector<pickle::Ref>& args);
  // An object standing for storages_[index] or tensors_[index] (`what`: "storage" or "tensor").
  static pickle::Ref opaque(pickle::Unpickler& in, size_t index, const char* what);

  bool legacy_;
  std::vector<StorageRecord> storages_;
  std::map<std::string, size_t> storage_by_key_;
  std::vector<TensorRecord> tensors_;
};

}  // namespace transformers::io
