#include "sources/source.hpp"

#include <algorithm>
#include <exception>
#include <optional>

namespace twofold::sources {
namespace {

// Higher wins when every source of a chain failed (see the comment on Chain).
int rank(Failure failure) {
  switch (failure) {
    case Failure::expired_password:
      return 4;
    case Failure::unavailable:
      return 3;
    case Failure::wrong_password:
      return 2;
    case Failure::unknown_user:
      return 1;
    case Failure::not_applicable:
      return 0;
  }
  return 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(Failure failure) {
  switch (failure) {
    case Failure::unknown_user:
      return "unknown_user";
    case Failure::wrong_password:
      return "wrong_password";
    case Failure::not_applicable:
      return "not_applicable";
    case Failure::unavailable:
      return "unavailable";
    case Failure::expired_password:
      return "expired_password";
  }
  return "unknown";
}

std::string_view browser_message(Failure failure) {
  switch (failure) {
    case Failure::unknown_user:
    case Failure::wrong_password:
    case Failure::not_applicable:
      return "The ID or the password is not correct.";
    case Failure::unavailable:
      return "Signing in is not possible at the moment. Please try again later.";
    case Failure::expired_password:
      return "Your password has expired and must be changed.";
  }
  return "The ID or the password is not correct.";
}

Error make_error(Failure failure, std::string detail) {
  return Error{failure, std::string(browser_message(failure)), std::move(detail)};
}

Chain::Chain(std::vector<CredentialSource*> sources) : sources_(std::move(sources)) {
  if (sources_.empty()) throw ChainError("no credential source configured");
  for (const auto* s : sources_) {
    if (!s) throw ChainError("null credential source");
    if (!name_.empty()) name_ += ',';
    name_ += s->name();
  }
}

Chain::Chain(std::string_view order, const std::vector<CredentialSource*>& available)
    : Chain([&] {
        std::vector<CredentialSource*> picked;
        std::string_view rest = order;
        while (true) {
          const auto comma = rest.find(',');
          const auto item = trim(rest.substr(0, comma));
          if (item.empty())
            throw ChainError("empty credential source name in \"" + std::string(order) + "\"");
          auto it = std::find_if(available.begin(), available.end(),
                                 [&](const CredentialSource* s) { return s && s->name() == item; });
          if (it == available.end())
            throw ChainError("unknown credential source \"" + std::string(item) + "\"");
          if (std::find(picked.begin(), picked.end(), *it) != picked.end())
            throw ChainError("credential source \"" + std::string(item) + "\" listed twice");
          picked.push_back(*it);
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
        return picked;
      }()) {}

Outcome<Authenticated> Chain::authenticate(const Credentials& credentials) {
  std::optional<Failure> worst;
  std::string detail;
  for (auto* source : sources_) {
    Outcome<Authenticated> outcome = [&]() -> Outcome<Authenticated> {
      try {
        return source->authenticate(credentials);
      } catch (const std::exception& e) {  // sources should not throw; never let one end a login
        return make_error(Failure::unavailable, e.what());
      }
    }();
    if (auto* ok = std::get_if<Authenticated>(&outcome)) {
      if (ok->source.empty()) ok->source = std::string(source->name());
      if (!detail.empty()) ok->detail = detail + (ok->detail.empty() ? "" : "; " + ok->detail);
      return outcome;
    }
    const auto& error = std::get<Error>(outcome);
    if (!detail.empty()) detail += "; ";
    detail += std::string(source->name()) + ": " + std::string(to_string(error.failure));
    if (!error.detail.empty()) detail += " (" + error.detail + ")";
    if (!worst || rank(error.failure) > rank(*worst)) worst = error.failure;
  }
  return make_error(*worst, std::move(detail));
}

}  // namespace twofold::sources
