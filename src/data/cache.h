#pragma once
// The corpus cache: runs with the same language, data config and seed share
// one corpus.h5 under <cache_root>/<key>/.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "data/generate.h"
#include "data/telemetry.h"

namespace regal::data {

// 16 hex digits of SHA-256 over (generator version, canonical DFA hash, a
// task's class names, resolved data config with its seed). Equal inputs give
// equal keys anywhere.
std::string cache_key(const Language& language, const DataConfig& config, std::uint64_t run_seed);

struct CachedCorpus {
  Corpus corpus;
  Provenance provenance;   // key, hit or not, seconds
  nlohmann::json telemetry;  // telemetry.json content
};

// Loads <cache_root>/<key>/corpus.h5 when present (logging the hit), else
// generates it and stores it there atomically. A cached file that cannot be
// read is regenerated (with a warning). Concurrent writers of one key are
// safe: each renames a complete file into place and the contents are equal.
CachedCorpus load_or_generate(const Language& language, const DataConfig& config, std::uint64_t run_seed,
                              const std::filesystem::path& cache_root);

}  // namespace regal::data
