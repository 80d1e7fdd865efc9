#include "sweep/mpi_transport.h"

#include <mpi.h>

#include "util/error.h"

namespace regal::sweep {
namespace {

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw IoError(std::string(call) + " failed: " + text);
}

}  // namespace

MpiTransport::MpiTransport(int* argc, char*** argv) {
  check(MPI_Init(argc, argv), "MPI_Init");
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiTransport::~MpiTransport() { MPI_Finalize(); }

void MpiTransport::send(int to, int tag, const std::string& payload) {
  if (to == rank_) {
    self_.push_back({rank_, tag, payload});
    return;
  }
  check(MPI_Send(payload.data(), static_cast<int>(payload.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD), "MPI_Send");
}

std::optional<Message> MpiTransport::poll() {
  if (!self_.empty()) {
    Message message = std::move(self_.front());
    self_.pop_front();
    return message;
  }
  int arrived = 0;
  MPI_Status status;
  check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
  if (!arrived) return std::nullopt;
  int count = 0;
  check(MPI_Get_count(&status, MPI_CHAR, &count), "MPI_Get_count");
  std::string payload(static_cast<std::size_t>(count), '\0');
  check(MPI_Recv(payload.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Recv");
  return Message{status.MPI_SOURCE, status.MPI_TAG, std::move(payload)};
}

void MpiTransport::barrier() { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

}  // namespace regal::sweep
