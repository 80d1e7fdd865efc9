#pragma once
// Which keys of an experiment (experiment.json) do what, declared in one place
// beside the schema (experiment/experiment.cc writes it). The two lists below
// differ on purpose: a language's name is a label (not identity) but a useful
// table column; its regex and alphabet are identity but the name stands for
// them in tables.
#include <array>

namespace regal::layout {

// Left out of a run's identity (its run_id): labels and where it runs.
inline constexpr std::array<const char*, 5> kNotIdentity = {"name", "description", "device", "threads", "language.name"};

// Settings added after run ids were first written. Each enters a run's
// identity only when it differs from its default, so adding a setting keeps
// every existing id (tests/golden/run_ids.txt). Every key added from now on
// goes here.
inline constexpr std::array<const char*, 14> kIdentityWhenSet = {
    "train.deterministic", "train.shuffle_labels", "train.schedule_steps", "language.classes", "language.generator",
    "language.n",          "language.operators",   "language.fsm",         "data.sampling",    "data.train_mode",
    "train.target",        "eval.checkpoint",      "data.border_edits",    "train.aux_weight"};

// Not shown as axes when `aggregate` infers axes from experiment.json (a
// folder without plan.json): labels, machine settings, and what the language
// name already says.
inline constexpr std::array<const char*, 11> kNotAxes = {
    "name",           "description",        "device",      "threads",           "language.regex", "language.alphabet",
    "language.classes", "language.generator", "language.n", "language.operators", "language.fsm"};

}  // namespace regal::layout
