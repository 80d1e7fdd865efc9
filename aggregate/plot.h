#pragma once
// Figures drawn by gnuplot and Graphviz (docs/report.md). A figure is a data
// file, a gnuplot script that reads it, and the PNG and SVG it draws, all in
// one folder, so a user can restyle the script and run `gnuplot NAME.gp` there
// by hand. Each figure is drawn by its own gnuplot process (so its bytes do
// not depend on what was drawn before it), several at once; each output is
// written to a temporary name and renamed, so a reader never sees half a
// figure.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regal::aggregate::plot {

// The drawing programs, found on PATH.
struct Tools {
  std::string gnuplot, dot;
};
// Both programs, or an InputError naming the Debian package to install and
// `skip_hint` (the flag that goes without figures).
Tools require_tools(const std::string& skip_hint);

// A gnuplot single-quoted string: quotes doubled, control characters as spaces.
std::string quote(std::string_view text);

// The numbers of a data file: blocks (gnuplot's `index`), each with a comment
// line naming it and a header of column names; numbers as the tables print
// them (aggregate::format_number), NaN for a missing value.
class DataFile {
 public:
  // Starts a block; returns its index.
  int block(const std::string& comment, const std::vector<std::string>& columns);
  // A row: the numbers, then text cells (double-quoted, one column each).
  void row(const std::vector<double>& values, const std::vector<std::string>& text = {});
  const std::string& text() const { return text_; }
  int blocks() const { return blocks_; }

 private:
  std::string text_;
  int blocks_ = 0;
};

struct Figure {
  std::filesystem::path dir;  // where NAME.{dat,gp,png,svg} go
  std::string name;           // the file stem
  std::string title;          // one line, the script's first comment
  std::string data;           // NAME.dat ("" for none)
  std::string body;           // gnuplot commands that draw, reading 'NAME.dat'
  int width = 900, height = 520;
};

// The whole script of a figure: the header comment, default output names, and
// two passes over the body (pngcairo, then svg), each starting from `reset`.
std::string script(const Figure& figure);

// Writes each figure's data and script (atomically), draws each with its own
// gnuplot process, one per core at a time, renames the outputs into place. Returns one line per
// figure that gnuplot could not draw (its folder, name and gnuplot's message);
// the others are drawn.
std::vector<std::string> render(const std::vector<Figure>& figures, const Tools& tools);

// Graphviz: draws `dot_file` as `out_stem`.svg and .png (atomically).
// Returns gnuplot-style failure lines as render() does.
std::vector<std::string> render_dot(const std::vector<std::pair<std::filesystem::path, std::filesystem::path>>& jobs,
                                    const Tools& tools);

// An SVG file's markup made fit to sit inside an HTML page: the XML
// declaration and comments dropped, every id prefixed with `prefix` (figures
// share a page, and gnuplot and dot reuse their ids), and nothing active:
// nullopt when the markup holds a script, an event handler, a foreignObject
// or a link other than a local one (#id) or an embedded PNG (gnuplot and dot
// never write them; a damaged or planted file is refused rather than shown).
std::optional<std::string> inline_svg(const std::string& svg, const std::string& prefix);

// Cores this process may run on (its affinity mask): how many gnuplots at once.
unsigned usable_cores();

// The line types of the figures: a colour-blind safe palette (Okabe and Ito).
const std::vector<std::string>& palette();

}  // namespace regal::aggregate::plot
