#pragma once
// Everything transformers.cpp offers, in one include.
#include "transformers/backends/cuda.hpp"
#include "transformers/config/pretrained_config.hpp"
#include "transformers/core/device.hpp"
#include "transformers/core/dtype.hpp"
#include "transformers/core/error.hpp"
#include "transformers/core/memory.hpp"
#include "transformers/core/tensor.hpp"
#include "transformers/core/threads.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/models/auto.hpp"
#include "transformers/ops/ops.hpp"
#include "transformers/pipelines/text_classification.hpp"
