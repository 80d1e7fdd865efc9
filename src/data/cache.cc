#include "data/cache.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "data/corpus_io.h"
#include "io/hash.h"
#include "util/error.h"

namespace regal::data {

std::string cache_key(const Language& language, const DataConfig& config, std::uint64_t run_seed) {
  DataConfig resolved = config;
  resolved.seed = corpus_seed(config, run_seed);
  io::Sha256 hash;
  hash.update(kGeneratorVersion).update("\n").update(fsm::content_hash(language.dfa)).update("\n");
  if (!language.classes.empty()) hash.update(nlohmann::json(language.classes).dump()).update("\n");
  hash.update(resolved.identity_json().dump());
  return hash.hex_digest().substr(0, 16);
}

namespace {

// The corpus file's digests (the lab notebook records what data a run saw).
void add_digests(nlohmann::json& report, const std::filesystem::path& path) {
  const io::FileDigests digests = io::file_digests(path);
  report["corpus_md5"] = digests.md5;
  report["corpus_sha256"] = digests.sha256;
}

}  // namespace

CachedCorpus load_or_generate(const Language& language, const DataConfig& config, std::uint64_t run_seed,
                              const std::filesystem::path& cache_root) {
  config.validate();
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  const std::string key = cache_key(language, config, run_seed);
  const std::filesystem::path path = cache_root / key / "corpus.h5";
  if (std::filesystem::exists(path)) {
    try {
      Corpus corpus = load_corpus(path);
      spdlog::info("corpus cache hit: {} ({})", key, path.string());
      Provenance provenance{key, true, seconds()};
      nlohmann::json report = telemetry(corpus, language.dfa, provenance);
      add_digests(report, path);
      return {std::move(corpus), provenance, std::move(report)};
    } catch (const IoError& e) {
      spdlog::warn("corpus cache entry {} is unreadable ({}); generating it again", key, e.what());
    }
  }
  Corpus corpus = generate_corpus(language, config, run_seed);
  save_corpus(path, corpus);
  Provenance provenance{key, false, seconds()};
  spdlog::info("corpus generated in {:.2f}s and cached as {}", provenance.seconds, key);
  nlohmann::json report = telemetry(corpus, language.dfa, provenance);
  add_digests(report, path);
  return {std::move(corpus), provenance, std::move(report)};
}

}  // namespace regal::data
