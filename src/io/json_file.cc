#include "io/json_file.h"

#include <fstream>

#include "io/atomic_file.h"

namespace regal::io {

std::optional<nlohmann::json> read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return std::nullopt;
  return json;
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& json) {
  write_file_atomic(path, json.dump(2) + "\n");
}

}  // namespace regal::io
