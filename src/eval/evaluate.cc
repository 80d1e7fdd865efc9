// The torch edge of evaluation. Passes are built on the host (pinned memory
// when the model is on a GPU, so the copy does not block) and every pass's
// per-string outputs stay on the device until the split is done: one copy
// back per split, not one synchronisation per pass.
#include "eval/evaluate.h"

#include "data/batches.h"
#include "util/progress.h"

namespace regal::eval {

namespace {

// The class of every prefix of `symbols` by `dfa` into out[0..length),
// kIgnoredLabel where the prefix is outside the domain.
void write_prefix_labels(const fsm::Dfa& dfa, const std::uint8_t* symbols, std::int64_t length, std::int64_t* out) {
  fsm::StateId q = dfa.start();
  for (std::int64_t t = 0; t < length; ++t) {
    q = dfa.next(q, symbols[t]);
    const std::uint8_t label = dfa.label(q);
    out[t] = label == fsm::kNoClass ? kIgnoredLabel : label;
  }
}

// The state after every prefix of `symbols` into out[0..length).
void write_states(const fsm::Dfa& dfa, const std::uint8_t* symbols, std::int64_t length, std::int64_t* out) {
  fsm::StateId q = dfa.start();
  for (std::int64_t t = 0; t < length; ++t) {
    q = dfa.next(q, symbols[t]);
    out[t] = q;
  }
}

// One forward pass: strings in prediction order, padded on the right to the
// longest (lengths differ only for a model that reads padded rows).
struct Pass {
  std::vector<std::uint32_t> indices;
  std::vector<std::int64_t> lengths;  // ascending
  std::int64_t width() const { return lengths.back(); }
};

Pass pass_of(const data::Batch& batch) {
  return {batch.indices, std::vector<std::int64_t>(batch.indices.size(), static_cast<std::int64_t>(batch.length))};
}

// A padded pass holds at most this many symbols, padding included: its
// activations stay a few MiB however long the strings.
constexpr std::size_t kPassSymbols = std::size_t{1} << 15;

// The passes over a split, in the order of data::evaluation_batches (so
// predictions come out in that order whatever the passes). A model that reads
// padded rows takes consecutive lengths together, up to `batch_size` strings
// and kPassSymbols symbols (10 strings of each length no longer make 10-row
// passes through 500 recurrent steps); any other model takes one length per
// pass, up to `batch_size` strings (a transformer bounds its attention's
// memory itself, model/transformer.cc).
std::vector<Pass> plan_passes(const model::ClassifierImpl& model, const data::Split& split, std::size_t batch_size) {
  std::vector<Pass> passes;
  for (const data::Batch& batch : data::evaluation_batches(split, batch_size)) {
    if (model.reads_padded()) {
      for (const std::uint32_t index : batch.indices) {
        const std::size_t rows = passes.empty() ? 0 : passes.back().indices.size();
        if (passes.empty() || rows + 1 > batch_size || (rows + 1) * batch.length > kPassSymbols) passes.emplace_back();
        Pass& pass = passes.back();
        pass.indices.push_back(index);
        pass.lengths.push_back(static_cast<std::int64_t>(batch.length));
      }
      continue;
    }
    passes.push_back(pass_of(batch));
  }
  return passes;
}

struct PassTensors {
  torch::Tensor tokens;   // [B, width] int64, symbol 0 past each row's length
  torch::Tensor labels;   // [B] int64
  torch::Tensor lengths;  // [B] int64
  torch::Tensor prefix;   // [B, width] int64 per-prefix labels (kIgnoredLabel past the length), with a prefix DFA
  torch::Tensor states;   // [B, width] int64 the automaton's state after each prefix (-1 past the length), with next symbols
};

PassTensors pass_tensors(const data::Split& split, const Pass& pass, const torch::Device& device,
                         const Targets& targets) {
  const fsm::Dfa* prefix_dfa = targets.prefix_dfa;
  const auto rows = static_cast<std::int64_t>(pass.indices.size());
  const std::int64_t width = pass.width();
  const auto host = torch::TensorOptions().dtype(torch::kInt64).pinned_memory(device.is_cuda());
  PassTensors x{torch::zeros({rows, width}, host), torch::empty({rows}, host), torch::empty({rows}, host), {}, {}};
  if (prefix_dfa != nullptr) x.prefix = torch::full({rows, width}, kIgnoredLabel, host);
  if (targets.next != nullptr) x.states = torch::full({rows, width}, -1, host);
  auto* tokens = x.tokens.data_ptr<std::int64_t>();
  auto* labels = x.labels.data_ptr<std::int64_t>();
  auto* lengths = x.lengths.data_ptr<std::int64_t>();
  auto* prefix = prefix_dfa != nullptr ? x.prefix.data_ptr<std::int64_t>() : nullptr;
  auto* states = targets.next != nullptr ? x.states.data_ptr<std::int64_t>() : nullptr;
  for (std::int64_t row = 0; row < rows; ++row) {
    const std::uint32_t i = pass.indices[static_cast<std::size_t>(row)];
    const std::int64_t length = pass.lengths[static_cast<std::size_t>(row)];
    const std::uint8_t* symbols = split.string(i);
    for (std::int64_t at = 0; at < length; ++at) tokens[row * width + at] = symbols[at];
    labels[row] = split.labels[i];
    lengths[row] = length;
    if (prefix != nullptr) write_prefix_labels(*prefix_dfa, symbols, length, prefix + row * width);
    if (states != nullptr) write_states(targets.next->dfa(), symbols, length, states + row * width);
  }
  if (device.is_cpu()) return x;
  auto move = [&](const torch::Tensor& host_tensor) {
    return host_tensor.defined() ? host_tensor.to(device, /*non_blocking=*/true) : host_tensor;
  };
  return {move(x.tokens), move(x.labels), move(x.lengths), move(x.prefix), move(x.states)};
}

// Row i's entry at position lengths[i] - 1 of [B, T, C] -> [B, C].
torch::Tensor at_last_position(const torch::Tensor& per_position, const torch::Tensor& lengths) {
  const torch::Tensor last = (lengths - 1).view({-1, 1, 1}).expand({per_position.size(0), 1, per_position.size(2)});
  return per_position.gather(1, last).squeeze(1);
}

}  // namespace

NextSymbols::NextSymbols(const fsm::Dfa& dfa, std::size_t num_classes, bool is_target)
    : dfa_(dfa),
      symbols_(dfa.num_symbols()),
      classes_(static_cast<std::int64_t>(num_classes)),
      is_target_(is_target) {
  const auto states = static_cast<std::int64_t>(dfa.num_states());
  table_ = torch::zeros({states, outputs()}, torch::kFloat32);
  auto* table = table_.data_ptr<float>();
  for (std::int64_t c = 0; c < classes_; ++c) {
    std::vector<bool> label(256, false);
    label[static_cast<std::size_t>(c)] = true;
    const std::vector<bool> reaches = dfa.reaching(label);
    for (std::int64_t q = 0; q < states; ++q) {
      const auto state = static_cast<fsm::StateId>(q);
      for (std::int64_t s = 0; s < symbols_; ++s) {
        if (reaches[dfa.next(state, static_cast<int>(s))]) table[q * outputs() + s * classes_ + c] = 1.0f;
      }
      if (dfa.label(state) == c) table[q * outputs() + symbols_ * classes_ + c] = 1.0f;
    }
  }
}

torch::Tensor NextSymbols::targets(const torch::Tensor& states) const {
  const torch::Tensor table = table_.to(states.device());
  return table.index_select(0, states.clamp_min(0).reshape({-1})).view({states.size(0), states.size(1), outputs()});
}

torch::Tensor next_symbol_targets(const data::Split& split, const data::Batch& batch, const NextSymbols& next,
                                  const torch::Device& device) {
  Targets targets;
  targets.next = &next;
  return next.targets(pass_tensors(split, pass_of(batch), device, targets).states);
}

torch::Tensor next_symbol_loss(const torch::Tensor& logits, const torch::Tensor& targets) {
  return torch::binary_cross_entropy_with_logits(logits, targets);
}

std::pair<torch::Tensor, torch::Tensor> batch_tensors(const data::Split& split, const data::Batch& batch,
                                                      const torch::Device& device) {
  const PassTensors tensors = pass_tensors(split, pass_of(batch), device, {});
  return {tensors.tokens, tensors.labels};
}

torch::Tensor prefix_labels(const data::Split& split, const data::Batch& batch, const fsm::Dfa& dfa,
                            const torch::Device& device) {
  Targets targets;
  targets.prefix_dfa = &dfa;
  return pass_tensors(split, pass_of(batch), device, targets).prefix;
}

std::vector<Prediction> predict(model::ClassifierImpl& model, const data::Split& split, const torch::Device& device,
                                std::size_t batch_size, bool stoppable, const Targets& targets, PositionScores* scores) {
  torch::NoGradGuard no_grad;
  model.eval();
  const std::vector<Pass> passes = plan_passes(model, split, batch_size);
  const NextSymbols* next = targets.next;
  // Per pass, on the device: [B, 2] of (p_accept, loss) for a recogniser,
  // [B, 3] of (confidence, loss, predicted class) for a k-class task.
  std::vector<torch::Tensor> outputs(passes.size());
  std::int64_t classes = 2;
  const auto counts = torch::TensorOptions().dtype(torch::kFloat64).device(device);
  torch::Tensor position_hits = torch::zeros({2}, counts), next_hits = torch::zeros({2}, counts);
  // The passes run longest first. In increasing length, every pass asks the
  // heap for blocks slightly larger than the ones the pass before freed, while
  // the small tensors that outlive a pass are carved out of those free blocks:
  // glibc's heap grew by about one pass per length (to 760 MB for lengths to
  // 500 against 57 MB ever live at once), every new page a fault on first touch
  // (2-3 s of a cold evaluation). Longest first, later passes fit in the holes.
  for (std::size_t p = passes.size(); p-- > 0;) {
    const Pass& pass = passes[p];
    if (stoppable) progress_point();
    else heartbeat();
    const PassTensors tensors = pass_tensors(split, pass, device, targets);
    torch::Tensor logits, next_logits;  // [B, k]; [B, T, m] with next symbols
    if (next != nullptr && next->is_target()) {
      // The class is the end entries at the last position (exact up to each row's length: causal).
      next_logits = model.forward_next(tensors.tokens);
      logits = next->end_logits(at_last_position(next_logits, tensors.lengths));
    } else if (targets.prefix_dfa != nullptr) {
      // Exact up to each row's length (causal); padding positions carry no label.
      torch::Tensor per_position;  // [B, T, k]
      if (next != nullptr) std::tie(per_position, next_logits) = model.forward_positions_and_next(tensors.tokens);
      else per_position = model.forward_positions(tensors.tokens);
      const torch::Tensor labelled = tensors.prefix.ne(kIgnoredLabel);
      position_hits[0] += per_position.argmax(2).eq(tensors.prefix).logical_and(labelled).sum().to(torch::kFloat64);
      position_hits[1] += labelled.sum().to(torch::kFloat64);
      logits = at_last_position(per_position, tensors.lengths);
    } else {
      logits = model.reads_padded() ? model.forward_padded(tensors.tokens, tensors.lengths) : model.forward(tensors.tokens);
      if (next != nullptr) next_logits = model.forward_next(tensors.tokens);
    }
    if (next_logits.defined()) {
      // A position is right when every one of its next-symbol bits is.
      const torch::Tensor labelled = tensors.states.ge(0);
      const torch::Tensor right = next_logits.gt(0).eq(next->targets(tensors.states).gt(0.5)).all(-1);
      next_hits[0] += right.logical_and(labelled).sum().to(torch::kFloat64);
      next_hits[1] += labelled.sum().to(torch::kFloat64);
    }
    const torch::Tensor log_probs = torch::log_softmax(logits, 1);
    const torch::Tensor losses = -log_probs.gather(1, tensors.labels.unsqueeze(1)).squeeze(1);
    classes = log_probs.size(1);
    if (classes == 2) {
      outputs[p] = torch::stack({log_probs.select(1, 1).exp(), losses}, 1);
    } else {
      const auto [best, argmax] = log_probs.max(1);
      outputs[p] = torch::stack({best.exp(), losses, argmax.to(torch::kFloat32)}, 1);
    }
  }
  if (scores != nullptr) {
    auto share = [](const torch::Tensor& hits) {
      const torch::Tensor host = hits.to(torch::kCPU);
      const double total = host[1].item<double>();
      return total > 0 ? std::optional<double>(host[0].item<double>() / total) : std::nullopt;
    };
    scores->prefix = targets.prefix_dfa != nullptr ? share(position_hits) : std::nullopt;
    scores->next = next != nullptr ? share(next_hits) : std::nullopt;
  }
  std::vector<Prediction> predictions;
  predictions.reserve(split.size());
  if (outputs.empty()) return predictions;
  const torch::Tensor host = torch::cat(outputs).to(torch::kCPU).contiguous();
  const float* values = host.data_ptr<float>();
  for (const Pass& pass : passes) {
    for (std::size_t row = 0; row < pass.indices.size(); ++row) {
      const std::uint32_t index = pass.indices[row];
      const auto length = static_cast<std::uint32_t>(pass.lengths[row]);
      if (classes == 2) {
        predictions.push_back({length, split.labels[index], values[0], values[1]});
        values += 2;
      } else {
        predictions.push_back({length, split.labels[index], 0.0f, values[1], static_cast<std::int16_t>(values[2]), values[0]});
        values += 3;
      }
    }
  }
  return predictions;
}

Summary evaluate(model::ClassifierImpl& model, const data::Corpus& corpus, const torch::Device& device,
                 std::size_t batch_size, double tau, const Targets& targets) {
  std::vector<SplitMetrics> splits;
  for (const data::Split& split : corpus.splits) {
    if (split.name == "train" || split.name == "val") continue;
    PositionScores scores;
    std::vector<Prediction> predictions = predict(model, split, device, batch_size, /*stoppable=*/true, targets, &scores);
    if (split.name == "test_border" && split.is_long.size() == split.size()) {
      // MLRegTest's short and long adversarial sets: lengths <= L_max, and longer.
      std::vector<Prediction> short_ones, long_ones;
      const std::vector<data::Batch> batches = data::evaluation_batches(split, batch_size);
      std::size_t at = 0;
      for (const data::Batch& batch : batches) {
        for (const std::uint32_t index : batch.indices) (split.is_long[index] ? long_ones : short_ones).push_back(predictions[at++]);
      }
      splits.push_back(split_metrics("test_border_short", short_ones, corpus.num_classes()));
      splits.push_back(split_metrics("test_border_long", long_ones, corpus.num_classes()));
    }
    splits.push_back(split_metrics(split.name, std::move(predictions), corpus.num_classes()));
    splits.back().position_accuracy = scores.prefix;
    splits.back().next_accuracy = scores.next;
  }
  Summary summary = summarize(std::move(splits), tau);
  summary.classes = corpus.classes;
  return summary;
}

}  // namespace regal::eval
