#pragma once
// The one rule for URLs the server sends people or itself to (redirect URIs, issuers, JWKS and
// provider endpoints): https to anywhere, plain http only to a loopback host (tests, native
// apps per RFC 8252 §7.3, a provider on the same machine). Pure string checks, no libcurl, so
// configuration and domain code can share it.
#include <string_view>

namespace twofold::core {

// https://<something>, or http:// to 127.0.0.1, localhost or [::1], optionally with a port of
// digits; the host must end right there ("http://127.0.0.1.evil.com" and
// "http://localhost:1@evil.com" are not loopback).
bool is_https_or_loopback(std::string_view url);

// is_https_or_loopback, and fit to fetch: at most 2000 characters, no spaces, control
// characters or fragment.
bool is_fetchable_url(std::string_view url);

}  // namespace twofold::core
