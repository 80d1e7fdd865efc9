#pragma once
// How ranks talk: tagged text messages. MPI is one transport behind this
// interface; an in-memory one connects ranks inside one process for tests.
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace regal::sweep {

enum Tag : int {
  kRequest = 1,  // worker -> coordinator: one free slot wants a run
  kResult = 2,   // worker -> coordinator: a run ended (JSON)
  kDrain = 3,    // worker -> coordinator: a stop signal arrived, hand out no more
  kDone = 4,     // worker -> coordinator: every slot stopped, no child left
  kAssign = 5,   // coordinator -> worker: run this (run id)
  kStop = 6,     // coordinator -> worker: this slot gets no more work
  kExit = 7,     // coordinator -> every rank, after the tables: the exit code
  kAbort = 8,    // any rank -> every rank: an error ends the sweep now (payload: the exit code)
  kHeld = 9,     // worker -> coordinator: this run's folder is locked by another process
  kReturn = 10,  // worker -> coordinator: this run was not started here (heat): give it to another rank
};

struct Message {
  int from = 0;
  int tag = 0;
  std::string payload;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void send(int to, int tag, const std::string& payload) = 0;
  // A message for this rank, if one has arrived; never blocks.
  virtual std::optional<Message> poll() = 0;
};

// Ranks inside one process, for tests: each endpoint is one rank's transport.
class InMemoryHub {
 public:
  explicit InMemoryHub(int ranks) : queues_(static_cast<std::size_t>(ranks)) {}
  std::unique_ptr<Transport> endpoint(int rank);

 private:
  friend class InMemoryTransport;
  std::mutex mutex_;
  std::vector<std::deque<Message>> queues_;
};

}  // namespace regal::sweep
