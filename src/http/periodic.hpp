#pragma once
// Background chores of the server (sweeping sessions, reloading keys…) run as coroutines on
// the I/O pool's main context: one timer each, no threads of their own.
#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <type_traits>

#include "http/asio.hpp"

namespace twofold::http {

// Runs `task` every `period` until `stopping` is set. `task` returns void or an awaitable;
// an exception is logged under `what` and the task runs again next period, so one failing
// database call does not end the chore for good.
template <class Task>
asio::awaitable<void> every(std::chrono::steady_clock::duration period, const char* what,
                            const bool& stopping, Task task) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping) {
    timer.expires_after(period);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping) break;
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<Task&>>)
        task();
      else
        co_await task();
    } catch (const std::exception& e) {
      spdlog::warn("{}: {}", what, e.what());
    }
  }
}

}  // namespace twofold::http
