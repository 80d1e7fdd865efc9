#pragma once
// Pre-flight checks (docs/notebook.md): before anything of a sweep runs,
// and alone with `sweep --check`, everything that would stop it later is
// checked at once: the results root, memory per run (first: its message names
// the setting), free disk for the artifacts of the runs still to do, a GPU for runs that ask for one, gnuplot and
// dot for the report, the thermal sensor, and the languages (they compiled
// within their state budget when the spec expanded).
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sweep/spec.h"

namespace regal::sweep {

struct Check {
  std::string name;    // "results root", "disk space", ...
  bool ok = true;
  std::string detail;  // what was found, or what is wrong and what to do
};

struct PreflightInput {
  std::filesystem::path results;            // --results, as given
  std::filesystem::path sweep_dir;          // results/<sweep>: done runs need no space
  const std::vector<PlannedRun>* runs = nullptr;  // the plan (a search: its first rung)
  std::size_t children_per_node = 1;        // runs at once on this node
  std::optional<double> memory_per_run;     // --memory-per-run
  bool report = true;                       // a report is due at the end
  bool disk = true;                         // check free space (--no-disk-check: not)
  std::string thermal;                      // the thermal guard, described ("" when not asked)
  std::filesystem::path run_binary;         // regal-run, which executes the runs ("" : not checked)
};

// Bytes the run's artifacts take on disk at most: two checkpoints (weights
// and AdamW moments), metrics, logs and figures; its corpus separately.
struct DiskEstimate {
  double run_bytes = 0;     // per run, without the corpus
  double corpus_bytes = 0;  // its corpus file (shared by runs with the same language, data settings and seed)
};
DiskEstimate estimate_disk(const experiment::Experiment& experiment);

// Every check, in order. Writes nothing.
std::vector<Check> preflight(const PreflightInput& input);

// The lines `sweep --check` prints: "ok    disk space: ..." / "FAIL  ...".
std::string describe_checks(const std::vector<Check>& checks);

// Throws InputError with the first failed check's detail.
void require_checks(const std::vector<Check>& checks);

}  // namespace regal::sweep
