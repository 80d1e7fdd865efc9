#pragma once
// MPI as the sweep's transport. Every MPI call's return code is checked
// (errors return instead of aborting, then throw IoError naming the call).
// Messages to oneself stay in a local queue.
#include <deque>

#include "sweep/transport.h"

namespace regal::sweep {

class MpiTransport : public Transport {
 public:
  // MPI_Init (a singleton without a launcher). One per process.
  MpiTransport(int* argc, char*** argv);
  ~MpiTransport() override;  // MPI_Finalize
  MpiTransport(const MpiTransport&) = delete;
  MpiTransport& operator=(const MpiTransport&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void send(int to, int tag, const std::string& payload) override;
  std::optional<Message> poll() override;
  // Waits until every rank arrives.
  void barrier();

 private:
  int rank_ = 0, size_ = 1;
  std::deque<Message> self_;
};

}  // namespace regal::sweep
