#pragma once
// The enrolment QR code as a PNG (libqrencode for the symbol, libpng for the file), so the
// profile page can show it without JavaScript: <img src="data:image/png;base64,...">.
#include <string>
#include <string_view>

namespace twofold::factors::totp {

struct QrOptions {
  int module_px = 6;   // pixels per module; at least 4 so phone cameras read it from a screen
  int quiet_zone = 4;  // modules of white border, at least the 4 that ISO/IEC 18004 requires
};

// PNG bytes (1-bit greyscale) of `text` as a QR code with error correction level M.
// Throws std::runtime_error when the text does not fit or encoding fails.
std::string qr_png(std::string_view text, const QrOptions& options = {});

}  // namespace twofold::factors::totp
