#include <gtest/gtest.h>

#include "fsm_test_util.h"

using namespace regal::fsm;
using regal::fsm::testing::alphabet;

namespace {

struct GoldenParse {
  const char* regex;
  const char* symbols;
  const char* tree;
};

const GoldenParse kGolden[] = {
    {"a", "ab", "a"},
    {"ab", "ab", "(cat a b)"},
    {"a|b", "ab", "(alt a b)"},
    {"a|", "ab", "(alt a ())"},
    {"|a", "ab", "(alt () a)"},
    {"()", "ab", "()"},
    {"", "ab", "()"},
    {"(?:ab)*", "ab", "(* (cat a b))"},
    {"a+b?", "ab", "(cat (+ a) (? b))"},
    {"a{2,3}", "ab", "({2,3} a)"},
    {"a{2,}", "ab", "({2,} a)"},
    {"a{2}", "ab", "({2,2} a)"},
    {"a{0,1}", "ab", "(? a)"},
    {".", "abc", "[abc]"},
    {"[^a]", "abc", "[bc]"},
    {"[a-b]c", "abc", "(cat [ab] c)"},
    {"[ca]", "abc", "[ac]"},
    {"ab&ba|c", "abc", "(alt (and (cat a b) (cat b a)) c)"},
    {"a&b&c", "abc", "(and a b c)"},
    {"~a*b", "ab", "(cat (not (* a)) b)"},
    {"~~a", "ab", "(not (not a))"},
    {"~(ab)|b", "ab", "(alt (not (cat a b)) b)"},
    {"(a|b)*a(a|b){3}", "ab", "(cat (* (alt a b)) a ({3,3} (alt a b)))"},
    {"((a))", "ab", "a"},
    {"x1Z", "x1Z", "(cat x 1 Z)"},
};

struct GoldenError {
  const char* regex;
  ErrorCode code;
  std::size_t column;
  const char* fragment;
};

const GoldenError kErrors[] = {
    {"a(b", ErrorCode::kUnbalancedParen, 2, "(b"},
    {"(a(b)", ErrorCode::kUnbalancedParen, 1, "(a(b)"},
    {"ab)", ErrorCode::kUnbalancedParen, 3, ")"},
    {"acb", ErrorCode::kSymbolNotInAlphabet, 2, "c"},
    {"[ac]", ErrorCode::kSymbolNotInAlphabet, 3, "c"},
    {"[x-z]", ErrorCode::kSymbolNotInAlphabet, 2, "x-z"},
    {"a\\.", ErrorCode::kSymbolNotInAlphabet, 2, "\\."},
    {"a b", ErrorCode::kSymbolNotInAlphabet, 2, " "},
    {"a{3,1}", ErrorCode::kBadRepeat, 2, "{3,1}"},
    {"a{x}", ErrorCode::kBadRepeat, 2, "{x}"},
    {"a{2", ErrorCode::kBadRepeat, 2, "{2"},
    {"a{1001}", ErrorCode::kBadRepeat, 2, "{1001}"},
    {"a**", ErrorCode::kBadRepeat, 3, "*"},
    {"a*?", ErrorCode::kBadRepeat, 3, "?"},
    {"a}", ErrorCode::kBadRepeat, 2, "}"},
    {"*a", ErrorCode::kNothingToRepeat, 1, "*"},
    {"a|*", ErrorCode::kNothingToRepeat, 3, "*"},
    {"(+a)", ErrorCode::kNothingToRepeat, 2, "+"},
    {"a&{2}", ErrorCode::kNothingToRepeat, 3, "{"},
    {"~*", ErrorCode::kNothingToRepeat, 2, "*"},
    {"a~", ErrorCode::kMissingOperand, 2, "~"},
    {"(~)", ErrorCode::kMissingOperand, 2, "~"},
    {"~|a", ErrorCode::kMissingOperand, 1, "~"},
    {"^a", ErrorCode::kUnsupported, 1, "^"},
    {"a$", ErrorCode::kUnsupported, 2, "$"},
    {"(a)\\1", ErrorCode::kUnsupported, 4, "\\1"},
    {"\\ba", ErrorCode::kUnsupported, 1, "\\b"},
    {"(?=a)", ErrorCode::kUnsupported, 1, "(?="},
    {"(?<!a)b", ErrorCode::kUnsupported, 1, "(?<"},
    {"[ab", ErrorCode::kBadClass, 1, "[ab"},
    {"[]", ErrorCode::kBadClass, 1, "[]"},
    {"[b-a]", ErrorCode::kBadClass, 2, "b-a"},
    {"a]", ErrorCode::kBadClass, 2, "]"},
    {"a\\", ErrorCode::kBadEscape, 2, "\\"},
    {"\\q", ErrorCode::kBadEscape, 1, "\\q"},
};

}  // namespace

TEST(Parse, GoldenTrees) {
  for (const auto& golden : kGolden) {
    const Alphabet sigma = alphabet(golden.symbols);
    const auto parsed = parse_regex(golden.regex, sigma);
    ASSERT_TRUE(parsed.ok()) << golden.regex << ": " << parsed.error().describe();
    EXPECT_EQ(parsed.value().dump(sigma), golden.tree) << "regex " << golden.regex;
  }
}

TEST(Parse, ChildrenPrecedeParents) {
  const Alphabet sigma = alphabet("abc");
  const auto parsed = parse_regex("~(a|b)*c&.{2}|(?:ab)+", sigma);
  ASSERT_TRUE(parsed.ok());
  const auto& nodes = parsed.value().nodes;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (const int child : nodes[i].children) EXPECT_LT(static_cast<std::size_t>(child), i);
  }
}

TEST(Parse, ErrorsCarryCodeColumnAndFragment) {
  const Alphabet sigma = alphabet("ab");
  for (const auto& golden : kErrors) {
    const auto parsed = parse_regex(golden.regex, sigma);
    ASSERT_FALSE(parsed.ok()) << golden.regex << " parsed as " << parsed.value().dump(sigma);
    const Error& error = parsed.error();
    EXPECT_EQ(error_code_name(error.code), std::string(error_code_name(golden.code))) << golden.regex;
    EXPECT_EQ(error.column, golden.column) << golden.regex << ": " << error.describe();
    EXPECT_EQ(error.fragment, golden.fragment) << golden.regex << ": " << error.describe();
    EXPECT_FALSE(error.message.empty());
  }
}

TEST(Parse, MessagesNameTheAlphabetAndWhyUnsupported) {
  const Alphabet sigma = alphabet("ab");
  EXPECT_EQ(parse_regex("acb", sigma).error().describe(),
            "symbol 'c' is not in the alphabet \"ab\" (column 2: 'c')");
  EXPECT_NE(parse_regex("(a)\\1", sigma).error().message.find("regular"), std::string::npos);
}

TEST(Alphabet, RejectsEmptyRepeatedAndForeignSymbols) {
  EXPECT_EQ(Alphabet::parse("").error().code, ErrorCode::kBadAlphabet);
  const auto repeated = Alphabet::parse("aba");
  ASSERT_FALSE(repeated.ok());
  EXPECT_EQ(repeated.error().column, 3U);
  const auto foreign = Alphabet::parse("a-b");
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().column, 2U);
  EXPECT_EQ(foreign.error().fragment, "-");
  const auto ok = Alphabet::parse("01ab");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().index_of('a'), 2);
  EXPECT_EQ(ok.value().index_of('c'), -1);
}

TEST(Parse, DeepNestingNeedsNoRecursion) {
  // Two hundred thousand nested groups would overflow any recursive parser's stack.
  const std::size_t depth = 200000;
  const std::string deep = std::string(depth, '(') + "a" + std::string(depth, ')');
  const Alphabet sigma = alphabet("ab");
  const auto parsed = parse_regex(deep, sigma);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().dump(sigma), "a");
  const std::string unclosed = std::string(depth, '(') + "a";
  const auto error = parse_regex(unclosed, sigma);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().code, ErrorCode::kUnbalancedParen);
  EXPECT_EQ(error.error().column, depth);
}
