#pragma once
// JSON files: read one that may be missing or damaged, write one atomically.
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

namespace regal::io {

// The parsed content of `path`; nullopt when the file is missing, unreadable
// or not valid JSON (the caller decides what that means).
std::optional<nlohmann::json> read_json_file(const std::filesystem::path& path);

// Writes `json` indented by 2 with a final newline, atomically (atomic_file.h).
void write_json_file(const std::filesystem::path& path, const nlohmann::json& json);

}  // namespace regal::io
