#pragma once
// One io_context per thread. Each connection lives on one context, so its handlers never
// cross threads: no strands, no futex wake-ups between threads on every request (measured:
// that is what bounded the poll rate with one shared io_context).
#include <memory>
#include <thread>
#include <vector>

#include "http/asio.hpp"

namespace twofold::http {

class IoPool {
 public:
  explicit IoPool(unsigned threads);
  // The context of the listeners, timers and signals.
  asio::io_context& main() { return *contexts_.front(); }
  // Round-robin: the context for the next connection.
  asio::io_context& next();
  // Runs every context, the main one on the calling thread; returns when all have stopped.
  void run();
  void stop();
  // True on a thread running one of the contexts: blocking there stalls every connection
  // of that context (code that may block checks it; see apps/twofoldd/client_keys.cpp).
  static bool on_io_thread();

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::size_t next_{0};  // only touched by the accept loops, which run on main()
};

}  // namespace twofold::http
