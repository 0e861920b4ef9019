#include "http/io_pool.hpp"

namespace twofold::http {
namespace {

thread_local bool io_thread = false;

}  // namespace

bool IoPool::on_io_thread() {
  return io_thread;
}

IoPool::IoPool(unsigned threads) {
  for (unsigned i = 0; i < std::max(threads, 1u); ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    // Keep the others running while they have no connection yet.
    if (i > 0) guards_.push_back(asio::make_work_guard(*contexts_.back()));
  }
}

asio::io_context& IoPool::next() {
  auto& io = *contexts_[next_];
  next_ = (next_ + 1) % contexts_.size();
  return io;
}

void IoPool::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts_.size(); ++i)
    threads.emplace_back([io = contexts_[i].get()] {
      io_thread = true;
      io->run();
    });
  io_thread = true;
  contexts_.front()->run();
  io_thread = false;
  for (auto& t : threads) t.join();
}

void IoPool::stop() {
  guards_.clear();
  for (auto& io : contexts_) io->stop();
}

}  // namespace twofold::http
