// Data-parallel training across processes with LibTorch's own c10d: a TCPStore on the master
// (rank 0 hosts it) for the rendezvous and a ProcessGroupGloo for the collectives. The trainer
// all-reduces (averages) the gradients of every step through it and broadcasts rank 0's initial
// weights, so every rank holds identical weights.
//
// Ownership and threads: a ProcessGroup owns the store and the Gloo group; it is used by one
// thread (the training loop). Every rank must issue the same collectives in the same order.
// Construction blocks until all world_size ranks have joined or `timeout` passes (then throws
// DistributedError naming the master address).
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace thinkvla::model::train {

struct DistributedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DistributedOptions {
  int rank = 0;
  int world_size = 1;
  std::string master_addr = "127.0.0.1";  // where rank 0 listens (its TCPStore)
  int master_port = 29500;
  // Network interface Gloo uses (e.g. "eth0"); empty: the loopback device for a loopback master,
  // otherwise the device of this host's name.
  std::string interface;
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};

  // Throws DistributedError naming the bad field.
  void validate() const;
};

class ProcessGroup {
 public:
  explicit ProcessGroup(const DistributedOptions& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return options_.rank; }
  int worldSize() const { return options_.world_size; }

  // In place: every tensor becomes the sum over ranks (CPU, contiguous, same shapes on all ranks).
  void allreduceSum(std::vector<torch::Tensor>& tensors);
  // In place: tensor becomes root's.
  void broadcast(torch::Tensor& tensor, int root = 0);
  void barrier();

 private:
  struct Impl;
  DistributedOptions options_;
  std::unique_ptr<Impl> impl_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
int findFreeLoopbackPort();

// Parses "ADDR:PORT" into options; throws DistributedError naming `text`.
void parseMasterAddress(const std::string& text, DistributedOptions& options);

}  // namespace thinkvla::model::train
