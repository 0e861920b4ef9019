#pragma once
// Internal to accesspass: the catalogue of drawable symbols. Each entry pairs a
// shape (drawn on a 100×100 canvas) with a colour; the names are derived from both.
#include <cairo.h>

#include <span>
#include <string>

namespace twofold::accesspass::detail {

// One colour of the Okabe–Ito palette, which stays distinguishable under the
// common forms of colour blindness.
struct Colour {
  double r, g, b;
  const char* name_en;
  // German adjective stem; strong endings (-er/-e/-es) are appended by gender
  // unless the adjective is indeclinable ("rosa").
  const char* stem_de;
  bool indeclinable_de;
};

enum class Gender { masculine, feminine, neuter };

using DrawFn = void (*)(cairo_t* cr, const Colour& fill);

struct Shape {
  const char* name_en;
  const char* name_de;
  Gender gender_de;
  DrawFn draw;
};

struct SymbolSpec {
  const Shape* shape;
  const Colour* colour;
};

// The fixed catalogue, in a stable order (indices are sent to devices).
std::span<const SymbolSpec> catalogue();

// "blue circle"
std::string english_name(const SymbolSpec& spec);
// "blauer Kreis"
std::string german_name(const SymbolSpec& spec);

}  // namespace twofold::accesspass::detail
