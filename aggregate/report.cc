// The report: gathers the tables (summary, across languages, comparisons),
// draws the figures, and writes report.html and report.md. The HTML is one
// file: CSS in a <style> element, every figure as inline SVG (ids prefixed
// per figure, anything active refused by plot::inline_svg), links to run
// folders relative to the report. Nothing in it depends on the time it was
// written, only on the run folders.
#include "aggregate/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "aggregate/overall.h"
#include "aggregate/run_figures.h"
#include "aggregate/sweep_figures.h"
#include "io/atomic_file.h"
#include "io/json_file.h"
#include "layout/run_paths.h"
#include "layout/status.h"
#include "util/error.h"

namespace regal::aggregate {
namespace fs = std::filesystem;

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string markdown_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\n': case '\r': out += ' '; break;
      case '|': case '\\': case '*': case '_': case '[': case ']': case '`': case '#': case '!':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

namespace {

std::size_t column_of(const Table& table, const std::string& name) {
  return static_cast<std::size_t>(std::find(table.columns.begin(), table.columns.end(), name) - table.columns.begin());
}
const std::string& at(const Table& table, const std::vector<std::string>& row, const std::string& name) {
  static const std::string none;
  const std::size_t c = column_of(table, name);
  return c < row.size() ? row[c] : none;
}

// Numbers as a reader wants them in the report's tables: three decimals
// below 10 (tiny values in %.2g), one decimal below 100, whole above; the CSV
// files keep every digit.
std::string short_num(const std::string& text) {
  if (text.empty()) return text;
  char* end = nullptr;
  const double x = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return text;
  char buffer[32];
  const double a = std::fabs(x);
  if (x == std::round(x) && a < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", x);  // counts, horizons, exact zeros and ones
  } else if (a < 0.001) {
    std::snprintf(buffer, sizeof buffer, "%.2g", x);
  } else if (a < 10) {
    std::snprintf(buffer, sizeof buffer, "%.3f", x);
  } else if (a < 100) {
    std::snprintf(buffer, sizeof buffer, "%.1f", x);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f", x);
  }
  return buffer;
}
// p-values: two significant digits.
std::string short_p(const std::string& text) {
  if (text.empty()) return text;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2g", std::strtod(text.c_str(), nullptr));
  return buffer;
}

// A relative link from the report's folder to `target`, percent-encoded.
std::string link(const fs::path& target, const fs::path& from_dir) {
  std::error_code ec;
  fs::path rel = fs::relative(fs::weakly_canonical(target, ec), fs::weakly_canonical(from_dir, ec), ec);
  if (ec || rel.empty()) rel = target;
  std::string out;
  for (const char ch : rel.generic_string()) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      out += ch;
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

struct Provenance {
  std::map<std::string, std::size_t> builds, hosts, devices;  // builds: commit [+ changes]
  std::map<std::string, std::map<std::string, std::size_t>> versions;  // component -> version -> runs
  std::size_t dirty = 0, done = 0;
  std::string first_started, last_ended;  // the sweep's own times, from status.json
};

Provenance provenance(const std::vector<RunRecord>& records) {
  Provenance p;
  for (const auto& r : records) {
    if (r.run_dir.empty()) continue;
    const layout::RunPaths paths = layout::RunPaths::from_run_dir(r.run_dir);
    if (const auto status = layout::read_status(paths)) {
      const std::string started = status->first_started.empty() ? status->started : status->first_started;
      if (!started.empty() && (p.first_started.empty() || started < p.first_started)) p.first_started = started;
      if (status->ended > p.last_ended) p.last_ended = status->ended;
    }
    if (r.state != layout::RunState::kDone) continue;
    ++p.done;
    const auto env = io::read_json_file(paths.env_json());
    if (!env || !env->is_object()) continue;
    // A build: its commit, and which uncommitted changes (a hash) when dirty.
    const std::string commit = env->value("git_commit", "");
    const std::string changes = env->value("git_dirty", false) ? env->value("git_changes", "") : "";
    ++p.builds[(commit.empty() ? "unknown" : commit.substr(0, 12)) + (changes.empty() ? "" : " + changes " + changes)];
    if (env->value("git_dirty", false)) ++p.dirty;
    ++p.hosts[env->value("host", "?")];
    std::string device = env->value("device", "cpu");
    if (env->contains("cuda") && (*env)["cuda"].is_object()) device += " " + (*env)["cuda"].value("name", "");
    ++p.devices[device];
    for (const char* component : {"regal_version", "libtorch", "compiler", "mpi", "hdf5", "boost"}) {
      if (env->contains(component) && (*env)[component].is_string()) ++p.versions[component][(*env)[component].get<std::string>()];
    }
  }
  return p;
}

std::string counted(const std::map<std::string, std::size_t>& values) {
  std::string out;
  for (const auto& [value, count] : values) out += (out.empty() ? "" : ", ") + value + " (" + std::to_string(count) + ")";
  return out;
}

struct Language {
  std::string name, regex, alphabet;
  std::size_t states = 0;
  std::string figure;  // figures/<stem>, drawn; "" when not
  std::string note;    // why not drawn
};

// One entry per language of the sweep, from the first run folder that has its automaton.
std::vector<Language> languages_of(const std::vector<RunRecord>& records, const fs::path& figures_dir,
                                   const plot::Tools& tools, std::vector<std::string>& warnings) {
  std::vector<Language> languages;
  std::set<std::string> seen;
  std::vector<std::pair<fs::path, fs::path>> jobs;
  for (const auto& r : records) {
    if (r.run_dir.empty()) continue;
    const layout::RunPaths paths = layout::RunPaths::from_run_dir(r.run_dir);
    const auto fsm = io::read_json_file(paths.fsm_json());
    if (!fsm || !fsm->is_object()) continue;
    const auto experiment = io::read_json_file(paths.experiment_json());
    std::string name = axis_text(r, "language");
    if (name.empty() && experiment && experiment->is_object()) {
      name = experiment->value("language", nlohmann::json::object()).value("name", std::string("?"));
    }
    if (!seen.insert(name).second) continue;
    Language l;
    l.name = name;
    l.regex = fsm->value("regex", "");
    l.alphabet = fsm->value("alphabet", "");
    l.states = fsm->value("states", std::size_t{0});
    if (l.states > kMaxDrawnStates) {
      l.note = std::to_string(l.states) + " states: not drawn (more than " + std::to_string(kMaxDrawnStates) + ")";
    } else {
      l.figure = "dfa-" + std::to_string(languages.size() + 1);
      jobs.emplace_back(paths.fsm_dot(), figures_dir / l.figure);
    }
    languages.push_back(std::move(l));
  }
  for (const auto& failure : plot::render_dot(jobs, tools)) {
    warnings.push_back(failure);
    for (auto& l : languages) {
      if (!l.figure.empty() && failure.find((figures_dir / l.figure).string()) == 0) {
        l.note = "not drawn: Graphviz failed";
        l.figure.clear();
      }
    }
  }
  return languages;
}

const char* kCss = R"css(
:root { --ink: #1d1d1f; --muted: #6e6e73; --rule: #e3e3e6; --accent: #0072B2; --warn: #a15c00; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f6; color: var(--ink);
       font: 15px/1.5 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 36px 72px; background: #fff; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 10px; padding-top: 8px; border-top: 1px solid var(--rule); }
h3 { font-size: 16px; margin: 22px 0 6px; }
p, li { max-width: 80ch; }
.lede { color: var(--muted); margin: 0 0 14px; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
code, pre { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 13px; }
pre { background: #f7f7f9; border: 1px solid var(--rule); padding: 10px 12px; overflow-x: auto; white-space: pre-wrap; }
nav { margin: 14px 0 0; font-size: 14px; }
nav a { margin-right: 14px; white-space: nowrap; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.banner { padding: 10px 14px; border-radius: 6px; margin: 14px 0; }
.banner.partial { background: #fff4e0; border: 1px solid #f0c36d; color: #5c3b00; }
.banner.failed { background: #fdecea; border: 1px solid #f3b3ad; color: #6b1a13; }
.counts span { display: inline-block; margin: 0 8px 6px 0; padding: 2px 10px; border-radius: 12px;
               background: #f0f0f3; font-size: 13px; }
.counts .done { background: #e3f2e8; } .counts .failed { background: #fdecea; }
.scroll { overflow-x: auto; margin: 8px 0; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top; }
td { white-space: nowrap; }
td.key { white-space: normal; }
th { background: #fafafb; font-weight: 600; position: sticky; top: 0; }
td.key, th.key { text-align: left; }
td .sub { display: block; color: var(--muted); font-size: 11px; white-space: nowrap; }
td.error { text-align: left; max-width: 60ch; overflow-wrap: anywhere; }
.v-a { color: #0072B2; font-weight: 600; } .v-b { color: #D55E00; font-weight: 600; }
.v-tie { color: #007a5a; font-weight: 600; } .v-unclear { color: var(--muted); }
.sig { color: #007a5a; }
figure { margin: 22px 0 30px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figure svg image { image-rendering: pixelated; }
figcaption { color: var(--muted); font-size: 13px; max-width: 95ch; margin-top: 6px; }
figcaption .files a { margin-right: 8px; }
.languages { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 18px; }
.language { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 12px; break-inside: avoid; }
.language svg { max-width: 100%; height: auto; max-height: 260px; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav, details summary { display: none; }
  a { color: inherit; }
  .scroll { overflow: visible; }
  th { position: static; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; }
  pre { white-space: pre-wrap; }
}
)css";

std::string verdict_html(const std::string& verdict) {
  return "<span class=\"v-" + html_escape(verdict) + "\">" + html_escape(verdict) + "</span>";
}

struct Section {
  std::string id, title;
};

}  // namespace

ReportResult write_report(const fs::path& sweep_dir, const fs::path& out_dir, const std::vector<RunRecord>& records,
                          const std::vector<Comparison>& comparisons, const std::vector<FitSpec>& fits,
                          const ReportOptions& options, const plot::Tools& tools) {
  ReportResult result;
  const layout::RunPaths sweep_paths = layout::RunPaths::from_sweep_dir(sweep_dir);
  const fs::path figures_dir = out_dir / "figures";
  io::create_folders(figures_dir);

  // Per-run figures first: the report links them.
  if (options.run_figures) {
    std::vector<fs::path> dirs;
    for (const auto& r : records) {
      if (!r.run_dir.empty()) dirs.push_back(r.run_dir);
    }
    const RunFiguresResult drawn = draw_run_figures(dirs, tools);
    result.run_figures_drawn = drawn.drawn;
    result.warnings.insert(result.warnings.end(), drawn.failures.begin(), drawn.failures.end());
  }

  // Tables.
  std::map<layout::RunState, std::size_t> states;
  for (const auto& r : records) ++states[r.state];
  const auto count_of = [&](layout::RunState state) {
    const auto found = states.find(state);
    return found == states.end() ? std::size_t{0} : found->second;
  };
  for (const auto& [state, count] : states) {
    if (state != layout::RunState::kDone && state != layout::RunState::kFailed && count > 0) result.partial = true;
  }
  const Table summary = summary_table(records, display_metrics(), std::nullopt, options.stats);
  const Table overall = overall_table(records, display_metrics(), options.stats);
  const Table profiles = profiles_table(records, display_metrics(), options.stats);
  Table compared;
  std::string compare_error;
  if (!comparisons.empty()) {
    try {
      compared = compare(records, comparisons, options.stats).table;
    } catch (const InputError& e) {
      compare_error = e.what();
      result.warnings.push_back("comparisons left out: " + compare_error);
    }
  }

  Fits fitted;
  if (!fits.empty()) {
    try {
      validate(fits, records);
      fitted = fit_tables(records, fits, options.stats);
    } catch (const InputError& e) {
      result.warnings.push_back(std::string("fits left out: ") + e.what());
    }
  }

  // A search's cells (search/<cell>/best.json), in folder order.
  std::vector<std::pair<fs::path, nlohmann::json>> searched;
  if (fs::is_directory(sweep_paths.search_dir())) {
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(sweep_paths.search_dir())) {
      if (entry.is_directory()) dirs.push_back(entry.path());
    }
    // In the grid's order, as search_summary.csv lists the cells (its first column); others after.
    std::map<std::string, std::size_t> order;
    std::istringstream summary_csv(io::read_file(sweep_paths.search_summary_csv()).value_or(""));
    for (std::string line; std::getline(summary_csv, line);) order.emplace(line.substr(0, line.find(',')), order.size());
    std::sort(dirs.begin(), dirs.end(), [&](const fs::path& a, const fs::path& b) {
      const auto ia = order.find(a.filename().string()), ib = order.find(b.filename().string());
      const std::size_t ka = ia == order.end() ? SIZE_MAX : ia->second, kb = ib == order.end() ? SIZE_MAX : ib->second;
      return ka != kb ? ka < kb : a < b;
    });
    for (const auto& dir : dirs) {
      searched.emplace_back(dir, io::read_json_file(sweep_paths.search_best_json(dir.filename().string())).value_or(nlohmann::json()));
    }
  }

  // Figures.
  const SweepView view = load_view(records);
  result.warnings.insert(result.warnings.end(), view.warnings.begin(), view.warnings.end());
  SweepFigureOptions figure_options;
  figure_options.stats = options.stats;
  figure_options.metric = options.metric;
  std::vector<SweepFigure> figures = sweep_figures(view, overall, profiles, compared, figures_dir, figure_options);
  if (fitted.json.is_object() && fitted.json.contains("fits")) {
    if (auto f = fit_figure(fitted.json["fits"], figures_dir)) figures.push_back(std::move(*f));
  }
  std::vector<plot::Figure> to_draw;
  for (const auto& f : figures) to_draw.push_back(f.figure);
  const auto failures = plot::render(to_draw, tools);
  result.warnings.insert(result.warnings.end(), failures.begin(), failures.end());
  result.figures = figures.size() - failures.size();
  const std::vector<Language> languages = languages_of(records, figures_dir, tools, result.warnings);
  const Provenance prov = provenance(records);

  // Sweep identity.
  const nlohmann::json plan = io::read_json_file(sweep_paths.plan_json()).value_or(nlohmann::json::object());
  const std::string name = sweep_paths.sweep_name();
  const std::string description = plan.is_object() ? plan.value("description", "") : "";
  const std::string spec_text = io::read_file(sweep_paths.spec_toml()).value_or("");

  auto figure_block = [&](const SweepFigure& f, std::size_t number) {
    const fs::path svg = f.figure.dir / (f.figure.name + ".svg");
    const auto markup = io::read_file(svg);
    std::optional<std::string> inlined;
    if (markup) inlined = plot::inline_svg(*markup, "f" + std::to_string(number) + "-");
    std::string html = "<figure id=\"fig-" + html_escape(f.figure.name) + "\">\n";
    html += inlined ? *inlined + "\n"
                    : "<p class=\"banner failed\">This figure could not be drawn; the warnings of the report name the cause.</p>\n";
    html += "<figcaption><strong>Figure " + std::to_string(number) + ".</strong> " + html_escape(f.caption) +
            " <span class=\"files\">";
    for (const char* ext : {".png", ".svg", ".dat", ".gp"}) {
      html += "<a href=\"figures/" + html_escape(f.figure.name + ext) + "\">" + std::string(ext + 1) + "</a>";
    }
    return html + "</span></figcaption>\n</figure>\n";
  };
  const auto figure_named = [&](const std::string& n) -> const SweepFigure* {
    for (const auto& f : figures) {
      if (f.figure.name == n) return &f;
    }
    return nullptr;
  };
  std::size_t figure_number = 0;
  std::map<std::string, std::size_t> numbers;
  for (const auto& f : figures) numbers[f.figure.name] = ++figure_number;

  // ---- HTML ----
  std::vector<Section> sections = {{"summary", "Summary"}};
  if (!searched.empty()) sections.push_back({"search", "Search"});
  if (figure_named("accuracy_by_length")) sections.push_back({"length", "Accuracy by length"});
  if (figure_named("learning_curves_accuracy")) sections.push_back({"learning", "Learning curves"});
  if (figure_named("heatmap")) sections.push_back({"heatmap", "Heatmap"});
  if (figure_named("overall")) sections.push_back({"overall", "Across languages"});
  if (!compared.rows.empty() || !compare_error.empty()) sections.push_back({"compare", "Comparisons"});
  if (figure_named("scaling")) sections.push_back({"scaling", "Scaling"});
  if (!fitted.table.rows.empty()) sections.push_back({"fits", "Scaling-law fits"});
  sections.push_back({"languages", "Languages"});
  if (count_of(layout::RunState::kFailed) > 0) sections.push_back({"failed", "Failed runs"});
  sections.push_back({"provenance", "Provenance"});
  sections.push_back({"runs", "Runs"});
  sections.push_back({"spec", "Spec"});

  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n";
  h += "<title>" + html_escape(name) + " — regal report</title>\n<style>" + std::string(kCss) + "</style>\n</head>\n<body>\n<main>\n";
  h += "<header>\n<h1>" + html_escape(name) + "</h1>\n";
  if (!description.empty()) h += "<p class=\"lede\">" + html_escape(description) + "</p>\n";
  h += "<div class=\"counts\">";
  h += "<span>" + std::to_string(records.size()) + " runs</span>";
  for (const auto& [state, count] : states) {
    const std::string word(layout::to_string(state));
    h += "<span class=\"" + word + "\">" + std::to_string(count) + " " + word + "</span>";
  }
  h += "</div>\n";
  if (!prov.first_started.empty()) {
    h += "<p class=\"muted small\">Runs from " + html_escape(prov.first_started) + " to " + html_escape(prov.last_ended) +
         " (UTC). Statistics: docs/statistics.md; bootstrap seed " + std::to_string(options.stats.seed) + ".</p>\n";
  }
  if (result.partial) {
    h += "<p class=\"banner partial\"><strong>Partial report.</strong> " + std::to_string(count_of(layout::RunState::kDone)) +
         " of " + std::to_string(records.size()) +
         " runs are done; the others are not finished yet. Every table and figure shows the done runs only.</p>\n";
  }
  if (count_of(layout::RunState::kFailed) > 0) {
    h += "<p class=\"banner failed\">" + std::to_string(count_of(layout::RunState::kFailed)) +
         " run(s) failed: <a href=\"#failed\">see which and why</a>.</p>\n";
  }
  h += "<nav>";
  for (const auto& s : sections) h += "<a href=\"#" + s.id + "\">" + html_escape(s.title) + "</a>";
  h += "</nav>\n</header>\n";

  // Summary: the group keys, and the display metrics some group has.
  const std::vector<std::string> keys = group_keys(records, std::nullopt);
  std::vector<std::string> shown;
  for (const auto& m : display_metrics()) {
    const bool some = std::any_of(summary.rows.begin(), summary.rows.end(),
                                  [&](const std::vector<std::string>& row) { return !at(summary, row, m + "_mean").empty(); });
    if (some) shown.push_back(m);
  }
  h += "<section id=\"summary\">\n<h2>Summary</h2>\n";
  h += "<p>One row per configuration (every axis but the seed). Each cell: the mean over seeds ± the half-width of its "
       "95% Student-t interval (below 10 seeds; from 10 on, the bootstrap interval leads); beneath, the IQM and, for "
       "accuracies, the chance line (the majority class's share) with the Holm-adjusted p that the runs beat it.</p>\n";
  {
    h += "<div class=\"scroll\"><table>\n<thead><tr>";
    for (const auto& k : keys) h += "<th class=\"key\">" + html_escape(k) + "</th>";
    h += "<th>n</th>";
    for (const auto& m : shown) h += "<th>" + html_escape(m) + "</th>";
    h += "</tr></thead>\n<tbody>\n";
    for (const auto& row : summary.rows) {
      h += "<tr>";
      for (std::size_t k = 0; k < keys.size(); ++k) h += "<td class=\"key\">" + html_escape(row[k]) + "</td>";
      h += "<td>" + html_escape(at(summary, row, "n")) + "/" + html_escape(at(summary, row, "runs")) + "</td>";
      for (const auto& m : shown) {
        const std::string& mean = at(summary, row, m + "_mean");
        if (mean.empty()) {
          h += "<td></td>";
          continue;
        }
        std::string main = short_num(mean);
        if (at(summary, row, "interval") == "bootstrap" && !at(summary, row, m + "_boot_lo").empty()) {
          main += " [" + short_num(at(summary, row, m + "_boot_lo")) + ", " + short_num(at(summary, row, m + "_boot_hi")) + "]";
        } else if (!at(summary, row, m + "_ci95").empty()) {
          main += " ± " + short_num(at(summary, row, m + "_ci95"));
        }
        h += "<td>" + html_escape(main) + "<span class=\"sub\">IQM " + html_escape(short_num(at(summary, row, m + "_iqm"))) + "</span>";
        if (m.rfind("acc_", 0) == 0) {
          const std::string split = m.substr(4);
          const std::string& chance = at(summary, row, "chance_" + split);
          const std::string& p = at(summary, row, "above_chance_" + split);
          if (!chance.empty()) {
            const bool sig = !p.empty() && std::stod(p) < options.stats.alpha;
            h += "<span class=\"sub\">chance " + html_escape(short_num(chance)) +
                 (p.empty() ? "" : std::string(" · p ") + (sig ? "<span class=\"sig\">" : "<span>") + html_escape(short_p(p)) + "</span>") +
                 "</span>";
          }
        }
        h += "</td>";
      }
      h += "</tr>\n";
    }
    h += "</tbody></table></div>\n";
    const auto warnings = provenance_warnings(records);
    for (const auto& w : warnings) h += "<p class=\"banner partial\">" + html_escape(w) + "</p>\n";
    h += "<p class=\"muted small\">Full statistics (std, min, max, median, bootstrap intervals): "
         "<a href=\"" + html_escape(link(sweep_paths.aggregate_dir() / "summary.csv", out_dir)) + "\">aggregate/summary.csv</a>.</p>\n";
  }
  h += "</section>\n";

  // The search: per cell, the chosen configuration and the trials beside it.
  if (!searched.empty()) {
    h += "<section id=\"search\">\n<h2>Search</h2>\n<p>Each cell (a point of the grid) searched its own "
         "hyperparameters on validation data; the summary above shows the chosen configuration trained with the final "
         "seeds. Every trial, its rung and score: trials.csv.</p>\n";
    h += "<div class=\"scroll\"><table>\n<thead><tr><th class=\"key\">cell</th><th class=\"key\">chosen</th>"
         "<th>validation score</th><th>trial</th><th>trials</th><th class=\"key\">files</th></tr></thead>\n<tbody>\n";
    for (const auto& [dir, best] : searched) {
      std::string cell, chosen;
      if (best.is_object()) {
        const nlohmann::json cell_axes = best.value("cell", nlohmann::json::object());
        const nlohmann::json values = best.value("values", nlohmann::json::object());
        for (const auto& [axis, value] : cell_axes.items()) {
          cell += (cell.empty() ? "" : ", ") + axis + "=" + (value.is_string() ? value.get<std::string>() : short_num(value.dump()));
        }
        for (const auto& [key, value] : values.items()) {
          chosen += (chosen.empty() ? "" : ", ") + key + "=" + (value.is_string() ? value.get<std::string>() : short_num(value.dump()));
        }
      }
      const fs::path trials_file = sweep_paths.search_trials_csv(dir.filename().string());
      const auto trials_csv = io::read_file(trials_file).value_or("");
      const auto lines = static_cast<std::size_t>(std::count(trials_csv.begin(), trials_csv.end(), '\n'));
      const std::string score = best.is_object() && best.contains("score") && best["score"].is_number() ? short_num(best["score"].dump()) : "";
      h += "<tr><td class=\"key\">" + html_escape(cell.empty() ? dir.filename().string() : cell) + "</td><td class=\"key\">" +
           html_escape(chosen.empty() ? "(still searching)" : chosen) + "</td><td>" + html_escape(score) + "</td><td>" +
           html_escape(best.is_object() && best.contains("chosen_trial") ? best["chosen_trial"].dump() : "") + "</td><td>" +
           std::to_string(lines > 0 ? lines - 1 : 0) + " runs</td><td class=\"key\"><a href=\"" +
           html_escape(link(trials_file, out_dir)) + "\">trials.csv</a> <a href=\"" +
           html_escape(link(sweep_paths.search_best_json(dir.filename().string()), out_dir)) +
           "\">best.json</a></td></tr>\n";
    }
    h += "</tbody></table></div>\n</section>\n";
  }

  auto section_with = [&](const std::string& id, const std::string& title, const std::string& intro,
                          std::initializer_list<const char*> names) {
    std::string s = "<section id=\"" + id + "\">\n<h2>" + html_escape(title) + "</h2>\n";
    if (!intro.empty()) s += "<p>" + html_escape(intro) + "</p>\n";
    for (const char* n : names) {
      if (const SweepFigure* f = figure_named(n)) s += figure_block(*f, numbers[n]);
    }
    return s + "</section>\n";
  };
  if (figure_named("accuracy_by_length")) {
    h += section_with("length", "Accuracy by length", "Where accuracy falls off beyond the training lengths, and how much seeds disagree.",
                      {"accuracy_by_length"});
  }
  if (figure_named("learning_curves_accuracy")) {
    h += section_with("learning", "Learning curves", "", {"learning_curves_accuracy", "learning_curves_loss"});
  }
  if (figure_named("heatmap")) h += section_with("heatmap", "Heatmap", "", {"heatmap"});
  if (figure_named("overall")) h += section_with("overall", "Across languages", "", {"overall", "profiles"});

  // Comparisons.
  if (!compared.rows.empty() || !compare_error.empty()) {
    h += "<section id=\"compare\">\n<h2>Comparisons</h2>\n";
    if (!compare_error.empty()) h += "<p class=\"banner failed\">" + html_escape(compare_error) + "</p>\n";
    if (!compared.rows.empty()) {
      h += "<p>Runs matched on every axis the arms do not name (the seed included). p: Wilcoxon signed-rank "
           "(Mann–Whitney when unpaired), Holm-adjusted over the " + std::to_string(compared.rows.size()) +
           " rows; verdict at α = " + format_number(options.stats.alpha) + "; tie when the interval lies within ±" +
           format_number(options.stats.effect) + ".</p>\n";
      const std::size_t b_at = column_of(compared, "b"), metric_at = column_of(compared, "metric");
      h += "<div class=\"scroll\"><table>\n<thead><tr><th class=\"key\">comparison</th>";
      for (std::size_t c = b_at + 1; c < metric_at; ++c) h += "<th class=\"key\">" + html_escape(compared.columns[c]) + "</th>";
      h += "<th class=\"key\">metric</th><th>n</th><th>a</th><th>b</th><th>a − b [95% CI]</th><th>p (Holm)</th>"
           "<th>P(a&gt;b)</th><th>effect</th><th>seeds needed</th><th class=\"key\">verdict</th></tr></thead>\n<tbody>\n";
      for (const auto& row : compared.rows) {
        h += "<tr><td class=\"key\">" + html_escape(at(compared, row, "comparison")) + "</td>";
        for (std::size_t c = b_at + 1; c < metric_at; ++c) h += "<td class=\"key\">" + html_escape(row[c]) + "</td>";
        h += "<td class=\"key\">" + html_escape(at(compared, row, "metric")) + "</td>";
        h += "<td>" + html_escape(at(compared, row, "n") + (at(compared, row, "pairing") == "paired" ? "" : " unpaired")) + "</td>";
        h += "<td>" + html_escape(short_num(at(compared, row, "mean_a"))) + "</td><td>" + html_escape(short_num(at(compared, row, "mean_b"))) + "</td>";
        h += "<td>" + html_escape(short_num(at(compared, row, "diff")) + " [" + short_num(at(compared, row, "diff_lo")) + ", " +
                                  short_num(at(compared, row, "diff_hi")) + "]") + "</td>";
        h += "<td>" + html_escape(short_p(at(compared, row, "p_holm"))) + "</td><td>" + html_escape(short_num(at(compared, row, "p_improve"))) + "</td>";
        h += "<td>" + html_escape(short_num(at(compared, row, "effect_size"))) + "</td><td>" + html_escape(at(compared, row, "seeds_needed")) + "</td>";
        h += "<td class=\"key\">" + verdict_html(at(compared, row, "verdict")) + "</td></tr>\n";
      }
      h += "</tbody></table></div>\n";
      if (const auto floor = verdict_floor(compared, options.stats.alpha)) h += "<p class=\"banner partial\">" + html_escape(*floor) + "</p>\n";
      std::set<std::string> arms;
      for (const auto& row : compared.rows) arms.insert("a = " + at(compared, row, "a") + ", b = " + at(compared, row, "b"));
      h += "<p class=\"muted small\">";
      for (const auto& a : arms) h += html_escape(a) + ". ";
      h += "The matched pairs with both run ids: <a href=\"" + html_escape(link(sweep_paths.aggregate_dir() / "pairs.json", out_dir)) +
           "\">aggregate/pairs.json</a>.</p>\n";
      if (const SweepFigure* f = figure_named("forest")) h += figure_block(*f, numbers["forest"]);
    }
    h += "</section>\n";
  }
  if (figure_named("scaling")) h += section_with("scaling", "Scaling", "", {"scaling"});

  // Scaling-law fits.
  if (!fitted.table.rows.empty()) {
    const Table& t = fitted.table;
    h += "<section id=\"fits\">\n<h2>Scaling-law fits</h2>\n";
    h += "<p>Per group, seeds pooled: the error fitted against x as E + A·x<sup>−α</sup> (saturating, E ≥ 0) and as "
         "A·x<sup>−α</sup> (power law), with a Huber loss in log space; α's 95% interval is a bootstrap over seeds within "
         "each x; R² is of log error; the hold-out fits all but the largest x and predicts it.</p>\n";
    const std::size_t x_at = column_of(t, "x");
    h += "<div class=\"scroll\"><table>\n<thead><tr><th class=\"key\">fit</th>";
    for (std::size_t c = 1; c < x_at; ++c) h += "<th class=\"key\">" + html_escape(t.columns[c]) + "</th>";
    h += "<th class=\"key\">error</th><th class=\"key\">law</th><th>runs</th><th>sizes</th><th>α [95%]</th><th>A</th><th>E</th>"
         "<th>R²</th><th>hold-out: predicted / observed</th><th class=\"key\">warnings</th></tr></thead>\n<tbody>\n";
    for (const auto& row : t.rows) {
      h += "<tr><td class=\"key\">" + html_escape(row[0]) + "</td>";
      for (std::size_t c = 1; c < x_at; ++c) h += "<td class=\"key\">" + html_escape(row[c]) + "</td>";
      const std::string lo = at(t, row, "alpha_lo"), hi = at(t, row, "alpha_hi"), hx = at(t, row, "holdout_x");
      h += "<td class=\"key\">" + html_escape(at(t, row, "error") + " ~ " + at(t, row, "x")) + "</td><td class=\"key\">" +
           html_escape(at(t, row, "law")) + "</td><td>" + html_escape(at(t, row, "runs")) + "</td><td>" + html_escape(at(t, row, "sizes")) +
           "</td><td>" + html_escape(short_num(at(t, row, "alpha")) + (lo.empty() ? "" : " [" + short_num(lo) + ", " + short_num(hi) + "]")) +
           "</td><td>" + html_escape(short_num(at(t, row, "A"))) + "</td><td>" + html_escape(short_num(at(t, row, "E"))) + "</td><td>" +
           html_escape(short_num(at(t, row, "r2"))) + "</td><td>" +
           html_escape(hx.empty() ? "" : short_num(at(t, row, "holdout_predicted")) + " / " + short_num(at(t, row, "holdout_observed")) +
                                             " at " + short_num(hx)) +
           "</td><td class=\"error\">" + html_escape(at(t, row, "warnings")) + "</td></tr>\n";
    }
    h += "</tbody></table></div>\n";
    h += "<p class=\"muted small\">Every number, the residuals and each run's point: <a href=\"" +
         html_escape(link(sweep_paths.aggregate_dir() / "fit.json", out_dir)) + "\">aggregate/fit.json</a>.</p>\n";
    if (const SweepFigure* f = figure_named("fit")) h += figure_block(*f, numbers["fit"]);
    h += "</section>\n";
  }

  // Languages.
  h += "<section id=\"languages\">\n<h2>Languages</h2>\n<div class=\"languages\">\n";
  for (std::size_t i = 0; i < languages.size(); ++i) {
    const Language& l = languages[i];
    h += "<div class=\"language\"><h3>" + html_escape(l.name) + "</h3>\n<p><code>" + html_escape(l.regex) + "</code> over <code>" +
         html_escape(l.alphabet) + "</code>; minimal DFA with " + std::to_string(l.states) + " states.</p>\n";
    std::optional<std::string> svg;
    if (!l.figure.empty()) {
      if (const auto markup = io::read_file(figures_dir / (l.figure + ".svg"))) svg = plot::inline_svg(*markup, "l" + std::to_string(i + 1) + "-");
    }
    if (svg) {
      h += *svg + "\n<p class=\"muted small\">States numbered canonically; double circles accept; grey dashed: dead. "
                  "<a href=\"figures/" + html_escape(l.figure) + ".png\">png</a> <a href=\"figures/" + html_escape(l.figure) +
           ".svg\">svg</a></p>\n";
    } else if (!l.note.empty()) {
      h += "<p class=\"muted small\">" + html_escape(l.note) + "</p>\n";
    }
    h += "</div>\n";
  }
  h += "</div>\n</section>\n";

  // Failed runs.
  if (count_of(layout::RunState::kFailed) > 0) {
    h += "<section id=\"failed\">\n<h2>Failed runs</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th class=\"key\">run</th>"
         "<th class=\"key\">settings</th><th class=\"key\">stage: error</th></tr></thead>\n<tbody>\n";
    for (const auto& r : records) {
      if (r.state != layout::RunState::kFailed) continue;
      std::string settings;
      for (const auto& [axis, value] : r.axes) settings += (settings.empty() ? "" : ", ") + axis + "=" + axis_text(r, axis);
      h += "<tr><td class=\"key\"><a href=\"" + html_escape(link(r.run_dir, out_dir)) + "/\">" + html_escape(r.run_id) +
           "</a></td><td class=\"key\">" + html_escape(settings) + "</td><td class=\"error\">" + html_escape(r.error) + "</td></tr>\n";
    }
    h += "</tbody></table></div>\n<p class=\"muted small\">Each run folder's logs/run.log has the whole story; "
         "<code>sweep --spec … --retry-failed</code> runs them again.</p>\n</section>\n";
  }

  // Provenance.
  h += "<section id=\"provenance\">\n<h2>Provenance</h2>\n<table>\n";
  auto prov_row = [&](const std::string& what, const std::string& value) {
    h += "<tr><th class=\"key\">" + html_escape(what) + "</th><td class=\"key\">" + html_escape(value) + "</td></tr>\n";
  };
  prov_row("builds (runs)", counted(prov.builds) + (prov.dirty > 0 ? "; " + std::to_string(prov.dirty) + " built from a dirty tree" : ""));
  for (const auto& [component, values] : prov.versions) prov_row(component, counted(values));
  prov_row("hosts (runs)", counted(prov.hosts));
  prov_row("devices (runs)", counted(prov.devices));
  h += "</table>\n<p class=\"muted small\">From each done run's env.json; the runs' own settings are in experiment.json "
       "beside it.</p>\n</section>\n";

  // Runs.
  constexpr std::size_t kListedRuns = 5000;
  h += "<section id=\"runs\">\n<h2>Runs</h2>\n<details>\n<summary>All " + std::to_string(records.size()) +
       " runs, with links to their folders</summary>\n<div class=\"scroll\"><table>\n<thead><tr><th class=\"key\">run</th>"
       "<th class=\"key\">status</th>";
  std::vector<std::string> axes;
  for (const auto& r : records) {
    for (const auto& [axis, value] : r.axes) {
      if (std::find(axes.begin(), axes.end(), axis) == axes.end()) axes.push_back(axis);
    }
  }
  for (const auto& a : axes) h += "<th class=\"key\">" + html_escape(a) + "</th>";
  h += "<th>" + html_escape(options.metric) + "</th><th class=\"key\">figures</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < records.size() && i < kListedRuns; ++i) {
    const RunRecord& r = records[i];
    const std::string folder = r.run_dir.empty() ? "" : link(r.run_dir, out_dir);
    h += "<tr><td class=\"key\">" + (folder.empty() ? html_escape(r.run_id) : "<a href=\"" + html_escape(folder) + "/\">" + html_escape(r.run_id) + "</a>") +
         "</td><td class=\"key\">" + std::string(layout::to_string(r.state)) + "</td>";
    for (const auto& a : axes) h += "<td class=\"key\">" + html_escape(axis_text(r, a)) + "</td>";
    const auto& m = r.metrics;
    h += "<td>" + (m.contains(options.metric) ? html_escape(cell(m[options.metric])) : std::string()) + "</td><td class=\"key\">";
    if (r.state == layout::RunState::kDone && !folder.empty() && options.run_figures) {
      h += "<a href=\"" + html_escape(folder) + "/visualizations/learning_curves.svg\">curves</a> <a href=\"" + html_escape(folder) +
           "/visualizations/accuracy_by_length.svg\">by length</a> <a href=\"" + html_escape(folder) + "/visualizations/dfa.svg\">dfa</a>";
    }
    h += "</td></tr>\n";
  }
  h += "</tbody></table></div>\n";
  if (records.size() > kListedRuns) {
    h += "<p class=\"muted small\">The first " + std::to_string(kListedRuns) + " runs; aggregate/runs.csv lists all " +
         std::to_string(records.size()) + ".</p>\n";
  }
  h += "</details>\n</section>\n";

  // Spec.
  h += "<section id=\"spec\">\n<h2>Spec</h2>\n";
  if (spec_text.empty()) {
    h += "<p class=\"muted\">No spec.toml: a folder of single experiments.</p>\n";
  } else {
    h += "<p class=\"muted small\">Rerun or extend with <code>sweep --spec " + html_escape(link(sweep_paths.spec_toml(), out_dir)) +
         "</code> (done runs are kept).</p>\n<pre>" + html_escape(spec_text) + "</pre>\n";
  }
  h += "</section>\n";
  h += "<footer>regal report of <code>" + html_escape(name) + "</code>: " + std::to_string(records.size()) +
       " runs. Figures: PNG, SVG, data and gnuplot script in figures/ (redraw one with <code>gnuplot NAME.gp</code> there). "
       "report.md has the same tables.</footer>\n";
  h += "</main>\n</body>\n</html>\n";

  // ---- Markdown ----
  std::string md = "# " + markdown_escape(name) + "\n\n";
  if (!description.empty()) md += markdown_escape(description) + "\n\n";
  md += std::to_string(records.size()) + " runs:";
  for (const auto& [state, count] : states) md += " " + std::to_string(count) + " " + std::string(layout::to_string(state)) + ",";
  md.pop_back();
  md += ".\n\n";
  if (result.partial) {
    md += "> **Partial report**: " + std::to_string(count_of(layout::RunState::kDone)) + " of " + std::to_string(records.size()) +
          " runs are done; tables and figures show those.\n\n";
  }
  md += "## Summary\n\nMean over seeds ± 95% t half-width; IQM; for accuracies, chance and the Holm-adjusted p that runs beat it.\n\n";
  {
    std::string header = "|", rule = "|";
    for (const auto& k : keys) header += " " + markdown_escape(k) + " |", rule += " --- |";
    header += " n |", rule += " ---: |";
    for (const auto& m : shown) header += " " + markdown_escape(m) + " |", rule += " ---: |";
    md += header + "\n" + rule + "\n";
    for (const auto& row : summary.rows) {
      md += "|";
      for (std::size_t k = 0; k < keys.size(); ++k) md += " " + markdown_escape(row[k]) + " |";
      md += " " + at(summary, row, "n") + "/" + at(summary, row, "runs") + " |";
      for (const auto& m : shown) {
        const std::string& mean = at(summary, row, m + "_mean");
        std::string c = short_num(mean);
        if (!mean.empty()) {
          if (!at(summary, row, m + "_ci95").empty()) c += " ± " + short_num(at(summary, row, m + "_ci95"));
          c += " (IQM " + short_num(at(summary, row, m + "_iqm"));
          if (m.rfind("acc_", 0) == 0 && !at(summary, row, "chance_" + m.substr(4)).empty()) {
            c += "; chance " + short_num(at(summary, row, "chance_" + m.substr(4)));
            if (!at(summary, row, "above_chance_" + m.substr(4)).empty()) c += ", p " + short_p(at(summary, row, "above_chance_" + m.substr(4)));
          }
          c += ")";
        }
        md += " " + c + " |";
      }
      md += "\n";
    }
    md += "\n";
  }
  if (!compared.rows.empty()) {
    md += "## Comparisons\n\n| comparison | cell | metric | n | a | b | a − b [95% CI] | p (Holm) | P(a>b) | verdict |\n"
          "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n";
    const std::size_t b_at = column_of(compared, "b"), metric_at = column_of(compared, "metric");
    for (const auto& row : compared.rows) {
      std::string where;
      for (std::size_t c = b_at + 1; c < metric_at; ++c) where += (where.empty() ? "" : ", ") + compared.columns[c] + "=" + row[c];
      md += "| " + markdown_escape(at(compared, row, "comparison")) + " | " + markdown_escape(where) + " | " +
            markdown_escape(at(compared, row, "metric")) + " | " + at(compared, row, "n") + " | " + short_num(at(compared, row, "mean_a")) +
            " | " + short_num(at(compared, row, "mean_b")) + " | " + short_num(at(compared, row, "diff")) + " [" +
            short_num(at(compared, row, "diff_lo")) + ", " + short_num(at(compared, row, "diff_hi")) + "] | " +
            short_p(at(compared, row, "p_holm")) + " | " + short_num(at(compared, row, "p_improve")) + " | " +
            at(compared, row, "verdict") + " |\n";
    }
    if (const auto floor = verdict_floor(compared, options.stats.alpha)) md += "\n" + markdown_escape(*floor) + "\n";
    md += "\n";
  }
  if (!fitted.table.rows.empty()) {
    const Table& t = fitted.table;
    md += "## Scaling-law fits\n\nE + A x^-α (saturating) and A x^-α (power law), Huber loss in log space; α's 95% bootstrap "
          "interval over seeds; hold-out: the largest x predicted from the rest.\n\n"
          "| fit | group | error ~ x | law | runs | α [95%] | E | R² | hold-out pred / obs | warnings |\n"
          "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n";
    const std::size_t x_at = column_of(t, "x");
    for (const auto& row : t.rows) {
      std::string group;
      for (std::size_t c = 1; c < x_at; ++c) {
        if (!row[c].empty()) group += (group.empty() ? "" : ", ") + t.columns[c] + "=" + row[c];
      }
      const std::string lo = at(t, row, "alpha_lo"), hx = at(t, row, "holdout_x");
      md += "| " + markdown_escape(row[0]) + " | " + markdown_escape(group) + " | " +
            markdown_escape(at(t, row, "error") + " ~ " + at(t, row, "x")) + " | " + at(t, row, "law") + " | " + at(t, row, "runs") +
            " | " + short_num(at(t, row, "alpha")) + (lo.empty() ? "" : " [" + short_num(lo) + ", " + short_num(at(t, row, "alpha_hi")) + "]") +
            " | " + short_num(at(t, row, "E")) + " | " + short_num(at(t, row, "r2")) + " | " +
            (hx.empty() ? "" : short_num(at(t, row, "holdout_predicted")) + " / " + short_num(at(t, row, "holdout_observed"))) + " | " +
            markdown_escape(at(t, row, "warnings")) + " |\n";
    }
    md += "\n";
  }
  if (!figures.empty()) {
    md += "## Figures\n\n";
    for (const auto& f : figures) {
      md += "**Figure " + std::to_string(numbers[f.figure.name]) + ".** " + markdown_escape(f.caption) + "\n\n![" +
            markdown_escape(f.figure.title) + "](figures/" + f.figure.name + ".png)\n\n";
    }
  }
  md += "## Languages\n\n";
  for (const auto& l : languages) {
    md += "- **" + markdown_escape(l.name) + "**: `" + std::string(l.regex.find('`') == std::string::npos ? l.regex : markdown_escape(l.regex)) +
          "` over `" + l.alphabet + "`, " + std::to_string(l.states) + " states" +
          (l.figure.empty() ? "" : " ([DFA](figures/" + l.figure + ".png))") + "\n";
  }
  md += "\n";
  if (count_of(layout::RunState::kFailed) > 0) {
    md += "## Failed runs\n\n| run | stage: error |\n| --- | --- |\n";
    for (const auto& r : records) {
      if (r.state != layout::RunState::kFailed) continue;
      md += "| [" + r.run_id + "](" + link(r.run_dir, out_dir) + "/) | " + markdown_escape(r.error) + " |\n";
    }
    md += "\n";
  }
  md += "## Provenance\n\n- builds (runs): " + markdown_escape(counted(prov.builds)) +
        (prov.dirty > 0 ? "; " + std::to_string(prov.dirty) + " built from a dirty tree" : "") + "\n";
  for (const auto& [component, values] : prov.versions) md += "- " + markdown_escape(component) + ": " + markdown_escape(counted(values)) + "\n";
  md += "- hosts (runs): " + markdown_escape(counted(prov.hosts)) + "\n- devices (runs): " + markdown_escape(counted(prov.devices)) + "\n\n";
  md += "Every run's folder: `runs/<ab>/<run_id>/` beside this report's sweep; all runs in aggregate/runs.csv.\n";

  result.html = out_dir / "report.html";
  result.markdown = out_dir / "report.md";
  io::write_file_atomic(result.markdown, md);
  io::write_file_atomic(result.html, h);
  return result;
}

}  // namespace regal::aggregate
