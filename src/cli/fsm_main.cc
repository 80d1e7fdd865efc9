// fsm: inspect a regular language. A thin main() over regal::fsm.
//
//   fsm --regex R --alphabet A            summary: states, accepting, counts for n = 0..10
//   fsm ... --json | --dot                fsm.json or Graphviz DOT on stdout
//   fsm ... --classify                    1/0 per line of stdin (an empty line is ε)
//   fsm ... --count N                     "n count" for n = 0..N, exact
//   fsm ... --sample K --length L [--reject] [--seed S]
//
// Bad input prints one line "error: ..." on stderr and exits 2.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "fsm/fsm.h"
#include "util/exit_codes.h"
#include "util/main_guard.h"
#include "util/error.h"

namespace po = boost::program_options;
using namespace regal;

namespace {


void print_summary(const fsm::Dfa& dfa, const std::string& regex) {
  const std::vector<bool> live = dfa.live_states();
  std::size_t dead = 0;
  for (const bool alive : live) dead += alive ? 0 : 1;
  std::cout << "regex      " << regex << "\n"
            << "alphabet   " << dfa.alphabet().symbols() << "\n"
            << "states     " << dfa.num_states() << " (minimal; " << dfa.num_accepting() << " accepting, " << dead
            << " dead)\n"
            << "hash       " << fsm::content_hash(dfa).substr(0, 16) << "\n"
            << "accepted strings by length:\n";
  const auto counts = fsm::count_accepted(dfa, 10);
  fsm::Count total = 1;
  for (std::size_t n = 0; n < counts.size(); ++n) {
    std::cout << "  n=" << n << (n < 10 ? "   " : "  ") << counts[n].str() << " of " << total.str()
              << "\n";
    total *= static_cast<std::uint32_t>(dfa.num_symbols());
  }
}

int classify(const fsm::Dfa& dfa) {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::cout << (dfa.accepts_text(line) ? '1' : '0') << '\n';
  }
  return exit_code::kDone;
}

void sample(const fsm::Dfa& dfa, std::size_t count, std::size_t length, bool reject, std::uint64_t seed) {
  const fsm::Dfa target = reject ? fsm::complement(dfa) : dfa;
  const fsm::UniformSampler sampler(target, length);
  if (!sampler.can_sample(length)) {
    throw InputError(std::string("the language has no ") + (reject ? "rejected" : "accepted") +
                     " strings of length " + std::to_string(length));
  }
  Rng rng(seed);
  for (std::size_t i = 0; i < count; ++i) std::cout << fsm::to_text(dfa.alphabet(), sampler.sample(length, rng)) << '\n';
}

int run(int argc, char** argv) {
  po::options_description options("fsm: inspect the minimal DFA of a regular language");
  options.add_options()
      ("help,h", "show this help")
      ("regex,r", po::value<std::string>(), "the regex (full match; & intersection, ~ complement)")
      ("alphabet,a", po::value<std::string>(), "the symbols, e.g. ab")
      ("json", "print fsm.json")
      ("dot", "print Graphviz DOT")
      ("classify", "read strings from stdin, print 1 (accepted) or 0 per line")
      ("count", po::value<std::size_t>(), "print 'n count' for n = 0..N")
      ("sample", po::value<std::size_t>(), "print K uniformly drawn strings (with --length)")
      ("length", po::value<std::size_t>(), "length of sampled strings")
      ("reject", "sample rejected strings instead of accepted ones")
      ("seed", po::value<std::uint64_t>()->default_value(0), "random seed for --sample")
      ("max-states", po::value<std::size_t>()->default_value(fsm::kDefaultMaxStates), "state budget");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, options), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return exit_code::kDone;
  }
  if (!vm.count("regex") || !vm.count("alphabet")) throw InputError("--regex and --alphabet are required (see --help)");
  if (vm.count("sample") && !vm.count("length")) throw InputError("--sample needs --length");
  if (vm.count("length") && !vm.count("sample")) throw InputError("--length goes with --sample");
  const int modes = static_cast<int>(vm.count("json") + vm.count("dot") + vm.count("classify") + vm.count("count") +
                                     vm.count("sample"));
  if (modes > 1) throw InputError("choose one of --json, --dot, --classify, --count, --sample");

  const std::string regex = vm["regex"].as<std::string>();
  auto alphabet = fsm::Alphabet::parse(vm["alphabet"].as<std::string>()).take_or_throw("--alphabet");
  const fsm::Dfa dfa =
      fsm::compile_regex(regex, alphabet, {vm["max-states"].as<std::size_t>()}).take_or_throw("--regex");

  if (vm.count("json")) {
    std::cout << fsm::to_json(dfa, regex).dump(2) << "\n";
  } else if (vm.count("dot")) {
    std::cout << fsm::to_dot(dfa, regex);
  } else if (vm.count("classify")) {
    return classify(dfa);
  } else if (vm.count("count")) {
    const auto counts = fsm::count_accepted(dfa, vm["count"].as<std::size_t>());
    for (std::size_t n = 0; n < counts.size(); ++n) std::cout << n << ' ' << counts[n].str() << '\n';
  } else if (vm.count("sample")) {
    sample(dfa, vm["sample"].as<std::size_t>(), vm["length"].as<std::size_t>(), vm.count("reject") > 0,
           vm["seed"].as<std::uint64_t>());
  } else {
    print_summary(dfa, regex);
  }
  return exit_code::kDone;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return regal::guarded_main("fsm", [&] { return run(argc, argv); });
}
