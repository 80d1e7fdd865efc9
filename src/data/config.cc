// `data.*`: defaults, validation with messages naming the field, and strict
// JSON with "did you mean" for unknown keys.
#include "data/config.h"

#include "util/error.h"
#include "util/json_fields.h"
#include "util/text.h"

namespace regal::data {

const char* negatives_name(Negatives negatives) {
  switch (negatives) {
    case Negatives::kUniform: return "uniform";
    case Negatives::kBorder: return "border";
    case Negatives::kMixed: return "mixed";
  }
  return "uniform";
}

std::optional<Negatives> parse_negatives(const std::string& text) {
  if (text == "uniform") return Negatives::kUniform;
  if (text == "border") return Negatives::kBorder;
  if (text == "mixed") return Negatives::kMixed;
  return std::nullopt;
}

const char* sampling_name(Sampling sampling) { return sampling == Sampling::kNatural ? "natural" : "balanced"; }

std::optional<Sampling> parse_sampling(const std::string& text) {
  if (text == "balanced") return Sampling::kBalanced;
  if (text == "natural") return Sampling::kNatural;
  return std::nullopt;
}

const char* train_mode_name(TrainMode mode) { return mode == TrainMode::kOnline ? "online" : "corpus"; }

const char* border_edits_name(BorderEdits edits) { return edits == BorderEdits::kEdit ? "edit" : "substitution"; }

void DataConfig::validate() const {
  auto require = [](bool ok, const std::string& message) {
    if (!ok) throw InputError(message);
  };
  constexpr std::size_t kLongest = 100000;
  require(L_min >= 1, "data.L_min must be at least 1 (got " + std::to_string(L_min) + ")");
  require(L_max >= L_min, "data.L_max (" + std::to_string(L_max) + ") must be at least data.L_min (" +
                              std::to_string(L_min) + ")");
  require(L_test_max >= L_max, "data.L_test_max (" + std::to_string(L_test_max) + ") must be at least data.L_max (" +
                                   std::to_string(L_max) + ")");
  require(L_test_max <= kLongest, "data.L_test_max must be at most " + std::to_string(kLongest));
  require(n_train >= 1, "data.n_train must be at least 1");
  require(p_accept >= 0.0 && p_accept <= 1.0, "data.p_accept must lie in [0, 1] (got " + std::to_string(p_accept) + ")");
}

nlohmann::json DataConfig::to_json() const {
  return nlohmann::json{{"L_min", L_min},
                        {"L_max", L_max},
                        {"L_test_max", L_test_max},
                        {"n_train", n_train},
                        {"n_val", n_val},
                        {"n_test_per_length", n_test_per_length},
                        {"p_accept", p_accept},
                        {"negatives", negatives_name(negatives)},
                        {"edge_holdout", edge_holdout},
                        {"sampling", sampling_name(sampling)},
                        {"train_mode", train_mode_name(train_mode)},
                        {"border_edits", border_edits_name(border_edits)},
                        {"seed", seed ? nlohmann::json(*seed) : nlohmann::json(nullptr)}};
}

nlohmann::json DataConfig::identity_json() const {
  nlohmann::json json = to_json();
  if (sampling == Sampling::kBalanced) json.erase("sampling");
  if (train_mode == TrainMode::kCorpus) json.erase("train_mode");
  if (border_edits == BorderEdits::kSubstitution) json.erase("border_edits");
  return json;
}

DataConfig DataConfig::from_json(const nlohmann::json& json) {
  DataConfig config;
  const nlohmann::json defaults = config.to_json();
  auto keys = [&] {  // for the message only: built when a key is unknown
    std::vector<std::string> all;
    for (const auto& item : defaults.items()) all.push_back("data." + item.key());
    return all;
  };
  auto count = [](const std::string& key, const nlohmann::json& value) { return whole_number("data." + key, value); };
  for (const auto& [key, value] : json.items()) {
    if (!defaults.contains(key)) throw KeyError("data." + key, "unknown key data." + key + did_you_mean("data." + key, keys()));
    try {
      if (key == "L_min") config.L_min = count(key, value);
      if (key == "L_max") config.L_max = count(key, value);
      if (key == "L_test_max") config.L_test_max = count(key, value);
      if (key == "n_train") config.n_train = count(key, value);
      if (key == "n_val") config.n_val = count(key, value);
      if (key == "n_test_per_length") config.n_test_per_length = count(key, value);
      if (key == "p_accept") {
        if (!value.is_number()) throw KeyError("data.p_accept", "data.p_accept must be a number (got " + value.dump() + ")");
        config.p_accept = value.get<double>();
      }
      if (key == "edge_holdout") config.edge_holdout = count(key, value);
      if (key == "seed") config.seed = value.is_null() ? std::nullopt : std::optional<std::uint64_t>(count(key, value));
      if (key == "train_mode") {
        const std::string mode = value.get<std::string>();
        if (mode != "corpus" && mode != "online") {
          throw KeyError("data.train_mode", "data.train_mode must be corpus or online (got " + value.dump() + ")");
        }
        config.train_mode = mode == "online" ? TrainMode::kOnline : TrainMode::kCorpus;
      }
      if (key == "border_edits") {
        const std::string edits = value.get<std::string>();
        if (edits != "substitution" && edits != "edit") {
          throw KeyError("data.border_edits", "data.border_edits must be substitution or edit (got " + value.dump() + ")");
        }
        config.border_edits = edits == "edit" ? BorderEdits::kEdit : BorderEdits::kSubstitution;
      }
      if (key == "sampling") {
        const auto parsed = parse_sampling(value.get<std::string>());
        if (!parsed) throw KeyError("data.sampling", "data.sampling must be balanced or natural (got " + value.dump() + ")");
        config.sampling = *parsed;
      }
      if (key == "negatives") {
        const auto parsed = parse_negatives(value.get<std::string>());
        if (!parsed) throw KeyError("data.negatives", "data.negatives must be uniform, border or mixed (got " + value.dump() + ")");
        config.negatives = *parsed;
      }
    } catch (const nlohmann::json::exception&) {
      throw KeyError("data." + key, "data." + key + " has the wrong type: " + value.dump());
    }
  }
  return config;
}

}  // namespace regal::data
