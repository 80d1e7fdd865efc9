#pragma once
// Text helpers: typo suggestions for error messages, time stamps.
#include <string>
#include <string_view>
#include <vector>

namespace regal {

// Levenshtein distance between a and b.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` by edit distance, or "" when none is close
// enough to be a plausible typo (distance over a third of the longer word, +2).
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" when a close candidate exists, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// The current UTC time, "2026-11-22T02:58:01Z".
std::string utc_now();

// This machine's name ("unknown" when it cannot be read).
std::string host_name();

}  // namespace regal
