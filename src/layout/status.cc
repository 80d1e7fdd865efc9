// status.json read and written as RunStatus; the names of the run states.
// A status.json that cannot be parsed reads as missing; an unknown state as
// running, so the run is looked at again rather than trusted.
#include "layout/status.h"

#include <filesystem>
#include <vector>

#include "io/checked_file.h"
#include "io/json_file.h"

namespace regal::layout {

const char* to_string(RunState state) {
  switch (state) {
    case RunState::kPending: return "pending";
    case RunState::kRunning: return "running";
    case RunState::kDone: return "done";
    case RunState::kFailed: return "failed";
    case RunState::kPreempted: return "preempted";
    case RunState::kCorrupt: return "corrupt";
    case RunState::kThermalAbort: return "thermal_abort";
  }
  return "running";
}

std::optional<RunState> parse_run_state(std::string_view name) {
  for (const RunState state : {RunState::kPending, RunState::kRunning, RunState::kDone, RunState::kFailed,
                               RunState::kPreempted, RunState::kCorrupt, RunState::kThermalAbort}) {
    if (name == to_string(state)) return state;
  }
  return std::nullopt;
}

nlohmann::json RunStatus::to_json() const {
  nlohmann::json json = {{"run_id", run_id}, {"status", to_string(state)}, {"stage", stage},
                         {"started", started}, {"host", host},        {"pid", pid},
                         {"rank", rank},       {"attempt", attempt}};
  if (!first_started.empty()) json["first_started"] = first_started;
  if (!ended.empty()) json["ended"] = ended;
  if (!error.empty()) json["error"] = error;
  if (!artifacts.empty()) json["artifacts"] = artifacts;
  if (max_temperature) json["max_temperature"] = *max_temperature;
  if (!reevaluated.empty()) json["reevaluated"] = reevaluated;
  return json;
}

RunStatus RunStatus::from_json(const nlohmann::json& json) {
  RunStatus status;
  if (!json.is_object()) return status;
  auto text = [&](const char* key) {
    const auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto number = [&](const char* key) {
    const auto it = json.find(key);
    return it != json.end() && it->is_number_integer() ? it->get<long>() : 0L;
  };
  status.run_id = text("run_id");
  if (const auto it = json.find("reevaluated"); it != json.end() && it->is_array()) {
    for (const auto& when : *it) {
      if (when.is_string()) status.reevaluated.push_back(when.get<std::string>());
    }
  }
  status.state = parse_run_state(text("status")).value_or(RunState::kRunning);
  status.stage = text("stage");
  status.error = text("error");
  status.started = text("started");
  status.first_started = text("first_started");
  status.ended = text("ended");
  status.host = text("host");
  status.pid = number("pid");
  status.rank = static_cast<int>(number("rank"));
  status.attempt = static_cast<int>(number("attempt"));
  if (const auto it = json.find("artifacts"); it != json.end() && it->is_object()) status.artifacts = *it;
  if (const auto it = json.find("max_temperature"); it != json.end() && it->is_number()) status.max_temperature = it->get<double>();
  return status;
}

std::optional<RunStatus> read_status(const RunPaths& paths) {
  const auto json = io::read_json_file(paths.status_json());
  if (!json || !json->is_object()) return std::nullopt;
  return RunStatus::from_json(*json);
}

void write_status(const RunPaths& paths, const RunStatus& status) { io::write_json_file(paths.status_json(), status.to_json()); }

namespace {

namespace fs = std::filesystem;

// The files a done run vouches for, as paths inside its folder.
struct Vouched {
  std::string name;  // key in the artifacts record
  fs::path path;
  bool digest;       // small files: size and SHA-256; checkpoints: size
};

std::vector<Vouched> vouched(const RunPaths& paths) {
  return {{"experiment.json", paths.experiment_json(), true},
          {"metrics.json", paths.metrics_json(), true},
          {"metrics.h5", paths.metrics_h5(), true},
          {"checkpoints/last.pt", paths.last_checkpoint(), false},
          {"checkpoints/best.pt", paths.best_checkpoint(), false}};
}

}  // namespace

nlohmann::json describe_artifacts(const RunPaths& paths) {
  nlohmann::json artifacts = nlohmann::json::object();
  for (const auto& file : vouched(paths)) {
    std::error_code error;
    if (!fs::exists(file.path, error)) continue;
    if (file.digest) {
      const io::FileDigest digest = io::digest_file(file.path);
      artifacts[file.name] = {{"bytes", digest.bytes}, {"sha256", digest.sha256}};
    } else {
      artifacts[file.name] = {{"bytes", fs::file_size(file.path)}};
    }
  }
  return artifacts;
}

std::optional<std::string> check_artifacts(const RunPaths& paths, const RunStatus& status, bool digests) {
  if (status.artifacts.empty()) {
    const auto metrics = io::read_json_file(paths.metrics_json());
    if (!metrics || !metrics->is_object()) return std::string("metrics.json: missing or not valid JSON");
    return std::nullopt;
  }
  for (const auto& file : vouched(paths)) {
    const auto recorded = status.artifacts.find(file.name);
    if (recorded == status.artifacts.end()) continue;
    std::error_code error;
    const auto bytes = fs::file_size(file.path, error);
    if (error) return file.name + ": missing";
    const auto expected = recorded->value("bytes", std::uintmax_t{0});
    if (bytes != expected) return file.name + ": " + std::to_string(bytes) + " bytes, " + std::to_string(expected) + " recorded";
    if (digests && file.digest && recorded->contains("sha256")) {
      try {
        if (io::digest_file(file.path).sha256 != recorded->value("sha256", "")) return file.name + ": content differs from its recorded SHA-256";
      } catch (const std::exception& e) {
        return file.name + ": " + e.what();
      }
    }
  }
  return std::nullopt;
}

bool is_done(const RunPaths& paths) {
  const auto status = read_status(paths);
  return status && status->state == RunState::kDone && !check_artifacts(paths, *status);
}

}  // namespace regal::layout
