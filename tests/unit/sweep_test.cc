#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "aggregate/tables.h"
#include "sweep/coordinator.h"
#include "sweep/resources.h"
#include "sweep/plan.h"
#include "sweep/scheduler.h"
#include "sweep/simulation.h"
#include "sweep/thermal.h"
#include "sweep/worker.h"
#include "sweep/spec.h"
#include "sweep/transport.h"
#include "experiment/experiment.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace regal;
using namespace regal::sweep;

namespace {

class SpecFile : public ::testing::Test {
 protected:
  fs::path write(const std::string& text) {
    const fs::path path = fs::temp_directory_path() / ("regal_spec_" + std::to_string(::getpid()) + "_" +
                                                       std::to_string(counter_++) + ".toml");
    std::ofstream(path) << text;
    files_.push_back(path);
    return path;
  }
  std::string error_of(const std::string& text) {
    const fs::path path = write(text);
    try {
      expand(parse_spec(path));
    } catch (const InputError& e) {
      std::string message = e.what();
      const std::string prefix = path.string();
      return message.rfind(prefix, 0) == 0 ? "SPEC" + message.substr(prefix.size()) : message;
    }
    return "no error";
  }
  void TearDown() override {
    for (const auto& f : files_) fs::remove(f);
  }
  std::vector<fs::path> files_;
  int counter_ = 0;
};

const char* kHeader = "[sweep]\nname = \"t\"\n[base]\nexperiment = \"a_plus\"\n";

}  // namespace

TEST_F(SpecFile, GridIsTheCartesianProductLastAxisFastest) {
  const auto runs = expand(parse_spec(write(std::string(kHeader) +
                                            "[grid]\nlanguage = [\"parity\", \"no_aa\"]\nseed = [0, 1, 2]\n")));
  ASSERT_EQ(runs.size(), 6U);
  EXPECT_EQ(runs[0].axes[0].second, "parity");
  EXPECT_EQ(runs[0].axes[1].second, 0);
  EXPECT_EQ(runs[1].axes[1].second, 1);
  EXPECT_EQ(runs[3].axes[0].second, "no_aa");
  EXPECT_EQ(runs[0].experiment.name, "t");
  EXPECT_EQ(runs[0].experiment.train.steps, 300U) << "starts from the named experiment in [base]";
  std::set<std::string> ids;
  for (const auto& run : runs) ids.insert(run.run_id);
  EXPECT_EQ(ids.size(), 6U);
  // Deterministic: the same spec gives the same plan.
  const auto again = expand(parse_spec(write(std::string(kHeader) +
                                             "[grid]\nlanguage = [\"parity\", \"no_aa\"]\nseed = [0, 1, 2]\n")));
  for (std::size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].run_id, again[i].run_id);
}

// plan.json and plan_full.json are written as they are produced (a
// 100,000-run plan_full.json is ~200 MB of text), byte for byte what the
// whole documents' dump(2) gives, [[compare]] and [[fit]] tables included.
TEST_F(SpecFile, PlanFilesAreWrittenInPartsByteForByte) {
  const SweepSpec spec = parse_spec(write(std::string(kHeader) +
                                          "[grid]\nlanguage = [\"parity\", \"no_aa\"]\nseed = [0, 1]\n"
                                          "\"model.arch\" = [\"lstm\", \"transformer\"]\n"
                                          "[[compare]]\nname = \"arch\"\na = { \"model.arch\" = \"lstm\" }\n"
                                          "b = { \"model.arch\" = \"transformer\" }\n"
                                          "[[fit]]\nx = \"seed\"\ny = \"acc_test_len_ood\"\n"));
  const auto runs = expand(spec);
  ASSERT_EQ(runs.size(), 8U);
  const fs::path root = fs::temp_directory_path() / ("regal_plan_" + std::to_string(::getpid()));
  const layout::RunPaths paths(root, spec.name, "");
  write_plan(spec, runs, paths);
  auto read = [](const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(read(paths.plan_json()), plan_json(spec, runs).dump(2) + "\n");
  nlohmann::json full = nlohmann::json::array();
  for (const auto& run : runs) full.push_back({{"run_id", run.run_id}, {"experiment", run.experiment.to_json()}});
  EXPECT_EQ(read(paths.plan_full_json()), (nlohmann::json{{"sweep", spec.name}, {"runs", full}}.dump(2) + "\n"));
  // No runs: an empty array, as dump(2) writes it.
  write_plan(spec, {}, paths);
  EXPECT_EQ(read(paths.plan_full_json()), (nlohmann::json{{"sweep", spec.name}, {"runs", nlohmann::json::array()}}.dump(2) + "\n"));
  fs::remove_all(root);
}

// Above 1,000 runs a dry run summarises: each axis's values with their
// counts, the states on disk, the estimates; --list-runs lists every run.
TEST_F(SpecFile, LargeDryRunsSummariseUnlessAskedToList) {
  std::string seeds;
  for (int seed = 0; seed < 501; ++seed) seeds += (seed ? ", " : "") + std::to_string(seed);
  const SweepSpec spec = parse_spec(write(std::string(kHeader) + "[grid]\nlanguage = [\"parity\", \"no_aa\"]\nseed = [" + seeds + "]\n"));
  const auto runs = expand(spec);
  ASSERT_EQ(runs.size(), 1002U);
  const layout::RunPaths paths(fs::temp_directory_path() / "regal_nonexistent_results", spec.name, "");
  const std::string summary = dry_run_text(spec, runs, paths);
  EXPECT_NE(summary.find("1002 runs"), std::string::npos) << summary;
  EXPECT_NE(summary.find("--list-runs lists every run"), std::string::npos) << summary;
  EXPECT_NE(summary.find("language  2 value(s): parity (501), no_aa (501)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("seed      501 value(s): 0 (2), 1 (2),"), std::string::npos) << summary;
  EXPECT_NE(summary.find("... and 489 more"), std::string::npos) << summary;
  EXPECT_NE(summary.find("state on disk: 1002 new;"), std::string::npos) << summary;
  EXPECT_NE(summary.find("parameters a run"), std::string::npos) << summary;
  EXPECT_EQ(summary.find(runs[7].run_id), std::string::npos) << "no run listed";
  const std::string listed = dry_run_text(spec, runs, paths, /*list_runs=*/true);
  for (const auto& run : runs) ASSERT_NE(listed.find(run.run_id), std::string::npos) << run.run_id;
}

TEST_F(SpecFile, ZipExcludeAndDedup) {
  const auto runs = expand(parse_spec(write(std::string(kHeader) +
                                            "[grid]\nseed = [0, 1]\n"
                                            "[[zip]]\n\"model.arch\" = [\"transformer\", \"lstm\"]\n\"model.d_model\" = [16, 24]\n")));
  ASSERT_EQ(runs.size(), 4U);
  EXPECT_EQ(runs[1].experiment.model.arch, "lstm");
  EXPECT_EQ(runs[1].experiment.model.d_model, 24U);
  const auto excluded = expand(parse_spec(write(std::string("exclude = [{ seed = 1, \"model.arch\" = \"lstm\" }]\n") + kHeader +
                                                "[grid]\nseed = [0, 1]\n\"model.arch\" = [\"transformer\", \"lstm\"]\n")));
  EXPECT_EQ(excluded.size(), 3U);
  // Equal points are one run: threads does not enter the run id.
  const auto dedup = expand(parse_spec(write(std::string(kHeader) + "[grid]\nthreads = [1, 2]\nseed = [0, 1]\n")));
  EXPECT_EQ(dedup.size(), 2U);
}

// Planning builds the points on every core the process may use, in chunks,
// and takes them in plan order: any thread count gives the same runs in the
// same order (ids, axes, experiments, costs), duplicates kept once where one
// thread keeps them, excluded points left out, and the same first error: a
// language over its state budget at the fifth point, though other threads
// meet an unknown experiment (and the language again) at later points first.
TEST_F(SpecFile, AnyThreadCountPlansTheSameRunsAndTheSameFirstError) {
  const fs::path good = write("exclude = [{ seed = 3, \"model.arch\" = \"lstm\" }]\n" + std::string(kHeader) +
                              "[grid]\nlanguage = [\"parity\", \"no_aa\", \"tomita4\"]\nseed = [0, 1, 2, 3, 4, 5, 6]\n"
                              "threads = [1, 2]\n\"model.arch\" = [\"transformer\", \"lstm\"]\n"
                              "\"train.lr\" = [0.001, 0.003, 0.01, 0.03, 0.1]\n\"model.d_model\" = [16, 32, 64]\n");
  const auto one = expand(parse_spec(good), kMaxGridPoints, 1);
  ASSERT_EQ(one.size(), 3U * 7 * 2 * 5 * 3 - 3U * 5 * 3);  // threads is no identity; seed 3 with lstm excluded
  // In plan order (the last axis fastest) across the chunks of 1,024 points.
  const std::vector<std::vector<std::string>> values = {{"parity", "no_aa", "tomita4"}, {"0", "1", "2", "3", "4", "5", "6"},
                                                        {"transformer", "lstm"}, {"0.001", "0.003", "0.01", "0.03", "0.1"},
                                                        {"16", "32", "64"}};
  std::vector<std::size_t> previous;
  for (const auto& run : one) {
    std::vector<std::size_t> position;
    for (const auto& [axis, value] : run.axes) {
      if (axis == "threads") continue;
      const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      const auto& list = values[position.size()];
      position.push_back(static_cast<std::size_t>(std::find(list.begin(), list.end(), text) - list.begin()));
    }
    ASSERT_LT(previous, position) << run.run_id;
    previous = position;
  }
  for (const std::size_t threads : {2U, 3U, 7U}) {
    const auto many = expand(parse_spec(good), kMaxGridPoints, threads);
    ASSERT_EQ(many.size(), one.size()) << threads;
    for (std::size_t i = 0; i < one.size(); ++i) {
      ASSERT_EQ(many[i].run_id, one[i].run_id) << threads << " threads, run " << i;
      EXPECT_EQ(many[i].axes, one[i].axes);
      EXPECT_EQ(many[i].experiment.to_json(), one[i].experiment.to_json());
      EXPECT_EQ(many[i].cost, one[i].cost);
    }
  }
  const fs::path bad = write("[sweep]\nname = \"t\"\n[base]\n\"train.steps\" = 10\n[grid]\n"
                             "seed = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n"
                             "experiment = [\"a_plus\", \"a_plus\", \"no_such_experiment\"]\n"
                             "language = [\"parity\", \"no_aa\", { name = \"big\", regex = \"(a|b)*a(a|b){16}\", alphabet = \"ab\" }]\n"
                             "\"data.L_max\" = [10, 12]\n");
  auto first_error = [&](std::size_t threads) {
    try {
      expand(parse_spec(bad), kMaxGridPoints, threads);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string expected = first_error(1);
  EXPECT_NE(expected.find("big"), std::string::npos) << expected;  // point 4: seed 0, a_plus, big, L_max 10
  for (const std::size_t threads : {2U, 5U, 16U}) EXPECT_EQ(first_error(threads), expected) << threads;
}

TEST_F(SpecFile, LanguagesByNameOrTable) {
  const auto runs = expand(parse_spec(write(std::string(kHeader) +
      "[grid]\nlanguage = [\"tomita4\", { name = \"ends_b\", regex = \"(a|b)*b\", alphabet = \"ab\" }]\n")));
  ASSERT_EQ(runs.size(), 2U);
  EXPECT_EQ(runs[0].experiment.language.regex, "~(.*000.*)");
  EXPECT_EQ(runs[1].experiment.language.regex, "(a|b)*b");
  EXPECT_EQ(runs[1].axes[0].second, "ends_b");
}

TEST_F(SpecFile, TasksByGeneratorClassesOrFileAndTheirErrors) {
  const fs::path fsm_file = write("") .replace_extension(".json");
  files_.push_back(fsm_file);
  std::ofstream(fsm_file) << R"({"alphabet": "ab", "states": 2, "start": 0, "classes": ["x", "y"],
      "labels": ["x", "y"], "transitions": [[1, 0], [0, 1]]})";
  const auto runs = expand(parse_spec(write(std::string(kHeader) +
      "[grid]\nlanguage = [\"cycle_navigation\", { name = \"m3\", generator = \"modular_arithmetic\", n = 3 },"
      " { name = \"eo\", alphabet = \"ab\", classes = { odd = \"b*a(b*ab*a)*b*\", even = \"(b*ab*a)*b*\" } },"
      " { name = \"file\", fsm = \"" + fsm_file.string() + "\" }]\n")));
  ASSERT_EQ(runs.size(), 4U);
  EXPECT_EQ(runs[0].experiment.language.alphabet, "012");
  EXPECT_EQ(runs[1].experiment.language.alphabet, "012pmx");
  EXPECT_EQ(runs[2].experiment.language.classes.size(), 2U);
  EXPECT_EQ(runs[3].experiment.language.alphabet, "ab");
  EXPECT_EQ(experiment::compile_task(runs[2].experiment.language).classes, (std::vector<std::string>{"even", "odd"}));
  // A file's run id follows its content, not its path.
  const fs::path copy = write("").replace_extension(".copy.json");
  files_.push_back(copy);
  fs::copy_file(fsm_file, copy, fs::copy_options::overwrite_existing);
  experiment::Experiment moved = runs[3].experiment;
  moved.language.fsm = copy.string();
  EXPECT_EQ(experiment::run_id(moved), runs[3].run_id);
  std::ofstream(copy) << R"({"alphabet": "ab", "states": 2, "start": 0, "classes": ["x", "y"],
      "labels": ["y", "x"], "transitions": [[1, 0], [0, 1]]})";
  EXPECT_NE(experiment::run_id(moved), runs[3].run_id);

  EXPECT_EQ(error_of(std::string(kHeader) +
                     "[grid]\nlanguage = [{ name = \"o\", alphabet = \"ab\", classes = { x = \"a*b\", y = \"(a|b)*b\" } }]\n"),
            "SPEC:6: language 'o': classes 'x' and 'y' overlap: both match 'b'");
  EXPECT_EQ(error_of(std::string(kHeader) + "\"data.L_max\" = 4\n\"data.L_test_max\" = 4\n" +
                     "[grid]\nlanguage = [{ name = \"s\", alphabet = \"ab\", classes = { short = \"a\", long = \"a{6}\" } }]\n"),
            "SPEC:8: language 's': class 'long' has no string of length 1..4 (data.L_min..data.L_max)");
  EXPECT_NE(error_of(std::string(kHeader) + "[grid]\nlanguage = [{ name = \"g\", generator = \"cycle_navigaton\" }]\n")
                .find("unknown generator 'cycle_navigaton' (did you mean 'cycle_navigation'?)"),
            std::string::npos);
  EXPECT_EQ(error_of(std::string(kHeader) + "\"train.target\" = \"prefix\"\n\"model.pool\" = \"mean\"\n[grid]\nseed = [0]\n"),
            "SPEC:6: train.target = prefix reads every position causally; model.pool = mean looks ahead (use cls or end)");
  EXPECT_EQ(error_of(std::string(kHeader) + "\"eval.checkpoint\" = \"first\"\n[grid]\nseed = [0]\n"),
            "SPEC:5: eval.checkpoint must be best or last (got 'first')");
  EXPECT_EQ(error_of(std::string(kHeader) + "\"train.target\" = \"suffix\"\n[grid]\nseed = [0]\n"),
            "SPEC:5: train.target must be string, prefix or next_symbols (got 'suffix')");
  EXPECT_NE(error_of(std::string(kHeader) + "[grid]\nlanguage = [{ name = \"f\", fsm = \"/nonexistent.json\" }]\n")
                .find("cannot read fsm file /nonexistent.json"),
            std::string::npos);
}

TEST_F(SpecFile, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(error_of(std::string(kHeader) + "[grid]\n\"data.Lmax\" = [1]\n"),
            "SPEC:6: unknown axis 'data.Lmax' (did you mean 'data.L_max'?)");
  EXPECT_EQ(error_of(std::string(kHeader) + "[grid]\nseed = []\n"), "SPEC:6: axis 'seed' is empty");
  EXPECT_EQ(error_of(std::string(kHeader) + "[grid]\n\"train.steps\" = [\"many\"]\n"),
            "SPEC:6: train.steps must be a whole number >= 0 (got \"many\")");
  EXPECT_EQ(error_of(std::string(kHeader) + "[grid]\nlanguage = [{ name = \"x\", regex = \"a(b\", alphabet = \"ab\" }]\n"),
            "SPEC:6: language 'x': regex a(b: missing ')' for the '(' opened here (column 2: '(b')");
  EXPECT_EQ(error_of(std::string(kHeader) + "[grid]\nlanguage = [\"tomita9\"]\n"),
            "SPEC:6: unknown language 'tomita9' (did you mean 'tomita1'?); give a table { name, regex, alphabet } (or classes, generator, fsm: docs/tasks.md) for a new one");
  EXPECT_EQ(error_of("[sweep]\nname = \"t\"\n[base]\nexperiment = \"parity2\"\n"),
            "SPEC:4: unknown experiment 'parity2' (did you mean 'parity'?); `sweep --list` lists them");
  EXPECT_EQ(error_of(std::string(kHeader) + "[grid]\nseed = [0]\n[[zip]]\nseed = [1, 2]\n\"train.lr\" = [0.1]\n"),
            "SPEC:9: the axes of a [[zip]] group need equal lengths ('seed' has 2, 'train.lr' has 1)");
  EXPECT_EQ(error_of("[sweep]\nname = \"t\"\n[gird]\nseed = [1]\n"),
            "SPEC:3: unknown section or key 'gird' (did you mean 'grid'?)");
  EXPECT_EQ(error_of(std::string(kHeader) + "\"train.lrr\" = 1\n"),
            "SPEC:5: unknown key 'train.lrr' in [base] (did you mean 'train.lr'?)");
  const std::string grid = std::string(kHeader) + "[grid]\n\"model.arch\" = [\"lstm\", \"gru\"]\nseed = [0, 1]\n";
  EXPECT_EQ(error_of(grid + "[[compare]]\nname = \"c\"\na = { \"model.arc\" = \"lstm\" }\nb = { \"model.arch\" = \"gru\" }\n"),
            "SPEC:8: c: a names 'model.arc', which is not an axis of this sweep (did you mean 'model.arch'?)");
  EXPECT_EQ(error_of(grid + "[[compare]]\nname = \"c\"\na = { \"model.arch\" = \"lstm\" }\nb = { \"model.arch\" = \"gru\" }\n"
                            "metrics = [\"acc_test_lenood\"]\n"),
            "SPEC:8: c: unknown metric acc_test_lenood (did you mean 'acc_test_len_ood'?)");
  EXPECT_EQ(error_of(grid + "[[compare]]\na = { \"model.arch\" = \"lstm\" }\nb = { \"model.arch\" = \"gru\" }\n"),
            "SPEC:8: [[compare]] needs a name");
  const auto spec = parse_spec(write(grid + "[[compare]]\nname = \"c\"\na = { \"model.arch\" = \"lstm\" }\n"
                                            "b = { \"model.arch\" = \"gru\" }\nby = [\"seed\"]\n"));
  ASSERT_EQ(spec.comparisons.size(), 1U);
  EXPECT_EQ(spec.comparisons[0]["by"], nlohmann::json::array({"seed"}));
}

TEST_F(SpecFile, FitTablesAreCheckedWhereTheyAreWritten) {
  const std::string grid = std::string(kHeader) + "[grid]\n\"model.arch\" = [\"lstm\", \"gru\"]\n\"model.params\" = [1e3, 1e4]\n";
  EXPECT_EQ(error_of(grid + "[[fit]]\nx = \"model.arch\"\ny = \"acc_test_id\"\n"),
            "SPEC:8: acc_test_id ~ model.arch: x = model.arch is not numeric (it takes \"lstm\")");
  EXPECT_EQ(error_of(grid + "[[fit]]\nx = \"paramters\"\ny = \"acc_test_id\"\n"),
            "SPEC:8: acc_test_id ~ paramters: x = paramters is neither an axis of this sweep nor a metric (did you mean 'parameters'?)");
  EXPECT_EQ(error_of(grid + "[[fit]]\nx = \"parameters\"\ny = \"horizon\"\n"),
            "SPEC:8: horizon ~ parameters: y = horizon is neither an accuracy (fitted as 1 - y) nor a loss or error (fitted as is)");
  EXPECT_EQ(error_of(grid + "[[fit]]\nx = \"parameters\"\ny = \"acc_test_id\"\nbyy = [\"model.arch\"]\n"),
            "SPEC:8: [[fit]] takes name, x, y and by (got 'byy') (did you mean 'by'?)");
  EXPECT_EQ(error_of(grid + "[[fit]]\nx = \"parameters\"\ny = \"acc_test_id\"\nby = [\"model.archh\"]\n"),
            "SPEC:8: acc_test_id ~ parameters: by names 'model.archh', which is not an axis of this sweep (did you mean 'model.arch'?)");
  const auto spec = parse_spec(write(grid + "[[fit]]\nx = \"model.params\"\ny = \"loss_test_id\"\nby = [\"model.arch\"]\n"));
  ASSERT_EQ(spec.fits.size(), 1U);
  EXPECT_EQ(spec.fits[0]["name"], "loss_test_id ~ model.params");
  EXPECT_EQ(spec.fits[0]["by"], nlohmann::json::array({"model.arch"}));
}

TEST(Scheduler, RunsAddedAsResultsArriveReachAWaitingSlotInsteadOfAStop) {
  // An asynchronous search adds a promotion when a result arrives, before the
  // result releases the slots that wait.
  Scheduler scheduler({{"a", 1}});
  ASSERT_EQ(scheduler.on_request(0).size(), 1U);  // a -> rank 0
  EXPECT_TRUE(scheduler.on_request(1).empty());    // held: a may still add work
  scheduler.add({"b", 3});
  scheduler.audit();
  const auto decisions = scheduler.on_finished(0, "a", RunState::kDone);
  ASSERT_EQ(decisions.size(), 1U);
  EXPECT_EQ(decisions[0].kind, Decision::Kind::kAssign);
  EXPECT_EQ(decisions[0].rank, 1);
  EXPECT_EQ(decisions[0].run_id, "b");
  scheduler.audit();
  EXPECT_TRUE(scheduler.on_request(0).empty());  // b runs: rank 0 waits
  const auto last = scheduler.on_finished(1, "b", RunState::kDone);
  ASSERT_EQ(last.size(), 1U);
  EXPECT_EQ(last[0].kind, Decision::Kind::kStop);  // nothing came: the waiting slot stops
  EXPECT_TRUE(scheduler.finished());
  EXPECT_THROW(scheduler.add({"b", 1}), std::logic_error);
}

TEST(Scheduler, LongestFirstNoDoubleAssignmentOneStateEach) {
  Scheduler scheduler({{"a", 1}, {"b", 5}, {"c", 3}});
  std::vector<std::string> order;
  for (int rank = 0; rank < 3; ++rank) {
    const auto decisions = scheduler.on_request(rank);
    ASSERT_EQ(decisions.size(), 1U);
    order.push_back(decisions[0].run_id);
    scheduler.audit();
  }
  EXPECT_EQ(order, (std::vector<std::string>{"b", "c", "a"}));
  EXPECT_TRUE(scheduler.on_request(3).empty()) << "held: a run may still come back";
  scheduler.on_finished(0, "b", RunState::kDone);
  scheduler.on_finished(1, "c", RunState::kFailed);
  EXPECT_THROW(scheduler.on_finished(1, "c", RunState::kDone), std::logic_error) << "reported twice";
  const auto last = scheduler.on_finished(2, "a", RunState::kDone);
  ASSERT_EQ(last.size(), 1U);
  EXPECT_EQ(last[0].kind, Decision::Kind::kStop);
  EXPECT_EQ(last[0].rank, 3);
  EXPECT_TRUE(scheduler.finished());
  EXPECT_EQ(scheduler.count(RunState::kDone), 2U);
  EXPECT_EQ(scheduler.count(RunState::kFailed), 1U);
  scheduler.audit();
}

TEST(Scheduler, ALostRanksRunsGoToOthers) {
  Scheduler scheduler({{"a", 2}, {"b", 1}});
  scheduler.on_request(0);  // a
  scheduler.on_request(1);  // b
  EXPECT_TRUE(scheduler.on_request(1).empty());
  const auto decisions = scheduler.on_rank_lost(0);
  ASSERT_EQ(decisions.size(), 1U);
  EXPECT_EQ(decisions[0].rank, 1);
  EXPECT_EQ(decisions[0].run_id, "a");
  scheduler.audit();
  EXPECT_TRUE(scheduler.on_request(0).empty()) << "a lost rank gets nothing";
  scheduler.on_finished(1, "b", RunState::kDone);
  scheduler.on_finished(1, "a", RunState::kDone);
  EXPECT_TRUE(scheduler.finished());
  scheduler.audit();
}

TEST(Scheduler, RunsHeldElsewhereWaitAndComeBack) {
  Scheduler scheduler({{"a", 2}, {"b", 1}});
  scheduler.on_request(0);  // a
  scheduler.on_held_elsewhere(0, "a");
  scheduler.audit();
  EXPECT_EQ(scheduler.state("a"), RunState::kRunning);
  const auto b = scheduler.on_request(0);
  ASSERT_EQ(b.size(), 1U);
  EXPECT_EQ(b[0].run_id, "b");
  scheduler.on_finished(0, "b", RunState::kDone);
  EXPECT_TRUE(scheduler.on_request(0).empty()) << "held: the run elsewhere may come back";
  EXPECT_FALSE(scheduler.finished());
  // Released unfinished (its holder was preempted): queued again, for the waiting rank.
  const auto again = scheduler.on_released("a", RunState::kPreempted);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].kind, Decision::Kind::kAssign);
  EXPECT_EQ(again[0].run_id, "a");
  scheduler.audit();
  scheduler.on_finished(0, "a", RunState::kDone);
  EXPECT_TRUE(scheduler.finished());
  scheduler.audit();
  // Released done: ends without running here; a drain leaves held runs to their holder.
  Scheduler other({{"c", 1}, {"d", 1}});
  other.on_request(0);
  other.on_held_elsewhere(0, "c");
  other.on_request(1);
  other.on_held_elsewhere(1, "d");
  other.on_released("c", RunState::kDone);
  EXPECT_EQ(other.state("c"), RunState::kDone);
  EXPECT_FALSE(other.finished());
  other.on_drain();
  EXPECT_TRUE(other.finished());
  other.check_invariants();
}

TEST(Scheduler, DrainStopsHandingOut) {
  Scheduler scheduler({{"a", 1}, {"b", 1}, {"c", 1}});
  scheduler.on_request(0);
  const auto drained = scheduler.on_drain();
  EXPECT_TRUE(drained.empty());
  const auto stop = scheduler.on_request(1);
  ASSERT_EQ(stop.size(), 1U);
  EXPECT_EQ(stop[0].kind, Decision::Kind::kStop);
  scheduler.on_finished(0, "a", RunState::kPreempted);
  EXPECT_TRUE(scheduler.finished());
  EXPECT_EQ(scheduler.count(RunState::kPending), 2U);
}

namespace {

// Finishes one started run per step, in start order; reports every run done.
// Runs in `elsewhere` are found locked by another process: never started here.
class FakeExecutor final : public Executor {
 public:
  FakeExecutor(std::map<std::string, int>& executed, const std::set<std::string>& elsewhere)
      : executed_(executed), elsewhere_(elsewhere) {}
  StartOutcome start(const ChildSpec& spec) override {
    if (elsewhere_.count(spec.run_id)) return {StartOutcome::Kind::kHeldElsewhere, {}};
    running_.push_back(spec.run_id);
    ++executed_[spec.run_id];
    return {};
  }
  std::vector<RunResult> reap() override {
    if (running_.empty()) return {};
    if (!heat.empty()) {  // every running run stops, as a child does on the guard's TERM
      std::vector<RunResult> stopped;
      for (const auto& id : running_) {
        RunResult result;
        result.run_id = id;
        result.state = layout::RunState::kThermalAbort;
        result.error = heat;
        stopped.push_back(result);
      }
      running_.clear();
      return stopped;
    }
    if (hold_) return {};
    RunResult result;
    result.run_id = running_.front();
    result.state = layout::RunState::kDone;
    result.metrics = {{"acc_test_len_ood", 1.0}};
    running_.erase(running_.begin());
    return {result};
  }
  void signal_all(int) override {}
  std::size_t running() const override { return running_.size(); }
  void stop_for_heat(const std::string& reason, double) override { heat = reason; }
  const std::vector<std::string>& started() const { return running_; }
  void hold(bool hold) { hold_ = hold; }  // runs keep running until released
  std::string heat;

 private:
  bool hold_ = false;
  std::map<std::string, int>& executed_;
  const std::set<std::string>& elsewhere_;
  std::vector<std::string> running_;
};

class FakeClock final : public Clock {
 public:
  double seconds() const override { return now; }
  double now = 0;
};

class CountingTables final : public TableWriter {
 public:
  void write(const std::vector<aggregate::RunRecord>&, const std::vector<std::size_t>&) override { ++writes; }
  void finish(const std::vector<aggregate::RunRecord>& records) override { final_records = records; }
  std::string location() const override { return "memory"; }
  std::size_t writes = 0;
  std::vector<aggregate::RunRecord> final_records;
};

// Another process holds some runs until the clock passes `release_at`, then
// its folders say done.
class FakeFolders final : public RunFolders {
 public:
  explicit FakeFolders(const FakeClock& clock) : clock_(clock) {}
  aggregate::RunRecord reread(const aggregate::RunRecord& record) override {
    aggregate::RunRecord done = record;
    done.state = layout::RunState::kDone;
    return done;
  }
  bool held(const std::string&) override { return clock_.seconds() < release_at; }
  double release_at = 50;

 private:
  const FakeClock& clock_;
};

// `ranks` ranks over the in-memory transport, `runs` planned runs (run0,
// run1, ...; costs 0..6 in turn), the real scheduler and coordinator with a
// fake clock, tables and folders; the tests add the workers.
struct Simulation {
  Simulation(int ranks, std::size_t runs) : hub(ranks), planned(runs), folders(clock) {
    for (int r = 0; r < ranks; ++r) endpoints.push_back(hub.endpoint(r));
    std::vector<Scheduler::Run> todo;
    std::vector<aggregate::RunRecord> records;
    for (std::size_t i = 0; i < runs; ++i) {
      planned[i].run_id = "run" + std::to_string(i);
      planned[i].cost = static_cast<double>(i % 7);
      plan[planned[i].run_id] = &planned[i];
      todo.push_back({planned[i].run_id, planned[i].cost});
      aggregate::RunRecord record;
      record.sweep = "sim";
      record.run_id = planned[i].run_id;
      records.push_back(record);
    }
    scheduler = std::make_unique<Scheduler>(todo);
    coordinator = std::make_unique<Coordinator>(*endpoints[0], *scheduler, records, tables, folders, clock);
  }
  InMemoryHub hub;
  std::vector<std::unique_ptr<Transport>> endpoints;
  std::vector<PlannedRun> planned;
  std::map<std::string, const PlannedRun*> plan;
  FakeClock clock;
  CountingTables tables;
  FakeFolders folders;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<Coordinator> coordinator;
};

// One tick of the clock: every rank steps its worker and handles its
// messages (rank 0's coordinator takes the ones for it).
void tick(std::vector<std::unique_ptr<Worker>>& workers, std::vector<std::unique_ptr<Transport>>& endpoints,
          Coordinator& coordinator, FakeClock& clock) {
  clock.now += 1;
  for (std::size_t r = 0; r < workers.size(); ++r) {
    workers[r]->step();
    while (auto message = endpoints[r]->poll()) {
      if (message->tag == kAssign || message->tag == kStop) {
        workers[r]->handle(*message);
      } else {
        EXPECT_EQ(r, 0U) << "only rank 0 coordinates";
        coordinator.handle(*message);
      }
    }
  }
  coordinator.poll();
}

}  // namespace

// The real workers and coordinator, three ranks with two slots each, over the
// in-memory transport with fake executors: every run is executed exactly
// once, the tables are rewritten after each result, and every rank ends.
TEST(Sweep, WorkersAndCoordinatorOverInMemoryTransport) {
  const int ranks = 3;
  const std::size_t runs = 25;
  Simulation sim(ranks, runs);
  auto [endpoints, scheduler, coordinator, clock, tables, folders] =
      std::tie(sim.endpoints, *sim.scheduler, *sim.coordinator, sim.clock, sim.tables, sim.folders);
  std::map<std::string, int> executed;
  const std::set<std::string> elsewhere = {"run3", "run17"};
  std::vector<std::unique_ptr<FakeExecutor>> executors;
  std::vector<std::unique_ptr<Worker>> workers;
  RankResources resources;
  resources.slots = 2;
  for (int r = 0; r < ranks; ++r) {
    executors.push_back(std::make_unique<FakeExecutor>(executed, elsewhere));
    workers.push_back(std::make_unique<Worker>(*endpoints[static_cast<std::size_t>(r)], sim.plan, resources, *executors.back(),
                                               [](const std::string& id) { return fs::path("/nonexistent") / id; },
                                               [] { return false; }, Worker::Settings{}));
  }
  for (int i = 0; i < 10000 && !coordinator.finished(); ++i) tick(workers, endpoints, coordinator, clock);
  ASSERT_TRUE(coordinator.finished());
  coordinator.finish();
  EXPECT_TRUE(scheduler.finished());
  EXPECT_EQ(scheduler.count(RunState::kDone), runs);
  EXPECT_EQ(executed.size(), runs - elsewhere.size()) << "runs held by another process are not run here";
  for (const auto& [id, times] : executed) EXPECT_EQ(times, 1) << id;
  for (const auto& id : elsewhere) EXPECT_EQ(executed.count(id), 0U) << id;
  EXPECT_GE(clock.now, folders.release_at) << "the sweep waited for the held runs";
  for (const auto& worker : workers) EXPECT_TRUE(worker->finished());
  EXPECT_EQ(tables.writes, runs + 1) << "once at the start, once per result";
  ASSERT_EQ(tables.final_records.size(), runs);
  for (const auto& record : tables.final_records) EXPECT_EQ(record.state, RunState::kDone) << record.run_id;
  EXPECT_EQ(coordinator.exit_code(), 0);
}

// With an interval, the tables are rewritten at most that often while
// results come in, at once when a stop arrives, and completely at the end.
TEST(Sweep, TablesAreRewrittenEveryIntervalOnAStopAndAtTheEnd) {
  const int ranks = 3;
  const std::size_t runs = 40;
  Simulation sim(ranks, runs);
  auto [endpoints, scheduler, coordinator, clock, tables] = std::tie(sim.endpoints, *sim.scheduler, *sim.coordinator, sim.clock, sim.tables);
  coordinator.set_table_interval(5);
  std::map<std::string, int> executed;
  const std::set<std::string> elsewhere;
  std::vector<std::unique_ptr<FakeExecutor>> executors;
  std::vector<std::unique_ptr<Worker>> workers;
  RankResources resources;
  resources.slots = 2;
  bool stop = false;
  for (int r = 0; r < ranks; ++r) {
    executors.push_back(std::make_unique<FakeExecutor>(executed, elsewhere));
    workers.push_back(std::make_unique<Worker>(*endpoints[static_cast<std::size_t>(r)], sim.plan, resources, *executors.back(),
                                               [](const std::string& id) { return fs::path("/nonexistent") / id; },
                                               [&stop] { return stop; }, Worker::Settings{}));
  }
  // One result per rank and tick (a second): 3 a second, a write at most every 5.
  for (int i = 0; i < 12; ++i) tick(workers, endpoints, coordinator, clock);
  const std::size_t finished = scheduler.count(RunState::kDone);
  EXPECT_GE(finished, 20U);
  EXPECT_LE(tables.writes, 1 + 12 / 5 + 1) << "once at the start, then at most every 5 s";
  EXPECT_GE(tables.writes, 1 + 12 / 5) << "and at least that often while results come in";
  // A stop on every rank: the tables are written as they stand when the first
  // drain arrives (the next tick), however long the interval, and once.
  coordinator.set_table_interval(1000);
  const std::size_t before_stop = tables.writes;
  stop = true;
  tick(workers, endpoints, coordinator, clock);
  tick(workers, endpoints, coordinator, clock);
  EXPECT_EQ(tables.writes, before_stop + 1) << "the first drain writes the tables at once, the others do not";
  for (int i = 0; i < 1000 && !coordinator.finished(); ++i) tick(workers, endpoints, coordinator, clock);
  ASSERT_TRUE(coordinator.finished());
  coordinator.finish();
  ASSERT_EQ(tables.final_records.size(), runs) << "the end writes every run";
  for (const auto& record : tables.final_records) EXPECT_EQ(record.state, scheduler.state(record.run_id)) << record.run_id;
}

// The real scheduler, coordinator and workers at 100 ranks x 10,000 runs
// (simulated: virtual time; bench/sim_bench runs 1,000 x 100,000), runs of
// about a minute, 3% failing and 2% preempted, the coordinator charged the CPU
// time it really takes plus the live tables' measured cost (bench/README.md:
// 10 ms, 1.8 us a run, 125 us a changed run): every run executed exactly once,
// the final tables complete, no slot told to stop while runs waited, slots
// busy >= 99% of the time runs waited, every row in the tables at most the
// interval and a second and a half after its result arrived, and no message
// larger than a few KB. Writing the tables after every result (the
// coordinator before the interval) fails it: 10,000 writes keep the
// coordinator busy most of the sweep (utilisation 0.86, rows 52 s late); so
// does a writer that renders every row (38 us a run: rows 6.8 s late here,
// 46 s at 100,000 runs).
TEST(Simulation, HundredRanksTenThousandRuns) {
  sim::Settings settings;
  settings.ranks = 100;
  settings.runs = 10000;
  settings.table_interval = 5;
  settings.write_fixed_seconds = 0.01;
  settings.write_seconds_per_record = 1.8e-6;
  settings.write_seconds_per_change = 125e-6;
  const sim::Figures figures = sim::simulate(settings);
  EXPECT_EQ(figures.executed_once, settings.runs);
  EXPECT_EQ(figures.executed_twice_or_more, 0U);
  EXPECT_EQ(figures.never_executed, 0U);
  EXPECT_TRUE(figures.scheduler_finished);
  EXPECT_TRUE(figures.tables_complete);
  EXPECT_EQ(figures.done + figures.failed + figures.preempted, settings.runs);
  EXPECT_GT(figures.failed, 0U);
  EXPECT_GT(figures.preempted, 0U);
  EXPECT_EQ(figures.stops_while_pending, 0U);
  EXPECT_GE(figures.utilisation_while_waiting, 0.99);
  // A row waits for the next write: the interval, the write itself, the
  // messages queued before it, the one-second poll.
  EXPECT_LE(figures.row_latency_max, settings.table_interval + 1.5);
  EXPECT_LE(figures.largest_message, 4096U);
}

namespace {

// A sensor whose reading the test sets.
class FakeSensor final : public TemperatureSensor {
 public:
  explicit FakeSensor(const double& celsius) : celsius_(celsius) {}
  std::optional<double> read() override { return celsius_; }
  ThermalLimits limits() const override { return {85, 95, "GPU defaults"}; }
  std::string describe() const override { return "fake"; }

 private:
  const double& celsius_;
};

// The real workers of a Simulation's ranks, two slots each, on FakeExecutors;
// the ranks in `guarded` read `hot` through a thermal guard of their own;
// `configure` may set more of a rank's worker settings.
struct GuardedRanks {
  GuardedRanks(Simulation& sim, double& hot, const std::set<int>& guarded,
               const std::function<void(int, Worker::Settings&)>& configure = {})
      : executed(sim.endpoints.size()) {
    ThermalSettings settings;
    settings.interval = 0;
    RankResources resources;
    resources.slots = 2;
    for (std::size_t r = 0; r < sim.endpoints.size(); ++r) {
      executors.push_back(std::make_unique<FakeExecutor>(executed[r], elsewhere));
      Worker::Settings worker_settings;
      if (guarded.count(static_cast<int>(r))) {
        guards.push_back(std::make_unique<ThermalGuard>(std::make_unique<FakeSensor>(hot), settings));
        worker_settings.thermal = guards.back().get();
      }
      if (configure) configure(static_cast<int>(r), worker_settings);
      workers.push_back(std::make_unique<Worker>(*sim.endpoints[r], sim.plan, resources, *executors.back(),
                                                 [](const std::string& id) { return fs::path("/nonexistent") / id; },
                                                 [] { return false; }, worker_settings));
    }
  }
  std::vector<std::map<std::string, int>> executed;  // per rank: run id -> starts
  const std::set<std::string> elsewhere;
  std::vector<std::unique_ptr<ThermalGuard>> guards;
  std::vector<std::unique_ptr<FakeExecutor>> executors;
  std::vector<std::unique_ptr<Worker>> workers;
};

}  // namespace

// The thermal guard on one rank of three, through the real workers and
// coordinator: hot, it starts nothing (and hands back what it was given);
// just below the threshold it stays paused (hysteresis); cooled, it runs
// again; too hot, its running runs stop as thermal_abort, the rank retires,
// the other ranks resume those two and run every other run once, and the
// sweep ends done (code 0).
TEST(Sweep, ThermalGuardPausesResumesAndAbortsOneRank) {
  const int ranks = 3;
  const std::size_t runs = 30;
  Simulation sim(ranks, runs);
  auto [endpoints, scheduler, coordinator, clock, tables, folders] =
      std::tie(sim.endpoints, *sim.scheduler, *sim.coordinator, sim.clock, sim.tables, sim.folders);
  double hot = 90;  // rank 1's sensor
  std::vector<std::pair<RunResult, std::optional<double>>> ended_on_1;
  GuardedRanks ranked(sim, hot, {1}, [&](int rank, Worker::Settings& settings) {
    if (rank != 1) return;
    settings.on_ended = [&](const PlannedRun&, const RunResult& result, std::optional<double> hottest) {
      ended_on_1.emplace_back(result, hottest);
    };
  });
  auto [executed, executors, workers] = std::tie(ranked.executed, ranked.executors, ranked.workers);
  auto step = [&] { tick(workers, endpoints, coordinator, clock); };
  auto done = [&] { return scheduler.count(RunState::kDone); };
  // Hot from the start: rank 1 runs nothing while the others work.
  for (int i = 0; i < 4; ++i) step();
  EXPECT_GT(done(), 0U);
  EXPECT_TRUE(executed[1].empty()) << "a paused rank starts no run";
  hot = 82;  // below 85, not below 85 - 5: still paused
  for (int i = 0; i < 4; ++i) step();
  EXPECT_TRUE(executed[1].empty()) << "the hysteresis keeps it paused until below 80";
  hot = 70;
  executors[1]->hold(true);  // its runs keep running until the heat stops them
  for (int i = 0; i < 6 && executors[1]->running() == 0; ++i) step();
  ASSERT_EQ(executors[1]->running(), 2U) << "cooled, it fills its slots again";
  const std::vector<std::string> on_one = executors[1]->started();
  hot = 99;
  for (int i = 0; i < 10000 && !coordinator.finished(); ++i) step();
  ASSERT_TRUE(coordinator.finished());
  coordinator.finish();
  EXPECT_EQ(executors[1]->heat.rfind("stopped for heat: 99 °C at or above 95 °C", 0), 0U) << executors[1]->heat;
  ASSERT_EQ(ended_on_1.size(), 2U);
  for (const auto& [result, hottest] : ended_on_1) {
    EXPECT_EQ(result.state, RunState::kThermalAbort);
    EXPECT_EQ(hottest, std::optional<double>(99)) << "the hottest reading while it ran";
  }
  EXPECT_EQ(scheduler.count(RunState::kThermalAbort), 0U);
  EXPECT_EQ(scheduler.count(RunState::kDone), runs) << "the other ranks resumed the stopped runs and ran the rest";
  std::map<std::string, int> all;
  for (const auto& per_rank : executed) {
    for (const auto& [id, times] : per_rank) all[id] += times;
  }
  const std::set<std::string> stopped(on_one.begin(), on_one.end());
  for (const auto& [id, times] : all) EXPECT_EQ(times, stopped.count(id) ? 2 : 1) << id;
  for (const auto& id : on_one) {
    EXPECT_EQ(executed[1][id], 1) << id << " started on the hot rank once";
    EXPECT_EQ(executed[0][id] + executed[2][id], 1) << id << " resumed once on a cooler rank";
  }
  EXPECT_EQ(all.size(), runs);
  EXPECT_EQ(coordinator.exit_code(), 0) << "every run done: nothing is left for a requeue";
  for (const auto& worker : workers) EXPECT_TRUE(worker->finished());
}

// Every rank too hot: each stops its runs once, no run bounces between them,
// the sweep ends (no hang) with those runs thermal_abort, the rest not run,
// and code 4 (the job must not requeue onto the same hot node).
TEST(Sweep, ThermalAbortOnEveryRankEndsTheSweep) {
  const int ranks = 2;
  const std::size_t runs = 10;
  Simulation sim(ranks, runs);
  auto [endpoints, scheduler, coordinator, clock] = std::tie(sim.endpoints, *sim.scheduler, *sim.coordinator, sim.clock);
  double hot = 50;
  GuardedRanks ranked(sim, hot, {0, 1});
  auto [executed, executors, workers] = std::tie(ranked.executed, ranked.executors, ranked.workers);
  for (auto& executor : executors) executor->hold(true);
  for (int i = 0; i < 6 && executors[0]->running() + executors[1]->running() < 4; ++i) {
    tick(workers, endpoints, coordinator, clock);
  }
  ASSERT_EQ(executors[0]->running() + executors[1]->running(), 4U);
  hot = 99;
  for (int i = 0; i < 1000 && !coordinator.finished(); ++i) tick(workers, endpoints, coordinator, clock);
  ASSERT_TRUE(coordinator.finished()) << "a sweep whose every rank is too hot ends";
  coordinator.finish();
  std::size_t starts = 0;
  for (const auto& per_rank : executed) {
    for (const auto& [id, times] : per_rank) starts += static_cast<std::size_t>(times);
  }
  EXPECT_EQ(starts, 4U) << "no run started again on a hot rank";
  EXPECT_EQ(scheduler.count(RunState::kDone), 0U);
  EXPECT_EQ(coordinator.exit_code(), 4);
  std::size_t heat = 0;
  for (const auto& record : coordinator.records()) heat += record.state == RunState::kThermalAbort ? 1U : 0U;
  EXPECT_EQ(heat, 4U);
}

TEST(Scheduler, InMemoryTransportSimulation) {
  const std::size_t ranks = 3, slots = 2, runs = 25;
  InMemoryHub hub(static_cast<int>(ranks));
  std::vector<std::unique_ptr<Transport>> endpoints;
  for (std::size_t r = 0; r < ranks; ++r) endpoints.push_back(hub.endpoint(static_cast<int>(r)));
  std::vector<Scheduler::Run> plan;
  for (std::size_t i = 0; i < runs; ++i) plan.push_back({"run" + std::to_string(i), static_cast<double>(i % 7)});
  Scheduler scheduler(plan);
  std::vector<std::vector<std::string>> running(ranks);
  std::vector<std::size_t> stopped(ranks, 0), outstanding(ranks, 0);
  std::map<std::string, int> executed;
  for (int tick = 0; tick < 10000 && !(scheduler.finished() && stopped == std::vector<std::size_t>(ranks, slots)); ++tick) {
    for (std::size_t r = 0; r < ranks; ++r) {
      // Workers: finish one running run per tick; ask for work for free slots.
      if (!running[r].empty()) {
        endpoints[r]->send(0, kResult, running[r].back());
        running[r].pop_back();
      }
      while (running[r].size() + outstanding[r] + stopped[r] < slots) {
        endpoints[r]->send(0, kRequest, "");
        ++outstanding[r];
      }
      while (auto m = endpoints[r]->poll()) {
        if (r == 0 && (m->tag == kRequest || m->tag == kResult)) {
          auto decisions = m->tag == kRequest ? scheduler.on_request(m->from)
                                              : scheduler.on_finished(m->from, m->payload, RunState::kDone);
          scheduler.audit();
          for (const auto& d : decisions) endpoints[0]->send(d.rank, d.kind == Decision::Kind::kAssign ? kAssign : kStop, d.run_id);
          continue;
        }
        --outstanding[r];
        if (m->tag == kAssign) {
          running[r].push_back(m->payload);
          ++executed[m->payload];
        } else {
          ++stopped[r];
        }
      }
    }
  }
  EXPECT_TRUE(scheduler.finished());
  EXPECT_EQ(scheduler.count(RunState::kDone), runs);
  EXPECT_EQ(executed.size(), runs);
  for (const auto& [id, times] : executed) EXPECT_EQ(times, 1) << id;
  for (std::size_t r = 0; r < ranks; ++r) EXPECT_EQ(stopped[r], slots) << "rank " << r;
}

TEST(Resources, GpuBindingThreadsAndSlots) {
  // Four local ranks on a node with two GPUs: modulo binding.
  EXPECT_EQ(rank_resources(3, 4, 16, 16, 2, std::nullopt, std::nullopt, std::nullopt).device, "cuda:1");
  EXPECT_EQ(rank_resources(2, 4, 16, 16, 2, std::nullopt, std::nullopt, std::nullopt).device, "cuda:0");
  // GPU, asked: K children, threads = cores / local ranks / K.
  const auto gpu = rank_resources(0, 4, 16, 16, 2, std::nullopt, 2, std::nullopt);
  EXPECT_EQ(gpu.slots, 2U);
  EXPECT_EQ(gpu.threads, 2U);
  // GPU, by default: 8 children per GPU, at most one per core of the rank.
  const auto alone = rank_resources(0, 1, 16, 16, 1, std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(alone.slots, kDefaultRunsPerGpu);
  EXPECT_EQ(alone.threads, 2U);
  EXPECT_EQ(rank_resources(0, 4, 16, 16, 2, std::nullopt, std::nullopt, std::nullopt).slots, 4U);  // 2 ranks per GPU
  EXPECT_EQ(rank_resources(0, 1, 4, 4, 1, std::nullopt, std::nullopt, std::nullopt).slots, 4U);   // 4 cores
  // A rank bound to one core (mpirun's default for two ranks) runs one child.
  const auto bound = rank_resources(0, 2, 16, 1, 1, std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(bound.slots, 1U);
  EXPECT_EQ(bound.threads, 1U);
  // CPU: one single-threaded child per core of the rank.
  const auto cpu = rank_resources(0, 2, 8, 8, 0, std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(cpu.device, "cpu");
  EXPECT_EQ(cpu.slots, 4U);
  EXPECT_EQ(cpu.threads, 1U);
  EXPECT_EQ(rank_resources(0, 2, 8, 1, 0, std::nullopt, std::nullopt, std::nullopt).slots, 1U);
  // SLURM_CPUS_PER_TASK wins over the core count.
  EXPECT_EQ(rank_resources(0, 2, 64, 64, 0, 6, std::nullopt, 3).slots, 2U);
}

TEST(Tables, StatisticsAndFormats) {
  std::vector<aggregate::RunRecord> records;
  for (int seed = 0; seed < 3; ++seed) {
    aggregate::RunRecord r;
    r.sweep = "s";
    r.run_id = "id" + std::to_string(seed);
    r.state = layout::RunState::kDone;
    r.axes = {{"language", "parity"}, {"seed", seed}};
    r.metrics = {{"acc_test_id", 0.5 + 0.1 * seed}};
    records.push_back(r);
  }
  aggregate::RunRecord failed;
  failed.sweep = "s";
  failed.run_id = "id3";
  failed.state = layout::RunState::kFailed;
  failed.axes = {{"language", "parity"}, {"seed", 3}};
  failed.error = "train: boom, \"quoted\"";
  records.push_back(failed);
  const auto summary = aggregate::summary_table(records, {"acc_test_id"}, std::nullopt);
  ASSERT_EQ(summary.rows.size(), 1U);
  EXPECT_EQ(summary.columns[0], "language") << "grouped by every axis except seed";
  auto at = [&](const std::string& name) {
    const auto it = std::find(summary.columns.begin(), summary.columns.end(), name);
    return it == summary.columns.end() ? std::string("<no column>") : summary.rows[0][static_cast<std::size_t>(it - summary.columns.begin())];
  };
  EXPECT_EQ(at("n"), "3");  // done runs
  EXPECT_EQ(at("runs"), "4");  // all runs
  EXPECT_EQ(at("acc_test_id_mean"), "0.6");
  EXPECT_EQ(at("acc_test_id_std"), "0.1");
  EXPECT_EQ(at("acc_test_id_ci95"), "0.248414");  // t(0.975, 2) * 0.1 / sqrt(3)
  const std::string csv = aggregate::to_csv(aggregate::runs_table(records, {"acc_test_id"}));
  EXPECT_NE(csv.find("\"train: boom, \"\"quoted\"\"\"\r\n"), std::string::npos) << csv;
}
