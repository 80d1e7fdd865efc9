#include "aggregate/analysis.h"

#include "aggregate/overall.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "layout/run_paths.h"

namespace regal::aggregate {

Comparison comparison_from_json(const nlohmann::json& entry) {
  Comparison c;
  c.name = entry.value("name", "");
  c.a = Selector::from_json(entry.at("a"));
  c.b = Selector::from_json(entry.at("b"));
  for (const auto& m : entry.value("metrics", nlohmann::json::array())) c.metrics.push_back(m.get<std::string>());
  for (const auto& axis : entry.value("by", nlohmann::json::array())) c.by.push_back(axis.get<std::string>());
  return c;
}

std::vector<Comparison> declared_comparisons(const std::filesystem::path& sweep_dir) {
  const auto plan = io::read_json_file(layout::RunPaths::from_sweep_dir(sweep_dir).plan_json());
  std::vector<Comparison> out;
  if (!plan || !plan->is_object() || !plan->contains("compare")) return out;
  for (const auto& entry : (*plan)["compare"]) out.push_back(comparison_from_json(entry));
  return out;
}

void write_analysis(const std::filesystem::path& dir, const std::vector<RunRecord>& records,
                    const std::vector<Comparison>& comparisons, const StatsOptions& options,
                    const std::vector<FitSpec>& fits) {
  write_tables(dir.string(), records, default_metrics(), std::nullopt, options);
  const Table overall = overall_table(records, display_metrics(), options);
  io::write_file_atomic(dir / "overall.csv", to_csv(overall));
  io::write_file_atomic(dir / "overall.json", to_json(overall).dump(2) + "\n");
  const Table profiles = profiles_table(records, display_metrics(), options);
  io::write_file_atomic(dir / "profiles.csv", to_csv(profiles));
  io::write_file_atomic(dir / "profiles.json", to_json(profiles).dump(2) + "\n");
  if (!comparisons.empty()) {
    const Comparisons compared = compare(records, comparisons, options);
    io::write_file_atomic(dir / "compare.csv", to_csv(compared.table));
    io::write_file_atomic(dir / "compare.json", to_json(compared.table).dump(2) + "\n");
    io::write_file_atomic(dir / "pairs.json", compared.pairs.dump(2) + "\n");
  }
  if (!fits.empty()) {
    const Fits fitted = fit_tables(records, fits, options);
    io::write_file_atomic(dir / "fit.csv", to_csv(fitted.table));
    io::write_file_atomic(dir / "fit.json", fitted.json.dump(2) + "\n");
  }
}

}  // namespace regal::aggregate
