#pragma once
// Reading run folders back into records: the `aggregate` tool's input, and
// the source of sweep.h5's curves.
#include <filesystem>
#include <string>
#include <vector>

#include "aggregate/tables.h"

namespace regal::aggregate {

// The record of one run folder: status.json (missing: "pending"), metrics.json
// when done, the error of a failed run. A done run whose artifacts do not
// check out (layout::check_artifacts) is "corrupt", its error naming the file.
RunRecord read_run(const std::filesystem::path& run_dir, const std::string& sweep,
                   std::vector<std::pair<std::string, nlohmann::json>> axes);

// Every run of a sweep folder. With plan.json: its runs, in plan order, with
// their axis values. Without (a `sweep --exp` folder): every runs/<id>/, with
// the experiment settings that differ between them as axes.
// Throws InputError when the folder holds no runs.
std::vector<RunRecord> collect_sweep(const std::filesystem::path& sweep_dir);

// sweep.h5: /runs/<run_id>/history/<field> and /runs/<run_id>/eval/<split>/<field>
// copied from each run's metrics.h5, with attributes status and axes (JSON).
// A metrics.h5 that cannot be read leaves that run's curves out (attribute
// "error"); the returned warnings name each.
std::vector<std::string> write_sweep_h5(const std::filesystem::path& path, const std::filesystem::path& sweep_dir,
                                        const std::vector<RunRecord>& records);

}  // namespace regal::aggregate
