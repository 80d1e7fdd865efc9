// Size estimates and the memory guard. The estimates are deliberately upper
// bounds from the settings alone: strings of the mean length of each split,
// every distinct string also held once in a hash set while sampling, float32
// tensors, a transformer's attention scores at full length. They exist to
// refuse runs that could never fit (a typo of three zeros), not to pack a node.
#include "sweep/guards.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "model/config.h"
#include "util/error.h"

namespace regal::sweep {
namespace {

constexpr double kStringOverhead = 64;  // bytes per distinct string in a hash set, beyond its symbols
constexpr double kFloat = 4;

std::optional<double> read_number(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<double> mem_available() {
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    double kib = 0;
    if (fields >> kib) return kib * 1024;
  }
  return std::nullopt;
}

}  // namespace

RunEstimate estimate_run(const experiment::Experiment& e) {
  RunEstimate estimate;
  const auto& d = e.data;
  const double train_length = static_cast<double>(d.L_min + d.L_max) / 2.0;
  const double test_lengths = static_cast<double>(d.L_test_max - d.L_min + 1);
  const double test_length = static_cast<double>(d.L_min + d.L_test_max) / 2.0;
  // test_id, test_len_ood and test_border span L_min..L_test_max; test_edge_ood too when held out.
  const double test_splits = d.edge_holdout > 0 ? 3.0 : 2.0;
  const double train_strings = static_cast<double>(d.n_train + d.n_val);
  const double test_strings = static_cast<double>(d.n_test_per_length) * test_lengths * test_splits;
  estimate.strings = train_strings + test_strings;
  estimate.symbols = train_strings * train_length + test_strings * test_length;
  const double train_bytes = train_strings * (train_length + 9 + kStringOverhead);
  const double test_bytes = test_strings * (2 * test_length + 9 + kStringOverhead);
  estimate.corpus_bytes = train_bytes + test_bytes;

  const auto [resolved, parameters] = e.planned_model();
  estimate.parameters = static_cast<double>(parameters);
  const double width = static_cast<double>(resolved.d_model), layers = static_cast<double>(resolved.n_layers);
  const double heads = resolved.is_transformer() ? static_cast<double>(resolved.n_heads) : 0.0;
  auto activations = [&](double batch, double length) {
    const double per_position = width * (resolved.is_transformer() ? 8.0 + 4.0 * static_cast<double>(resolved.ff_width()) / width : 8.0);
    return kFloat * batch * layers * (length * per_position + heads * length * length);
  };
  const double step_bytes = activations(static_cast<double>(e.train.batch_size), static_cast<double>(d.L_max)) * 2;  // and gradients
  estimate.model_bytes = estimate.parameters * kFloat * 4 + step_bytes;
  estimate.eval_bytes = activations(512, static_cast<double>(d.L_test_max));

  // The corpus stays in memory through training and evaluation.
  estimate.memory_bytes = estimate.corpus_bytes + std::max(estimate.model_bytes, estimate.eval_bytes);
  const double largest = std::max({train_bytes, test_bytes, estimate.model_bytes, estimate.eval_bytes});
  if (largest == train_bytes) estimate.dominant = d.n_train >= d.n_val ? "data.n_train" : "data.n_val";
  else if (largest == test_bytes) estimate.dominant = "data.n_test_per_length";
  else if (largest == estimate.eval_bytes) estimate.dominant = "data.L_test_max";
  else estimate.dominant = e.model.params ? "model.params" : "model.d_model";
  return estimate;
}

std::optional<double> memory_per_child(std::size_t children_per_node) {
  std::optional<double> limit = read_number("/sys/fs/cgroup/memory.max");  // cgroup v2
  if (!limit) limit = read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes");  // v1 (a huge number when unset)
  const std::optional<double> available = mem_available();
  std::optional<double> usable = available;
  if (limit && (!usable || *limit < *usable)) usable = limit;
  if (!usable) return std::nullopt;
  return *usable / static_cast<double>(std::max<std::size_t>(children_per_node, 1));
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 5) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

void check_run_sizes(const std::vector<std::pair<std::string, const experiment::Experiment*>>& runs, double limit,
                     const std::string& where_limit) {
  for (const auto& [id, experiment] : runs) {
    const RunEstimate estimate = estimate_run(*experiment);
    if (estimate.memory_bytes <= limit) continue;
    std::string pointer = "/" + estimate.dominant;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    const nlohmann::json value = experiment->to_json()[nlohmann::json::json_pointer(pointer)];
    char strings[32];
    std::snprintf(strings, sizeof strings, "%.2g", estimate.strings);
    throw InputError("run " + id + ": " + estimate.dominant + " = " + value.dump() + " needs about " +
                     human_bytes(estimate.memory_bytes) + " (" + strings + " corpus strings, " +
                     human_bytes(estimate.corpus_bytes) + " of corpus, " + human_bytes(std::max(estimate.model_bytes, estimate.eval_bytes)) +
                     " for the model); one run may use " + human_bytes(limit) + " (" + where_limit +
                     "): lower it, or set --memory-per-run");
  }
}

}  // namespace regal::sweep
