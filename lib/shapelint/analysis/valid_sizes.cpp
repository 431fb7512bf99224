#include "shapelint/analysis/valid_sizes.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace shapelint::analysis {

namespace {

/// Sizes tried for `--valid-sizes`: the scan starts at 1..kFirstScan and doubles while the
/// structure of the set is unclear, up to kScanLimit.
constexpr std::int64_t kFirstScan = 128;
constexpr std::int64_t kScanLimit = 2048;
/// How far from a failing what-if size the nearest working one is looked for.
constexpr std::int64_t kNearestReach = 256;
/// Layer evaluations --valid-sizes may spend on each pass.
constexpr std::size_t kScanWork = 40'000'000;
/// Layer evaluations the nearest-size hint may spend (about a second on a large model).
constexpr std::size_t kNearestWork = 2'000'000;

std::string join_or(const std::vector<std::string>& items) {
  if (items.empty())
    return {};
  if (items.size() == 1)
    return items[0];
  return fmt::format("{} or {}",
                     fmt::join(std::vector<std::string>(items.begin(), items.end() - 1), ", "),
                     items.back());
}

/// "28 or 29", "from 28 to 35", "4, 5, 28 or 29": a finite set of sizes.
std::string list_sizes(const std::vector<std::int64_t>& sizes) {
  std::vector<std::string> ranges;
  for (std::size_t i = 0; i < sizes.size();) {
    std::size_t j = i;
    while (j + 1 < sizes.size() && sizes[j + 1] == sizes[j] + 1)
      ++j;
    if (j - i >= 2)
      ranges.push_back(fmt::format("from {} to {}", sizes[i], sizes[j]));
    else
      for (std::size_t k = i; k <= j; ++k)
        ranges.push_back(std::to_string(sizes[k]));
    i = j + 1;
  }
  constexpr std::size_t kMaxListed = 8;
  if (ranges.size() > kMaxListed)
    return fmt::format(
        "one of {} sizes between {} and {}", sizes.size(), sizes.front(), sizes.back());
  if (ranges.size() == 1 && sizes.size() == 1)
    return fmt::format("exactly {}", sizes[0]);
  return join_or(ranges);
}

/// The smallest period p (at most a quarter of the scan) with which the upper half of the
/// scan repeats, or 0.
std::int64_t tail_period(const std::vector<bool>& works, std::int64_t limit) {
  std::int64_t from = limit / 2;
  for (std::int64_t p = 1; p <= limit / 4; ++p) {
    bool repeats = true;
    for (std::int64_t n = from; repeats && n + p <= limit; ++n)
      repeats = works[static_cast<std::size_t>(n)] == works[static_cast<std::size_t>(n + p)];
    if (repeats)
      return p;
  }
  return 0;
}

/// "at least 32 and a multiple of 16", "33, 49, 65, … (at least 33, in steps of 16)".
std::string periodic_phrase(std::int64_t first,
                            std::int64_t period,
                            const std::set<std::int64_t>& residues) {
  if (period == 1)
    return fmt::format("at least {}", first);
  if (residues.size() == 1) {
    if (*residues.begin() == 0)
      return fmt::format("at least {} and a multiple of {}", first, period);
    return fmt::format("{}, {}, {}, … (at least {}, in steps of {})",
                       first,
                       first + period,
                       first + 2 * period,
                       first,
                       period);
  }
  std::vector<std::string> rs;
  for (auto r : residues)
    rs.push_back(std::to_string(r));
  return fmt::format(
      "at least {}, with a remainder of {} when divided by {}", first, join_or(rs), period);
}

}  // namespace

SizeSet describe_sizes(const std::function<bool(std::int64_t)>& works, std::int64_t max_limit) {
  SizeSet set;
  // Scan up to a limit that doubles until the structure is clear: the smallest working size
  // well inside it, and a period that repeats four times in its upper half.
  std::int64_t limit = std::min<std::int64_t>(kFirstScan, max_limit);
  std::vector<std::int64_t> valid;
  std::int64_t period = 0;
  for (std::int64_t scanned = 0;;) {
    set.works.resize(static_cast<std::size_t>(limit) + 1, false);
    for (std::int64_t n = scanned + 1; n <= limit; ++n)
      if ((set.works[static_cast<std::size_t>(n)] = works(n)))
        valid.push_back(n);
    scanned = limit;
    period = tail_period(set.works, limit);
    bool settled = !valid.empty() && valid.front() <= limit / 4 &&
                   (valid.back() <= limit / 2 || (period > 0 && period <= limit / 8));
    if (settled || limit >= max_limit)
      break;
    limit = std::min(limit * 2, max_limit);
  }
  set.limit = limit;
  if (valid.empty()) {
    set.description = fmt::format("no size from 1 to {} works", limit);
    return set;
  }
  set.smallest = valid.front();
  bool tail_works = valid.back() > limit / 2;
  if (period == 0 || !tail_works) {
    set.description = list_sizes(valid);
    return set;
  }
  set.unbounded = true;
  std::set<std::int64_t> residues;
  for (std::int64_t n = limit - period + 1; n <= limit; ++n)
    if (set.works[static_cast<std::size_t>(n)])
      residues.insert(n % period);
  auto pattern = [&](std::int64_t n) { return residues.count(n % period) > 0; };
  // The pattern holds from `start` on; the working sizes below it are exceptions.
  std::int64_t start = limit;
  while (start > 1 && set.works[static_cast<std::size_t>(start - 1)] == pattern(start - 1))
    --start;
  std::int64_t first = start;
  while (!set.works[static_cast<std::size_t>(first)])
    ++first;
  std::vector<std::int64_t> exceptions;
  for (auto n : valid)
    if (n < start)
      exceptions.push_back(n);
  set.description = periodic_phrase(first, period, residues);
  if (!exceptions.empty())
    set.description += fmt::format(" (or {})", list_sizes(exceptions));
  return set;
}

// ---- probing -------------------------------------------------------------------------------

namespace {

/// A copy of `model` for rebuilding at other sizes: no recorded build shapes or tensor
/// shapes, which describe the size it was saved at. Copies every field of Layer and Model.
std::unique_ptr<Model> clone_for_rebuild(const Model& model) {
  auto out = std::make_unique<Model>();
  out->name = model.name;
  out->class_name = model.class_name;
  out->path = model.path;
  out->sequential = model.sequential;
  out->opaque = model.opaque;
  out->inputs = model.inputs;
  out->outputs = model.outputs;
  out->layers.reserve(model.layers.size());
  for (const auto& l : model.layers) {
    Layer c;
    c.name = l.name;
    c.class_name = l.class_name;
    c.set_rule_class(std::string(l.rule_class()));
    c.object = l.object;
    if (l.owned_config())
      c.own_config(l.owned_config());
    else
      c.set_config(l.config());
    c.trainable = l.trainable;
    c.implicit_input = l.implicit_input;
    c.set_batch_shape(l.batch_shape());
    c.nodes = l.nodes;
    if (l.nested())
      c.set_nested(clone_for_rebuild(*l.nested()));
    out->layers.push_back(std::move(c));
  }
  return out;
}

bool any_error(const Diagnostics& diags) {
  return std::any_of(diags.begin(), diags.end(), [](const Diagnostic& d) {
    return d.severity == Severity::error;
  });
}

bool any_unchecked(const ModelResult& r) {
  return std::any_of(r.layers.begin(), r.layers.end(), [](const LayerResult& l) {
    return l.status == LayerStatus::unknown;
  });
}

Shape with_sizes(Shape base,
                 const std::vector<std::size_t>& axes,
                 const std::vector<std::int64_t>& sizes) {
  for (std::size_t i = 0; i < axes.size() && i < sizes.size(); ++i)
    base.dims()[axes[i]] = Dim::of(sizes[i]);
  return base;
}

std::string size_text(const std::vector<std::int64_t>& sizes) {
  return fmt::format("{}", fmt::join(sizes, "x"));
}

std::string axes_subject(const Shape& input, const std::vector<std::size_t>& axes) {
  if (axes.size() == 1)
    return input.rank() == 3 ? "the sequence length" : "the input length";
  if (axes.size() == 2)
    return "height and width";
  if (axes.size() == 3)
    return "depth, height and width";
  return fmt::format("axes {}", fmt::join(axes, ", "));
}

std::string axis_name(std::size_t index, std::size_t count) {
  static constexpr std::array<std::string_view, 3> kTwo{"height", "width", ""};
  static constexpr std::array<std::string_view, 3> kThree{"depth", "height", "width"};
  if (count == 2 && index < 2)
    return std::string(kTwo[index]);
  if (count == 3)
    return std::string(kThree[index]);
  return fmt::format("axis {}", index + 1);
}

bool channels_first_model(const Model& model) {
  for (const auto& l : model.layers) {
    if (l.config().find("data_format") == "channels_first")
      return true;
    if (l.nested() && channels_first_model(*l.nested()))
      return true;
  }
  return false;
}

}  // namespace

struct SizeProbe::Rebuilt {
  std::unique_ptr<Model> model;
};

SizeProbe::SizeProbe(const Model& model,
                     const ModelResult& built,
                     const PropagateOptions& declared,
                     bool rebuild)
    : model_(model), built_(built), declared_(declared) {
  if (rebuild)
    rebuilt_ = std::make_unique<Rebuilt>(Rebuilt{clone_for_rebuild(model)});
}

SizeProbe::~SizeProbe() = default;

bool SizeProbe::works(const std::vector<std::optional<Shape>>& inputs) {
  if (probes_left_ == 0)
    return false;
  --probes_left_;
  PropagateOptions options;
  options.semantics = declared_.semantics;
  options.custom_layers = declared_.custom_layers;
  Diagnostics sink;
  ModelResult result;
  if (rebuilt_) {
    Model& m = *rebuilt_->model;
    for (std::size_t i = 0; i < m.inputs.size(); ++i) {
      Layer& input = m.layers[m.inputs[i].layer];
      const Layer& original = model_.layers[model_.inputs[i].layer];
      input.set_batch_shape(i < inputs.size() && inputs[i] ? inputs[i] : original.batch_shape());
    }
    result = propagate(m, options, sink);
  } else {
    options.input_shapes = inputs;
    options.built = &built_;
    result = propagate(model_, options, sink);
  }
  bool ok = !result.failed && !any_error(sink);
  if (ok && any_unchecked(result))
    unchecked_ = true;
  return ok;
}

std::vector<std::size_t> size_axes(const Model& model, const Shape& input) {
  if (!input.has_rank() || input.rank() < 2)
    return {};
  std::size_t rank = input.rank();
  if (rank <= 3)
    return {1};
  std::vector<std::size_t> axes;
  bool first = channels_first_model(model);
  for (std::size_t a = first ? 2 : 1; a < (first ? rank : rank - 1); ++a)
    axes.push_back(a);
  return axes;
}

namespace {

/// Whether `works` answers as `set` does for every size up to 64 and for sizes spread over
/// the rest of the scan.
bool agrees_on_sample(const SizeSet& set, const std::function<bool(std::int64_t)>& works) {
  constexpr std::int64_t kDense = 64, kSpread = 16;
  for (std::int64_t n = 1; n <= std::min(kDense, set.limit); ++n)
    if (works(n) != set.works[static_cast<std::size_t>(n)])
      return false;
  std::int64_t step = std::max<std::int64_t>(1, (set.limit - kDense) / kSpread);
  for (std::int64_t n = kDense + step; n <= set.limit; n += step)
    if (works(n) != set.works[static_cast<std::size_t>(n)])
      return false;
  return true;
}

/// Scans the sizes of `axes` of input `index`, all equal, then each alone with the others at
/// the smallest working size; returns the sentence.
InputSizes scan_input(SizeProbe& probe,
                      const Model& model,
                      std::size_t index,
                      const Shape& base,
                      const std::vector<std::size_t>& axes,
                      bool rebuilt) {
  auto feed = [&](const std::vector<std::int64_t>& sizes) {
    std::vector<std::optional<Shape>> inputs(model.inputs.size());
    inputs[index] = with_sizes(base, axes, sizes);
    return probe.works(inputs);
  };
  SizeSet square = describe_sizes(
      [&](std::int64_t n) { return feed(std::vector<std::int64_t>(axes.size(), n)); }, kScanLimit);
  InputSizes out;
  out.input = model.layers[model.inputs[index].layer].name;
  out.axes = axes;
  out.rebuilt = rebuilt;
  out.description = fmt::format("{} must be {}", axes_subject(base, axes), square.description);
  if (square.smallest)
    out.smallest = size_text(std::vector<std::int64_t>(axes.size(), *square.smallest));
  if (axes.size() < 2 || !square.smallest)
    return out;
  // Each axis alone, the others held at the smallest working size. Most models treat their
  // axes alike: a sample of sizes that agrees with the square scan spares the full scan.
  std::vector<std::string> differing;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    auto alone_works = [&](std::int64_t n) {
      std::vector<std::int64_t> sizes(axes.size(), *square.smallest);
      sizes[a] = n;
      return feed(sizes);
    };
    if (agrees_on_sample(square, alone_works))
      continue;
    SizeSet alone = describe_sizes(alone_works, kScanLimit);
    if (alone.description != square.description)
      differing.push_back(
          fmt::format("{} alone must be {}", axis_name(a, axes.size()), alone.description));
  }
  if (!differing.empty())
    out.description += fmt::format(
        "; with the others at {}, {}", *square.smallest, fmt::join(differing, ", and "));
  else if (axes.size() > 1)
    out.description =
        fmt::format("{} must each be {}", axes_subject(base, axes), square.description);
  return out;
}

}  // namespace

std::vector<InputSizes> find_valid_sizes(const Model& model,
                                         const ModelResult& built,
                                         const PropagateOptions& declared) {
  std::vector<InputSizes> out;
  SizeProbe replay(model, built, declared, false);
  // Asked for, so allowed more work than a hint, but not unbounded on a huge model.
  std::size_t probes =
      std::max<std::size_t>(512, kScanWork / std::max<std::size_t>(1, model.layers.size()));
  replay.limit_probes(probes);
  std::optional<SizeProbe> rebuild;
  for (std::size_t i = 0; i < model.inputs.size(); ++i) {
    const Layer& input = model.layers[model.inputs[i].layer];
    if (!input.batch_shape() || !input.batch_shape()->has_rank())
      continue;
    const Shape& base = *input.batch_shape();
    auto axes = size_axes(model, base);
    if (axes.empty())
      continue;
    InputSizes as_built = scan_input(replay, model, i, base, axes, false);
    bool declared_sizes = std::all_of(
        axes.begin(), axes.end(), [&](std::size_t a) { return base.dims()[a].is_known(); });
    if (replay.exhausted())
      as_built.description += " (the scan stopped early: the model is large)";
    if (replay.saw_unchecked_layers())
      as_built.description += " (as far as shapelint can see: some layers could not be checked)";
    out.push_back(as_built);
    // A model saved for one size may work at others once rebuilt for them.
    if (declared_sizes) {
      if (!rebuild) {
        rebuild.emplace(model, built, declared, true);
        rebuild->limit_probes(probes);
      }
      InputSizes rebuilt = scan_input(*rebuild, model, i, base, axes, true);
      if (rebuild->exhausted())
        rebuilt.description += " (the scan stopped early: the model is large)";
      if (rebuilt.description != as_built.description)
        out.push_back(std::move(rebuilt));
    }
  }
  return out;
}

std::string nearest_working_sizes(const Model& model,
                                  const ModelResult& built,
                                  const PropagateOptions& declared,
                                  const std::vector<std::optional<Shape>>& what_if,
                                  std::string_view failing_layer) {
  SizeProbe probe(model, built, declared, false);
  // A hint the user did not ask for: at most a few million layer evaluations.
  probe.limit_probes(
      std::max<std::size_t>(16, kNearestWork / std::max<std::size_t>(1, model.layers.size())));
  for (std::size_t i = 0; i < what_if.size() && i < model.inputs.size(); ++i) {
    if (!what_if[i] || !what_if[i]->has_rank())
      continue;
    auto axes = size_axes(model, *what_if[i]);
    std::vector<std::int64_t> sizes;
    for (auto a : axes)
      if (what_if[i]->dims()[a].is_known())
        sizes.push_back(what_if[i]->dims()[a].value());
    if (axes.empty() || sizes.size() != axes.size())
      continue;
    // No neighbours worth naming around absurd sizes; probing them would overflow (v + d).
    if (std::any_of(sizes.begin(), sizes.end(), [](auto s) { return s > INT32_MAX; }))
      continue;
    bool square = std::all_of(sizes.begin(), sizes.end(), [&](auto s) { return s == sizes[0]; });
    auto feed = [&](const std::vector<std::int64_t>& candidate) {
      std::vector<std::optional<Shape>> inputs = what_if;
      inputs.resize(model.inputs.size());
      inputs[i] = with_sizes(*what_if[i], axes, candidate);
      return probe.works(inputs);
    };
    std::vector<std::vector<std::int64_t>> found;
    if (square) {
      // The nearest smaller and the nearest larger size with every axis equal.
      std::int64_t v = sizes[0];
      std::optional<std::int64_t> below, above;
      for (std::int64_t d = 1; d <= kNearestReach && (!below || !above) && !probe.exhausted();
           ++d) {
        if (!below && v - d >= 1 && feed(std::vector<std::int64_t>(axes.size(), v - d)))
          below = v - d;
        if (!above && feed(std::vector<std::int64_t>(axes.size(), v + d)))
          above = v + d;
      }
      for (auto n : {below, above})
        if (n)
          found.push_back(std::vector<std::int64_t>(axes.size(), *n));
    } else if (axes.size() == 2) {
      // Rings around (h, w), nearest first.
      constexpr std::int64_t kRing = 16;
      for (std::int64_t r = 1; r <= kRing && found.empty(); ++r)
        for (std::int64_t dh = -r; dh <= r; ++dh)
          for (std::int64_t dw = -r; dw <= r; ++dw) {
            if (std::max(std::abs(dh), std::abs(dw)) != r || sizes[0] + dh < 1 || sizes[1] + dw < 1)
              continue;
            std::vector<std::int64_t> c{sizes[0] + dh, sizes[1] + dw};
            if (found.size() < 4 && feed(c))
              found.push_back(c);
          }
    }
    if (found.empty())
      continue;
    std::vector<std::string> texts;
    for (const auto& f : found)
      texts.push_back(size_text(f));
    std::string listed = texts.size() == 2 ? fmt::format("{} and {}", texts[0], texts[1])
                                           : fmt::format("{}", fmt::join(texts, ", "));
    return fmt::format("{} fails at '{}'; the nearest {} that work{} {}",
                       size_text(sizes),
                       failing_layer,
                       texts.size() == 1 ? "size" : "sizes",
                       texts.size() == 1 ? "s is" : " are",
                       listed);
  }
  return {};
}

}  // namespace shapelint::analysis
