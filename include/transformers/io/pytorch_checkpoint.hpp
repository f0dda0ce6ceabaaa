#pragma once
// PyTorch checkpoints (pytorch_model.bin), read without running Python's pickle: torch.save's zip
// format (torch >= 1.6) and the legacy format before it, a restricted unpickler that knows exactly
// what a state dict needs (collections.OrderedDict, torch._utils._rebuild_tensor_v2 and
// _rebuild_parameter, the typed storages) and refuses every other global by name without running
// anything, as torch.load(weights_only=True) does. Tensors are views of the mapped file where
// their layout allows, copies otherwise (strided views, big-endian files).
#include <memory>
#include <string>

#include "transformers/io/tensor_source.hpp"

namespace transformers::pytorch {

// `path`: a .bin/.pt/.pth file, a pytorch_model.bin.index.json (shards beside it), or a folder
// holding pytorch_model.bin or pytorch_model.bin.index.json. Throws FileError naming the file and
// what is wrong (a refused global, a tensor past its storage, a truncated archive, ...).
std::shared_ptr<const TensorSource> open_checkpoint(const std::string& path);

}  // namespace transformers::pytorch
