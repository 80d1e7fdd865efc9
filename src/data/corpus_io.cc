// corpus.h5 read and write (layout in corpus_io.h), through the checked HDF5
// wrapper; writes go to a temporary name and are renamed into place.
#include "data/corpus_io.h"

#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "io/hdf5.h"
#include "util/error.h"

namespace regal::data {

void save_corpus(const std::filesystem::path& path, const Corpus& corpus) {
  io::produce_file_atomic(path, [&](const std::filesystem::path& tmp) {
    io::h5::File file = io::h5::File::create(tmp);
    file.set_attribute("alphabet", corpus.alphabet);
    file.set_attribute("regex", corpus.regex);
    file.set_attribute("dfa_hash", corpus.dfa_hash);
    file.set_attribute("config", corpus.config_json);
    file.set_attribute("generator", corpus.generator);
    nlohmann::json held_out = nlohmann::json::array();
    for (const Edge& e : corpus.held_out) held_out.push_back({e.state, e.symbol});
    file.set_attribute("held_out", held_out.dump());
    nlohmann::json shortfalls = nlohmann::json::array();
    for (const Shortfall& s : corpus.shortfalls) shortfalls.push_back({s.split, s.length, s.label, s.asked, s.got});
    file.set_attribute("shortfalls", shortfalls.dump());
    if (!corpus.classes.empty()) file.set_attribute("classes", nlohmann::json(corpus.classes).dump());
    for (const Split& split : corpus.splits) {
      const io::h5::Group group = file.create_group(split.name);
      group.write("tokens", split.tokens);
      group.write("offsets", split.offsets);
      group.write("labels", split.labels);
      if (split.name == "test_border") {
        group.write("pair", split.pair);
        group.write("long", split.is_long);
      }
    }
    file.close();
  });
}

Corpus load_corpus(const std::filesystem::path& path) {
  const io::h5::File file = io::h5::File::open(path);
  Corpus corpus;
  corpus.alphabet = file.string_attribute("alphabet");
  corpus.regex = file.string_attribute("regex");
  corpus.dfa_hash = file.string_attribute("dfa_hash");
  corpus.config_json = file.string_attribute("config");
  corpus.generator = file.string_attribute("generator");
  try {
    for (const auto& e : nlohmann::json::parse(file.string_attribute("held_out"))) {
      corpus.held_out.push_back({e.at(0).get<std::uint32_t>(), e.at(1).get<std::uint32_t>()});
    }
    for (const auto& s : nlohmann::json::parse(file.string_attribute("shortfalls"))) {
      corpus.shortfalls.push_back({s.at(0).get<std::string>(), s.at(1).get<std::size_t>(), s.at(2).get<std::string>(),
                                   s.at(3).get<std::size_t>(), s.at(4).get<std::size_t>()});
    }
    if (file.has_attribute("classes")) {
      corpus.classes = nlohmann::json::parse(file.string_attribute("classes")).get<std::vector<std::string>>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw IoError("corpus " + path.string() + ": malformed attribute: " + e.what());
  }
  for (const char* name : kSplitNames) {
    if (!file.has(name)) continue;
    const io::h5::Group group = file.open_group(name);
    Split split(name);
    split.tokens = group.read<std::uint8_t>("tokens");
    split.offsets = group.read<std::uint64_t>("offsets");
    split.labels = group.read<std::uint8_t>("labels");
    if (split.name == "test_border") {
      split.pair = group.read<std::uint64_t>("pair");
      split.is_long = group.read<std::uint8_t>("long");
    }
    const bool consistent = split.offsets.size() == split.labels.size() + 1 && split.offsets.front() == 0 &&
                            split.offsets.back() == split.tokens.size();
    if (!consistent) throw IoError("corpus " + path.string() + ": split " + split.name + " is inconsistent");
    corpus.splits.push_back(std::move(split));
  }
  return corpus;
}

}  // namespace regal::data
