#pragma once
// A sweep simulated in one process, to see how the coordinator scales with
// ranks and runs that no machine here has (bench/sim_bench, the sweep tests).
// The real Scheduler, Coordinator and Workers talk over an in-memory transport
// whose messages carry virtual times; a virtual clock; executors whose runs
// take times drawn from a log-normal spread (some fail, some are preempted);
// tables to an in-memory sink. The coordinator is one server: each message it
// handles occupies it for the CPU time the real code took (measured on this
// thread), and each table write for the real writer's cost, modelled as
// `write_fixed_seconds + write_seconds_per_record * records +
// write_seconds_per_change * records changed since the last write` (measure it
// with sim_bench --measure-writer). Everything else is free and instantaneous
// except a message's transit (`latency`).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace regal::sweep::sim {

struct Settings {
  int ranks = 10;
  std::size_t slots = 1;                 // children per rank
  std::size_t runs = 1000;
  double median_seconds = 60;            // runs' expected times: log-normal around this
  double sigma = 0.5;                    // of the log of the expected time
  double noise = 0.1;                    // of the log of actual over expected
  double fail_share = 0.03;              // attempts that fail, partway
  double preempt_share = 0.02;           // attempts preempted halfway (they resume on the next start)
  double table_interval = 5;             // the coordinator's; 0: after every result
  double write_fixed_seconds = 0;        // the table writer's cost model
  double write_seconds_per_record = 0;  // copying every row into the files
  double write_seconds_per_change = 0;  // rendering a changed run's row and its group's
  bool coordinator_only = false;         // rank 0 runs nothing
  double latency = 1e-4;                 // one message's transit, seconds
  std::uint64_t seed = 1;
};

struct Figures {
  // Invariants.
  std::size_t runs = 0, executed_once = 0, executed_twice_or_more = 0, never_executed = 0;
  std::size_t done = 0, failed = 0, preempted = 0;
  bool tables_complete = false;  // the final tables hold every run, each in its final state
  bool scheduler_finished = false;
  std::size_t stops_while_pending = 0;  // slots told "no more work" while runs were waiting (must be 0)
  // Time (virtual seconds).
  double makespan = 0;
  double busy_slot_seconds = 0;
  double utilisation = 0;                // busy / (slots x makespan)
  double utilisation_while_waiting = 0;  // busy / (busy + gaps before an assignment)
  double longest_gap = 0;                // the longest a slot waited for its next run
  // The coordinator.
  std::size_t messages = 0, decisions = 0;
  double coordinator_cpu = 0;            // real seconds in Coordinator::handle and poll
  double cpu_per_message_mean = 0, cpu_per_message_max = 0;
  double busy_share = 0;                 // of the makespan, the coordinator was busy (CPU + writes)
  std::size_t table_writes = 0;
  double write_seconds = 0;              // modelled, total
  double row_latency_mean = 0, row_latency_p99 = 0, row_latency_max = 0;  // result's arrival -> its table row
  std::size_t largest_message = 0;       // bytes, any message either way
  std::string largest_message_tag;
  double wall_seconds = 0;               // real time the simulation took
};

Figures simulate(const Settings& settings);

}  // namespace regal::sweep::sim
