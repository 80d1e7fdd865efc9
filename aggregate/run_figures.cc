// Per-run figures: built from metrics.h5 (history, per-length scores),
// experiment.json (training lengths) and fsm.dot, drawn in one batch for all
// runs that need them. Automata are drawn once per distinct fsm.dot and the
// files copied to the other runs of that language.
#include "aggregate/run_figures.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "aggregate/tables.h"
#include "io/atomic_file.h"
#include "io/hash.h"
#include "io/json_file.h"
#include "layout/metrics_h5.h"
#include "layout/status.h"
#include "util/error.h"

namespace regal::aggregate {
namespace fs = std::filesystem;
namespace {

// Bump when the figures change, so runs drawn by an older regal are drawn again.
constexpr int kRunFiguresVersion = 1;  // NOLINT: bump on any change to what the figures show

std::string read_text(const fs::path& path) {
  auto text = io::read_file(path);
  if (!text) throw IoError("cannot read " + path.string());
  return std::move(*text);
}

struct RunInfo {
  std::string title;  // run id, language, the model
  std::uint64_t L_min = 1, L_max = 1;
};

RunInfo run_info(const layout::RunPaths& paths) {
  const auto experiment = io::read_json_file(paths.experiment_json());
  if (!experiment || !experiment->is_object()) throw IoError("cannot read " + paths.experiment_json().string());
  RunInfo info;
  const auto& data = experiment->value("data", nlohmann::json::object());
  info.L_min = data.value("L_min", std::uint64_t{1});
  info.L_max = data.value("L_max", std::uint64_t{1});
  const auto& language = experiment->value("language", nlohmann::json::object());
  const auto& model = experiment->value("model", nlohmann::json::object());
  info.title = paths.run_id() + "  " + language.value("name", std::string("?")) + "  " +
               model.value("arch", std::string("?")) + " d_model " + std::to_string(model.value("d_model", 0)) +
               "  seed " + std::to_string(experiment->value("seed", 0));
  return info;
}

plot::Figure learning_curves(const layout::RunPaths& paths, const layout::RunCurves& curves, const RunInfo& info) {
  plot::DataFile data;
  data.block("history: one row per evaluation", {"step", "train_loss", "train_acc", "val_loss", "val_acc"});
  const auto column = [&](const char* name, std::size_t i) {
    const auto found = curves.history.find(name);
    return found != curves.history.end() && i < found->second.size() ? found->second[i] : NAN;
  };
  for (std::size_t i = 0; i < curves.step.size(); ++i) {
    data.row({static_cast<double>(curves.step[i]), column("train_loss", i), column("train_acc", i), column("val_loss", i),
              column("val_acc", i)});
  }
  plot::Figure f;
  f.dir = paths.visualizations_dir();
  f.name = "learning_curves";
  f.title = "Learning curves of run " + paths.run_id() + ": loss and accuracy against step";
  f.data = data.text();
  f.width = 1000;
  f.height = 420;
  f.body = "set multiplot layout 1,2 title " + plot::quote(info.title) +
           "\n"
           "set xlabel 'step'\n"
           "set title 'loss (cross-entropy)'\n"
           "set logscale y\n"
           "set key top right\n"
           "plot 'learning_curves.dat' index 0 using 1:2 with linespoints lt 1 title 'train', \\\n"
           "     '' index 0 using 1:4 with linespoints lt 2 title 'validation'\n"
           "unset logscale y\n"
           "set title 'accuracy'\n"
           "set yrange [0:1.02]\n"
           "set key bottom right\n"
           "plot 'learning_curves.dat' index 0 using 1:3 with linespoints lt 1 title 'train', \\\n"
           "     '' index 0 using 1:5 with linespoints lt 2 title 'validation'\n"
           "unset multiplot\n";
  return f;
}

plot::Figure accuracy_by_length(const layout::RunPaths& paths, const layout::RunCurves& curves, const nlohmann::json& metrics,
                                const RunInfo& info) {
  plot::DataFile data;
  std::string plots;
  int line_type = 1;
  // The chance line: per length, from the in-distribution and longer splits (which do not overlap).
  std::map<std::uint64_t, double> chance;
  std::uint64_t longest = 0;
  for (const auto& [split, label] : test_splits()) {
    const auto found = curves.eval.find(split);
    if (found == curves.eval.end() || found->second.length.empty()) continue;
    const auto& scores = found->second;
    longest = std::max(longest, *std::max_element(scores.length.begin(), scores.length.end()));
    const int index = data.block(split + " (" + label + ")", {"length", "accuracy", "n", "accepted"});
    for (std::size_t i = 0; i < scores.length.size(); ++i) {
      data.row({static_cast<double>(scores.length[i]), scores.accuracy[i], static_cast<double>(scores.n[i]),
                i < scores.accepted.size() ? static_cast<double>(scores.accepted[i]) : NAN});
    }
    if (split == "test_id" || split == "test_len_ood") {
      const auto key = "chance_" + split;
      const double split_chance = metrics.contains(key) && metrics[key].is_number() ? metrics[key].get<double>() : NAN;
      const std::vector<double> line = chance_by_length(scores, split_chance);
      for (std::size_t i = 0; i < scores.length.size(); ++i) chance[scores.length[i]] = line[i];
    }
    plots += std::string(plots.empty() ? "plot " : ", \\\n     ") + "'accuracy_by_length.dat' index " +
             std::to_string(index) + " using 1:2 with linespoints lt " + std::to_string(line_type++) + " title " +
             plot::quote(label);
  }
  if (!chance.empty()) {
    const int index = data.block("chance: the majority class's share per length (in-distribution and longer)", {"length", "chance"});
    for (const auto& [length, value] : chance) data.row({static_cast<double>(length), value});
    plots += ", \\\n     'accuracy_by_length.dat' index " + std::to_string(index) +
             " using 1:2 with lines dt 2 lw 1.4 lc rgb '#666666' title 'chance (majority class)'";
  }
  plot::Figure f;
  f.dir = paths.visualizations_dir();
  f.name = "accuracy_by_length";
  f.title = "Accuracy against string length for each test split of run " + paths.run_id();
  f.data = data.text();
  f.width = 900;
  f.height = 460;
  const std::string lo = format_number(static_cast<double>(info.L_min) - 0.5);
  const std::string hi = format_number(static_cast<double>(info.L_max) + 0.5);
  f.body = "set title " + plot::quote(info.title) +
           "\n"
           "set xlabel 'string length'\n"
           "set ylabel 'accuracy'\n"
           "set yrange [0:1.02]\n" +
           length_axis(info.L_min, std::max<std::uint64_t>(info.L_max, longest)) +
           "set object 1 rect from " + lo + ", graph 0 to " + hi + ", graph 1 behind fc rgb '#ececec' fs solid 1.0 noborder\n"
           "set label 1 'training lengths' at " + lo + ", graph 0.03 offset 0.5,0 left textcolor rgb '#777777'\n"
           "set key bottom right opaque box lc rgb '#cccccc'\n" +
           (plots.empty() ? "plot NaN notitle\n" : plots + "\n");
  return f;
}

struct Stamp {
  std::string source;  // metrics.h5's digest
  nlohmann::json to_json(const std::string& dfa_note) const {
    return {{"version", kRunFiguresVersion},
            {"metrics_h5_sha256", source},
            {"figures", {"learning_curves", "accuracy_by_length", "dfa"}},
            {"dfa", dfa_note}};
  }
};

}  // namespace

const std::vector<std::pair<std::string, std::string>>& test_splits() {
  static const std::vector<std::pair<std::string, std::string>> splits = {
      {"test_id", "in-distribution"},
      {"test_len_ood", "longer (length-OOD)"},
      {"test_edge_ood", "unseen transitions (edge-OOD)"},
      {"test_border", "one edit away (border)"}};
  return splits;
}

// The string-length axis: from the shortest training length to the longest
// tested, whole numbers only.
std::string length_axis(std::uint64_t shortest, std::uint64_t longest) {
  std::string out = "set xrange [" + format_number(static_cast<double>(shortest) - 0.5) + ":" +
                    format_number(static_cast<double>(longest) + 0.5) + "]\n";
  const std::uint64_t span = longest - std::min(shortest, longest);
  const std::uint64_t step = span <= 16 ? 1 : span <= 40 ? 5 : span <= 100 ? 10 : span <= 400 ? 50 : 100;
  return out + "set xtics " + std::to_string(step) + "\n";
}

std::vector<double> chance_by_length(const layout::SplitScores& scores, double split_chance) {
  std::vector<double> line;
  for (std::size_t i = 0; i < scores.length.size(); ++i) {
    if (i < scores.majority.size() && scores.n[i] > 0) {  // any number of classes
      line.push_back(static_cast<double>(scores.majority[i]) / static_cast<double>(scores.n[i]));
    } else if (i < scores.accepted.size() && scores.n[i] > 0) {  // older files: two classes
      const double share = static_cast<double>(scores.accepted[i]) / static_cast<double>(scores.n[i]);
      line.push_back(std::max(share, 1 - share));
    } else {
      line.push_back(split_chance);
    }
  }
  return line;
}

std::vector<plot::Figure> run_figures(const layout::RunPaths& paths) {
  const RunInfo info = run_info(paths);
  const layout::RunCurves curves = layout::read_curves(paths.metrics_h5());
  const nlohmann::json metrics = io::read_json_file(paths.metrics_json()).value_or(nlohmann::json::object());
  return {learning_curves(paths, curves, info), accuracy_by_length(paths, curves, metrics, info)};
}

RunFiguresResult draw_run_figures(const std::vector<fs::path>& run_dirs, const plot::Tools& tools) {
  RunFiguresResult result;
  std::vector<plot::Figure> figures;
  struct Pending {
    layout::RunPaths paths;
    Stamp stamp;
    std::string dfa_note;
  };
  std::vector<Pending> pending;
  std::map<std::string, fs::path> drawn_dfa;  // fsm.dot digest -> the stem drawn for it
  std::vector<std::pair<fs::path, fs::path>> dot_jobs;
  std::vector<std::pair<std::string, fs::path>> dfa_copies;  // digest -> stem to copy into
  for (const auto& dir : run_dirs) {
    const layout::RunPaths paths = layout::RunPaths::from_run_dir(dir);
    const auto status = layout::read_status(paths);
    if (!status || status->state != layout::RunState::kDone) continue;
    Stamp stamp;
    if (status->artifacts.contains("metrics.h5")) stamp.source = status->artifacts["metrics.h5"].value("sha256", "");
    const fs::path stamp_file = paths.visualizations_dir() / "figures.json";
    if (const auto old = io::read_json_file(stamp_file); old && old->is_object() && !stamp.source.empty() &&
                                                          old->value("metrics_h5_sha256", "") == stamp.source &&
                                                          old->value("version", 0) == kRunFiguresVersion) {
      ++result.current;
      continue;
    }
    try {
      for (auto& f : run_figures(paths)) figures.push_back(std::move(f));
    } catch (const std::exception& e) {
      result.failures.push_back(paths.run_dir().string() + ": " + e.what());
      continue;
    }
    std::string dfa_note = "drawn";
    const auto fsm = io::read_json_file(paths.fsm_json());
    const std::size_t states = fsm && fsm->is_object() ? fsm->value("states", std::size_t{0}) : 0;
    std::error_code ec;
    if (!fs::exists(paths.fsm_dot(), ec)) {
      dfa_note = "no fsm.dot";
    } else if (states > kMaxDrawnStates) {
      dfa_note = "not drawn: " + std::to_string(states) + " states (more than " + std::to_string(kMaxDrawnStates) + ")";
    } else {
      const std::string digest = io::sha256_hex(read_text(paths.fsm_dot()));
      const fs::path stem = paths.visualizations_dir() / "dfa";
      if (drawn_dfa.emplace(digest, stem).second) {
        dot_jobs.emplace_back(paths.fsm_dot(), stem);
      } else {
        dfa_copies.emplace_back(digest, stem);
      }
    }
    pending.push_back({paths, stamp, dfa_note});
  }
  auto failures = plot::render(figures, tools);
  auto dot_failures = plot::render_dot(dot_jobs, tools);
  for (const auto& [digest, stem] : dfa_copies) {
    const fs::path from = drawn_dfa[digest];
    for (const char* ext : {".svg", ".png"}) {
      if (const auto bytes = io::read_file(from.string() + ext)) {
        io::write_file_atomic(stem.string() + ext, *bytes);
      } else {
        result.failures.push_back(stem.string() + ": the automaton it shares with " + from.string() + " was not drawn");
        break;
      }
    }
  }
  result.failures.insert(result.failures.end(), failures.begin(), failures.end());
  result.failures.insert(result.failures.end(), dot_failures.begin(), dot_failures.end());
  for (const auto& p : pending) {
    const std::string prefix = (p.paths.run_dir() / "").string();
    const bool failed = std::any_of(result.failures.begin(), result.failures.end(),
                                    [&](const std::string& line) { return line.rfind(prefix, 0) == 0; });
    if (failed) continue;  // no stamp: drawn again next time
    io::write_file_atomic(p.paths.visualizations_dir() / "figures.json", p.stamp.to_json(p.dfa_note).dump(2) + "\n");
    ++result.drawn;
  }
  return result;
}

}  // namespace regal::aggregate
