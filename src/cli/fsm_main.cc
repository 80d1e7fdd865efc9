// fsm: inspect a regular language or a k-class task. A thin main() over regal::fsm.
//
//   fsm --regex R --alphabet A            summary: states, accepting, counts for n = 0..10
//   fsm --class NAME=REGEX ... --alphabet A | --generator G [--n N] [--operators OPS] | --fsm FILE
//                                         a task: one regex per class, a generator, a labelled DFA
//   fsm ... --json | --dot                fsm.json or Graphviz DOT on stdout
//   fsm ... --classify                    1/0 per line of stdin (a task: the class, "-" outside
//                                         its domain; an empty line is ε)
//   fsm ... --count N                     "n count" for n = 0..N, exact (a task: one column per class)
//   fsm ... --sample K --length L [--reject | --class C] [--seed S]
//
// Bad input prints one line "error: ..." on stderr and exits 2.
#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <iostream>
#include <string>

#include "fsm/fsm.h"
#include "util/exit_codes.h"
#include "util/main_guard.h"
#include "util/error.h"
#include "util/text.h"

namespace po = boost::program_options;
using namespace regal;

namespace {

// The task the flags define: a regex (a recogniser), --class, --generator or --fsm.
fsm::Task task_of(const po::variables_map& vm) {
  const int definitions = static_cast<int>(vm.count("regex") + vm.count("class") + vm.count("generator") + vm.count("fsm"));
  if (definitions != 1) throw InputError("give one of --regex, --class (repeated), --generator, --fsm (see --help)");
  const auto max_states = vm["max-states"].as<std::size_t>();
  if (vm.count("generator")) {
    const std::string generator = vm["generator"].as<std::string>();
    const int n = vm.count("n") ? vm["n"].as<int>() : 5;
    if (generator == "cycle_navigation") return fsm::cycle_navigation(n);
    if (generator == "modular_arithmetic") {
      return fsm::modular_arithmetic(n, vm.count("operators") ? vm["operators"].as<std::string>() : "pmx");
    }
    throw InputError("--generator: unknown generator '" + generator + "'" + did_you_mean(generator, fsm::generator_names()));
  }
  if (vm.count("fsm")) {
    const std::string path = vm["fsm"].as<std::string>();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("--fsm: cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return fsm::task_from_json(text.str(), path).take_or_throw("--fsm " + path);
  }
  if (!vm.count("alphabet")) throw InputError("--alphabet is required with --regex and --class (see --help)");
  auto alphabet = fsm::Alphabet::parse(vm["alphabet"].as<std::string>()).take_or_throw("--alphabet");
  if (vm.count("class")) {
    std::vector<std::pair<std::string, std::string>> classes;
    for (const std::string& entry : vm["class"].as<std::vector<std::string>>()) {
      const auto equals = entry.find('=');
      classes.emplace_back(entry.substr(0, equals), entry.substr(equals + 1));
    }
    return fsm::task_from_classes(classes, alphabet, max_states).take_or_throw("--class");
  }
  const std::string regex = vm["regex"].as<std::string>();
  return fsm::recogniser(fsm::compile_regex(regex, alphabet, {max_states}).take_or_throw("--regex"), regex);
}

std::string class_name(const fsm::Task& task, std::optional<std::uint8_t> label) {
  return label ? task.classes.at(*label) : std::string("-");
}

void print_task_summary(const fsm::Task& task) {
  std::vector<bool> in_domain(256, true);
  in_domain[fsm::kNoClass] = false;
  const std::vector<bool> live = task.dfa.reaching(in_domain);
  std::size_t dead = 0;
  for (const bool alive : live) dead += alive ? 0 : 1;
  std::cout << "task       " << task.source << "\n"
            << "alphabet   " << task.dfa.alphabet().symbols() << "\n"
            << "states     " << task.dfa.num_states() << " (minimal; " << task.num_classes() << " classes, " << dead
            << " outside the domain for good)\n"
            << "hash       " << fsm::content_hash(task.dfa).substr(0, 16) << "\n"
            << "strings by length and class:\n  n   ";
  for (const auto& name : task.classes) std::cout << " " << name;
  std::cout << "\n";
  std::vector<std::vector<fsm::Count>> counts;
  for (std::size_t c = 0; c < task.num_classes(); ++c) {
    counts.push_back(fsm::count_accepted(fsm::class_language(task.dfa, static_cast<std::uint8_t>(c)), 10));
  }
  for (std::size_t n = 0; n <= 10; ++n) {
    std::cout << "  n=" << n << (n < 10 ? "  " : " ");
    for (const auto& column : counts) std::cout << " " << column[n].str();
    std::cout << "\n";
  }
}

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

int classify(const fsm::Task& task) {
  const fsm::Dfa& dfa = task.dfa;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (task.is_recogniser()) {
      std::cout << (dfa.accepts_text(line) ? '1' : '0') << '\n';
      continue;
    }
    fsm::Symbols symbols;
    bool known = true;
    for (const char c : line) {
      const int index = dfa.alphabet().index_of(c);
      known = known && index >= 0;
      symbols.push_back(static_cast<std::uint8_t>(index < 0 ? 0 : index));
    }
    std::cout << (known ? class_name(task, task.classify(symbols.data(), symbols.size())) : std::string("-")) << '\n';
  }
  return exit_code::kDone;
}

void count(const fsm::Task& task, std::size_t max_length) {
  if (task.is_recogniser()) {
    const auto counts = fsm::count_accepted(task.dfa, max_length);
    for (std::size_t n = 0; n < counts.size(); ++n) std::cout << n << ' ' << counts[n].str() << '\n';
    return;
  }
  std::vector<std::vector<fsm::Count>> columns;
  std::cout << "n";
  for (std::size_t c = 0; c < task.num_classes(); ++c) {
    columns.push_back(fsm::count_accepted(fsm::class_language(task.dfa, static_cast<std::uint8_t>(c)), max_length));
    std::cout << ' ' << task.classes[c];
  }
  std::cout << '\n';
  for (std::size_t n = 0; n <= max_length; ++n) {
    std::cout << n;
    for (const auto& column : columns) std::cout << ' ' << column[n].str();
    std::cout << '\n';
  }
}

void sample(const fsm::Task& task, std::size_t count, std::size_t length, bool reject,
            const std::optional<std::string>& class_label, std::uint64_t seed) {
  const fsm::Dfa& dfa = task.dfa;
  std::optional<fsm::Dfa> target;
  std::string what = reject ? "rejected" : "accepted";
  if (class_label) {
    const auto index = task.class_index(*class_label);
    if (!index) {
      std::string names;
      for (const auto& name : task.classes) names += (names.empty() ? "" : ", ") + name;
      throw InputError("--class: no class '" + *class_label + "' (the classes: " + names + ")");
    }
    target = fsm::class_language(dfa, *index);
    what = "class '" + *class_label + "'";
  } else if (!task.is_recogniser()) {
    throw InputError("--sample of a task needs --class C (one of its classes)");
  } else {
    target = reject ? fsm::complement(dfa) : dfa;
  }
  const fsm::UniformSampler sampler(*target, length);
  if (!sampler.can_sample(length)) {
    throw InputError(std::string(task.is_recogniser() && !class_label ? "the language" : "the task") + " has no " + what +
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
      ("class", po::value<std::vector<std::string>>(), "NAME=REGEX, once per class (disjoint regexes): a k-class task; "
                                                       "with --sample: the class to draw")
      ("generator", po::value<std::string>(), "a built-in task: cycle_navigation | modular_arithmetic")
      ("n", po::value<int>(), "the generator's size: the cycle's length, the modulus (default 5)")
      ("operators", po::value<std::string>(), "modular_arithmetic's operators among p (+) m (-) x (*) (default pmx)")
      ("fsm", po::value<std::string>(), "a labelled DFA in JSON (docs/tasks.md)")
      ("json", "print fsm.json")
      ("dot", "print Graphviz DOT")
      ("classify", "read strings from stdin, print 1 (accepted) or 0 per line; a task's class, - outside its domain")
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
  // --class NAME=REGEX defines a class; a bare --class C names the class --sample draws.
  std::optional<std::string> sample_class;
  if (vm.count("class")) {
    std::vector<std::string> definitions;
    for (const std::string& value : vm["class"].as<std::vector<std::string>>()) {
      if (value.find('=') != std::string::npos) {
        definitions.push_back(value);
      } else if (sample_class || !vm.count("sample")) {
        throw InputError("--class takes NAME=REGEX, or one class C with --sample (got '" + value + "')");
      } else {
        sample_class = value;
      }
    }
    vm.erase("class");
    if (!definitions.empty()) vm.emplace("class", po::variable_value(definitions, false));
  }
  if (!vm.count("regex") && !vm.count("class") && !vm.count("generator") && !vm.count("fsm")) {
    throw InputError("--regex and --alphabet are required (see --help)");
  }
  if (vm.count("sample") && !vm.count("length")) throw InputError("--sample needs --length");
  if (vm.count("length") && !vm.count("sample")) throw InputError("--length goes with --sample");
  const int modes = static_cast<int>(vm.count("json") + vm.count("dot") + vm.count("classify") + vm.count("count") +
                                     vm.count("sample"));
  if (modes > 1) throw InputError("choose one of --json, --dot, --classify, --count, --sample");

  if (vm.count("reject") && (sample_class || !vm.count("regex"))) {
    throw InputError("--reject is for a regex; a task samples by --class C");
  }
  const fsm::Task task = task_of(vm);

  if (vm.count("json")) {
    std::cout << fsm::to_json(task).dump(2) << "\n";
  } else if (vm.count("dot")) {
    std::cout << fsm::to_dot(task);
  } else if (vm.count("classify")) {
    return classify(task);
  } else if (vm.count("count")) {
    count(task, vm["count"].as<std::size_t>());
  } else if (vm.count("sample")) {
    sample(task, vm["sample"].as<std::size_t>(), vm["length"].as<std::size_t>(), vm.count("reject") > 0, sample_class,
           vm["seed"].as<std::uint64_t>());
  } else if (task.is_recogniser()) {
    print_summary(task.dfa, task.source);
  } else {
    print_task_summary(task);
  }
  return exit_code::kDone;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return regal::guarded_main("fsm", [&] { return run(argc, argv); });
}
