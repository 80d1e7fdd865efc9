// `train.*`: validation, strict JSON (whole numbers, numbers and booleans
// checked by the type of their default), and the learning-rate schedule:
// linear warm-up, then cosine decay to lr_min.
#include "train/config.h"

#include <cmath>

#include "util/error.h"
#include "util/text.h"

namespace regal::train {

void TrainConfig::validate() const {
  auto require = [](bool ok, const std::string& message) {
    if (!ok) throw InputError(message);
  };
  require(lr > 0, "train.lr must be positive");
  require(lr_min >= 0 && lr_min <= lr, "train.lr_min must lie in [0, train.lr]");
  require(weight_decay >= 0, "train.weight_decay must be >= 0");
  require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "train.beta1 and train.beta2 must lie in [0, 1)");
  require(clip >= 0, "train.clip must be >= 0 (0 disables clipping)");
  require(steps >= 1, "train.steps must be at least 1");
  require(batch_size >= 1, "train.batch_size must be at least 1");
  require(eval_every >= 1, "train.eval_every must be at least 1");
  require(checkpoint_every >= 1, "train.checkpoint_every must be at least 1");
  if (target != "string" && target != "prefix" && target != "next_symbols") {
    throw KeyError("train.target", "train.target must be string, prefix or next_symbols (got '" + target + "')");
  }
  if (!(aux_weight >= 0) || !std::isfinite(aux_weight)) {
    throw KeyError("train.aux_weight", "train.aux_weight must be a finite number >= 0 (got " + nlohmann::json(aux_weight).dump() + ")");
  }
  if (aux_weight > 0 && target == "next_symbols") {
    throw KeyError("train.aux_weight", "train.aux_weight weighs the next-symbols loss added to a string or prefix "
                                       "target; train.target = next_symbols trains on that loss alone");
  }
  require(schedule_steps == 0 || schedule_steps >= steps, "train.schedule_steps must be 0 (= train.steps) or at least train.steps");
}

nlohmann::json TrainConfig::to_json() const {
  return {{"lr", lr},           {"lr_min", lr_min},         {"weight_decay", weight_decay},
          {"beta1", beta1},     {"beta2", beta2},           {"warmup", warmup},
          {"clip", clip},       {"steps", steps},           {"batch_size", batch_size},
          {"eval_every", eval_every}, {"patience", patience}, {"checkpoint_every", checkpoint_every},
          {"deterministic", deterministic}, {"shuffle_labels", shuffle_labels}, {"schedule_steps", schedule_steps},
          {"target", target}, {"aux_weight", aux_weight}};
}

TrainConfig TrainConfig::from_json(const nlohmann::json& json) {
  TrainConfig config;
  nlohmann::json merged = config.to_json();
  auto keys = [&] {  // for the message only: built when a key is unknown
    std::vector<std::string> all;
    for (const auto& item : merged.items()) all.push_back("train." + item.key());
    return all;
  };
  for (const auto& [key, value] : json.items()) {
    if (!merged.contains(key)) throw KeyError("train." + key, "unknown key train." + key + did_you_mean("train." + key, keys()));
    if (merged[key].is_string()) {
      if (!value.is_string()) throw KeyError("train." + key, "train." + key + " must be a string (got " + value.dump() + ")");
      merged[key] = value;
      continue;
    }
    if (merged[key].is_boolean()) {
      if (!value.is_boolean()) throw KeyError("train." + key, "train." + key + " must be true or false (got " + value.dump() + ")");
      merged[key] = value;
      continue;
    }
    const bool whole = merged[key].is_number_integer();
    if (whole && (!value.is_number_integer() || value.get<std::int64_t>() < 0)) {
      throw KeyError("train." + key, "train." + key + " must be a whole number >= 0 (got " + value.dump() + ")");
    }
    if (!whole && !value.is_number()) throw KeyError("train." + key, "train." + key + " must be a number (got " + value.dump() + ")");
    merged[key] = value;
  }
  config.lr = merged["lr"].get<double>();
  config.lr_min = merged["lr_min"].get<double>();
  config.weight_decay = merged["weight_decay"].get<double>();
  config.beta1 = merged["beta1"].get<double>();
  config.beta2 = merged["beta2"].get<double>();
  config.warmup = merged["warmup"].get<std::size_t>();
  config.clip = merged["clip"].get<double>();
  config.steps = merged["steps"].get<std::size_t>();
  config.batch_size = merged["batch_size"].get<std::size_t>();
  config.eval_every = merged["eval_every"].get<std::size_t>();
  config.patience = merged["patience"].get<std::size_t>();
  config.checkpoint_every = merged["checkpoint_every"].get<std::size_t>();
  config.deterministic = merged["deterministic"].get<bool>();
  config.shuffle_labels = merged["shuffle_labels"].get<bool>();
  config.schedule_steps = merged["schedule_steps"].get<std::size_t>();
  config.target = merged["target"].get<std::string>();
  config.aux_weight = merged["aux_weight"].get<double>();
  return config;
}

double learning_rate(const TrainConfig& config, std::size_t step) {
  if (step < config.warmup) return config.lr * static_cast<double>(step + 1) / static_cast<double>(config.warmup);
  const std::size_t horizon = config.schedule_steps > 0 ? config.schedule_steps : config.steps;
  const std::size_t decay_steps = horizon > config.warmup ? horizon - config.warmup : 1;
  const double progress = std::min(1.0, static_cast<double>(step - config.warmup) / static_cast<double>(decay_steps));
  return config.lr_min + 0.5 * (config.lr - config.lr_min) * (1.0 + std::cos(M_PI * progress));
}

}  // namespace regal::train
