// ProcessGroupGloo.hpp only declares the class when the build says Gloo is there (libgloo-dev).
#define USE_C10D_GLOO 1
#include "model/train/distributed.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace thinkvla::model::train {

void DistributedOptions::validate() const {
  if (world_size < 1) throw DistributedError("world_size must be at least 1");
  if (rank < 0 || rank >= world_size) {
    throw DistributedError("rank " + std::to_string(rank) + " is outside [0, world_size " +
                           std::to_string(world_size) + ")");
  }
  if (master_port < 1 || master_port > 65535) {
    throw DistributedError("master port " + std::to_string(master_port) + " is outside 1..65535");
  }
  if (master_addr.empty()) throw DistributedError("master address is empty");
  if (timeout.count() <= 0) throw DistributedError("timeout must be positive");
}

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

ProcessGroup::ProcessGroup(const DistributedOptions& options) : options_(options) {
  options_.validate();
  const std::string where = options_.master_addr + ":" + std::to_string(options_.master_port);
  impl_ = std::make_unique<Impl>();
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(options_.master_port);
    so.isServer = options_.rank == 0;
    so.numWorkers = static_cast<std::size_t>(options_.world_size);
    so.waitWorkers = true;
    so.timeout = options_.timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore>(options_.master_addr, so);
    auto go = c10d::ProcessGroupGloo::Options::create(options_.timeout);
    const bool loopback = options_.master_addr == "127.0.0.1" || options_.master_addr == "localhost";
    if (!options_.interface.empty()) {
      go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(options_.interface));
    } else if (loopback) {
      go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      go->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    go->threads = 1;
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, options_.rank,
                                                               options_.world_size, go);
  } catch (const std::exception& e) {
    impl_.reset();
    throw DistributedError("cannot join the process group at " + where + " as rank " +
                           std::to_string(options_.rank) + " of " +
                           std::to_string(options_.world_size) + ": " + e.what());
  }
  spdlog::info("joined process group {} as rank {} of {} (gloo)", where, options_.rank,
               options_.world_size);
}

ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::allreduceSum(std::vector<torch::Tensor>& tensors) {
  if (tensors.empty()) return;
  try {
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    impl_->group->allreduce(tensors, o)->wait(options_.timeout);
  } catch (const std::exception& e) {
    throw DistributedError("all-reduce failed on rank " + std::to_string(options_.rank) + ": " +
                           e.what());
  }
}

void ProcessGroup::broadcast(torch::Tensor& tensor, int root) {
  try {
    std::vector<torch::Tensor> v{tensor};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    impl_->group->broadcast(v, o)->wait(options_.timeout);
  } catch (const std::exception& e) {
    throw DistributedError("broadcast failed on rank " + std::to_string(options_.rank) + ": " +
                           e.what());
  }
}

void ProcessGroup::barrier() {
  try {
    impl_->group->barrier()->wait(options_.timeout);
  } catch (const std::exception& e) {
    throw DistributedError("barrier failed on rank " + std::to_string(options_.rank) + ": " +
                           e.what());
  }
}

int findFreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw DistributedError("cannot open a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw DistributedError("cannot bind a loopback socket to find a free port");
  }
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

void parseMasterAddress(const std::string& text, DistributedOptions& options) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw DistributedError("master address '" + text + "' must be ADDR:PORT");
  }
  int port = 0;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw DistributedError("master address '" + text + "': the port is not a number");
  }
  if (port < 1 || port > 65535) {
    throw DistributedError("master address '" + text + "': the port must be in 1..65535");
  }
  options.master_addr = text.substr(0, colon);
  options.master_port = port;
}

}  // namespace thinkvla::model::train
