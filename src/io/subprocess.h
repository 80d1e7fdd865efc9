#pragma once
// Running a helper program (gnuplot, dot) and finding it on PATH. The child
// starts with default signal handling and an empty signal mask, whatever the
// caller blocked, so a stop signal reaches it.
#include <optional>
#include <string>
#include <vector>

namespace regal::io {

struct ProgramResult {
  int exit_code = -1;   // the program's exit status; 128 + N when killed by signal N; 127 when it could not start
  std::string output;   // stdout and stderr together, as the program wrote them
};

// Runs argv[0] (a path, or a name looked up on PATH) with `input` on its
// stdin and waits for it. `cwd`, when not empty, is the child's directory.
ProgramResult run_program(const std::vector<std::string>& argv, const std::string& input = "",
                          const std::string& cwd = "");

// The full path of an executable `name` on PATH, if there is one.
std::optional<std::string> find_program(const std::string& name);

}  // namespace regal::io
