#pragma once
// `model.*`: which sequence classifier to build. No torch here: the
// parameter count is computed in closed form (and checked against the built
// model in tests), so budgets resolve without building anything.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace regal::model {

struct ModelConfig {
  std::string arch = "transformer";  // transformer | lstm | gru | rnn
  std::size_t d_model = 64;          // width (recurrent: hidden size)
  std::size_t n_layers = 2;          // blocks or recurrent layers
  std::size_t n_heads = 4;           // transformer: attention heads (d_model must be a multiple)
  std::size_t d_ff = 0;              // transformer: MLP width; 0 means 4 * d_model
  double dropout = 0.0;              // transformer: dropout after attention and MLP
  std::string pos = "sinusoidal";    // transformer: sinusoidal | learned | none | rope | alibi
  std::string pool = "cls";          // transformer: cls | mean; end (transformer and recurrent): an appended readout token
  std::optional<double> params;      // a parameter budget: choose d_model to land closest to it

  bool is_transformer() const { return arch == "transformer"; }
  // An extra token appended after the string whose output is read (Delétang et al.'s output[:, -1]).
  bool reads_end() const { return pool == "end"; }
  std::size_t ff_width() const { return d_ff == 0 ? 4 * d_model : d_ff; }

  // Throws InputError naming "model.<field>".
  void validate() const;
  nlohmann::json to_json() const;
  static ModelConfig from_json(const nlohmann::json& json);
};

// Exact number of trainable parameters of the model `config` builds for an
// alphabet of `num_symbols` symbols whose longest evaluated string has
// `max_length` symbols (learned positions are allocated for it), with one
// output per class (`num_classes`; a recogniser has 2).
std::size_t parameter_count(const ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                            std::size_t num_classes = 2, std::size_t next_outputs = 0);

// When config.params is set: the same config with d_model (a multiple of
// n_heads for transformers) chosen so the parameter count is closest to the
// budget, depth and the d_ff : d_model aspect kept. Otherwise the config as is.
ModelConfig resolve_budget(const ModelConfig& config, std::size_t num_symbols, std::size_t max_length,
                           std::size_t num_classes = 2, std::size_t next_outputs = 0);

}  // namespace regal::model
