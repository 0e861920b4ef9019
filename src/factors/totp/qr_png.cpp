#include "factors/totp/qr_png.hpp"

#include <png.h>
#include <qrencode.h>

#include <csetjmp>
#include <memory>
#include <stdexcept>
#include <vector>

namespace twofold::factors::totp {
namespace {

struct Sink {
  std::string* out;
  bool failed;
};

void write_bytes(png_structp png, png_bytep data, png_size_t len) {
  auto* sink = static_cast<Sink*>(png_get_io_ptr(png));
  try {
    sink->out->append(reinterpret_cast<const char*>(data), len);
  } catch (...) {
    sink->failed = true;  // never unwind through libpng's C frames
  }
}
void flush_bytes(png_structp) {}
void on_error(png_structp png, png_const_charp) {
  png_longjmp(png, 1);
}
void on_warning(png_structp, png_const_charp) {}

// libpng reports errors by longjmp, so this frame holds no object with a destructor.
bool encode_png(png_uint_32 side, png_bytepp rows, Sink* sink) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, on_error, on_warning);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, sink, write_bytes, flush_bytes);
  png_set_IHDR(png, info, side, side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return !sink->failed;
}

struct QrDeleter {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

}  // namespace

std::string qr_png(std::string_view text, const QrOptions& options) {
  if (options.module_px < 4 || options.module_px > 64)
    throw std::invalid_argument("QR module size must be 4 to 64 pixels");
  if (options.quiet_zone < 4 || options.quiet_zone > 64)
    throw std::invalid_argument("QR quiet zone must be 4 to 64 modules");
  const std::string input(text);  // QRencode wants a NUL-terminated string
  // 8-bit mode: the URI has lower-case letters and '%', which alphanumeric mode lacks.
  std::unique_ptr<QRcode, QrDeleter> code(QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M));
  if (!code) throw std::runtime_error("QR encoding failed (text too long?)");

  const int modules = code->width + 2 * options.quiet_zone;
  const auto side = static_cast<png_uint_32>(modules * options.module_px);
  const std::size_t row_bytes = (side + 7) / 8;
  // 1-bit greyscale: a set bit is white. Start all white, paint the dark modules.
  std::vector<std::vector<png_byte>> pixels(side, std::vector<png_byte>(row_bytes, 0xFF));
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      if ((code->data[y * code->width + x] & 1) == 0) continue;
      const int px0 = (x + options.quiet_zone) * options.module_px;
      const int py0 = (y + options.quiet_zone) * options.module_px;
      for (int dy = 0; dy < options.module_px; ++dy) {
        auto& row = pixels[static_cast<std::size_t>(py0 + dy)];
        for (int dx = 0; dx < options.module_px; ++dx) {
          const int px = px0 + dx;
          row[static_cast<std::size_t>(px / 8)] &= static_cast<png_byte>(~(0x80 >> (px % 8)));
        }
      }
    }
  }
  std::vector<png_bytep> rows;
  rows.reserve(side);
  for (auto& row : pixels) rows.push_back(row.data());

  std::string out;
  Sink sink{&out, false};
  if (!encode_png(side, rows.data(), &sink)) throw std::runtime_error("PNG encoding failed");
  return out;
}

}  // namespace twofold::factors::totp
