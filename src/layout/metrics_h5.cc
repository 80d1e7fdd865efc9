#include "layout/metrics_h5.h"

#include <algorithm>

#include "io/atomic_file.h"

namespace regal::layout {
namespace fs = std::filesystem;

void write_curves(const io::h5::Group& group, const RunCurves& curves) {
  const io::h5::Group history = group.create_group("history");
  history.write("step", curves.step);
  for (const auto& [name, values] : curves.history) history.write(name, values);
  const io::h5::Group eval = group.create_group("eval");
  for (const auto& [name, split] : curves.eval) {
    const io::h5::Group g = eval.create_group(name);
    g.write("length", split.length);
    g.write("n", split.n);
    g.write("accuracy", split.accuracy);
    g.write("loss", split.loss);
    if (!split.accepted.empty()) g.write("accepted", split.accepted);
    if (!split.majority.empty()) g.write("majority", split.majority);
    if (!split.confusion.empty()) {
      g.write("confusion", split.confusion);
      g.write_strings("classes", split.classes);
    }
  }
}

void write_metrics_h5(const fs::path& path, const std::string& run_id, const nlohmann::json& experiment,
                      const RunCurves& curves, const nlohmann::json& summary) {
  io::produce_file_atomic(path, [&](const fs::path& tmp) {
    io::h5::File file = io::h5::File::create(tmp);
    file.set_attribute("run_id", run_id);
    file.set_attribute("experiment", experiment.dump());
    write_curves(file, curves);
    const io::h5::Group summary_group = file.create_group("summary");
    for (const auto& [key, value] : summary.items()) {
      if (value.is_number_integer()) summary_group.set_attribute(key, value.get<std::int64_t>());
      else if (value.is_number()) summary_group.set_attribute(key, value.get<double>());
      else if (value.is_boolean()) summary_group.set_attribute(key, std::int64_t{value.get<bool>() ? 1 : 0});
      else if (value.is_string()) summary_group.set_attribute(key, value.get<std::string>());
    }
    file.close();
  });
}

RunCurves read_curves(const fs::path& path) {
  const io::h5::File file = io::h5::File::open(path);
  RunCurves curves;
  const io::h5::Group history = file.open_group("history");
  for (const auto& column : history.children()) {
    if (column == "step") {
      curves.step = history.read<std::uint64_t>(column);
    } else {
      curves.history[column] = history.read<double>(column);
    }
  }
  const io::h5::Group eval = file.open_group("eval");
  for (const auto& name : eval.children()) {
    const io::h5::Group g = eval.open_group(name);
    SplitScores& scores = curves.eval[name];
    scores = {g.read<std::uint64_t>("length"), g.read<std::uint64_t>("n"), g.read<double>("accuracy"),
              g.read<double>("loss"), {}, {}, {}, {}};
    const auto datasets = g.children();
    auto has = [&](const char* dataset) { return std::find(datasets.begin(), datasets.end(), dataset) != datasets.end(); };
    if (has("accepted")) scores.accepted = g.read<std::uint64_t>("accepted");
    if (has("majority")) scores.majority = g.read<std::uint64_t>("majority");
    if (has("confusion")) {
      scores.confusion = g.read<std::uint64_t>("confusion");
      scores.classes = g.read_strings("classes");
    }
  }
  return curves;
}

}  // namespace regal::layout
