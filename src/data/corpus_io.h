#pragma once
// corpus.h5: one group per split (/train, /val, /test_id, /test_len_ood,
// /test_edge_ood, /test_border) with datasets tokens (uint8), offsets (uint64,
// n+1), labels (uint8); test_border also pair (uint64) and long (uint8). File
// attributes: alphabet, regex, dfa_hash, config (JSON), generator, held_out
// (JSON list of [state, symbol]) and shortfalls (JSON).
#include <filesystem>

#include "data/corpus.h"

namespace regal::data {

// Writes atomically (temporary name, then rename). Throws IoError.
void save_corpus(const std::filesystem::path& path, const Corpus& corpus);

// Reads a corpus written by save_corpus. Throws IoError when the file is
// missing, unreadable or inconsistent (offsets that do not fit the tokens).
Corpus load_corpus(const std::filesystem::path& path);

}  // namespace regal::data
