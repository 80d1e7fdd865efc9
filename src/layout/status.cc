// status.json read and written as RunStatus; the names of the run states.
// A status.json that cannot be parsed reads as missing; an unknown state as
// running, so the run is looked at again rather than trusted.
#include "layout/status.h"

#include "io/json_file.h"

namespace regal::layout {

const char* to_string(RunState state) {
  switch (state) {
    case RunState::kPending: return "pending";
    case RunState::kRunning: return "running";
    case RunState::kDone: return "done";
    case RunState::kFailed: return "failed";
    case RunState::kPreempted: return "preempted";
  }
  return "running";
}

std::optional<RunState> parse_run_state(std::string_view name) {
  for (const RunState state : {RunState::kPending, RunState::kRunning, RunState::kDone, RunState::kFailed, RunState::kPreempted}) {
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
  return status;
}

std::optional<RunStatus> read_status(const RunPaths& paths) {
  const auto json = io::read_json_file(paths.status_json());
  if (!json || !json->is_object()) return std::nullopt;
  return RunStatus::from_json(*json);
}

void write_status(const RunPaths& paths, const RunStatus& status) { io::write_json_file(paths.status_json(), status.to_json()); }

}  // namespace regal::layout
