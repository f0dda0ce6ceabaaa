#pragma once
// Rotary position embeddings as transformers' modeling_rope_utils.py computes them: the inverse
// frequencies of every rope_type (default, linear, dynamic, yarn, longrope, llama3), in f32 where
// torch computes in f32, and the rotation of the first `dim` channels of queries and keys
// (rotate_half layout; the rest pass through, GPT-NeoX's and Phi's partial rotary).
//
// Parameters come from config.json's "rope_parameters" (transformers 5) or, in earlier files, from
// "rope_theta" and "rope_scaling" ("type" or "rope_type") at the top level; Gemma 3 nests them per
// layer type.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/core/tensor.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::nn {

struct RopeParameters {
  std::string rope_type = "default";
  double rope_theta = 10000.0;
  double partial_rotary_factor = 1.0;
  std::optional<double> factor, attention_factor, beta_fast, beta_slow, mscale, mscale_all_dim;
  double low_freq_factor = 1.0, high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 0;
  std::vector<double> short_factor, long_factor;
  bool truncate = true;
};

namespace rope_detail {

inline const nlohmann::json* object_field(const nlohmann::json& parent, const std::string& key) {
  auto it = parent.find(key);
  return it == parent.end() || it->is_null() ? nullptr : &*it;
}

// `key` of `json` as T, `fallback` when absent; a field of the wrong type names itself (`where.key`).
template <typename T>
T field(const nlohmann::json& json, const std::string& key, const T& fallback, const PretrainedConfig& c,
        const std::string& where) {
  const nlohmann::json* value = object_field(json, key);
  if (!value) return fallback;
  try {
    return value->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw FileError(c.source + ": field '" + where + "." + key + "' has the wrong type (found " + value->type_name() +
                    ")");
  }
}

template <typename T>
std::optional<T> optional_field(const nlohmann::json& json, const std::string& key, const PretrainedConfig& c,
                                const std::string& where) {
  if (!object_field(json, key)) return std::nullopt;
  return field<T>(json, key, T{}, c, where);
}

inline double required_number(const nlohmann::json& json, const std::string& key, const PretrainedConfig& c,
                              const std::string& where, const std::string& rope_type) {
  if (!object_field(json, key))
    throw FileError(c.source + ": rope_type '" + rope_type + "' needs the field '" + where + "." + key + "'");
  return field<double>(json, key, 0.0, c, where);
}

}  // namespace rope_detail

// What a family's config class assumes about its rope when config.json is silent.
struct RopeDefaults {
  double theta = 10000.0;
  std::string theta_field = "rope_theta";  // Gemma 3's local layers: rope_local_base_freq
  std::string layer_type = "";             // Gemma 3: "sliding_attention" or "full_attention"
  double partial_rotary_factor = 1.0;
  std::string partial_field = "partial_rotary_factor";                     // GPT-NeoX: rotary_pct (0.25)
  std::optional<int64_t> original_max_position_embeddings = std::nullopt;  // Phi3Config's attribute (4096)
  std::vector<std::pair<std::string, std::string>> renamed_types = {};     // Phi-3: "su" and "yarn" mean longrope
};

// The rope parameters of config.json as transformers standardizes them (standardize_rope_params).
// original_max_position_embeddings: a top-level field of that name (or the family's attribute) wins
// for llama3 / yarn / longrope, then the rope entry's own, then max_position_embeddings.
inline RopeParameters read_rope_parameters(const PretrainedConfig& c, const RopeDefaults& d = {}) {
  using namespace rope_detail;
  nlohmann::json entry = nlohmann::json::object();
  std::string where = "rope_parameters";
  if (const nlohmann::json* params = object_field(c.raw, "rope_parameters")) {
    if (!params->is_object()) throw FileError(c.source + ": field 'rope_parameters' must be an object");
    const bool nested = params->contains("full_attention") || params->contains("sliding_attention");
    if (!nested) {
      entry = *params;
    } else if (const nlohmann::json* own = d.layer_type.empty() ? nullptr : object_field(*params, d.layer_type)) {
      entry = *own;
      where += "." + d.layer_type;
    }
  } else if (const nlohmann::json* scaling = object_field(c.raw, "rope_scaling")) {
    where = "rope_scaling";
    if (d.layer_type != "sliding_attention") entry = *scaling;  // Gemma 3: global layers only
  }
  if (!entry.is_object()) throw FileError(c.source + ": field '" + where + "' must be an object");
  RopeParameters p;
  p.rope_type =
      field<std::string>(entry, "rope_type", field<std::string>(entry, "type", "default", c, where), c, where);
  for (const auto& [old_name, name] : d.renamed_types)
    if (p.rope_type == old_name) p.rope_type = name;
  p.rope_theta = field<double>(entry, "rope_theta", c.get<double>(d.theta_field, d.theta), c, where);
  p.partial_rotary_factor =
      field<double>(entry, "partial_rotary_factor", c.get<double>(d.partial_field, d.partial_rotary_factor), c, where);
  p.factor = optional_field<double>(entry, "factor", c, where);
  p.attention_factor = optional_field<double>(entry, "attention_factor", c, where);
  p.beta_fast = optional_field<double>(entry, "beta_fast", c, where);
  p.beta_slow = optional_field<double>(entry, "beta_slow", c, where);
  p.mscale = optional_field<double>(entry, "mscale", c, where);
  p.mscale_all_dim = optional_field<double>(entry, "mscale_all_dim", c, where);
  p.truncate = field<bool>(entry, "truncate", true, c, where);
  p.original_max_position_embeddings =
      field<int64_t>(entry, "original_max_position_embeddings", c.get<int64_t>("max_position_embeddings", 0), c, where);
  const std::string& type = p.rope_type;
  const std::optional<int64_t> top_level =
      c.raw.contains("original_max_position_embeddings")
          ? std::optional<int64_t>(c.get<int64_t>("original_max_position_embeddings", 0))
          : d.original_max_position_embeddings;
  if (top_level && (type == "llama3" || type == "yarn" || type == "longrope"))
    p.original_max_position_embeddings = *top_level;
  if (type == "linear" || type == "dynamic" || type == "yarn" || type == "llama3")
    p.factor = required_number(entry, "factor", c, where, type);
  if (type == "llama3") {
    p.low_freq_factor = required_number(entry, "low_freq_factor", c, where, type);
    p.high_freq_factor = required_number(entry, "high_freq_factor", c, where, type);
  }
  if (type == "longrope") {
    p.short_factor = field<std::vector<double>>(entry, "short_factor", {}, c, where);
    p.long_factor = field<std::vector<double>>(entry, "long_factor", {}, c, where);
  }
  if (type != "default" && type != "linear" && type != "dynamic" && type != "yarn" && type != "longrope" &&
      type != "llama3")
    throw FileError(c.source + ": field '" + where + ".rope_type' is '" + type +
                    "', which transformers.cpp does not support (default, linear, dynamic, yarn, longrope, llama3)");
  if (p.factor && !(*p.factor > 0))
    throw FileError(c.source + ": field '" + where + ".factor' must be positive, got " + std::to_string(*p.factor));
  if (!(p.rope_theta > 0))
    throw FileError(c.source + ": rope_theta must be positive, got " + std::to_string(p.rope_theta));
  if ((type == "yarn" || type == "longrope" || type == "llama3") && p.original_max_position_embeddings <= 0)
    throw FileError(c.source + ": rope_type '" + type + "' needs a positive original_max_position_embeddings");
  return p;
}

// One rotary table of a model (Gemma 3 has one per layer type): cos and sin for the positions of a
// forward, recomputed per call where the rope type depends on the sequence length (dynamic,
// longrope) - without transformers' state between calls, which a fresh model shows as the same.
class RotaryEmbedding {
 public:
  RotaryEmbedding() = default;
  // head_dim: the attention's; max_position_embeddings: config.json's (dynamic and the default factor
  // of yarn and longrope use it). `source` names config.json in errors.
  RotaryEmbedding(RopeParameters p, int64_t head_dim, int64_t max_position_embeddings, const std::string& source)
      : p_(std::move(p)), max_positions_(max_position_embeddings) {
    dim_ = static_cast<int64_t>(static_cast<double>(head_dim) * p_.partial_rotary_factor);
    constexpr int64_t kMaxRotaryDim = int64_t{1} << 16;  // real heads are 64-512 wide; the tables are this size
    if (dim_ > kMaxRotaryDim)
      throw FileError(source + ": rotary dimension " + std::to_string(dim_) + " (head_dim " + std::to_string(head_dim) +
                      ") is more than any model has (" + std::to_string(kMaxRotaryDim) + ")");
    if (dim_ <= 0 || dim_ % 2 != 0 || dim_ > head_dim)
      throw FileError(source + ": rotary dimension " + std::to_string(dim_) + " (head_dim " + std::to_string(head_dim) +
                      " x partial_rotary_factor " + std::to_string(p_.partial_rotary_factor) +
                      ") must be even and positive");
    if (p_.rope_type == "longrope") {
      const size_t half = static_cast<size_t>(dim_ / 2);
      if (p_.short_factor.size() != half || p_.long_factor.size() != half)
        throw FileError(source + ": rope short_factor and long_factor must have " + std::to_string(half) +
                        " entries each (rotary dimension / 2), got " + std::to_string(p_.short_factor.size()) +
                        " and " + std::to_string(p_.long_factor.size()));
    }
    inv_freq_ = initial_inv_freq();
  }

  int64_t dim() const { return dim_; }

  // cos and sin [batch, n, dim] for integer position_ids [batch, n] (on the host), on `device`.
  std::pair<Tensor, Tensor> operator()(const Tensor& position_ids, Device device) const {
    const std::vector<int64_t> positions = position_ids.to_vector<int64_t>();
    const int64_t seq_len = positions.empty() ? 0 : *std::max_element(positions.begin(), positions.end()) + 1;
    auto [cos, sin] = ops::rope_cos_sin(position_ids, inv_freq_for(seq_len), attention_scaling_);
    return {cos.to(device), sin.to(device)};
  }

 private:
  // 1 / base^(2i / dim) in f32, as torch evaluates base ** (arange(0, dim, 2).float() / dim).
  std::vector<float> powers(double base) const {
    std::vector<float> out(static_cast<size_t>(dim_ / 2));
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = std::pow(static_cast<float>(base), static_cast<float>(2 * i) / static_cast<float>(dim_));
    return out;
  }
  std::vector<float> reciprocal_powers(double base) const {
    std::vector<float> out = powers(base);
    for (float& v : out) v = 1.0f / v;
    return out;
  }

  // The frequencies at initialisation (sequence length unknown).
  std::vector<float> initial_inv_freq() {
    const std::string& type = p_.rope_type;
    if (type == "linear") {
      std::vector<float> f = reciprocal_powers(p_.rope_theta);
      for (float& v : f) v /= static_cast<float>(*p_.factor);
      return f;
    }
    if (type == "yarn") return yarn();
    if (type == "longrope") return longrope();
    if (type == "llama3") return llama3();
    return reciprocal_powers(p_.rope_theta);  // default; dynamic below max_position_embeddings
  }

  std::vector<float> inv_freq_for(int64_t seq_len) const {
    if (p_.rope_type == "dynamic" && seq_len > max_positions_) return dynamic(seq_len);
    if (p_.rope_type == "longrope" && seq_len > p_.original_max_position_embeddings) return long_inv_freq_;
    return inv_freq_;
  }

  // NTK-aware scaling: a larger base once the sequence outgrows max_position_embeddings.
  std::vector<float> dynamic(int64_t seq_len) const {
    // transformers computes the new base from a tensor sequence length: in f32.
    const float factor = static_cast<float>(*p_.factor), d = static_cast<float>(dim_);
    const float stretch = factor * static_cast<float>(seq_len) / static_cast<float>(max_positions_) - (factor - 1.0f);
    const float base = static_cast<float>(p_.rope_theta) *
                       std::pow(stretch, static_cast<float>(static_cast<double>(d) / (static_cast<double>(d) - 2.0)));
    return reciprocal_powers(base);
  }

  std::vector<float> yarn() {
    const double base = p_.rope_theta, d = static_cast<double>(dim_);
    const double original = static_cast<double>(p_.original_max_position_embeddings);
    const double factor = p_.factor.value_or(static_cast<double>(max_positions_) / original);
    auto get_mscale = [](double scale, double m) { return scale <= 1.0 ? 1.0 : 0.1 * m * std::log(scale) + 1.0; };
    if (p_.attention_factor)
      attention_scaling_ = static_cast<float>(*p_.attention_factor);
    else if (p_.mscale && p_.mscale_all_dim && *p_.mscale != 0.0 && *p_.mscale_all_dim != 0.0)
      attention_scaling_ = static_cast<float>(get_mscale(factor, *p_.mscale) / get_mscale(factor, *p_.mscale_all_dim));
    else
      attention_scaling_ = static_cast<float>(get_mscale(factor, 1.0));
    const double beta_fast = p_.beta_fast && *p_.beta_fast != 0.0 ? *p_.beta_fast : 32.0;
    const double beta_slow = p_.beta_slow && *p_.beta_slow != 0.0 ? *p_.beta_slow : 1.0;
    auto correction_dim = [&](double rotations) {
      return d * std::log(original / (rotations * 2.0 * std::numbers::pi)) / (2.0 * std::log(base));
    };
    double low = correction_dim(beta_fast), high = correction_dim(beta_slow);
    if (p_.truncate) {
      low = std::floor(low);
      high = std::ceil(high);
    }
    low = std::max(low, 0.0);
    high = std::min(high, d - 1.0);
    if (low == high) high += 0.001;  // as transformers, against a zero-width ramp
    const std::vector<float> pos_freqs = powers(base);
    std::vector<float> out(pos_freqs.size());
    for (size_t i = 0; i < out.size(); ++i) {
      const float extrapolation = 1.0f / pos_freqs[i];
      const float interpolation = 1.0f / (static_cast<float>(factor) * pos_freqs[i]);
      const float ramp =
          std::clamp((static_cast<float>(i) - static_cast<float>(low)) / static_cast<float>(high - low), 0.0f, 1.0f);
      const float extrapolation_factor = 1.0f - ramp;
      out[i] = interpolation * (1.0f - extrapolation_factor) + extrapolation * extrapolation_factor;
    }
    return out;
  }

  // Per-dimension factors: short_factor up to original_max_position_embeddings, long_factor beyond.
  std::vector<float> longrope() {
    const double original = static_cast<double>(p_.original_max_position_embeddings);
    const double factor = p_.factor.value_or(static_cast<double>(max_positions_) / original);
    if (p_.attention_factor)
      attention_scaling_ = static_cast<float>(*p_.attention_factor);
    else
      attention_scaling_ =
          factor <= 1.0 ? 1.0f : static_cast<float>(std::sqrt(1.0 + std::log(factor) / std::log(original)));
    auto scaled = [&](const std::vector<double>& ext) {
      std::vector<float> out = powers(p_.rope_theta);
      for (size_t i = 0; i < out.size(); ++i) out[i] = 1.0f / (static_cast<float>(ext[i]) * out[i]);
      return out;
    };
    long_inv_freq_ = scaled(p_.long_factor);
    return scaled(p_.short_factor);
  }

  // Llama 3.1: low frequencies divided by factor, high ones kept, a smooth blend between.
  std::vector<float> llama3() const {
    std::vector<float> f = reciprocal_powers(p_.rope_theta);
    const float factor = static_cast<float>(*p_.factor), low = static_cast<float>(p_.low_freq_factor),
                high = static_cast<float>(p_.high_freq_factor);
    const double old_context = static_cast<double>(p_.original_max_position_embeddings);
    const float low_freq_wavelen = static_cast<float>(old_context / p_.low_freq_factor);
    const float high_freq_wavelen = static_cast<float>(old_context / p_.high_freq_factor);
    for (float& inv : f) {
      const float wavelen = static_cast<float>(2.0 * std::numbers::pi) / inv;
      const float scaled = wavelen > low_freq_wavelen ? inv / factor : inv;
      const float smooth = (static_cast<float>(old_context) / wavelen - low) / (high - low);
      const float smoothed = (1.0f - smooth) * scaled / factor + smooth * scaled;
      const bool medium = !(wavelen < high_freq_wavelen) && !(wavelen > low_freq_wavelen);
      inv = medium ? smoothed : scaled;
    }
    return f;
  }

  RopeParameters p_;
  int64_t max_positions_ = 0, dim_ = 0;
  std::vector<float> inv_freq_, long_inv_freq_;
  float attention_scaling_ = 1.0f;
};

// x [batch, heads, n, head_dim] rotated in its first cos.size(-1) channels: x * cos + rotate_half(x) *
// sin there, the other channels unchanged (transformers' apply_rotary_pos_emb).
inline Tensor apply_rotary(const Tensor& x, const Tensor& cos, const Tensor& sin) {
  const int64_t head_dim = x.size(3), dim = cos.size(2);
  if (dim == head_dim) return ops::rope(x, cos, sin);
  return ops::concat({ops::rope(x.narrow(3, 0, dim), cos, sin), x.narrow(3, dim, head_dim - dim)}, 3);
}

}  // namespace transformers::nn
