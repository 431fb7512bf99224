#include "shapelint/engine/rule_memo.hpp"

namespace shapelint {

namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h = (h ^ v) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 31);
}

/// Dims compared as they are held: an overflowed dim is not an unknown one.
bool same_shapes(const Shapes& a, const Shapes& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const Shape& x = a[i];
    const Shape& y = b[i];
    if (x.has_rank() != y.has_rank() || x.dims().size() != y.dims().size())
      return false;
    for (std::size_t k = 0; k < x.dims().size(); ++k)
      if (x.dims()[k].value() != y.dims()[k].value())
        return false;
  }
  return true;
}

std::uint64_t shapes_hash(const Shapes& shapes) {
  std::uint64_t h = shapes.size();
  for (const Shape& s : shapes) {
    h = mix(h, s.has_rank() ? s.dims().size() : ~std::uint64_t{0});
    for (Dim d : s.dims())
      h = mix(h, static_cast<std::uint64_t>(d.value()));
  }
  return h;
}

}  // namespace

const JsonKey& RuleMemo::name_key(const JsonDocument* document) {
  if (!name_ || name_document_ != document) {
    name_.emplace(*document, "name");
    name_document_ = document;
  }
  return *name_;
}

bool RuleMemo::worth_looking_up(JsonValue config) {
  auto members = config.children();
  return config.is_object() &&
         static_cast<std::size_t>(members.end() - members.begin()) >= kMinConfigMembers;
}

RuleMemo::Run RuleMemo::run(const LayerRule& rule,
                            JsonValue config,
                            const Shapes& inputs,
                            bool building) {
  std::size_t held = config.held_count();
  bool memoized = config.is_object() && held >= kMinConfigValues && held <= kMaxConfigValues;
  if (!memoized)
    return Run{&rule, config, &inputs, building, false, 0};
  std::uint64_t h = mix(reinterpret_cast<std::uintptr_t>(&rule), building ? 1 : 2);
  h = mix(h, config.written_hash(name_key(config.document())));
  h = mix(h, shapes_hash(inputs));
  return Run{&rule, config, &inputs, building, true, h};
}

bool RuleMemo::matches(const Entry& entry, const Run& run) const {
  return entry.rule == run.rule && entry.building == run.building &&
         same_shapes(entry.inputs, *run.inputs) && entry.config.same_written(run.config, *name_);
}

const RuleOutcome* RuleMemo::find(const Run& run) const {
  if (slots_.empty() || !run.memoized || name_document_ != run.config.document())
    return nullptr;
  for (std::size_t probe = 0, i = run.hash & (kSlots - 1); probe < kMaxProbes;
       ++probe, i = (i + 1) & (kSlots - 1)) {
    std::uint32_t slot = slots_[i];
    if (slot == 0)
      return nullptr;
    const Entry& entry = entries_[slot - 1];
    if (hashes_[slot - 1] == run.hash && matches(entry, run))
      return &entry.outcome;
  }
  return nullptr;
}

void RuleMemo::keep(const Run& run, const RuleOutcome& outcome) {
  if (entries_.size() >= kMaxEntries || !run.memoized)
    return;
  if (slots_.empty())
    slots_.assign(kSlots, 0);
  for (std::size_t probe = 0, i = run.hash & (kSlots - 1); probe < kMaxProbes;
       ++probe, i = (i + 1) & (kSlots - 1)) {
    if (slots_[i] != 0)
      continue;
    entries_.push_back(Entry{run.rule, run.config, *run.inputs, run.building, outcome});
    hashes_.push_back(run.hash);
    slots_[i] = static_cast<std::uint32_t>(entries_.size());
    return;
  }
}

}  // namespace shapelint
