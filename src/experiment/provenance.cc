// env.json: regal's version and git state, compiler and library versions,
// the machine (os, host, cpu, cores), the threads and device (with what the
// driver says of a GPU), the command line and overrides, rank and attempt.
#include "experiment/provenance.h"

#include <H5public.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <boost/version.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <thread>

#include "regal_build_info.h"
#include "util/text.h"
#include "train/session.h"

namespace regal::experiment {
namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

}  // namespace

nlohmann::json environment(const RunContext& context) {
  utsname os{};
  uname(&os);
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return {
      {"regal_version", REGAL_VERSION},
      {"git_commit", REGAL_GIT_COMMIT},
      {"git_dirty", REGAL_GIT_DIRTY},
      {"git_changes", REGAL_GIT_CHANGES},
      {"compiler", std::string("g++ ") + __VERSION__},
      {"libtorch", train::torch_version()},
      {"mpi", REGAL_MPI_VERSION},
      {"hdf5", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release)},
      {"boost", BOOST_LIB_VERSION},
      {"os", std::string(os.sysname) + " " + os.release + " " + os.machine},
      {"host", host_name()},
      {"cpu", cpu_model()},
      {"cores", std::thread::hardware_concurrency()},
      {"threads", context.threads},
      {"device", context.device},
      {"cuda", train::describe_device(context.device)},
      {"command_line", context.command_line},
      {"overrides", context.overrides},
      {"rank", context.rank},
      {"attempt", context.attempt},
  };
}

}  // namespace regal::experiment
