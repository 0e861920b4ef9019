#include "notify/hub.hpp"

namespace twofold::notify {

std::unique_ptr<Hub::Ticket> Hub::subscribe(const std::string& identity_key,
                                            asio::any_io_executor executor) {
  auto state = std::make_shared<Ticket::State>(executor);
  {
    std::lock_guard lock(mutex_);
    waiters_.emplace(identity_key, state);
  }
  return std::unique_ptr<Ticket>(new Ticket(*this, identity_key, state));
}

void Hub::wake(const std::shared_ptr<Ticket::State>& state) {
  // The timer belongs to the waiter's strand: flag and cancel it there.
  asio::post(state->timer.get_executor(), [state] {
    state->fired = true;
    state->timer.cancel();
  });
}

void Hub::session_created(const authsession::AuthSession& session) {
  std::lock_guard lock(mutex_);
  auto [begin, end] = waiters_.equal_range(session.identity_key);
  for (auto it = begin; it != end; ++it)
    if (auto state = it->second.lock()) wake(state);
}

void Hub::wake_all() {
  std::lock_guard lock(mutex_);
  for (auto& [key, weak] : waiters_)
    if (auto state = weak.lock()) wake(state);
}

void Hub::unsubscribe(const std::string& key, const Ticket::State* state) {
  std::lock_guard lock(mutex_);
  auto [begin, end] = waiters_.equal_range(key);
  for (auto it = begin; it != end; ++it) {
    auto locked = it->second.lock();
    if (!locked || locked.get() == state) {
      waiters_.erase(it);
      return;
    }
  }
}

asio::awaitable<void> Hub::Ticket::wait(std::chrono::milliseconds limit) {
  if (state_->fired) co_return;
  state_->timer.expires_after(limit);
  boost::system::error_code ec;
  co_await state_->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

Hub::Ticket::~Ticket() {
  hub_.unsubscribe(key_, state_.get());
}

}  // namespace twofold::notify
