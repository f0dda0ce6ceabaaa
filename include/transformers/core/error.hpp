#pragma once
// Every failure transformers.cpp reports is an exception derived from transformers::Error, whose
// message names the file, tensor or field, what was expected and what was found.
#include <stdexcept>
#include <string>

namespace transformers {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A caller passed something the API can't take (wrong shape, dtype, device, argument).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// A file on disk (safetensors, config.json, ...) is missing, unreadable or malformed.
class FileError : public Error {
 public:
  using Error::Error;
};

// A feature that exists in the API but was not compiled into this build (CUDA without nvcc).
class NotBuilt : public Error {
 public:
  using Error::Error;
};

// A device runtime (CUDA, cuBLAS) reported a failure.
class DeviceError : public Error {
 public:
  using Error::Error;
};

}  // namespace transformers
