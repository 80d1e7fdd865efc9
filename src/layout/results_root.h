#pragma once
// The results root (`--results`, default results/): checked before anything
// is written into it.
#include <filesystem>

namespace regal::layout {

// Creates the folder when missing. Throws InputError, in one line naming the
// path, when it is a file, cannot be created, or cannot be written.
void prepare_results_root(const std::filesystem::path& root);

}  // namespace regal::layout
