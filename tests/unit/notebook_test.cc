// The lab notebook (registry, experiment log, README) and the thermal
// sensors, against real files: concurrent processes, damaged and older files,
// a fake /sys tree.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "io/atomic_file.h"
#include "io/hash.h"
#include "layout/run_paths.h"
#include "layout/status.h"
#include "notebook/log.h"
#include "notebook/readme.h"
#include "notebook/registry.h"
#include "sweep/thermal.h"
#include "util/csv.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace regal;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("regal_notebook_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs `body(i)` in `n` processes at once; true when every one exited 0.
template <class Body>
bool in_processes(int n, Body body) {
  std::vector<pid_t> children;
  for (int i = 0; i < n; ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      int code = 0;
      try {
        body(i);
      } catch (...) {
        code = 1;
      }
      ::_exit(code);
    }
    children.push_back(pid);
  }
  bool ok = true;
  for (const pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return ok;
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

}  // namespace

TEST(Csv, QuotesAndReadsBack) {
  const std::vector<std::string> fields = {"plain", "with,comma", "with \"quote\"", "two\nlines", "", "{\"a\":[1,2]}"};
  const std::string line = csv_line(fields);
  EXPECT_EQ(line, "plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\nlines\",,\"{\"\"a\"\":[1,2]}\"\r\n");
  const auto records = parse_csv(line + line);
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0], fields);
  EXPECT_EQ(records[1], fields);
  EXPECT_THROW(parse_csv("a,\"open\n"), std::invalid_argument);
}

// The issue's test: 8 processes x 50 updates at once, every update present.
TEST(Registry, ConcurrentUpdatesAreNeverLost) {
  const fs::path root = fresh_dir("registry");
  const int processes = 8, updates = 50;
  ASSERT_TRUE(in_processes(processes, [&](int p) {
    for (int u = 0; u < updates; ++u) {
      // Each process updates its own entry 50 times and one shared entry.
      notebook::update_registry(root, "sweep", "sweep_" + std::to_string(p), [&](notebook::RegistryEntry& entry) {
        entry.runs["done"] = static_cast<std::size_t>(u + 1);
      });
      notebook::update_registry(root, "sweep", "shared", [&](notebook::RegistryEntry& entry) { ++entry.runs["done"]; });
    }
  }));
  const auto entries = notebook::read_registry(root);
  ASSERT_EQ(entries.size(), static_cast<std::size_t>(processes + 1));
  for (const auto& entry : entries) {
    if (entry.name == "shared") {
      EXPECT_EQ(entry.runs.at("done"), static_cast<std::size_t>(processes * updates)) << "every increment is there";
    } else {
      EXPECT_EQ(entry.runs.at("done"), static_cast<std::size_t>(updates)) << entry.name;
    }
    EXPECT_FALSE(entry.created.empty());
  }
  for (const auto& item : fs::directory_iterator(root)) {
    EXPECT_EQ(item.path().filename().string().find(".tmp"), std::string::npos) << "no temporary file left: " << item.path();
  }
}

TEST(Registry, MissingIsRebuiltAndCorruptIsKept) {
  const fs::path root = fresh_dir("rebuild");
  // A sweep folder with two runs and an experiment folder with one, no registry.
  write(root / "s1" / "spec.toml", "[sweep]\nname = \"s1\"\n");
  for (const auto& [id, state] : std::vector<std::pair<std::string, layout::RunState>>{{"aa11", layout::RunState::kDone},
                                                                                        {"bb22", layout::RunState::kFailed}}) {
    const layout::RunPaths paths(root, "s1", id);
    fs::create_directories(paths.run_dir());
    layout::RunStatus status;
    status.run_id = id;
    status.state = state;
    status.started = "2026-11-20T10:00:0" + std::to_string(id[0] == 'a' ? 1 : 2) + "Z";
    status.ended = "2026-11-20T11:00:00Z";
    layout::write_status(paths, status);
  }
  const layout::RunPaths exp(root, "parity", "cc33");
  fs::create_directories(exp.run_dir());
  layout::RunStatus status;
  status.run_id = "cc33";
  status.state = layout::RunState::kPreempted;
  status.started = "2026-11-21T09:00:00Z";
  layout::write_status(exp, status);

  const auto listed = notebook::read_registry(root);
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].name, "parity") << "newest first";
  EXPECT_EQ(listed[0].kind, "experiment");
  EXPECT_EQ(listed[1].kind, "sweep");
  EXPECT_EQ(listed[1].created, "2026-11-20T10:00:01Z");
  EXPECT_EQ(listed[1].runs.at("done"), 1U);
  EXPECT_EQ(listed[1].runs.at("failed"), 1U);
  EXPECT_EQ(listed[1].spec_hash, io::sha256_hex("[sweep]\nname = \"s1\"\n"));
  EXPECT_FALSE(fs::exists(root / "registry.json")) << "reading writes nothing";

  // The next write rebuilds it from the folders and adds the new entry.
  notebook::update_registry(root, "sweep", "s2", [](notebook::RegistryEntry& e) { e.spec_path = "sweeps/s2.toml"; });
  EXPECT_EQ(notebook::read_registry(root).size(), 3U);

  // A corrupt registry is kept aside and rebuilt.
  write(root / "registry.json", "{\"entries\": [trunc");
  EXPECT_THROW(notebook::read_registry(root), IoError);
  notebook::update_registry(root, "sweep", "s3", [](notebook::RegistryEntry&) {});
  std::size_t kept = 0;
  for (const auto& item : fs::directory_iterator(root)) {
    if (item.path().filename().string().rfind("registry.json.bad-", 0) == 0) {
      ++kept;
      EXPECT_EQ(io::read_file(item.path()).value_or(""), "{\"entries\": [trunc");
    }
  }
  EXPECT_EQ(kept, 1U);
  std::set<std::string> names;
  for (const auto& entry : notebook::read_registry(root)) names.insert(entry.name);
  EXPECT_EQ(names, (std::set<std::string>{"s1", "parity", "s3"})) << "rebuilt from the folders (s2 had no folder) plus s3";
}

TEST(ExperimentLog, ConcurrentRowsNeverInterleave) {
  const fs::path root = fresh_dir("log");
  const int processes = 8, rows = 50;
  ASSERT_TRUE(in_processes(processes, [&](int p) {
    for (int r = 0; r < rows; ++r) {
      notebook::LogRow row;
      row.timestamp = "2026-11-22T10:00:00Z";
      row.sweep = "s";
      row.run_id = std::to_string(p) + "_" + std::to_string(r);
      row.axes = {{"language", "parity, \"even\""}, {"seed", r}};
      row.status = "done";
      row.error = std::string(3000, 'x');  // long rows: a torn write would show
      row.hyperparameters = {{"train", {{"lr", 0.001}}}};
      row.rank = p;
      notebook::append_log_row(root, row);
    }
  }));
  const auto records = notebook::read_log(root);
  ASSERT_EQ(records.size(), static_cast<std::size_t>(processes * rows));
  std::set<std::string> ids;
  for (const auto& record : records) {
    ids.insert(record[3]);
    EXPECT_EQ(record[4], "{\"language\":\"parity, \\\"even\\\"\",\"seed\":" + record[3].substr(record[3].find('_') + 1) + "}");
    EXPECT_EQ(record[13].size(), 3000U);
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(processes * rows));
  const std::string text = io::read_file(root / "experiment_log.csv").value();
  EXPECT_EQ(text.rfind(csv_line(notebook::log_columns()), 0), 0U) << "one header, first";
  EXPECT_EQ(text.find("timestamp,sweep", 1), std::string::npos) << "and only once";
}

TEST(ExperimentLog, AnOlderHeaderIsLeftAloneAndANewFileStarted) {
  const fs::path root = fresh_dir("oldlog");
  const std::string old = "timestamp,run_id,status\r\n2026-01-01T00:00:00Z,abc,done\r\n";
  write(root / "experiment_log.csv", old);
  notebook::LogRow row;
  row.run_id = "def";
  row.status = "failed";
  row.error = "boom";
  const fs::path file = notebook::append_log_row(root, row);
  EXPECT_NE(file, root / "experiment_log.csv");
  EXPECT_EQ(file.parent_path(), root);
  EXPECT_EQ(io::read_file(root / "experiment_log.csv").value(), old) << "never rewritten";
  const auto records = notebook::read_log(root);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0][3], "def");
  EXPECT_EQ(records[0][13], "boom");
}

TEST(ExperimentLog, RowFromARunFolder) {
  const fs::path root = fresh_dir("row");
  const layout::RunPaths paths(root, "s", "0123456789ab");
  fs::create_directories(paths.run_dir());
  layout::RunStatus status;
  status.run_id = paths.run_id();
  status.state = layout::RunState::kDone;
  status.ended = "2026-11-22T12:00:00Z";
  status.attempt = 2;
  status.host = "node7";
  status.max_temperature = 71.5;
  layout::write_status(paths, status);
  write(paths.metrics_json(), R"({"best_val_acc": 0.97, "acc_test_id": 0.99, "acc_test_len_ood": 0.5})");
  write(paths.history_jsonl(), "{\"step\":10,\"val_loss\":0.4}\n{\"step\":20,\"val_loss\":0.125}\n{\"step\":30,\"val_loss\":0.2}\n");
  write(paths.experiment_json(), R"({"name":"s","language":{"name":"parity"},"model":{"arch":"lstm"},"train":{"lr":0.001},"data":{"n_train":10}})");
  write(paths.telemetry_json(), R"({"corpus_md5":"m","corpus_sha256":"s"})");
  const notebook::LogRow row = notebook::log_row_from_run(paths, "s", {{"seed", 3}}, 12.5, 4);
  const std::vector<std::string> expected = {"2026-11-22T12:00:00Z", "s", "parity", "0123456789ab", "{\"seed\":3}", "done", "2",
                                             "12.500", "0.125", "0.97", "0.99", "0.5",
                                             "{\"model\":{\"arch\":\"lstm\"},\"train\":{\"lr\":0.001}}", "", "71.5", "m", "s",
                                             "node7", "4"};
  EXPECT_EQ(row.fields(), expected);
}

TEST(Readme, SaysHowToRunItAgainAndWhereThingsAre) {
  notebook::ReadmeInfo info;
  info.name = "length_ood";
  info.kind = "sweep";
  info.description = "How far do models generalise?";
  info.spec_path = "sweeps/length_ood.toml";
  info.spec_text = "[sweep]\nname = \"length_ood\"\n";
  info.command = "mpirun -n 4 build/sweep --spec sweeps/length_ood.toml";
  info.aggregate = notebook::aggregate_beside("build/sweep");
  info.results = "results";
  info.runs = {{"done", 10}, {"failed", 2}};
  info.updated = "2026-11-22T12:00:00Z";
  info.host = "vm";
  const std::string text = notebook::readme_text(info);
  for (const char* part : {"# length_ood\n", "How far do models generalise?", "10 done, 2 failed",
                           "    mpirun -n 4 build/sweep --spec sweeps/length_ood.toml\n", "    build/aggregate results/length_ood --report",
                           "`spec.toml`", "results/experiment_log.csv", "```toml\n[sweep]\nname = \"length_ood\"\n```\n",
                           "2026-11-22T12:00:00Z"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n---\n" << text;
  }
  EXPECT_EQ(notebook::aggregate_beside("sweep"), "aggregate") << "on PATH";
  EXPECT_EQ(notebook::aggregate_beside("/opt/regal/bin/sweep"), "/opt/regal/bin/aggregate");
}

TEST(Thermal, GuardLevelsWithHysteresis) {
  const fs::path dir = fresh_dir("thermal");
  const fs::path file = dir / "t";
  write(file, "40");
  sweep::ThermalSettings settings;
  settings.interval = 10;
  sweep::ThermalGuard guard(sweep::file_sensor(file), settings);
  EXPECT_EQ(guard.limits().pause, 85);
  EXPECT_EQ(guard.limits().abort, 95);
  EXPECT_EQ(guard.check(0), sweep::ThermalLevel::kOk);
  write(file, "86");
  EXPECT_EQ(guard.check(5), sweep::ThermalLevel::kOk) << "not sampled before the interval";
  EXPECT_EQ(guard.check(10), sweep::ThermalLevel::kPause);
  write(file, "81");
  EXPECT_EQ(guard.check(20), sweep::ThermalLevel::kPause) << "81 is not below 85 - 5";
  write(file, "");  // a reading that fails keeps the level
  EXPECT_EQ(guard.check(30), sweep::ThermalLevel::kPause);
  write(file, "79.5");
  EXPECT_EQ(guard.check(40), sweep::ThermalLevel::kOk);
  write(file, "84");
  EXPECT_EQ(guard.check(50), sweep::ThermalLevel::kOk) << "below the pause threshold, not paused before";
  write(file, "95");
  EXPECT_EQ(guard.check(60), sweep::ThermalLevel::kAbort);
  EXPECT_EQ(guard.last(), std::optional<double>(95));

  settings.pause = 60;
  settings.abort = 70;
  sweep::ThermalGuard flagged(sweep::file_sensor(file), settings);
  EXPECT_EQ(flagged.limits().pause, 60);
  EXPECT_EQ(flagged.limits().from, "--thermal-pause/--thermal-abort");
  settings.abort = 50;
  EXPECT_THROW(sweep::ThermalGuard(sweep::file_sensor(file), settings), InputError);
  EXPECT_FALSE(sweep::ThermalGuard(nullptr, sweep::ThermalSettings{}).active());
}

TEST(Thermal, CpuSensorsFromHwmonAndThermalZones) {
  const fs::path sys = fresh_dir("sys");
  EXPECT_EQ(sweep::cpu_sensor(sys), nullptr) << "no sensor at all";
  // A thermal zone of the CPU package with a critical trip point.
  write(sys / "class/thermal/thermal_zone0/type", "x86_pkg_temp\n");
  write(sys / "class/thermal/thermal_zone0/temp", "51000\n");
  write(sys / "class/thermal/thermal_zone0/trip_point_0_type", "critical\n");
  write(sys / "class/thermal/thermal_zone0/trip_point_0_temp", "100000\n");
  auto zone = sweep::cpu_sensor(sys);
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->read(), std::optional<double>(51));
  EXPECT_EQ(zone->limits().abort, 100);
  EXPECT_EQ(zone->limits().pause, 90);
  // hwmon wins when a CPU chip is there: its hottest channel, its own max/crit.
  write(sys / "class/hwmon/hwmon0/name", "nvme\n");
  write(sys / "class/hwmon/hwmon0/temp1_input", "99000\n");
  write(sys / "class/hwmon/hwmon1/name", "coretemp\n");
  write(sys / "class/hwmon/hwmon1/temp1_input", "62000\n");
  write(sys / "class/hwmon/hwmon1/temp1_max", "98000\n");
  write(sys / "class/hwmon/hwmon1/temp1_crit", "105000\n");
  write(sys / "class/hwmon/hwmon1/temp2_input", "64500\n");
  auto chip = sweep::cpu_sensor(sys);
  ASSERT_NE(chip, nullptr);
  EXPECT_EQ(chip->read(), std::optional<double>(64.5)) << "the hottest CPU channel; the disk is not the CPU";
  EXPECT_EQ(chip->limits().pause, 98);
  EXPECT_EQ(chip->limits().abort, 105);
  EXPECT_EQ(chip->describe(), "CPU (hwmon coretemp)");
}
