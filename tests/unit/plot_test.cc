// The report's building blocks: the SVG sanitiser that lets figures sit in
// the HTML page, escaping of everything that comes from a spec or a run,
// gnuplot quoting, data files, and the chance line.
#include <gtest/gtest.h>

#include <cmath>

#include "aggregate/plot.h"
#include "aggregate/report.h"
#include "aggregate/run_figures.h"

using namespace regal::aggregate;

TEST(InlineSvg, PrefixesIdsAndLocalLinksButNotColours) {
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<svg width=\"10\" height=\"10\">"
      "<defs><path id='dot' d='M0,0'/></defs><use xlink:href='#dot' fill=\"#ffffff\"/>"
      "<g filter='url(#dot)' color = 'white'><text>a &lt; b</text></g></svg>\n";
  const auto out = plot::inline_svg(svg, "f1-");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out,
            "<svg width=\"10\" height=\"10\"><defs><path id='f1-dot' d='M0,0'/></defs>"
            "<use xlink:href='#f1-dot' fill=\"#ffffff\"/><g filter='url(#f1-dot)' color='white'><text>a &lt; b</text></g></svg>");
}

TEST(InlineSvg, RefusesAnythingActiveOrFetched) {
  for (const std::string bad : {
           "<svg><script>alert(1)</script></svg>",
           "<svg onload='alert(1)'></svg>",
           "<svg><g ONCLICK=\"x()\"/></svg>",
           "<svg><foreignObject><div/></foreignObject></svg>",
           "<svg><a href='javascript:alert(1)'>x</a></svg>",
           "<svg><a xlink:href='java\nscript:alert(1)'>x</a></svg>",
           "<svg><image href='http://example.com/x.png'/></svg>",
           "<svg><style>svg{}</style></svg>",
           "<svg><g fill=unquoted/></svg>",
           "<svg><![CDATA[ x ]]></svg>",
       }) {
    EXPECT_FALSE(plot::inline_svg(bad, "p-").has_value()) << bad;
  }
  // gnuplot draws `with image` as an embedded PNG: that stays.
  EXPECT_TRUE(plot::inline_svg("<svg><image xlink:href='data:image/png;base64,iVBOR'/></svg>", "p-").has_value());
}

TEST(Escaping, NamesFromSpecsAreTextInHtmlAndMarkdown) {
  EXPECT_EQ(html_escape("<img src=x onerror=alert(1)> & \"q\" 'a'"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39;");
  EXPECT_EQ(markdown_escape("a|b <i>*x*</i> [l](u)\nz"), "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; \\[l\\](u) z");
  EXPECT_EQ(plot::quote("it's\nhere"), "'it''s here'");
}

TEST(DataFile, BlocksRowsAndTextColumns) {
  plot::DataFile data;
  EXPECT_EQ(data.block("first", {"x", "y"}), 0);
  data.row({1, 0.5});
  data.row({2, NAN});
  EXPECT_EQ(data.block("second\nline", {"x", "label"}), 1);
  data.row({3}, {"say \"hi\""});
  EXPECT_EQ(data.text(), "# [0] first\n# x y\n1 0.5\n2 NaN\n\n\n# [1] second line\n# x label\n3 \"say 'hi'\"\n");
}

TEST(Script, TwoPassesFromResetWithDefaultOutputs) {
  plot::Figure f;
  f.name = "fig";
  f.title = "A title";
  f.body = "plot 'fig.dat' using 1:2\n";
  f.width = 300;
  f.height = 200;
  const std::string s = plot::script(f);
  EXPECT_EQ(s.rfind("# A title\n", 0), 0U);
  EXPECT_NE(s.find("if (!exists(\"png\")) png = 'fig.png'"), std::string::npos);
  EXPECT_NE(s.find("set terminal pngcairo size 300,200"), std::string::npos);
  EXPECT_NE(s.find("set terminal svg size 300,200"), std::string::npos);
  EXPECT_NE(s.find("  plot 'fig.dat' using 1:2\n"), std::string::npos);
  EXPECT_LT(s.find("reset"), s.find("set terminal pngcairo"));
}

TEST(ChanceLine, MajorityShareWhereCountsExistElseTheSplitsChance) {
  regal::layout::SplitScores scores;
  scores.length = {1, 2, 3};
  scores.n = {4, 10, 5};
  scores.accuracy = {1, 1, 1};
  scores.loss = {0, 0, 0};
  scores.accepted = {1, 5, 5};
  EXPECT_EQ(chance_by_length(scores, 0.9), (std::vector<double>{0.75, 0.5, 1.0}));
  scores.accepted.clear();  // a metrics.h5 written before per-length counts
  EXPECT_EQ(chance_by_length(scores, 0.6), (std::vector<double>{0.6, 0.6, 0.6}));
}
