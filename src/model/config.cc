// `model.*`: validation, JSON, the closed-form parameter count (each term
// named after the torch layer it counts; tests compare it with built models)
// and the budget search: the d_model whose count is closest to model.params,
// depth and d_ff : d_model kept, scanning widths until counts pass twice the
// budget (counts only grow with width).
#include "model/config.h"

#include <cmath>

#include "util/error.h"
#include "util/json_fields.h"
#include "util/text.h"

namespace regal::model {
namespace {

const std::vector<std::string> kArchs = {"transformer", "lstm", "gru", "rnn"};
const std::vector<std::string> kPositions = {"sinusoidal", "learned", "none", "rope", "alibi"};
const std::vector<std::string> kPools = {"cls", "mean", "end"};

void require_one_of(const std::string& field, const std::string& value, const std::vector<std::string>& options) {
  for (const auto& option : options) {
    if (value == option) return;
  }
  std::string list;
  for (const auto& option : options) list += (list.empty() ? "" : ", ") + option;
  throw InputError("model." + field + " must be one of " + list + " (got '" + value + "')" + did_you_mean(value, options));
}

}  // namespace

void ModelConfig::validate() const {
  require_one_of("arch", arch, kArchs);
  require_one_of("pos", pos, kPositions);
  require_one_of("pool", pool, kPools);
  if (n_layers < 1) throw InputError("model.n_layers must be at least 1");
  if (params) {
    if (!(*params >= 1)) throw InputError("model.params must be a positive parameter budget");
    return;  // d_model is chosen from the budget
  }
  if (d_model < 1) throw InputError("model.d_model must be at least 1");
  if (is_transformer()) {
    if (n_heads < 1 || d_model % n_heads != 0) {
      throw InputError("model.d_model (" + std::to_string(d_model) + ") must be a multiple of model.n_heads (" +
                       std::to_string(n_heads) + ")");
    }
    if (pos == "rope" && (d_model / n_heads) % 2 != 0) {
      throw InputError("model.pos = rope needs an even head width (d_model / n_heads)");
    }
  }
  if (!(dropout >= 0.0 && dropout < 1.0)) throw InputError("model.dropout must lie in [0, 1)");

}

nlohmann::json ModelConfig::to_json() const {
  return {{"arch", arch},         {"d_model", d_model}, {"n_layers", n_layers}, {"n_heads", n_heads},
          {"d_ff", d_ff},         {"dropout", dropout}, {"pos", pos},           {"pool", pool},
          {"params", params ? nlohmann::json(*params) : nlohmann::json(nullptr)}};
}

ModelConfig ModelConfig::from_json(const nlohmann::json& json) {
  ModelConfig config;
  const nlohmann::json defaults = config.to_json();
  auto keys = [&] {  // for the message only: built when a key is unknown
    std::vector<std::string> all;
    for (const auto& item : defaults.items()) all.push_back("model." + item.key());
    return all;
  };
  auto count = [](const std::string& key, const nlohmann::json& value) { return whole_number("model." + key, value); };
  auto text = [](const std::string& key, const nlohmann::json& value) { return text_value("model." + key, value); };
  for (const auto& [key, value] : json.items()) {
    if (!defaults.contains(key)) throw KeyError("model." + key, "unknown key model." + key + did_you_mean("model." + key, keys()));
    if (key == "arch") config.arch = text(key, value);
    if (key == "pos") config.pos = text(key, value);
    if (key == "pool") config.pool = text(key, value);
    if (key == "d_model") config.d_model = count(key, value);
    if (key == "n_layers") config.n_layers = count(key, value);
    if (key == "n_heads") config.n_heads = count(key, value);
    if (key == "d_ff") config.d_ff = count(key, value);
    if (key == "dropout" || key == "params") {
      if (!value.is_number() && !(key == "params" && value.is_null())) {
        throw KeyError("model." + key, "model." + key + " must be a number (got " + value.dump() + ")");
      }
      if (key == "dropout") config.dropout = value.get<double>();
      if (key == "params") config.params = value.is_null() ? std::nullopt : std::optional<double>(value.get<double>());
    }
  }
  return config;
}

std::size_t parameter_count(const ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                            std::size_t num_classes, std::size_t next_outputs) {
  const std::size_t d = config.d_model;
  // Linear heads: one logit per class, and the next-symbol head's outputs.
  const std::size_t head = num_classes * d + num_classes + next_outputs * d + next_outputs;
  if (!config.is_transformer()) {
    const std::size_t gates = config.arch == "lstm" ? 4 : config.arch == "gru" ? 3 : 1;
    // torch's recurrent layers: W_ih (gates*d x input), W_hh (gates*d x d), b_ih, b_hh.
    std::size_t total = (num_symbols + (config.reads_end() ? 1 : 0)) * d + head;
    for (std::size_t layer = 0; layer < config.n_layers; ++layer) total += gates * d * (d + d + 2);
    return total;
  }
  const std::size_t f = config.ff_width();
  const bool extra = config.pool == "cls" || config.reads_end();
  std::size_t total = (num_symbols + (extra ? 1 : 0)) * d;                   // token embedding (+ CLS or end)
  if (config.pos == "learned") total += (max_length + (extra ? 1 : 0)) * d;  // one row per position
  const std::size_t per_layer = 2 * d            // LayerNorm before attention
                                + 3 * d * d + 3 * d  // fused q, k, v projection
                                + d * d + d          // output projection
                                + 2 * d              // LayerNorm before the MLP
                                + d * f + f + f * d + d;  // MLP
  total += config.n_layers * per_layer + 2 * d + head;  // blocks, final LayerNorm, head
  return total;
}

ModelConfig resolve_budget(const ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                           std::size_t num_classes, std::size_t next_outputs) {
  if (!config.params) return config;
  const double budget = *config.params;
  const double aspect = config.d_ff == 0 ? 4.0 : static_cast<double>(config.d_ff) / static_cast<double>(config.d_model);
  const std::size_t step = config.is_transformer() ? std::max<std::size_t>(config.n_heads, 1) : 1;
  ModelConfig best = config;
  double best_error = INFINITY;
  for (std::size_t d = step; d <= 8192; d += step) {
    ModelConfig candidate = config;
    candidate.d_model = d;
    candidate.d_ff = config.d_ff == 0 ? 0 : static_cast<std::size_t>(std::lround(aspect * static_cast<double>(d)));
    if (candidate.is_transformer() && candidate.pos == "rope" && (d / step) % 2 != 0) continue;
    const double count = static_cast<double>(parameter_count(candidate, num_symbols, max_length, num_classes, next_outputs));
    const double error = std::abs(count - budget);
    if (error < best_error) {
      best_error = error;
      best = candidate;
    }
    if (count > 2 * budget) break;  // counts only grow with d
  }
  return best;
}

}  // namespace regal::model
