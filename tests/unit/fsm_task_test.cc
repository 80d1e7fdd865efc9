// Classification tasks: the generators against direct evaluators written
// here, per-class regexes (disjointness with a witness, the product's
// labels), labelled fsm.json, per-class counting.
#include <optional>

#include "fsm_test_util.h"
#include "util/error.h"

using namespace regal::fsm;
using regal::fsm::testing::all_strings;

namespace {

Symbols symbols_of(const Task& task, const std::string& text) {
  Symbols out;
  for (const char c : text) out.push_back(static_cast<std::uint8_t>(task.dfa.alphabet().index_of(c)));
  return out;
}

std::optional<int> label_of(const Task& task, const std::string& text) {
  const Symbols s = symbols_of(task, text);
  const auto c = task.classify(s.data(), s.size());
  if (!c) return std::nullopt;
  return std::stoi(task.classes.at(*c));
}

// Direct evaluator: walk the cycle.
int navigate(const std::string& moves, int n) {
  int position = 0;
  for (const char move : moves) {
    if (move == '1') position = (position + 1) % n;
    if (move == '2') position = (position + n - 1) % n;
  }
  return position;
}

// Direct evaluator: tokenise "d (op d)*", fold products first, then sums,
// in plain integers (no modular shortcut), reduce at the end. nullopt when
// the text is not such an expression.
std::optional<int> evaluate(const std::string& text, int modulus) {
  if (text.size() % 2 == 0) return std::nullopt;
  std::vector<long long> terms;
  std::vector<int> signs{1};
  long long term = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool digit = c >= '0' && c <= '9';
    if ((i % 2 == 0) != digit) return std::nullopt;
    if (digit) {
      const int d = c - '0';
      term = (i == 0 || text[i - 1] != 'x') ? d : term * d;
      if (i + 1 == text.size() || text[i + 1] != 'x') terms.push_back(term);
    } else if (c == 'p' || c == 'm') {
      signs.push_back(c == 'p' ? 1 : -1);
    }
  }
  long long value = 0;
  for (std::size_t t = 0; t < terms.size(); ++t) value += signs[t] * terms[t];
  return static_cast<int>(((value % modulus) + modulus) % modulus);
}

}  // namespace

TEST(Generators, CycleNavigationMatchesAWalkForEveryStringUpToLength7) {
  for (const int n : {2, 5}) {
    const Task task = cycle_navigation(n);
    EXPECT_EQ(task.num_classes(), static_cast<std::size_t>(n));
    EXPECT_FALSE(task.is_recogniser());
    for (const auto& text : all_strings("012", 7)) EXPECT_EQ(label_of(task, text), navigate(text, n)) << text;
  }
}

TEST(Generators, ModularArithmeticMatchesADirectEvaluatorForEveryStringUpToLength7) {
  for (const auto& [modulus, operators] : std::vector<std::pair<int, std::string>>{{5, "pmx"}, {3, "px"}, {4, "m"}}) {
    const Task task = modular_arithmetic(modulus, operators);
    EXPECT_EQ(task.dfa.alphabet().symbols().substr(static_cast<std::size_t>(static_cast<unsigned>(modulus))), operators);
    std::size_t in_domain = 0;
    for (const auto& text : all_strings(task.dfa.alphabet().symbols(), 7)) {
      const auto expected = evaluate(text, modulus);
      EXPECT_EQ(label_of(task, text), expected) << text << " mod " << modulus;
      if (expected) ++in_domain;
    }
    EXPECT_GT(in_domain, 0u);
  }
  // Precedence is what tells 1+2x3 (7 = 2 mod 5) from left to right (9 = 4).
  EXPECT_EQ(label_of(modular_arithmetic(5, "pmx"), "1p2x3"), 2);
  EXPECT_EQ(label_of(modular_arithmetic(5, "pmx"), "2m3x4"), 0);  // 2 - 12 = -10
}

TEST(Generators, BadParametersAreInputErrors) {
  EXPECT_THROW(cycle_navigation(1), regal::InputError);
  EXPECT_THROW(modular_arithmetic(11, "p"), regal::InputError);
  EXPECT_THROW(modular_arithmetic(5, "pq"), regal::InputError);
  EXPECT_THROW(modular_arithmetic(5, "pp"), regal::InputError);
}

TEST(Classes, DisjointRegexesGiveALabelledProductAndOverlapsNameAWitness) {
  const auto alpha = Alphabet::parse("ab").take_or_throw();
  const auto task = task_from_classes({{"even", "(b*ab*a)*b*"}, {"odd", "b*a(b*ab*a)*b*"}}, alpha);
  ASSERT_TRUE(task) << task.error().describe();
  EXPECT_EQ(task.value().num_classes(), 2u);
  EXPECT_FALSE(task.value().is_recogniser());  // named even/odd
  for (const auto& text : all_strings("ab", 6)) {
    const auto count = static_cast<int>(std::count(text.begin(), text.end(), 'a'));
    const Symbols s = symbols_of(task.value(), text);
    EXPECT_EQ(task.value().classify(s.data(), s.size()), std::optional<std::uint8_t>(count % 2)) << text;
  }
  // A union short of Σ*: strings of neither class are outside the domain.
  const auto partial = task_from_classes({{"as", "a+"}, {"bs", "b+"}}, alpha);
  ASSERT_TRUE(partial);
  const Symbols mixed = symbols_of(partial.value(), "ab");
  EXPECT_EQ(partial.value().classify(mixed.data(), mixed.size()), std::nullopt);

  const auto overlap = task_from_classes({{"x", "a*"}, {"y", "b*"}, {"z", "ab"}}, alpha);
  ASSERT_FALSE(overlap);
  EXPECT_EQ(overlap.error().code, ErrorCode::kBadTask);
  EXPECT_NE(overlap.error().message.find("'x' and 'y' overlap: both match the empty string"), std::string::npos)
      << overlap.error().message;
  const auto overlap2 = task_from_classes({{"x", "a(a|b)*"}, {"y", "(a|b)*b"}}, alpha);
  ASSERT_FALSE(overlap2);
  EXPECT_NE(overlap2.error().message.find("both match 'ab'"), std::string::npos) << overlap2.error().message;
  const auto empty = task_from_classes({{"x", "a"}, {"y", "a&b"}}, alpha);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("class 'y'"), std::string::npos);
}

TEST(Classes, ARecogniserKeepsItsBinaryHashAndJson) {
  const Dfa dfa = regal::fsm::testing::compile("(b*ab*a)*b*");
  const Task task = recogniser(dfa, "(b*ab*a)*b*");
  EXPECT_TRUE(task.is_recogniser());
  EXPECT_EQ(to_json(task), to_json(dfa, "(b*ab*a)*b*"));
  // A task's labels are part of its hash: even/odd differ from the recogniser.
  const auto named = task_from_classes({{"even", "(b*ab*a)*b*"}, {"odd", "b*a(b*ab*a)*b*"}}, dfa.alphabet());
  EXPECT_NE(content_hash(named.value().dfa), content_hash(dfa));
}

TEST(LabelledJson, RoundTripsAndRejectsUnlabelledStatesAndUnreachableClasses) {
  const Task task = modular_arithmetic(3, "px");
  const nlohmann::json doc = to_json(task);
  EXPECT_FALSE(doc.contains("accepting"));
  const auto loaded = task_from_json(doc.dump(), "saved");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  EXPECT_EQ(loaded.value().dfa, task.dfa);
  EXPECT_EQ(loaded.value().classes, task.classes);
  const auto reloaded = from_json(doc.dump());
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded.value().classes, task.classes);

  // Written by hand: not minimal, no hash; a redundant state merges away.
  const std::string by_hand = R"({"alphabet": "ab", "states": 3, "start": 0, "classes": ["x", "y"],
      "labels": ["x", "y", "y"], "transitions": [[1, 0], [2, 0], [1, 0]]})";
  const auto hand = task_from_json(by_hand, "hand.json");
  ASSERT_TRUE(hand) << hand.error().describe();
  EXPECT_EQ(hand.value().dfa.num_states(), 2u);

  nlohmann::json missing = nlohmann::json::parse(by_hand);
  missing["labels"] = {"x", "y"};
  const auto no_label = task_from_json(missing.dump(), "f");
  ASSERT_FALSE(no_label);
  EXPECT_NE(no_label.error().message.find("state 2 has no label"), std::string::npos) << no_label.error().message;

  nlohmann::json unreachable = nlohmann::json::parse(by_hand);
  unreachable["classes"] = {"x", "y", "z"};
  unreachable["states"] = 4;
  unreachable["labels"] = {"x", "y", "y", "z"};
  unreachable["transitions"] = {{1, 0}, {2, 0}, {1, 0}, {3, 3}};
  const auto lost = task_from_json(unreachable.dump(), "f");
  ASSERT_FALSE(lost);
  EXPECT_NE(lost.error().message.find("class 'z' is carried by no state reachable"), std::string::npos);

  nlohmann::json unknown = nlohmann::json::parse(by_hand);
  unknown["labels"] = {"x", "w", "y"};
  EXPECT_NE(task_from_json(unknown.dump(), "f").error().message.find("'w'"), std::string::npos);
}

TEST(Classes, ClassLanguagesPartitionTheDomain) {
  const Task task = modular_arithmetic(5, "pmx");
  const Dfa domain = domain_language(task.dfa);
  std::vector<Count> total(8);
  for (std::uint8_t c = 0; c < task.num_classes(); ++c) {
    const auto counts = count_accepted(class_language(task.dfa, c), 7);
    for (std::size_t n = 0; n <= 7; ++n) total[n] += counts[n];
  }
  EXPECT_EQ(total, count_accepted(domain, 7));
  EXPECT_TRUE(total[2].is_zero());
  EXPECT_EQ(total[3], Count(5 * 3 * 5));
}
