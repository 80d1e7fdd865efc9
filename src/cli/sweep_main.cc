// sweep: runs a sweep (--spec) over the MPI ranks, or one experiment. This
// binary schedules, reduces and plans and loads no LibTorch: what trains or
// evaluates (a sweep's children, --exp, --reevaluate) is regal-run beside
// it, started with the same command line (cli/cli.h).
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/cli.h"
#include "experiment/experiment.h"
#include "experiment/registry.h"
#include "sweep/mpi_transport.h"
#include "sweep/run_sweep.h"
#include "sweep/spec.h"
#include "util/allocator.h"
#include "util/error.h"
#include "util/exit_codes.h"
#include "util/main_guard.h"

namespace po = boost::program_options;
using namespace regal;
using namespace regal::experiment;

namespace {

// This command line, executed by regal-run in this process (same pid: a
// signal sent to it reaches the run).
int run_elsewhere(char** argv) {
  const std::filesystem::path binary = cli::run_binary();
  ::execv(binary.c_str(), argv);
  throw std::runtime_error("cannot start " + binary.string() + " (" + std::strerror(errno) +
                           "): sweep executes runs with the regal-run built beside it");
}

int run_spec(const po::variables_map& vm, int argc, char** argv) {
  const sweep::SweepOptions options = cli::sweep_options(vm, argc, argv);
  if (vm.count("where")) {
    std::cout << (options.results / sweep::parse_spec(options.spec).name).string() << "\n";
    return exit_code::kDone;
  }
  const int preemption = cli::parse_signal(vm["signal"].as<std::string>());
  if (!std::filesystem::exists(options.spec)) throw InputError("no such spec file: " + options.spec.string());
  if (vm.count("reevaluate")) return run_elsewhere(argv);
  sweep::MpiTransport transport(&argc, &argv);
  spdlog::set_pattern("[%H:%M:%S] [rank " + std::to_string(transport.rank()) + "] %^%v%$");
  cli::install_signal_handlers({preemption});
  try {
    return sweep::run_sweep(transport, options);
  } catch (const InputError& e) {
    if (transport.rank() == 0) say_line(std::string("error: ") + e.what());
    return exit_code::kBadInput;
  }
}

void list_experiments() {
  const auto all = named_experiments();
  std::size_t width = 0;
  for (const auto& e : all) width = std::max(width, e.name.size());
  for (const auto& e : all) {
    std::cout << e.name << std::string(width + 2 - e.name.size(), ' ') << e.description << "  ["
              << e.language.describe() << " over " << e.language.alphabet << "]\n";
  }
}

int run(int argc, char** argv) {
  const std::optional<po::variables_map> flags = cli::start(argc, argv);
  if (!flags) return exit_code::kDone;  // --help
  const po::variables_map& vm = *flags;
  if (vm.count("list")) {
    list_experiments();
    return exit_code::kDone;
  }
  if (vm.count("describe")) {
    std::cout << to_toml(find_experiment(vm["describe"].as<std::string>()));
    return exit_code::kDone;
  }
  if (vm.count("spec") && !vm.count("run-dir")) {
    if (vm.count("exp") || vm.count("exp-file")) throw InputError("--spec runs a sweep; drop --exp/--exp-file");
    cli::refuse_flags(vm, cli::kExperimentOnlyFlags, "with --spec", "put settings in the spec's [base] table");
    return run_spec(vm, argc, argv);
  }
  return run_elsewhere(argv);  // a sweep's child, --exp, --exp-file
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator();
  return regal::guarded_main("sweep", [&] { return run(argc, argv); });
}
