// The drawing code for every access-pass symbol. Shapes are drawn on a 100×100
// canvas (the caller scales it to the pixel size) and must stay recognisable in
// greyscale: the shape, not the colour, is what tells two symbols apart.
#include "accesspass/symbols.hpp"

#include <array>
#include <cmath>
#include <initializer_list>
#include <numbers>
#include <utility>

namespace twofold::accesspass::detail {
namespace {

constexpr double kPi = std::numbers::pi;
// Outline width in canvas units; the dark outline keeps yellow visible on white.
constexpr double kOutline = 3.0;

using Point = std::pair<double, double>;

void set_colour(cairo_t* cr, const Colour& c) {
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
}
void set_dark(cairo_t* cr) {
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
}
void set_white(cairo_t* cr) {
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
}

// --- path helpers ---------------------------------------------------------

void polygon(cairo_t* cr, std::initializer_list<Point> points) {
  cairo_new_sub_path(cr);
  for (const auto& [x, y] : points) cairo_line_to(cr, x, y);
  cairo_close_path(cr);
}

void circle(cairo_t* cr, double cx, double cy, double r) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, cx, cy, r, 0, 2 * kPi);
}

void ellipse(cairo_t* cr, double cx, double cy, double rx, double ry, double angle = 0) {
  // The path is stored in device space, so restoring the matrix keeps the ellipse.
  cairo_save(cr);
  cairo_translate(cr, cx, cy);
  cairo_rotate(cr, angle);
  cairo_scale(cr, rx, ry);
  cairo_new_sub_path(cr);
  cairo_arc(cr, 0, 0, 1, 0, 2 * kPi);
  cairo_restore(cr);
}

// Alternating outer/inner vertices; the first outer vertex points up.
void star(cairo_t* cr, double cx, double cy, double r_out, double r_in, int points) {
  cairo_new_sub_path(cr);
  for (int i = 0; i < 2 * points; ++i) {
    const double r = i % 2 == 0 ? r_out : r_in;
    const double a = -kPi / 2 + i * kPi / points;
    cairo_line_to(cr, cx + r * std::cos(a), cy + r * std::sin(a));
  }
  cairo_close_path(cr);
}

void regular_polygon(cairo_t* cr, double cx, double cy, double r, int sides, double start) {
  cairo_new_sub_path(cr);
  for (int i = 0; i < sides; ++i) {
    const double a = start + i * 2 * kPi / sides;
    cairo_line_to(cr, cx + r * std::cos(a), cy + r * std::sin(a));
  }
  cairo_close_path(cr);
}

void line(cairo_t* cr, double x0, double y0, double x1, double y1) {
  cairo_new_sub_path(cr);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
}

// Tip at (50, 84), lobes at the top; spans roughly x 12–88, y 13–84.
void heart_path(cairo_t* cr) {
  cairo_new_sub_path(cr);
  cairo_move_to(cr, 50, 84);
  cairo_curve_to(cr, 36, 74, 12, 58, 12, 36);
  cairo_curve_to(cr, 12, 22, 24, 13, 34, 13);
  cairo_curve_to(cr, 42, 13, 48, 18, 50, 26);
  cairo_curve_to(cr, 52, 18, 58, 13, 66, 13);
  cairo_curve_to(cr, 76, 13, 88, 22, 88, 36);
  cairo_curve_to(cr, 88, 58, 64, 74, 50, 84);
  cairo_close_path(cr);
}

// --- painting helpers -----------------------------------------------------

// Fills the current path with the colour and outlines it.
void fill_outline(cairo_t* cr, const Colour& c) {
  set_colour(cr, c);
  cairo_fill_preserve(cr);
  set_dark(cr);
  cairo_set_line_width(cr, kOutline);
  cairo_stroke(cr);
}

void fill_outline_white(cairo_t* cr) {
  set_white(cr);
  cairo_fill_preserve(cr);
  set_dark(cr);
  cairo_set_line_width(cr, kOutline);
  cairo_stroke(cr);
}

void dark_stroke(cairo_t* cr, double width) {
  set_dark(cr);
  cairo_set_line_width(cr, width);
  cairo_stroke(cr);
}

// One piece of a compound silhouette: a filled area (width 0) or a thick line.
struct Piece {
  void (*path)(cairo_t*);
  double line_width = 0;
};

// Draws overlapping pieces as one silhouette with a single outer outline: every
// piece is first stroked dark at double the outline width, then every piece is
// painted in colour on top, which hides the outline wherever pieces overlap.
void silhouette(cairo_t* cr, const Colour& c, std::initializer_list<Piece> pieces) {
  set_dark(cr);
  for (const auto& p : pieces) {
    cairo_new_path(cr);
    p.path(cr);
    cairo_set_line_width(cr, p.line_width + 2 * kOutline);
    cairo_stroke(cr);
  }
  set_colour(cr, c);
  for (const auto& p : pieces) {
    cairo_new_path(cr);
    p.path(cr);
    if (p.line_width > 0) {
      cairo_set_line_width(cr, p.line_width);
      cairo_stroke(cr);
    } else {
      cairo_fill(cr);
    }
  }
}

// --- the shapes -----------------------------------------------------------

void draw_circle(cairo_t* cr, const Colour& c) {
  circle(cr, 50, 50, 36);
  fill_outline(cr, c);
}

void draw_square(cairo_t* cr, const Colour& c) {
  cairo_rectangle(cr, 16, 16, 68, 68);
  fill_outline(cr, c);
}

void draw_triangle(cairo_t* cr, const Colour& c) {
  polygon(cr, {{50, 12}, {90, 84}, {10, 84}});
  fill_outline(cr, c);
}

void draw_star(cairo_t* cr, const Colour& c) {
  star(cr, 50, 54, 42, 17, 5);
  fill_outline(cr, c);
}

void draw_heart(cairo_t* cr, const Colour& c) {
  cairo_save(cr);
  cairo_translate(cr, 50, 50);
  cairo_scale(cr, 1.05, 1.05);
  cairo_translate(cr, -50, -48);
  heart_path(cr);
  cairo_restore(cr);
  fill_outline(cr, c);
}

void draw_diamond(cairo_t* cr, const Colour& c) {
  polygon(cr, {{50, 8}, {82, 50}, {50, 92}, {18, 50}});
  fill_outline(cr, c);
}

void draw_cross(cairo_t* cr, const Colour& c) {
  polygon(cr, {{38, 12},
               {62, 12},
               {62, 38},
               {88, 38},
               {88, 62},
               {62, 62},
               {62, 88},
               {38, 88},
               {38, 62},
               {12, 62},
               {12, 38},
               {38, 38}});
  fill_outline(cr, c);
}

// A crescent: the part of circle 1 outside circle 2. The long arc of circle 1
// runs away from circle 2; the short arc of circle 2 closes it inside circle 1.
void draw_moon(cairo_t* cr, const Colour& c) {
  const double x1 = 46, y1 = 52, r1 = 38;
  const double x2 = 64, y2 = 40, r2 = 31;
  const double d = std::hypot(x2 - x1, y2 - y1);
  const double phi = std::atan2(y2 - y1, x2 - x1);
  const double alpha = std::acos((r1 * r1 - r2 * r2 + d * d) / (2 * d * r1));
  const double px = x1 + r1 * std::cos(phi - alpha), py = y1 + r1 * std::sin(phi - alpha);
  const double qx = x1 + r1 * std::cos(phi + alpha), qy = y1 + r1 * std::sin(phi + alpha);
  cairo_new_sub_path(cr);
  cairo_arc(cr, x1, y1, r1, phi + alpha, phi - alpha + 2 * kPi);
  cairo_arc_negative(cr, x2, y2, r2, std::atan2(py - y2, px - x2), std::atan2(qy - y2, qx - x2));
  cairo_close_path(cr);
  fill_outline(cr, c);
}

void draw_sun(cairo_t* cr, const Colour& c) {
  star(cr, 50, 50, 45, 29, 12);
  fill_outline(cr, c);
  circle(cr, 50, 50, 22);
  fill_outline(cr, c);
}

void draw_cloud(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) { circle(cr, 30, 59, 16); }},
              {[](cairo_t* cr) { circle(cr, 52, 44, 23); }},
              {[](cairo_t* cr) { circle(cr, 73, 58, 17); }},
              {[](cairo_t* cr) { cairo_rectangle(cr, 30, 55, 43, 20); }}});
}

void draw_arrow(cairo_t* cr, const Colour& c) {
  polygon(cr, {{12, 39}, {52, 39}, {52, 18}, {90, 50}, {52, 82}, {52, 61}, {12, 61}});
  fill_outline(cr, c);
}

void draw_key(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) { circle(cr, 28, 50, 18); }},
              {[](cairo_t* cr) { cairo_rectangle(cr, 42, 44, 48, 12); }},
              {[](cairo_t* cr) { cairo_rectangle(cr, 68, 54, 8, 14); }},
              {[](cairo_t* cr) { cairo_rectangle(cr, 82, 54, 8, 18); }}});
  circle(cr, 26, 50, 7);
  fill_outline_white(cr);
}

void draw_bell(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) { circle(cr, 50, 16, 6); }},
              {[](cairo_t* cr) { circle(cr, 50, 80, 8); }},
              {[](cairo_t* cr) {
                cairo_new_sub_path(cr);
                cairo_move_to(cr, 14, 76);
                cairo_curve_to(cr, 26, 70, 26, 56, 27, 42);
                cairo_curve_to(cr, 28, 26, 38, 20, 50, 20);
                cairo_curve_to(cr, 62, 20, 72, 26, 73, 42);
                cairo_curve_to(cr, 74, 56, 74, 70, 86, 76);
                cairo_close_path(cr);
              }}});
}

void draw_house(cairo_t* cr, const Colour& c) {
  polygon(cr, {{50, 12}, {90, 48}, {78, 48}, {78, 88}, {22, 88}, {22, 48}, {10, 48}});
  fill_outline(cr, c);
  cairo_rectangle(cr, 42, 62, 16, 26);
  fill_outline_white(cr);
}

void draw_tree(cairo_t* cr, const Colour& c) {
  cairo_rectangle(cr, 43, 76, 14, 16);
  fill_outline(cr, c);
  polygon(cr, {{50, 8},
               {70, 34},
               {61, 34},
               {80, 58},
               {69, 58},
               {88, 80},
               {12, 80},
               {31, 58},
               {20, 58},
               {39, 34},
               {30, 34}});
  fill_outline(cr, c);
}

void draw_flower(cairo_t* cr, const Colour& c) {
  for (int i = 0; i < 6; ++i) {
    const double a = -kPi / 2 + i * kPi / 3;
    circle(cr, 50 + 24 * std::cos(a), 50 + 24 * std::sin(a), 15);
    fill_outline(cr, c);
  }
  circle(cr, 50, 50, 13);
  fill_outline_white(cr);
}

void draw_leaf(cairo_t* cr, const Colour& c) {
  cairo_new_sub_path(cr);
  cairo_move_to(cr, 18, 82);
  cairo_curve_to(cr, 12, 44, 40, 14, 88, 12);
  cairo_curve_to(cr, 88, 58, 58, 88, 18, 82);
  cairo_close_path(cr);
  fill_outline(cr, c);
  line(cr, 8, 92, 66, 34);
  dark_stroke(cr, 3.5);
}

void draw_drop(cairo_t* cr, const Colour& c) {
  cairo_new_sub_path(cr);
  cairo_move_to(cr, 50, 8);
  cairo_curve_to(cr, 60, 28, 78, 44, 78, 62);
  cairo_arc(cr, 50, 62, 28, 0, kPi);
  cairo_curve_to(cr, 22, 44, 40, 28, 50, 8);
  cairo_close_path(cr);
  fill_outline(cr, c);
}

void draw_lightning(cairo_t* cr, const Colour& c) {
  polygon(cr, {{58, 6}, {20, 56}, {45, 56}, {34, 94}, {80, 40}, {55, 40}, {72, 6}});
  fill_outline(cr, c);
}

void draw_anchor(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) { circle(cr, 50, 18, 10); }, 5},
              {[](cairo_t* cr) { line(cr, 50, 28, 50, 86); }, 7},
              {[](cairo_t* cr) { line(cr, 32, 36, 68, 36); }, 7},
              {[](cairo_t* cr) {
                 cairo_new_sub_path(cr);
                 cairo_arc(cr, 50, 54, 32, 0.45, kPi - 0.45);
               },
               7},
              {[](cairo_t* cr) {
                polygon(cr, {{70, 70}, {90, 70}, {86, 50}});
              }},
              {[](cairo_t* cr) {
                polygon(cr, {{30, 70}, {10, 70}, {14, 50}});
              }}});
}

void draw_fish(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) {
                polygon(cr, {{64, 50}, {92, 26}, {92, 74}});
              }},
              {[](cairo_t* cr) {
                polygon(cr, {{34, 32}, {46, 18}, {58, 34}});
              }},
              {[](cairo_t* cr) { ellipse(cr, 40, 52, 32, 21); }}});
  circle(cr, 24, 46, 5);
  fill_outline_white(cr);
  circle(cr, 24, 46, 2);
  set_dark(cr);
  cairo_fill(cr);
}

void draw_bird(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) {
                polygon(cr, {{80, 30}, {96, 39}, {80, 45}});
              }},
              {[](cairo_t* cr) {
                polygon(cr, {{28, 56}, {4, 42}, {10, 72}});
              }},
              {[](cairo_t* cr) { ellipse(cr, 44, 60, 28, 22); }},
              {[](cairo_t* cr) { circle(cr, 68, 38, 16); }}});
  // Wing and eye.
  cairo_new_sub_path(cr);
  cairo_move_to(cr, 26, 54);
  cairo_curve_to(cr, 36, 74, 54, 74, 60, 56);
  dark_stroke(cr, 3);
  circle(cr, 72, 34, 3.5);
  set_dark(cr);
  cairo_fill(cr);
  line(cr, 40, 82, 38, 94);
  line(cr, 52, 82, 54, 94);
  dark_stroke(cr, 3);
}

void draw_umbrella(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) { line(cr, 50, 14, 50, 8); }, 4},
              {[](cairo_t* cr) {
                 cairo_new_sub_path(cr);
                 cairo_move_to(cr, 50, 50);
                 cairo_line_to(cr, 50, 80);
                 cairo_arc(cr, 42, 80, 8, 0, kPi);
               },
               5},
              {[](cairo_t* cr) {
                const double r = 38.0 / 3;
                cairo_new_sub_path(cr);
                cairo_arc(cr, 50, 52, 38, kPi, 2 * kPi);
                // Scalloped hem, right to left.
                for (int i = 0; i < 3; ++i)
                  cairo_arc_negative(cr, 88 - r - 2 * r * i, 52, r, 0, kPi);
                cairo_close_path(cr);
              }}});
}

void draw_music_note(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) { ellipse(cr, 38, 76, 15, 10, -0.4); }},
              {[](cairo_t* cr) { cairo_rectangle(cr, 45, 14, 7, 62); }},
              {[](cairo_t* cr) {
                cairo_new_sub_path(cr);
                cairo_move_to(cr, 52, 14);
                cairo_curve_to(cr, 55, 32, 80, 36, 74, 62);
                cairo_curve_to(cr, 70, 46, 62, 42, 52, 40);
                cairo_close_path(cr);
              }}});
}

void draw_hexagon(cairo_t* cr, const Colour& c) {
  // Large enough that its corners stand well clear of the circle's outline.
  regular_polygon(cr, 50, 50, 44, 6, 0);
  fill_outline(cr, c);
}

void draw_ring(cairo_t* cr, const Colour& c) {
  circle(cr, 50, 50, 38);
  circle(cr, 50, 50, 21);
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
  fill_outline(cr, c);
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
}

// Four heart-shaped leaves, tips meeting in the middle, and a stem.
void clover_leaves(cairo_t* cr) {
  for (int i = 0; i < 4; ++i) {
    cairo_save(cr);
    cairo_translate(cr, 50, 46);
    cairo_rotate(cr, i * kPi / 2);
    cairo_scale(cr, 0.46, 0.46);
    cairo_translate(cr, -50, -84);
    heart_path(cr);
    cairo_restore(cr);
  }
}

void draw_clover(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) {
                 cairo_new_sub_path(cr);
                 cairo_move_to(cr, 50, 46);
                 cairo_curve_to(cr, 56, 66, 62, 80, 74, 92);
               },
               5},
              {clover_leaves}});
  // Leaf borders, so the four leaves read as separate.
  line(cr, 50, 46, 50 - 20, 46 - 20);
  line(cr, 50, 46, 50 + 20, 46 - 20);
  line(cr, 50, 46, 50 + 20, 46 + 20);
  line(cr, 50, 46, 50 - 20, 46 + 20);
  dark_stroke(cr, 2);
}

void draw_crown(cairo_t* cr, const Colour& c) {
  silhouette(cr, c,
             {{[](cairo_t* cr) {
                polygon(cr, {{14, 80}, {14, 34}, {32, 58}, {50, 26}, {68, 58}, {86, 34}, {86, 80}});
              }},
              {[](cairo_t* cr) { circle(cr, 14, 29, 6); }},
              {[](cairo_t* cr) { circle(cr, 50, 20, 6); }},
              {[](cairo_t* cr) { circle(cr, 86, 29, 6); }}});
  line(cr, 14, 70, 86, 70);
  dark_stroke(cr, 2.5);
}

// --- catalogue ------------------------------------------------------------

// Okabe & Ito (2008), "Color Universal Design". Names are what a user would say.
constexpr Colour kOrange{0xE6 / 255.0, 0x9F / 255.0, 0x00 / 255.0, "orange", "orangefarben", false};
constexpr Colour kSkyBlue{0x56 / 255.0, 0xB4 / 255.0, 0xE9 / 255.0,
                          "light blue", "hellblau",   false};
constexpr Colour kGreen{0x00 / 255.0, 0x9E / 255.0, 0x73 / 255.0, "green", "grün", false};
constexpr Colour kYellow{0xF0 / 255.0, 0xE4 / 255.0, 0x42 / 255.0, "yellow", "gelb", false};
constexpr Colour kBlue{0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0, "blue", "blau", false};
constexpr Colour kRed{0xD5 / 255.0, 0x5E / 255.0, 0x00 / 255.0, "red", "rot", false};
constexpr Colour kPink{0xCC / 255.0, 0x79 / 255.0, 0xA7 / 255.0, "pink", "rosa", true};
constexpr Colour kBlack{0.0, 0.0, 0.0, "black", "schwarz", false};

using enum Gender;
constexpr Shape kCircle{"circle", "Kreis", masculine, draw_circle};
constexpr Shape kSquare{"square", "Quadrat", neuter, draw_square};
constexpr Shape kTriangle{"triangle", "Dreieck", neuter, draw_triangle};
constexpr Shape kStar{"star", "Stern", masculine, draw_star};
constexpr Shape kHeart{"heart", "Herz", neuter, draw_heart};
constexpr Shape kDiamond{"diamond", "Raute", feminine, draw_diamond};
constexpr Shape kCross{"cross", "Kreuz", neuter, draw_cross};
constexpr Shape kMoon{"moon", "Mond", masculine, draw_moon};
constexpr Shape kSun{"sun", "Sonne", feminine, draw_sun};
constexpr Shape kCloud{"cloud", "Wolke", feminine, draw_cloud};
constexpr Shape kArrow{"arrow", "Pfeil", masculine, draw_arrow};
constexpr Shape kKey{"key", "Schlüssel", masculine, draw_key};
constexpr Shape kBell{"bell", "Glocke", feminine, draw_bell};
constexpr Shape kHouse{"house", "Haus", neuter, draw_house};
constexpr Shape kTree{"tree", "Baum", masculine, draw_tree};
constexpr Shape kFlower{"flower", "Blume", feminine, draw_flower};
constexpr Shape kLeaf{"leaf", "Blatt", neuter, draw_leaf};
constexpr Shape kDrop{"drop", "Tropfen", masculine, draw_drop};
constexpr Shape kLightning{"lightning bolt", "Blitz", masculine, draw_lightning};
constexpr Shape kAnchor{"anchor", "Anker", masculine, draw_anchor};
constexpr Shape kFish{"fish", "Fisch", masculine, draw_fish};
constexpr Shape kBird{"bird", "Vogel", masculine, draw_bird};
constexpr Shape kUmbrella{"umbrella", "Regenschirm", masculine, draw_umbrella};
constexpr Shape kMusicNote{"music note", "Musiknote", feminine, draw_music_note};
constexpr Shape kHexagon{"hexagon", "Sechseck", neuter, draw_hexagon};
constexpr Shape kRing{"ring", "Ring", masculine, draw_ring};
constexpr Shape kClover{"four-leaf clover", "Kleeblatt", neuter, draw_clover};
constexpr Shape kCrown{"crown", "Krone", feminine, draw_crown};

// Append only: devices and stored sessions refer to symbols by index. Colours
// are spread so that no colour dominates and similar outlines differ in colour.
constexpr std::array kCatalogue{
    SymbolSpec{&kCircle, &kBlue},      SymbolSpec{&kSquare, &kOrange},
    SymbolSpec{&kTriangle, &kGreen},   SymbolSpec{&kStar, &kYellow},
    SymbolSpec{&kHeart, &kRed},        SymbolSpec{&kDiamond, &kSkyBlue},
    SymbolSpec{&kCross, &kPink},       SymbolSpec{&kMoon, &kYellow},
    SymbolSpec{&kSun, &kOrange},       SymbolSpec{&kCloud, &kSkyBlue},
    SymbolSpec{&kArrow, &kBlue},       SymbolSpec{&kKey, &kBlack},
    SymbolSpec{&kBell, &kOrange},      SymbolSpec{&kHouse, &kRed},
    SymbolSpec{&kTree, &kGreen},       SymbolSpec{&kFlower, &kPink},
    SymbolSpec{&kLeaf, &kGreen},       SymbolSpec{&kDrop, &kBlue},
    SymbolSpec{&kLightning, &kYellow}, SymbolSpec{&kAnchor, &kBlack},
    SymbolSpec{&kFish, &kOrange},      SymbolSpec{&kBird, &kSkyBlue},
    SymbolSpec{&kUmbrella, &kRed},     SymbolSpec{&kMusicNote, &kBlack},
    SymbolSpec{&kHexagon, &kPink},     SymbolSpec{&kRing, &kBlue},
    SymbolSpec{&kClover, &kGreen},     SymbolSpec{&kCrown, &kYellow},
};

}  // namespace

std::span<const SymbolSpec> catalogue() {
  return kCatalogue;
}

std::string english_name(const SymbolSpec& spec) {
  return std::string(spec.colour->name_en) + " " + spec.shape->name_en;
}

std::string german_name(const SymbolSpec& spec) {
  std::string adjective = spec.colour->stem_de;
  if (!spec.colour->indeclinable_de) {
    // Strong declension (no article), nominative: blauer Kreis, blaue Sonne, blaues Haus.
    switch (spec.shape->gender_de) {
      case Gender::masculine:
        adjective += "er";
        break;
      case Gender::feminine:
        adjective += "e";
        break;
      case Gender::neuter:
        adjective += "es";
        break;
    }
  }
  return adjective + " " + spec.shape->name_de;
}

}  // namespace twofold::accesspass::detail
