// The renderer: draws the symbols with cairo. Runs at build time (accesspass-embed), so the
// server itself does not load cairo and its libraries.
#include "accesspass/symbol_set.hpp"

#include <cairo.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "accesspass/symbols.hpp"
#include "core/encoding.hpp"

namespace twofold::accesspass {
namespace {

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void check(cairo_status_t status, const char* what) {
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("accesspass: ") + what + ": " +
                             cairo_status_to_string(status));
}

std::string draw_png(const detail::SymbolSpec& spec, unsigned size_px) {
  const int size = static_cast<int>(size_px);
  // RGB24 on an opaque white background: no alpha channel keeps the PNG small.
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, size, size));
  check(cairo_surface_status(surface.get()), "create surface");
  {
    std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
    check(cairo_status(cr.get()), "create context");
    cairo_set_source_rgb(cr.get(), 1.0, 1.0, 1.0);
    cairo_paint(cr.get());
    cairo_scale(cr.get(), size / 100.0, size / 100.0);
    cairo_set_line_join(cr.get(), CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr.get(), CAIRO_LINE_CAP_ROUND);
    spec.shape->draw(cr.get(), *spec.colour);
    check(cairo_status(cr.get()), "draw");
  }
  cairo_surface_flush(surface.get());
  std::string png;
  check(cairo_surface_write_to_png_stream(surface.get(), append_to_string, &png), "encode png");
  return png;
}

}  // namespace

SymbolSet SymbolSet::render(unsigned size_px) {
  if (size_px < kMinSizePx || size_px > kMaxSizePx)
    throw std::invalid_argument("accesspass: symbol size must be 96..1024 px");
  SymbolSet set;
  const auto specs = detail::catalogue();
  set.symbols_.reserve(specs.size());
  for (const auto& spec : specs) {
    Symbol symbol;
    symbol.name_en = detail::english_name(spec);
    symbol.name_de = detail::german_name(spec);
    symbol.png = draw_png(spec, size_px);
    symbol.png_base64 = core::base64_encode(symbol.png);
    set.symbols_.push_back(std::move(symbol));
  }
  return set;
}

}  // namespace twofold::accesspass
