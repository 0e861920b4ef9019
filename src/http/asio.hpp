#pragma once
// Boost 1.74 needs <utility> before Asio (std::exchange); every Asio/Beast user includes
// this header instead of Boost directly.
#include <utility>
//
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace twofold::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
}  // namespace twofold::http
