#include "accesspass/symbol_set.hpp"

#include <stdexcept>

#include "core/encoding.hpp"

namespace twofold::accesspass {

// Generated at build time by accesspass-embed (see CMakeLists.txt).
namespace embedded {
struct Entry {
  const char* name_en;
  const char* name_de;
  const char* png_base64;
};
extern const Entry kSymbols[];
extern const std::size_t kCount;
}  // namespace embedded

SymbolSet SymbolSet::embedded() {
  SymbolSet set;
  set.symbols_.reserve(embedded::kCount);
  for (std::size_t i = 0; i < embedded::kCount; ++i) {
    const auto& e = embedded::kSymbols[i];
    auto png = core::base64_decode(e.png_base64);
    if (!png) throw std::runtime_error("accesspass: embedded symbol is not base64");
    set.symbols_.push_back(Symbol{e.name_en, e.name_de, std::move(*png), e.png_base64});
  }
  return set;
}

const Symbol& SymbolSet::at(std::size_t index) const {
  if (index >= symbols_.size()) throw std::out_of_range("accesspass: symbol index out of range");
  return symbols_[index];
}

std::optional<std::size_t> SymbolSet::find_png(std::string_view png) const {
  for (std::size_t i = 0; i < symbols_.size(); ++i)
    if (symbols_[i].png == png) return i;
  return std::nullopt;
}

}  // namespace twofold::accesspass
