#include <set>

#include "fsm_test_util.h"
#include "util/rng.h"

using namespace regal::fsm;
using regal::Rng;
using regal::fsm::testing::alphabet;
using regal::fsm::testing::all_strings;
using regal::fsm::testing::compile;

TEST(Canonical, EqualLanguagesGiveIdenticalTablesAndHashes) {
  const std::vector<std::pair<std::string, std::string>> same = {
      {"(a|b)*", "(a*b*)*"},
      {"a+", "aa*"},
      {"(ab)*a", "a(ba)*"},
      {"(a|b)*", "~(~(a|b)*)"},
      {"a(a|b)*", "a(b|a)*"},
      {"(b*ab*a)*b*", "b*(ab*ab*)*"},
      {"a{2,3}", "aa|aaa"},
      {"~(.*aa.*)", "(b|ab)*(a|)"},
  };
  for (const auto& [left, right] : same) {
    const Dfa a = compile(left);
    const Dfa b = compile(right);
    EXPECT_EQ(a, b) << left << " vs " << right;
    EXPECT_EQ(content_hash(a), content_hash(b)) << left << " vs " << right;
    EXPECT_TRUE(equivalent(a, b));
  }
}

TEST(Canonical, DifferentLanguagesDiffer) {
  const std::vector<std::string> regexes = {"a*", "a+", "(ab)*", "b*", "(a|b)*", "a*b*", "()", "~()"};
  std::set<std::string> hashes;
  for (const auto& regex : regexes) hashes.insert(content_hash(compile(regex)));
  EXPECT_EQ(hashes.size(), regexes.size());
  // Same table shape, other symbols: a different language, a different hash.
  EXPECT_NE(content_hash(compile("a*", "ab")), content_hash(compile("x*", "xy")));
}

TEST(Minimal, KnownStateCounts) {
  EXPECT_EQ(compile("(b*ab*a)*b*").num_states(), 2U);
  EXPECT_EQ(compile("a+").num_states(), 3U);  // start, accepting, dead
  EXPECT_EQ(compile("(a|b)*a(a|b){3}").num_states(), 16U);
  EXPECT_EQ(compile("(a|b)*").num_states(), 1U);
  EXPECT_EQ(compile("~(a|b)*").num_states(), 1U);
  EXPECT_EQ(compile("(0(01)*(1|00)|1(10)*(0|11))*", "01").num_states(), 3U);
}

// Naive table-filling distinguishability: every pair of states of a minimal
// DFA must be told apart by some string.
bool all_states_distinguishable(const Dfa& dfa) {
  const std::size_t n = dfa.num_states();
  std::vector<std::vector<bool>> distinct(n, std::vector<bool>(n, false));
  for (StateId p = 0; p < n; ++p) {
    for (StateId q = 0; q < n; ++q) distinct[p][q] = dfa.is_accepting(p) != dfa.is_accepting(q);
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (StateId p = 0; p < n; ++p) {
      for (StateId q = 0; q < n; ++q) {
        if (distinct[p][q]) continue;
        for (int s = 0; s < dfa.num_symbols(); ++s) {
          if (distinct[dfa.next(p, s)][dfa.next(q, s)]) {
            distinct[p][q] = true;
            changed = true;
            break;
          }
        }
      }
    }
  }
  for (StateId p = 0; p < n; ++p) {
    for (StateId q = p + 1; q < n; ++q) {
      if (!distinct[p][q]) return false;
    }
  }
  return true;
}

TEST(Minimal, HopcroftAgreesWithTableFillingOnRandomAutomata) {
  Rng rng(2024);
  for (int trial = 0; trial < 200; ++trial) {
    const std::string symbols = trial % 2 == 0 ? "ab" : "abc";
    const std::size_t n = 1 + rng.below(40);
    const auto k = symbols.size();
    std::vector<StateId> transitions(n * k);
    for (auto& t : transitions) t = static_cast<StateId>(rng.below(n));
    std::vector<std::uint8_t> accepting(n);
    for (auto& a : accepting) a = rng.below(3) == 0 ? 1 : 0;
    const Dfa original(alphabet(symbols), static_cast<StateId>(rng.below(n)), transitions, accepting);
    const Dfa minimal = minimize(original);
    EXPECT_LE(minimal.num_states(), n);
    EXPECT_EQ(minimal.start(), 0U);
    EXPECT_TRUE(all_states_distinguishable(minimal)) << "trial " << trial;
    for (const auto& s : all_strings(symbols, 6)) {
      ASSERT_EQ(minimal.accepts_text(s), original.accepts_text(s)) << "trial " << trial << " on " << s;
    }
    EXPECT_EQ(minimize(minimal), minimal) << "minimising twice changes nothing";
  }
}

TEST(Operations, ComplementIntersectEquivalent) {
  const Dfa even_a = compile("(b*ab*a)*b*");
  const Dfa ends_b = compile("(a|b)*b");
  EXPECT_EQ(complement(complement(even_a)), even_a);
  const auto nothing = intersect(even_a, complement(even_a));
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing.value().num_accepting(), 0U);
  const auto both = intersect(even_a, ends_b);
  ASSERT_TRUE(both.ok());
  for (const auto& s : all_strings("ab", 8)) {
    EXPECT_EQ(both.value().accepts_text(s), even_a.accepts_text(s) && ends_b.accepts_text(s)) << s;
    EXPECT_NE(complement(ends_b).accepts_text(s), ends_b.accepts_text(s)) << s;
  }
  EXPECT_TRUE(equivalent(both.value(), compile("(b*ab*a)*b*&(a|b)*b")));
  EXPECT_FALSE(equivalent(even_a, ends_b));
  EXPECT_FALSE(equivalent(compile("a*", "ab"), compile("a*", "abc")));
}

// Found by tests/fuzz/regex_fuzzer: repeating an empty intersection copied a
// fragment whose accept state the start cannot reach, and compile threw.
TEST(Operations, RepeatingAnEmptyLanguageIsEmpty) {
  for (const std::string regex : {"(a.b&b){2}", "(a&b)+", "(~(a|b)*){1,3}", "(a&b)*"}) {
    const Dfa dfa = compile(regex);
    for (const auto& s : all_strings("ab", 6)) {
      const bool star = regex.back() == '*';
      EXPECT_EQ(dfa.accepts_text(s), star && s.empty()) << regex << " on '" << s << "'";
    }
  }
}

TEST(Operations, MembershipOfTextOutsideTheAlphabetIsFalse) {
  const Dfa dfa = compile("(a|b)*");
  EXPECT_TRUE(dfa.accepts_text("abba"));
  EXPECT_FALSE(dfa.accepts_text("abca"));
  EXPECT_TRUE(dfa.accepts_text(""));
}

TEST(Budget, ExponentialBlowUpIsAnOrdinaryError) {
  const auto result = compile_regex("(a|b)*a(a|b){20}", alphabet("ab"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kStateBudget);
  EXPECT_NE(result.error().message.find("100000"), std::string::npos);
  // The same family under the budget compiles, and a tight budget is honoured.
  EXPECT_TRUE(compile_regex("(a|b)*a(a|b){10}", alphabet("ab")).ok());
  const auto tight = compile_regex("(a|b)*a(a|b){10}", alphabet("ab"), CompileOptions{100});
  ASSERT_FALSE(tight.ok());
  EXPECT_EQ(tight.error().code, ErrorCode::kStateBudget);
  // Nested repeats that would need billions of NFA states stop early.
  const auto nested = compile_regex("((a{1000}){1000}){1000}", alphabet("ab"));
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().code, ErrorCode::kStateBudget);
}

TEST(Budget, DeepTreesCompileWithoutRecursion) {
  const std::size_t depth = 100000;
  EXPECT_EQ(compile(std::string(depth, '(') + "a" + std::string(depth, ')')), compile("a"));
  std::string alternatives = "a";
  for (int i = 0; i < 20000; ++i) alternatives += "|a";
  EXPECT_EQ(compile(alternatives), compile("a"));
  EXPECT_EQ(compile(std::string(400, '~') + "(ab)*"), compile("(ab)*"));
  EXPECT_EQ(compile(std::string(401, '~') + "(ab)*"), compile("~((ab)*)"));
}

TEST(Serialize, JsonRoundTripIsIdentical) {
  for (const std::string regex : {"(b*ab*a)*b*", "a+", "~(.*aa.*)", "()", "~(a|b)*"}) {
    const Dfa dfa = compile(regex);
    const std::string text = to_json(dfa, regex).dump();
    const auto loaded = from_json(text);
    ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
    EXPECT_EQ(loaded.value().dfa, dfa);
    EXPECT_EQ(loaded.value().regex, regex);
    EXPECT_EQ(to_json(loaded.value().dfa, regex).dump(), text);
  }
}

TEST(Serialize, CorruptFilesAreErrorsNamingTheField) {
  nlohmann::json doc = to_json(compile("a+"), "a+");
  doc["transitions"][0][0] = 2;  // edited by hand: the hash no longer matches
  auto edited = from_json(doc.dump());
  ASSERT_FALSE(edited.ok());
  EXPECT_EQ(edited.error().code, ErrorCode::kBadFile);
  EXPECT_NE(edited.error().message.find("hash"), std::string::npos);

  doc = to_json(compile("a+"), "a+");
  doc.erase("start");
  EXPECT_NE(from_json(doc.dump()).error().message.find("'start'"), std::string::npos);
  doc = to_json(compile("a+"), "a+");
  doc["transitions"][1][0] = 99;
  EXPECT_NE(from_json(doc.dump()).error().message.find("state 99"), std::string::npos);
  EXPECT_EQ(from_json("not json").error().code, ErrorCode::kBadFile);
}

TEST(Serialize, DotMarksAcceptingAndDeadStates) {
  const std::string dot = to_dot(compile("a+"), "a+");
  EXPECT_NE(dot.find("digraph fsm"), std::string::npos);
  EXPECT_NE(dot.find("q1 [label=\"1\", shape=doublecircle]"), std::string::npos);
  EXPECT_NE(dot.find("q2 -> q2 [label=\"a,b\""), std::string::npos);  // parallel edges merged
  EXPECT_NE(dot.find("style=dashed"), std::string::npos);             // the dead state
}

// One-edit neighbourhoods, against brute force: every string up to length 6,
// every edit written out by hand (substitute, delete, insert anywhere).
namespace edits {

std::set<std::string> neighbours(const std::string& x, const std::string& symbols, EditOps ops) {
  std::set<std::string> out;
  for (std::size_t i = 0; i <= x.size(); ++i) {
    for (const char s : symbols) {
      if ((ops & kSubstitute) && i < x.size() && s != x[i]) out.insert(x.substr(0, i) + s + x.substr(i + 1));
      if (ops & kInsert) out.insert(x.substr(0, i) + s + x.substr(i));
    }
    if ((ops & kDelete) && i < x.size()) out.insert(x.substr(0, i) + x.substr(i + 1));
  }
  return out;
}

struct Case {
  std::string from, to, symbols;
};
const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"(ab)*", "~((ab)*)", "ab"},          // partners outside (ab)*
      {"a*b*", "b(a|b)*", "ab"},            // disjoint, partners of another shape
      {"(a|b)*aa(a|b)*", "~((a|b)*aa(a|b)*)", "ab"},
      {"(b|c)*a(b|c)*", "(b|c)*", "abc"},   // exactly one a → no a: only deletions and substitutions reach it
      {"(a|b|c)*", "(a|b|c)*c", "abc"},
  };
  return all;
}
const std::vector<EditOps> kOps = {kSubstitute, kDelete, kInsert, kSubstitute | kDelete, kSubstitute | kInsert, kAnyEdit};

}  // namespace edits

TEST(Edits, OneEditAutomatonHoldsExactlyTheStringsWithAPartner) {
  for (const auto& c : edits::cases()) {
    const Dfa from = compile(c.from, c.symbols), to = compile(c.to, c.symbols);
    for (const EditOps ops : edits::kOps) {
      const Dfa border = one_edit_into(from, to, ops).take_or_throw();
      for (const std::string& x : all_strings(c.symbols, 6)) {
        bool has_partner = false;
        for (const std::string& y : edits::neighbours(x, c.symbols, ops)) has_partner = has_partner || to.accepts_text(y);
        EXPECT_EQ(border.accepts_text(x), from.accepts_text(x) && has_partner)
            << c.from << " → " << c.to << ", ops " << ops << ", x = '" << x << "'";
      }
    }
  }
}

TEST(Edits, EditsIntoListEachDistinctPartnerOnce) {
  for (const auto& c : edits::cases()) {
    const Alphabet sigma = alphabet(c.symbols);
    const Dfa to = compile(c.to, c.symbols);
    for (const EditOps ops : edits::kOps) {
      for (const std::string& x : all_strings(c.symbols, 6)) {
        std::string indices;
        for (const char ch : x) indices += static_cast<char>(sigma.index_of(ch));
        const auto listed = edits_into(to, reinterpret_cast<const std::uint8_t*>(indices.data()), x.size(), ops);
        std::multiset<std::string> got;
        for (const Edit& edit : listed) {
          std::string y;
          for (const char index : apply_edit(indices, edit)) y += sigma.symbol(index);
          got.insert(y);
        }
        std::multiset<std::string> expected;
        for (const std::string& y : edits::neighbours(x, c.symbols, ops)) {
          if (to.accepts_text(y)) expected.insert(y);
        }
        EXPECT_EQ(got, expected) << c.to << ", ops " << ops << ", x = '" << x << "'";
      }
    }
  }
}
