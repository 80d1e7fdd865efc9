#pragma once
// CSV as RFC 4180 writes and reads it: fields with a comma, quote or line
// break are quoted, quotes doubled, lines end in CRLF.
#include <string>
#include <string_view>
#include <vector>

namespace regal {

// One record with its CRLF.
std::string csv_line(const std::vector<std::string>& fields);

// Every record of `text` (CRLF or LF line ends; quoted fields may hold line
// breaks). Throws std::invalid_argument naming the record for an unterminated quote.
std::vector<std::vector<std::string>> parse_csv(std::string_view text);

}  // namespace regal
