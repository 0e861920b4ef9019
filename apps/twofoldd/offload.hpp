#pragma once
// Runs blocking work (password hashes, database writes, a client's jwks_uri fetch) on a worker
// pool and resumes the calling coroutine on its own I/O context with the result: the I/O
// threads never wait, and other connections of the same context are served meanwhile.
#include <utility>

#include "http/asio.hpp"

namespace twofold::app {

template <class R, class F>
http::asio::awaitable<R> offload(http::asio::thread_pool& pool, F work) {
  co_return co_await http::asio::co_spawn(
      pool, [work = std::move(work)]() -> http::asio::awaitable<R> { co_return work(); },
      http::asio::use_awaitable);
}

}  // namespace twofold::app
