#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "accesspass/candidates.hpp"
#include "accesspass/symbol_set.hpp"
#include "core/encoding.hpp"
#include "core/random.hpp"

using namespace twofold;
using accesspass::SymbolSet;

namespace {

// Rendering takes a moment; every test reads the same immutable set.
const SymbolSet& symbols() {
  static const SymbolSet set = SymbolSet::render();
  return set;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s.at(at + i));
  return v;
}

// Decoded pixels as 0xRRGGBB, row-major.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint32_t> rgb;
};

Image decode(const std::string& png) {
  struct Reader {
    const std::string* data;
    std::size_t pos;
  } reader{&png, 0};
  auto read = [](void* closure, unsigned char* out, unsigned int length) {
    auto* r = static_cast<Reader*>(closure);
    if (r->data->size() - r->pos < length) return CAIRO_STATUS_READ_ERROR;
    std::copy_n(r->data->data() + r->pos, length, out);
    r->pos += length;
    return CAIRO_STATUS_SUCCESS;
  };
  cairo_surface_t* surface = cairo_image_surface_create_from_png_stream(read, &reader);
  Image image;
  if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS) {
    image.width = cairo_image_surface_get_width(surface);
    image.height = cairo_image_surface_get_height(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x) {
        std::uint32_t px;
        std::copy_n(data + y * stride + x * 4, 4, reinterpret_cast<unsigned char*>(&px));
        image.rgb.push_back(px & 0xFFFFFF);
      }
  }
  cairo_surface_destroy(surface);
  return image;
}

// The shape as seen without colour: every pixel that is not background.
std::vector<bool> silhouette(const Image& image) {
  std::vector<bool> mask;
  for (auto px : image.rgb) {
    const int r = px >> 16, g = (px >> 8) & 0xFF, b = px & 0xFF;
    mask.push_back(r + g + b < 3 * 235);
  }
  return mask;
}

}  // namespace

TEST(SymbolSet, HasEnoughSymbols) {
  EXPECT_GE(symbols().size(), 24u);
  EXPECT_LE(symbols().size(), 32u);
  EXPECT_EQ(symbols().all().size(), symbols().size());
}

TEST(SymbolSet, PngHeaderAndSize) {
  for (std::size_t i = 0; i < symbols().size(); ++i) {
    const auto& png = symbols().at(i).png;
    SCOPED_TRACE(symbols().at(i).name_en);
    ASSERT_GT(png.size(), 33u);
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(png.substr(12, 4), "IHDR");
    EXPECT_EQ(be32(png, 16), 128u);
    EXPECT_EQ(be32(png, 20), 128u);
    EXPECT_LT(png.size(), 10u * 1024) << "PNGs are sent to devices; keep them small";
    EXPECT_EQ(symbols().at(i).png_base64, core::base64_encode(png));
  }
}

TEST(SymbolSet, OtherSizes) {
  const auto small = SymbolSet::render(SymbolSet::kMinSizePx);
  ASSERT_EQ(small.size(), symbols().size());
  EXPECT_EQ(be32(small.at(0).png, 16), 96u);
  EXPECT_EQ(be32(small.at(0).png, 20), 96u);
  EXPECT_NE(small.at(0).png, symbols().at(0).png);
  EXPECT_THROW(SymbolSet::render(95), std::invalid_argument);
  EXPECT_THROW(SymbolSet::render(0), std::invalid_argument);
  EXPECT_THROW(SymbolSet::render(SymbolSet::kMaxSizePx + 1), std::invalid_argument);
}

TEST(SymbolSet, PngsPairwiseDistinct) {
  std::set<std::string> seen;
  for (const auto& s : symbols().all()) EXPECT_TRUE(seen.insert(s.png).second) << s.name_en;
}

TEST(SymbolSet, Deterministic) {
  const auto again = SymbolSet::render();
  ASSERT_EQ(again.size(), symbols().size());
  for (std::size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again.at(i).png, symbols().at(i).png) << symbols().at(i).name_en;
    EXPECT_EQ(again.at(i).name_en, symbols().at(i).name_en);
  }
}

// The server uses the set compiled in at build time; it must be exactly what the renderer
// draws (same names, same bytes), or devices and websites would disagree.
TEST(SymbolSet, EmbeddedSetIsTheRenderedOne) {
  const auto embedded = SymbolSet::embedded();
  const auto rendered = SymbolSet::render(SymbolSet::kEmbeddedSizePx);
  ASSERT_EQ(embedded.size(), rendered.size());
  ASSERT_GE(embedded.size(), 24u);
  for (std::size_t i = 0; i < embedded.size(); ++i) {
    EXPECT_EQ(embedded.at(i).png, rendered.at(i).png) << rendered.at(i).name_en;
    EXPECT_EQ(embedded.at(i).png_base64, rendered.at(i).png_base64);
    EXPECT_EQ(embedded.at(i).name_en, rendered.at(i).name_en);
    EXPECT_EQ(embedded.at(i).name_de, rendered.at(i).name_de);
  }
}

TEST(SymbolSet, NamesNonEmptyAndDistinct) {
  std::set<std::string> en, de;
  for (const auto& s : symbols().all()) {
    EXPECT_FALSE(s.name_en.empty());
    EXPECT_FALSE(s.name_de.empty());
    EXPECT_TRUE(core::is_valid_utf8(s.name_de)) << s.name_de;
    EXPECT_TRUE(en.insert(s.name_en).second) << s.name_en;
    EXPECT_TRUE(de.insert(s.name_de).second) << s.name_de;
  }
  // Indices are part of the device protocol: the first symbol never changes.
  EXPECT_EQ(symbols().at(0).name_en, "blue circle");
  EXPECT_EQ(symbols().at(0).name_de, "blauer Kreis");
  // German adjectives agree with the noun's gender; "rosa" does not decline.
  for (const char* name : {"blauer Kreis", "orangefarbene Sonne", "grünes Dreieck", "rosa Blume",
                           "schwarzer Anker", "hellblaue Wolke"})
    EXPECT_TRUE(de.count(name)) << name;
}

TEST(SymbolSet, FindPng) {
  for (std::size_t i = 0; i < symbols().size(); ++i) {
    EXPECT_EQ(symbols().find_png(symbols().at(i).png), i);
    // A copy, not the same buffer: matching is by bytes.
    const std::string copy = core::base64_decode(symbols().at(i).png_base64).value();
    EXPECT_EQ(symbols().find_png(copy), i);
  }
  std::string altered = symbols().at(3).png;
  altered.back() ^= 1;
  EXPECT_FALSE(symbols().find_png(altered).has_value());
  EXPECT_FALSE(symbols().find_png("").has_value());
  EXPECT_FALSE(symbols().find_png(symbols().at(3).png.substr(1)).has_value());
}

TEST(SymbolSet, AtOutOfRangeThrows) {
  EXPECT_NO_THROW(symbols().at(symbols().size() - 1));
  EXPECT_THROW(symbols().at(symbols().size()), std::out_of_range);
  EXPECT_THROW(symbols().at(static_cast<std::size_t>(-1)), std::out_of_range);
}

TEST(SymbolSet, DrawnWithPaletteColourAndDarkOutline) {
  const std::set<std::uint32_t> palette{0xE69F00, 0x56B4E9, 0x009E73, 0xF0E442,
                                        0x0072B2, 0xD55E00, 0xCC79A7, 0x000000};
  for (const auto& s : symbols().all()) {
    SCOPED_TRACE(s.name_en);
    const Image image = decode(s.png);
    ASSERT_EQ(image.width, 128);
    ASSERT_EQ(image.height, 128);
    const auto total = static_cast<double>(image.rgb.size());
    std::map<std::uint32_t, int> counts;
    for (auto px : image.rgb) ++counts[px];
    // Light background, so yellow needs the outline to stand out.
    EXPECT_GT(counts[0xFFFFFF] / total, 0.2);
    int dark = 0, fill = 0;
    for (const auto& [px, n] : counts) {
      if (palette.count(px)) fill += n;
      if (((px >> 16) & 0xFF) < 0x30 && ((px >> 8) & 0xFF) < 0x30 && (px & 0xFF) < 0x30) dark += n;
    }
    EXPECT_GT(fill / total, 0.08) << "shape filled with an Okabe-Ito colour";
    EXPECT_GT(dark / total, 0.02) << "dark outline";
  }
}

TEST(SymbolSet, ShapesDifferWithoutColour) {
  // Colour-blind safety: the silhouettes alone must tell any two symbols apart.
  std::vector<std::vector<bool>> masks;
  for (const auto& s : symbols().all()) {
    masks.push_back(silhouette(decode(s.png)));
    const auto covered = std::count(masks.back().begin(), masks.back().end(), true);
    EXPECT_GT(covered, 128 * 128 / 10) << s.name_en << " is too small";
    EXPECT_LT(covered, 128 * 128 * 9 / 10) << s.name_en << " fills the whole image";
  }
  for (std::size_t a = 0; a < masks.size(); ++a)
    for (std::size_t b = a + 1; b < masks.size(); ++b) {
      std::size_t differ = 0;
      for (std::size_t i = 0; i < masks[a].size(); ++i) differ += masks[a][i] != masks[b][i];
      EXPECT_GT(differ, 128u * 128 / 20)
          << symbols().at(a).name_en << " vs " << symbols().at(b).name_en;
    }
}

TEST(Candidates, FourDistinctIncludingCorrect) {
  core::SeededRandom random(1);
  for (std::size_t correct = 0; correct < 28; ++correct)
    for (int round = 0; round < 50; ++round) {
      const auto c = accesspass::candidates(correct, 28, random);
      EXPECT_EQ(std::count(c.begin(), c.end(), correct), 1);
      EXPECT_EQ(std::set<std::size_t>(c.begin(), c.end()).size(), 4u);
      for (auto i : c) EXPECT_LT(i, 28u);
    }
}

TEST(Candidates, SmallestSetIsAPermutation) {
  core::SeededRandom random(2);
  std::set<std::array<std::size_t, 4>> orders;
  for (int round = 0; round < 500; ++round) {
    auto c = accesspass::candidates(2, 4, random);
    orders.insert(c);
    std::sort(c.begin(), c.end());
    EXPECT_EQ(c, (std::array<std::size_t, 4>{0, 1, 2, 3}));
  }
  EXPECT_EQ(orders.size(), 24u) << "every order of the four symbols should occur";
}

TEST(Candidates, PositionAndDecoysUniform) {
  core::SeededRandom random(3);
  constexpr int kDraws = 8000;
  constexpr std::size_t kSize = 28, kCorrect = 5;
  std::array<int, 4> position{};
  std::array<int, kSize> decoy{};
  for (int round = 0; round < kDraws; ++round) {
    const auto c = accesspass::candidates(kCorrect, kSize, random);
    for (std::size_t p = 0; p < 4; ++p) {
      if (c[p] == kCorrect)
        ++position[p];
      else
        ++decoy[c[p]];
    }
  }
  // Expected 2000 per position (sd ≈ 39) and 889 per decoy (sd ≈ 28).
  for (int n : position) EXPECT_NEAR(n, kDraws / 4, 200);
  EXPECT_EQ(decoy[kCorrect], 0);
  for (std::size_t i = 0; i < kSize; ++i) {
    if (i != kCorrect) {
      EXPECT_NEAR(decoy[i], kDraws * 3.0 / (kSize - 1), 150) << i;
    }
  }
}

TEST(Candidates, RejectsBadArguments) {
  core::SeededRandom random(4);
  EXPECT_THROW(accesspass::candidates(0, 3, random), std::invalid_argument);
  EXPECT_THROW(accesspass::candidates(28, 28, random), std::out_of_range);
}
