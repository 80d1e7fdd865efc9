// README.md of a sweep or experiment folder.
#include "notebook/readme.h"

#include <cstdlib>

#include "io/atomic_file.h"
#include "layout/results_root.h"
#include "layout/run_paths.h"
#include "notebook/registry.h"
#include "util/text.h"

namespace regal::notebook {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

std::string launcher_prefix() {
  const std::string slurm_tasks = env("SLURM_NTASKS");
  const std::string ompi_size = env("OMPI_COMM_WORLD_SIZE");
  if (!env("SLURM_STEP_ID").empty() && !slurm_tasks.empty()) return "srun --mpi=pmix -n " + slurm_tasks + " ";
  if (!ompi_size.empty() && ompi_size != "1") return "mpirun -n " + ompi_size + " ";
  return "";
}

std::string readme_text(const ReadmeInfo& info) {
  const std::string folder = (info.results / info.name).string();
  const bool sweep = info.kind == "sweep";
  std::string out = "# " + info.name + "\n\n";
  if (!info.description.empty()) out += info.description + "\n\n";
  out += "A regal " + info.kind + (info.spec_path.empty() ? "" : " from `" + info.spec_path + "`") + ". Last updated " +
         info.updated + " on " + info.host + ". This file is rewritten at the start and the end of every run of it.\n\n";
  out += "## Runs\n\n" + describe_counts(info.runs) + ".\n\n";
  out += "## Run it again\n\n    " + info.command + "\n\n";
  out += sweep ? "The same command resumes: done runs are kept, stopped ones continue from their `last.pt`; "
                 "`--retry-failed` runs failed ones again.\n\n"
               : "The same command finds the run done (or resumes it from `last.pt`); `--force-train` trains it again.\n\n";
  out += "## Tables and report\n\n";
  const std::string& aggregate = info.aggregate;
  out += "    " + aggregate + " " + folder + "                    # the summary over seeds, in the terminal\n";
  out += "    " + aggregate + " " + folder + " --runs             # one row per run\n";
  out += "    " + aggregate + " " + folder + " --out " + folder + "/aggregate   # every table, rebuilt from the run folders\n";
  out += "    " + aggregate + " " + folder + " --report           # report/report.html and report/report.md\n";
  out += "    " + aggregate + " --list --results " + info.results.string() + "   # every sweep under this root\n";
  out += "    " + aggregate + " --log --results " + info.results.string() + " --sweep " + info.name + "   # this folder's run attempts\n\n";
  out += "## Files\n\n";
  if (sweep) {
    out += "- `spec.toml` — the spec as given; `plan.json`, `plan_full.json` — the runs and their resolved settings\n";
  }
  out += "- `runs/<ab>/<run_id>/` — one folder per run: `experiment.json`, `fsm.json`, `data/telemetry.json`, "
         "`checkpoints/`, `logs/`, `metrics.json`, `metrics.h5`, `env.json`, `status.json`, `visualizations/`\n";
  if (sweep) {
    out += "- `aggregate/` — `runs.csv`, `summary.csv`, comparisons and fits, `sweep.h5`\n";
    out += "- `report/report.html` — the report (one offline file); `report/report.md`\n";
    out += "- `search/` — a search's trials and choices, when the spec has `[search]`\n";
  }
  out += "- `cache/data/` — corpora shared by runs with the same language, data settings and seed\n";
  out += "- `" + layout::registry_json(info.results).string() + "`, `" + layout::experiment_log_csv(info.results).string() +
         "` — every sweep under the root, and one row per run attempt (docs/notebook.md)\n\n";
  out += std::string("## The ") + (sweep ? "spec" : "experiment") + "\n\n```toml\n" + info.spec_text;
  if (!info.spec_text.empty() && info.spec_text.back() != '\n') out += "\n";
  out += "```\n";
  return out;
}

void write_readme(const ReadmeInfo& info) {
  io::write_file_atomic(layout::RunPaths::from_sweep_dir(info.results / info.name).readme_md(), readme_text(info));
}

void note_folder(const FolderNote& note, bool finished) {
  const auto counts = count_run_states(note.results / note.name);
  const std::string now = utc_now();
  const std::string host = host_name();
  update_registry(note.results, note.kind, note.name, [&](RegistryEntry& entry) {
    entry.spec_hash = note.spec_hash;
    entry.spec_path = note.spec_path;
    entry.command_line = note.command;
    entry.host = host;
    entry.runs = counts;
    (finished ? entry.last_finished : entry.last_started) = now;
  });
  write_readme({note.name, note.kind, note.description, note.spec_path, note.spec_text, note.command, note.aggregate,
                note.results, counts, now, host});
}

std::string aggregate_beside(const std::string& argv0) {
  const auto slash = argv0.rfind('/');
  return slash == std::string::npos ? "aggregate" : argv0.substr(0, slash + 1) + "aggregate";
}

}  // namespace regal::notebook
