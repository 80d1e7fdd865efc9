#pragma once
// What `sweep` and `regal-run` share: one set of flags (sweep hands a command
// line it does not execute itself to the regal-run beside it, unchanged),
// their parsing and checks, logging and the stop signals.
#include <boost/program_options.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sweep/run_sweep.h"
#include "sweep/thermal.h"

namespace regal::cli {

namespace po = boost::program_options;

// Parses every flag (those --help shows and how a sweep rank starts its
// children). With --help: prints `preface`, then the flags, and returns
// nothing. Else sets up logging to stderr (stdout carries only what scripts
// read), --verbose and --experiments, and returns the flags.
std::optional<po::variables_map> start(int argc, char** argv, const std::string& preface = "");

// SIGTERM and SIGINT always stop (checkpoint, then exit 3); `extra` adds the
// configured preemption signal (SIGUSR1 by default under --spec).
void install_signal_handlers(const std::vector<int>& extra = {});
int parse_signal(const std::string& name);
// "8G", "512MiB", "1.5GB", "100000000": bytes (K/M/G/T are powers of 1024).
double parse_bytes(const std::string& text);
// --thermal-pause, --thermal-abort (°C) and --thermal-interval (seconds).
sweep::ThermalSettings thermal_settings(const po::variables_map& vm);
// Samples the run's sensor while it executes (status.json, metrics.json).
std::unique_ptr<sweep::ThermalSampler> thermal_sampler(const po::variables_map& vm, const std::string& device);

// Flags that mean something in one mode only; given in the other they would
// be silently ignored, so they are refused.
extern const std::vector<std::string> kExperimentOnlyFlags;
extern const std::vector<std::string> kSweepOnlyFlags;
void refuse_flags(const po::variables_map& vm, const std::vector<std::string>& flags, const std::string& mode,
                  const std::string& hint);
// --set key=value and the shortcut flags, in the order given.
std::map<std::string, std::string> collect_overrides(const po::variables_map& vm);
// --spec and the sweep's flags, checked (InputError naming the flag).
sweep::SweepOptions sweep_options(const po::variables_map& vm, int argc, char** argv);

// The binary that executes runs (a sweep's children, --exp, --reevaluate):
// regal-run beside this one.
std::filesystem::path run_binary();

}  // namespace regal::cli
