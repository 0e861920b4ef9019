#pragma once
// The access-pass symbols: the website shows one as a PNG, the device shows it
// among three decoys. Rendered once, at build time (accesspass-embed draws them with cairo
// and compiles the PNGs into the server), then read-only.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace twofold::accesspass {

struct Symbol {
  std::string name_en;     // e.g. "blue star"
  std::string name_de;     // e.g. "blauer Stern"
  std::string png;         // raw PNG bytes
  std::string png_base64;  // core::base64_encode(png), cached
};

// Immutable after `render`, so one instance can be shared by all threads.
class SymbolSet {
 public:
  static constexpr unsigned kMinSizePx = 96;
  static constexpr unsigned kMaxSizePx = 1024;

  // Draws every symbol once (call at server start); deterministic: same size → same
  // bytes, which lets the authenticator match a PNG against the candidates by bytes.
  // Throws std::invalid_argument outside [kMinSizePx, kMaxSizePx], std::runtime_error
  // if cairo fails.
  // Needs the twofold_accesspass_render library (cairo).
  static SymbolSet render(unsigned size_px = 128);
  // The set rendered at build time at kEmbeddedSizePx: what the server uses.
  static SymbolSet embedded();
  static constexpr unsigned kEmbeddedSizePx = 128;

  std::size_t size() const { return symbols_.size(); }
  const Symbol& at(std::size_t index) const;  // throws std::out_of_range
  std::span<const Symbol> all() const { return symbols_; }
  // Index of the symbol whose PNG bytes equal `png`.
  std::optional<std::size_t> find_png(std::string_view png) const;

 private:
  SymbolSet() = default;
  std::vector<Symbol> symbols_;
};

}  // namespace twofold::accesspass
