// Implemented by the safetensors work item (see include/transformers/io/safetensors.hpp).
