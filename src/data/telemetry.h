#pragma once
// telemetry.json: what a corpus holds, per split, and how it was obtained.
#include <string>

#include <nlohmann/json.hpp>

#include "data/corpus.h"
#include "fsm/dfa.h"

namespace regal::data {

struct Provenance {
  std::string cache_key;          // the corpus cache key
  bool cache_hit = false;         // loaded rather than generated
  double seconds = 0;             // generation (or loading) wall time
};

// Per split: strings, accepted, rejected, strings per length, distinct
// strings, shortfalls, and the fraction of live DFA transitions (both ends
// live) that the split's strings traverse. Plus held-out transitions and the
// provenance. Computed from the corpus alone, so a cache hit reports the same
// numbers as the generation did.
nlohmann::json telemetry(const Corpus& corpus, const fsm::Dfa& dfa, const Provenance& provenance);

}  // namespace regal::data
