// gnuplot and Graphviz drivers: data files and scripts written beside their
// figures, one gnuplot process per figure (as many at once as there are
// cores), outputs renamed into place;
// and the sanitiser that lets an SVG sit inside the HTML report.
#include "aggregate/plot.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <map>
#include <thread>

#include "aggregate/tables.h"
#include "io/atomic_file.h"
#include "io/subprocess.h"
#include "util/error.h"

namespace regal::aggregate::plot {
namespace fs = std::filesystem;

Tools require_tools(const std::string& skip_hint) {
  const auto gnuplot = io::find_program("gnuplot");
  if (!gnuplot) {
    throw InputError("gnuplot is not on PATH: the figures need it (Debian: apt-get install gnuplot-nox; or " + skip_hint +
                     ")");
  }
  const auto dot = io::find_program("dot");
  if (!dot) {
    throw InputError("dot is not on PATH: the automata figures need it (Debian: apt-get install graphviz; or " +
                     skip_hint + ")");
  }
  return {*gnuplot, *dot};
}

std::string quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "''";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "'";
}

int DataFile::block(const std::string& comment, const std::vector<std::string>& columns) {
  if (blocks_ > 0) text_ += "\n\n";
  std::string line = comment;
  std::replace_if(line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  text_ += "# [" + std::to_string(blocks_) + "] " + line + "\n#";
  for (const auto& c : columns) text_ += " " + c;
  text_ += "\n";
  return blocks_++;
}

namespace {
std::string number(double value) { return std::isnan(value) ? "NaN" : format_number(value); }
}  // namespace

void DataFile::row(const std::vector<double>& values, const std::vector<std::string>& text) {
  std::string line;
  for (const double v : values) line += (line.empty() ? "" : " ") + number(v);
  for (const auto& t : text) {
    // gnuplot reads a double-quoted field as one column; a quote inside would end it.
    std::string field = t;
    std::replace_if(field.begin(), field.end(), [](char c) { return c == '"' || static_cast<unsigned char>(c) < 0x20; }, '\'');
    line += (line.empty() ? "" : " ") + ("\"" + field + "\"");
  }
  text_ += line + "\n";
}

const std::vector<std::string>& palette() {
  static const std::vector<std::string> colours = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                   "#E69F00", "#56B4E9", "#000000", "#999999"};
  return colours;
}

std::string script(const Figure& f) {
  const std::string size = std::to_string(f.width) + "," + std::to_string(f.height);
  std::string body;
  for (std::size_t start = 0; start < f.body.size();) {
    const std::size_t end = f.body.find('\n', start);
    const std::string line = f.body.substr(start, end == std::string::npos ? std::string::npos : end - start);
    body += line.empty() ? "\n" : "  " + line + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::string lines;
  for (std::size_t i = 0; i < palette().size(); ++i) {
    lines += "  set linetype " + std::to_string(i + 1) + " lc rgb '" + palette()[i] + "' lw 1.6 pt 7 ps 0.45\n";
  }
  return "# " + f.title + "\n" +
         "# Drawn by regal from " + f.name + ".dat; restyle this script and redraw in this folder with\n" +
         "#   gnuplot " + f.name + ".gp\n" +
         "if (!exists(\"png\")) png = " + quote(f.name + ".png") + "\n" +
         "if (!exists(\"svg\")) svg = " + quote(f.name + ".svg") + "\n" +
         "set encoding utf8\n"
         "do for [pass = 1:2] {\n"
         "  reset\n"
         "  if (pass == 1) {\n"
         "    set terminal pngcairo size " + size + " noenhanced font 'DejaVu Sans,11' background '#ffffff'\n"
         "    set output png\n"
         "  } else {\n"
         "    set terminal svg size " + size + " noenhanced font 'DejaVu Sans,11' background '#ffffff'\n"
         "    set output svg\n"
         "  }\n" +
         lines +
         "  set border 3 lc rgb '#555555'\n"
         "  set tics nomirror textcolor rgb '#333333'\n"
         "  set grid lc rgb '#e4e4e4' lw 0.8\n" +
         body +
         "  set output\n"
         "}\n";
}

namespace {

// Whether gnuplot's words for one figure say it failed (warnings do not).
std::string errors_in(const std::string& output) {
  std::string errors;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    start = end + 1;
    const auto first = line.find_first_not_of(" \t^");
    if (first == std::string::npos) continue;
    line = line.substr(first);
    if (line.find("warning:") != std::string::npos) continue;
    errors += (errors.empty() ? "" : "; ") + line;
  }
  return errors;
}

std::string temp_suffix() { return "." + std::to_string(::getpid()) + ".tmp"; }

void rename_or_drop(const fs::path& tmp, const fs::path& final_path, bool keep) {
  std::error_code ec;
  if (keep) {
    fs::rename(tmp, final_path, ec);
    if (ec) throw IoError("cannot rename " + tmp.string() + " to " + final_path.string() + ": " + ec.message());
  } else {
    fs::remove(tmp, ec);
  }
}

bool non_empty(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0;
}

}  // namespace

unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
  return std::max(1U, std::thread::hardware_concurrency());
}

namespace {

// One figure, one gnuplot process: gnuplot's terminals keep state from one
// plot to the next (the SVG driver its current colour), so a figure drawn
// after another would differ in a byte or two from the same figure drawn
// alone, and the bytes would depend on how figures were shared out.
std::string draw_one(const Figure& f, const std::string& suffix, const Tools& tools) {
  const std::string driver = "cd " + quote(fs::absolute(f.dir).string()) + "\n" + "png = " + quote(f.name + ".png" + suffix) +
                             "; svg = " + quote(f.name + ".svg" + suffix) + "\n" + "load " + quote(f.name + ".gp") + "\n";
  const io::ProgramResult result = io::run_program({tools.gnuplot, "-"}, driver);
  if (result.exit_code == 127) return result.output;
  std::string error = errors_in(result.output);
  const fs::path png = f.dir / (f.name + ".png" + suffix), svg = f.dir / (f.name + ".svg" + suffix);
  if (error.empty() && (!non_empty(png) || !non_empty(svg))) {
    error = "gnuplot wrote no figure (exit " + std::to_string(result.exit_code) + ")";
  }
  return error;
}

}  // namespace

std::vector<std::string> render(const std::vector<Figure>& figures, const Tools& tools) {
  std::vector<std::string> failures;
  if (figures.empty()) return failures;
  const std::string suffix = temp_suffix();
  for (const Figure& f : figures) {
    fs::create_directories(f.dir);
    if (!f.data.empty()) io::write_file_atomic(f.dir / (f.name + ".dat"), f.data);
    io::write_file_atomic(f.dir / (f.name + ".gp"), script(f));
  }
  // As many gnuplots at once as this process has cores, each taking the next figure.
  std::vector<std::string> errors(figures.size());
  std::atomic<std::size_t> next{0};
  const std::size_t workers = std::max<std::size_t>(1, std::min<std::size_t>(usable_cores(), figures.size()));
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < figures.size(); i = next++) errors[i] = draw_one(figures[i], suffix, tools);
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < figures.size(); ++i) {
    const Figure& f = figures[i];
    rename_or_drop(f.dir / (f.name + ".png" + suffix), f.dir / (f.name + ".png"), errors[i].empty());
    rename_or_drop(f.dir / (f.name + ".svg" + suffix), f.dir / (f.name + ".svg"), errors[i].empty());
    if (!errors[i].empty()) failures.push_back((f.dir / f.name).string() + ": " + errors[i]);
  }
  return failures;
}

std::vector<std::string> render_dot(const std::vector<std::pair<fs::path, fs::path>>& jobs, const Tools& tools) {
  std::vector<std::string> failures;
  const std::string suffix = temp_suffix();
  for (const auto& [dot_file, stem] : jobs) {
    fs::create_directories(stem.parent_path());
    const fs::path svg = stem.string() + ".svg", png = stem.string() + ".png";
    const fs::path svg_tmp = svg.string() + suffix, png_tmp = png.string() + suffix;
    const io::ProgramResult result =
        io::run_program({tools.dot, "-Tsvg", "-o" + svg_tmp.string(), "-Tpng", "-o" + png_tmp.string(), dot_file.string()});
    const bool ok = result.exit_code == 0 && non_empty(svg_tmp) && non_empty(png_tmp);
    rename_or_drop(svg_tmp, svg, ok);
    rename_or_drop(png_tmp, png, ok);
    if (!ok) {
      std::string message = result.output;
      while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
      std::replace(message.begin(), message.end(), '\n', ' ');
      failures.push_back(stem.string() + ": dot: " + (message.empty() ? "exit " + std::to_string(result.exit_code) : message));
    }
  }
  return failures;
}

namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Local references inside an attribute value, prefixed: "url(#id)" (a
// link's "#id" is handled by the caller: elsewhere "#fff" is a colour).
std::string prefix_references(const std::string& value, const std::string& prefix) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t found = value.find("url(#", at);
    if (found == std::string::npos) break;
    out += value.substr(at, found + 5 - at) + prefix;
    at = found + 5;
  }
  return out + value.substr(at);
}

}  // namespace

std::optional<std::string> inline_svg(const std::string& svg, const std::string& prefix) {
  std::string out;
  out.reserve(svg.size() + svg.size() / 8);
  std::size_t i = 0;
  const std::size_t n = svg.size();
  bool started = false;  // text before the root element (whitespace) is dropped
  while (i < n) {
    if (svg[i] != '<') {
      if (started) out += svg[i];
      ++i;
      continue;
    }
    if (svg.compare(i, 4, "<!--") == 0) {
      const std::size_t end = svg.find("-->", i + 4);
      if (end == std::string::npos) return std::nullopt;
      i = end + 3;
      continue;
    }
    if (svg.compare(i, 2, "<?") == 0) {
      const std::size_t end = svg.find("?>", i + 2);
      if (end == std::string::npos) return std::nullopt;
      i = end + 2;
      continue;
    }
    if (svg.compare(i, 9, "<![CDATA[") == 0) return std::nullopt;
    if (svg.compare(i, 2, "<!") == 0) {  // DOCTYPE
      const std::size_t end = svg.find('>', i);
      if (end == std::string::npos) return std::nullopt;
      i = end + 1;
      continue;
    }
    // A tag: <name attr="v" ...> or </name>.
    started = true;
    std::size_t j = i + 1;
    if (j < n && svg[j] == '/') ++j;
    const std::size_t name_start = j;
    while (j < n && !std::isspace(static_cast<unsigned char>(svg[j])) && svg[j] != '>' && svg[j] != '/') ++j;
    const std::string name = lower(svg.substr(name_start, j - name_start));
    if (name.empty() || name == "script" || name == "foreignobject" || name == "iframe" || name == "object" ||
        name == "embed" || name == "style") {
      return std::nullopt;
    }
    out += svg.substr(i, j - i);
    while (true) {
      while (j < n && std::isspace(static_cast<unsigned char>(svg[j]))) out += svg[j++];
      if (j >= n) return std::nullopt;
      if (svg[j] == '>') {
        out += '>';
        ++j;
        break;
      }
      if (svg[j] == '/') {
        out += '/';
        ++j;
        continue;
      }
      const std::size_t attr_start = j;
      while (j < n && svg[j] != '=' && svg[j] != '>' && !std::isspace(static_cast<unsigned char>(svg[j]))) ++j;
      const std::string attr = svg.substr(attr_start, j - attr_start);
      const std::string attr_lower = lower(attr);
      if (attr_lower.rfind("on", 0) == 0) return std::nullopt;
      out += attr;
      std::size_t k = j;  // gnuplot writes "fill = 'x'": spaces around '=' are allowed
      while (k < n && std::isspace(static_cast<unsigned char>(svg[k]))) ++k;
      if (k >= n || svg[k] != '=') continue;  // an attribute without a value
      j = k + 1;
      while (j < n && std::isspace(static_cast<unsigned char>(svg[j]))) ++j;
      if (j >= n || (svg[j] != '"' && svg[j] != '\'')) return std::nullopt;
      const char q = svg[j];
      const std::size_t value_end = svg.find(q, j + 1);
      if (value_end == std::string::npos) return std::nullopt;
      std::string value = svg.substr(j + 1, value_end - j - 1);
      std::string squeezed;
      for (const char c : lower(value)) {
        if (!std::isspace(static_cast<unsigned char>(c))) squeezed += c;
      }
      if (squeezed.find("javascript:") != std::string::npos) return std::nullopt;
      // Only local links and embedded bitmaps (gnuplot draws `with image` as a PNG inside the SVG): an
      // external link would be fetched (an <image>) or lead off the page.
      if ((attr_lower == "href" || attr_lower == "xlink:href") && (value.empty() || value[0] != '#') &&
          value.rfind("data:image/png;base64,", 0) != 0) {
        return std::nullopt;
      }
      if (attr_lower == "id") {
        value = prefix + value;
      } else if ((attr_lower == "href" || attr_lower == "xlink:href") && value[0] == '#') {
        value = "#" + prefix + value.substr(1);
      } else {
        value = prefix_references(value, prefix);
      }
      out += '=';
      out += q;
      out += value;
      out += q;
      j = value_end + 1;
    }
    i = j;
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

}  // namespace regal::aggregate::plot
