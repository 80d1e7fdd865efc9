#pragma once
// env.json: what produced a run — regal's version and the git state of the
// source it was built from, compiler and library versions, the machine, the
// threads and device, the command line and overrides. Start and end times are
// added by the pipeline.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace regal::experiment {

struct RunContext {
  std::vector<std::string> command_line;         // argv as given
  std::map<std::string, std::string> overrides;  // --set and shortcut flags, effective
  std::size_t threads = 1;                       // torch threads of the run
  std::string device;                            // the device used, e.g. "cpu"
  int rank = 0;                                  // MPI rank that ran it (0 without MPI)
  int attempt = 0;                               // SLURM_RESTART_COUNT or retries
};

nlohmann::json environment(const RunContext& context);

}  // namespace regal::experiment
