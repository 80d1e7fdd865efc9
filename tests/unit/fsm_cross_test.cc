// Exhaustive cross-check: for every regex in the table and every string up to
// length 8 over its alphabet, DFA membership equals an independent oracle —
// RE2's full match for plain syntax, a hand-written predicate for '&' and '~'
// (and for languages that are clearer as predicates).
#include <re2/re2.h>

#include <algorithm>
#include <functional>

#include "fsm_test_util.h"

using namespace regal::fsm;
using regal::fsm::testing::all_strings;
using regal::fsm::testing::compile;

namespace {

using Predicate = std::function<bool(const std::string&)>;

struct Case {
  std::string regex;
  std::string symbols;
  Predicate predicate;  // empty: use RE2 on `regex`
};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
long count_of(const std::string& s, char c) { return std::count(s.begin(), s.end(), c); }

// Tomita 3: no maximal odd block of 1s immediately followed by a maximal odd block of 0s.
bool tomita3(const std::string& s) {
  std::vector<std::pair<char, std::size_t>> blocks;
  for (const char c : s) {
    if (blocks.empty() || blocks.back().first != c) blocks.emplace_back(c, 0);
    ++blocks.back().second;
  }
  for (std::size_t i = 0; i + 1 < blocks.size(); ++i) {
    if (blocks[i].first == '1' && blocks[i].second % 2 == 1 && blocks[i + 1].second % 2 == 1) return false;
  }
  return true;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      // plain syntax, checked against RE2
      {"a", "ab", {}},
      {"ab", "ab", {}},
      {"a|b", "ab", {}},
      {"a*", "ab", {}},
      {"a+", "ab", {}},
      {"a?b", "ab", {}},
      {"(ab)*", "ab", {}},
      {"(a|b)*abb", "ab", {}},
      {"(a|b)*a(a|b){3}", "ab", {}},
      {"a{2,4}", "ab", {}},
      {"a{3}", "ab", {}},
      {"a{0}", "ab", {}},
      {"(ab){2,}", "ab", {}},
      {"((a|b)(a|b))*", "ab", {}},
      {"(b*ab*a)*b*", "ab", {}},
      {"a*b*", "ab", {}},
      {"(a*b*)*", "ab", {}},
      {"(a|)b", "ab", {}},
      {"()", "ab", {}},
      {"", "ab", {}},
      {"(a+b+)+", "ab", {}},
      {"((a*)*b)*", "ab", {}},
      {"(a?){3}b", "ab", {}},
      {"((a|b)*)*", "ab", {}},
      {"(a*)+", "ab", {}},
      {"((ab)?)*", "ab", {}},
      {"(a{1,2}){2,3}", "ab", {}},
      {"(a|b){0,3}", "ab", {}},
      {"(a|b){2}(a|b)?", "ab", {}},
      {"[ab]*a[ab]", "ab", {}},
      {"[^a]*", "ab", {}},
      {".*aa.*", "ab", {}},
      {"a(.*a)?|b(.*b)?", "ab", {}},  // even pairs: first symbol equals last
      {"(?:a|b)(?:b|a)", "ab", {}},
      {"(a|b|c)*c", "abc", {}},
      {"[a-c]{2}", "abc", {}},
      {"(a|bc)*(c|)", "abc", {}},
      {"[^b]+b[^b]*", "abc", {}},
      {"1*", "01", {}},                   // Tomita 1
      {"(10)*", "01", {}},                // Tomita 2
      {"0*1*0*1*", "01", {}},             // Tomita 7
      // '&' and '~', checked against predicates
      {"~(.*000.*)", "01", [](const std::string& s) { return !contains(s, "000"); }},  // Tomita 4
      {"(1*01*0)*1*&(0*10*1)*0*", "01",                                                  // Tomita 5
       [](const std::string& s) { return count_of(s, '0') % 2 == 0 && count_of(s, '1') % 2 == 0; }},
      {"(0(01)*(1|00)|1(10)*(0|11))*", "01",                                             // Tomita 6
       [](const std::string& s) { return (count_of(s, '0') - count_of(s, '1')) % 3 == 0; }},
      {"~(((.*0)|)1(11)*0(00)*((1.*)|))", "01", tomita3},                                 // Tomita 3
      {"(a|b)*a(a|b)*&(a|b)*b(a|b)*", "ab",
       [](const std::string& s) { return contains(s, "a") && contains(s, "b"); }},
      {"~(a*)", "ab", [](const std::string& s) { return contains(s, "b"); }},
      {"~()", "ab", [](const std::string& s) { return !s.empty(); }},
      {".*ab.*&~(.*ba.*)", "ab", [](const std::string& s) { return contains(s, "ab") && !contains(s, "ba"); }},
      {"(a|b)*&.{3,5}", "ab", [](const std::string& s) { return s.size() >= 3 && s.size() <= 5; }},
      {"~(~a&~b)", "ab", [](const std::string& s) { return s == "a" || s == "b"; }},
      {"a*&(aa)*", "ab", [](const std::string& s) { return count_of(s, 'b') == 0 && s.size() % 2 == 0; }},
      {"~(.*aa.*)&~(.*bb.*)", "ab", [](const std::string& s) { return !contains(s, "aa") && !contains(s, "bb"); }},
      {"[abc]*&~(.*c.*)", "abc", [](const std::string& s) { return !contains(s, "c"); }},
      {"~(a|b)*", "ab", [](const std::string&) { return false; }},
      {"(a|b)*&a&b", "ab", [](const std::string&) { return false; }},
      {"~~(ab)*", "ab", [](const std::string& s) { return RE2::FullMatch(s, "(ab)*"); }},
      {"~a*b", "ab",  // (Σ* \ a*) then b: some prefix that is not all a's, then b
       [](const std::string& s) { return !s.empty() && s.back() == 'b' && contains(s.substr(0, s.size() - 1), "b"); }},
      {"(~(.*b.*)b)*", "ab", [](const std::string& s) { return s.empty() || s.back() == 'b'; }},
      {"~(a{2,})&(a|b){1,4}", "ab",
       [](const std::string& s) { return !s.empty() && s.size() <= 4 && (s.size() < 2 || contains(s, "b")); }},
  };
  return table;
}

}  // namespace

TEST(CrossCheck, TableIsLargeEnough) { EXPECT_GE(cases().size(), 40U); }

TEST(CrossCheck, DfaAgreesWithOracleOnEveryStringUpToLength8) {
  for (const Case& c : cases()) {
    const Dfa dfa = compile(c.regex, c.symbols);
    Predicate oracle = c.predicate;
    if (!oracle) {
      auto re2 = std::make_shared<RE2>(c.regex.empty() ? "(?:)" : c.regex);
      ASSERT_TRUE(re2->ok()) << c.regex << ": " << re2->error();
      oracle = [re2](const std::string& s) { return RE2::FullMatch(s, *re2); };
    }
    std::size_t mismatches = 0;
    for (const std::string& s : all_strings(c.symbols, 8)) {
      const bool expected = oracle(s);
      if (dfa.accepts_text(s) != expected && ++mismatches <= 3) {
        ADD_FAILURE() << "regex " << c.regex << " on \"" << s << "\": DFA says " << !expected << ", oracle "
                      << expected;
      }
    }
    EXPECT_EQ(mismatches, 0U) << c.regex;
  }
}
