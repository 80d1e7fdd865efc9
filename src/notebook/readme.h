#pragma once
// results/<sweep>/README.md: what the folder is and how to use it, written
// at the start and the end of every sweep and `sweep --exp` experiment
// (docs/notebook.md).
#include <filesystem>
#include <map>
#include <string>

namespace regal::notebook {

struct ReadmeInfo {
  std::string name;             // the folder's name
  std::string kind;             // "sweep" | "experiment"
  std::string description;      // [sweep] description, or the experiment's
  std::string spec_path;        // as given ("" for a named experiment)
  std::string spec_text;        // the spec's TOML, or the experiment's settings as TOML
  std::string command;          // the exact command that runs it again (launcher included)
  std::string aggregate = "aggregate";  // the aggregate beside that sweep binary ("build/aggregate")
  std::filesystem::path results;  // the results root as given
  std::map<std::string, std::size_t> runs;  // state -> count
  std::string updated;          // UTC
  std::string host;
};

// The README's text.
std::string readme_text(const ReadmeInfo& info);

// Writes <results>/<name>/README.md atomically.
void write_readme(const ReadmeInfo& info);

// What a sweep or experiment folder is, for its registry entry and README.
struct FolderNote {
  std::filesystem::path results;  // the root, as given
  std::string name, kind, description;
  std::string spec_path, spec_text, spec_hash;
  std::string command;            // launcher included
  std::string aggregate = "aggregate";  // how to call aggregate (see aggregate_beside)
};

// The aggregate binary beside the sweep binary `argv0` as the user typed it:
// "build/aggregate" for "build/sweep", "aggregate" for "sweep" (on PATH).
std::string aggregate_beside(const std::string& argv0);

// At the start (`finished` false) or the end of a sweep or experiment: its
// registry entry (runs by state from its folders, the time, host and command)
// and its README.
void note_folder(const FolderNote& note, bool finished);

// The launcher prefix of this process's command, from its environment:
// "srun --mpi=pmix -n 4 ", "mpirun -n 8 ", or "" for one process.
std::string launcher_prefix();

}  // namespace regal::notebook
