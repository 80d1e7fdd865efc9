#include "sweep/transport.h"

namespace regal::sweep {

class InMemoryTransport : public Transport {
 public:
  InMemoryTransport(InMemoryHub& hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(hub_.queues_.size()); }
  void send(int to, int tag, const std::string& payload) override {
    const std::lock_guard<std::mutex> lock(hub_.mutex_);
    hub_.queues_[static_cast<std::size_t>(to)].push_back({rank_, tag, payload});
  }
  std::optional<Message> poll() override {
    const std::lock_guard<std::mutex> lock(hub_.mutex_);
    auto& queue = hub_.queues_[static_cast<std::size_t>(rank_)];
    if (queue.empty()) return std::nullopt;
    Message message = std::move(queue.front());
    queue.pop_front();
    return message;
  }

 private:
  InMemoryHub& hub_;
  int rank_;
};

std::unique_ptr<Transport> InMemoryHub::endpoint(int rank) { return std::make_unique<InMemoryTransport>(*this, rank); }

}  // namespace regal::sweep
