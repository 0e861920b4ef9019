#pragma once
// Wakes devices waiting on a long-poll when an auth session for their ID is created
// (R-D3: within 100 ms; in-process here, across instances later behind the same interface).
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "authsession/auth_session.hpp"
#include "http/asio.hpp"

namespace twofold::notify {

namespace asio = http::asio;

class Hub final : public authsession::Listener {
 public:
  // A subscription taken *before* checking for sessions, so a session created between the
  // check and the wait still wakes the waiter.
  class Ticket {
   public:
    // Waits until woken or `limit` passes. Must run on the executor given to subscribe().
    asio::awaitable<void> wait(std::chrono::milliseconds limit);
    ~Ticket();

   private:
    friend class Hub;
    struct State {
      explicit State(asio::any_io_executor ex) : timer(ex) {}
      asio::steady_timer timer;
      bool fired{false};  // only touched on the timer's executor
    };
    Ticket(Hub& hub, std::string key, std::shared_ptr<State> state)
        : hub_(hub), key_(std::move(key)), state_(std::move(state)) {}
    Hub& hub_;
    std::string key_;
    std::shared_ptr<State> state_;
  };

  std::unique_ptr<Ticket> subscribe(const std::string& identity_key,
                                    asio::any_io_executor executor);
  void session_created(const authsession::AuthSession& session) override;
  // Wakes every waiter (server shutdown).
  void wake_all();

 private:
  void wake(const std::shared_ptr<Ticket::State>& state);
  void unsubscribe(const std::string& key, const Ticket::State* state);

  std::mutex mutex_;
  std::unordered_multimap<std::string, std::weak_ptr<Ticket::State>> waiters_;
};

}  // namespace twofold::notify
