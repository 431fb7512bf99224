// The terminal table and the helpers it is built from: wrapping, numbers, shapes, escaping.
// The pinned outputs were made by the renderer before it was rewritten for speed.
#include <climits>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "shapelint/render/render.hpp"
#include "shapelint/render/render_util.hpp"

using namespace shapelint;

namespace {

using Lines = std::vector<std::string>;

/// Every line WrappedLines gives, as strings.
Lines wrapped(std::string_view text, std::size_t width, bool prose) {
  Lines lines;
  render_util::WrappedLines wrap(text, width, prose);
  for (std::string_view line; wrap.next(line);)
    lines.emplace_back(line);
  return lines;
}

/// Two files: a graph whose failing layer has two inputs and a long name, with its cost and a
/// finding; then a clean model with an unchecked layer and its valid sizes.
RunReport sample_run() {
  auto row = [](std::string name,
                std::string cls,
                std::vector<std::string> inbound,
                std::string_view status,
                Shapes in,
                Shapes out,
                std::optional<std::int64_t> params) {
    LayerRow r;
    r.name = std::move(name);
    r.class_name = std::move(cls);
    r.inbound = NameList(inbound);
    r.status = status;
    r.input_shapes = std::move(in);
    r.output_shapes = std::move(out);
    r.params = params;
    return r;
  };
  FileReport f;
  f.path = "models/net.json";
  f.format = "keras2-json";
  f.status = "error";
  f.model_name = "net";
  f.model_class = "Functional";
  f.functional = true;
  f.layers = {row("in",
                  "InputLayer",
                  {},
                  "ok",
                  {make_shape({-1, 224, 224, 3})},
                  {make_shape({-1, 224, 224, 3})},
                  0),
              row("a_rather_long_layer_name_that_wraps",
                  "Conv2D",
                  {"in"},
                  "ok",
                  {make_shape({-1, 224, 224, 3})},
                  {make_shape({-1, 112, 112, 64})},
                  1792),
              row("merge",
                  "Concatenate",
                  {"in", "a_rather_long_layer_name_that_wraps"},
                  "error",
                  {make_shape({-1, 224, 224, 3}), make_shape({-1, 112, 112, 64})},
                  {},
                  std::nullopt),
              row("out",
                  "Dense",
                  {"merge"},
                  "unknown",
                  {Shape::unknown_rank()},
                  {make_shape({-1})},
                  std::nullopt)};
  f.layers[1].cost.macs = 21676032;
  f.layers[1].cost.weight_bytes = 7168;
  f.layers[1].cost.activation_bytes = 3211264;
  f.layers[1].cost.receptive_field = shapelint::cost::ReceptiveField{{3, 3}, {2, 2}};
  f.layers[0].cost.receptive_field = shapelint::cost::ReceptiveField{{1, 1}, {1, 2}};
  f.params = {1792, 1792, 0, 2};
  CostTotals c;
  c.macs = 21676032;
  c.weight_bytes = 7168;
  c.weight_bytes_by_dtype = {{"float32", 7168}};
  c.activation_bytes = 3211264;
  c.activation_unknown_layers = 2;
  f.cost = c;
  Diagnostic d;
  d.rule = "SL104";
  d.severity = Severity::error;
  d.layer = "merge";
  d.message =
      "Concatenate needs matching shapes except on the concatenation axis: got (None, 224, 224, 3) "
      "and (None, 112, 112, 64)";
  d.hint = "resize one input first, for example with a strided convolution or pooling";
  d.json_path = "config.layers[2]";
  d.line = 40;
  d.column = 5;
  f.diagnostics = {d};

  FileReport g;
  g.path = "models/ok.json";
  g.format = "keras3";
  g.status = "ok";
  g.layers = {row("x", "Flatten", {}, "unknown", {}, {}, 0)};
  InputSizes s;
  s.input = "image";
  s.description = "height and width must be at least 32 and a multiple of 8";
  s.smallest = "32x32";
  g.valid_sizes = {s};

  RunReport run;
  run.tool_version = "1";
  run.files = {f, g};
  tally(run);
  return run;
}

std::string render(const RunReport& run, RenderOptions options) {
  std::ostringstream out;
  render_table(run, options, out);
  return out.str();
}

/// `text` with <B>, <BR>, <D>, <C> and <0> spelled as the terminal codes they stand for.
std::string with_codes(std::string text) {
  for (auto [token, code] : {std::pair{"<BR>", "\x1b[1m\x1b[31m"},
                             {"<B>", "\x1b[1m"},
                             {"<D>", "\x1b[2m"},
                             {"<C>", "\x1b[36m"},
                             {"<0>", "\x1b[0m"}})
    for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at))
      text.replace(at, std::string_view(token).size(), code);
  return text;
}

}  // namespace

TEST_CASE("wrapped lines: shapes after a comma, prose at spaces, mid-word when nothing fits") {
  CHECK(wrapped("(None, 224, 224, 3)", 12, false) == Lines{"(None, 224,", "224, 3)"});
  CHECK(wrapped("(None, 224, 224, 3)", 12, true) == Lines{"(None, 224,", "224, 3)"});
  CHECK(wrapped("one two three", 7, true) == Lines{"one two", "three"});
  CHECK(wrapped("abcdefghij", 4, true) == Lines{"abcd", "efgh", "ij"});
  CHECK(wrapped("a, b", 2, false) == Lines{"a,", "b"});
}

TEST_CASE("wrapped lines: empty text, newlines, widths 0 and 1") {
  CHECK(wrapped("", 10, false) == Lines{""});
  CHECK(wrapped("ab\ncd", 10, false) == Lines{"ab", "cd"});
  CHECK(wrapped("ab\n", 10, false) == Lines{"ab", ""});
  CHECK(wrapped("\n\n", 10, false) == Lines{"", "", ""});
  CHECK(wrapped("abc", 0, false) == Lines{"a", "b", "c"});
  CHECK(wrapped("abc", 1, false) == Lines{"a", "b", "c"});
  CHECK(wrapped("a b", 1, true) == Lines{"a", "b"});
  CHECK(wrapped("abc ", 3, true) == Lines{"abc", ""});
  render_util::WrappedLines none;
  std::string_view line;
  CHECK_FALSE(none.next(line));
}

TEST_CASE("wrapped lines: a megabyte-long name is cut into views of the text") {
  std::string name(1 << 20, 'n');
  render_util::WrappedLines wrap(name, 20, true);
  std::size_t lines = 0, covered = 0;
  for (std::string_view line; wrap.next(line); ++lines) {
    CHECK(line.data() == name.data() + covered);  // a view, no copy
    covered += line.size();
  }
  CHECK(covered == name.size());
  CHECK(lines == (name.size() + 19) / 20);
}

TEST_CASE("numbers appended in place read as group_thousands, human_count and human_bytes") {
  auto grouped = [](std::int64_t n) {
    std::string out = "x";
    render_util::append_grouped(out, n);
    return out;
  };
  CHECK(grouped(0) == "x0");
  CHECK(grouped(999) == "x999");
  CHECK(grouped(1000) == "x1,000");
  CHECK(grouped(-1234567) == "x-1,234,567");
  CHECK(grouped(INT64_MAX) == "x9,223,372,036,854,775,807");
  CHECK(grouped(INT64_MIN) == "x-9,223,372,036,854,775,808");
  CHECK(group_thousands(21802784) == "21,802,784");
  std::string digits;
  render_util::append_int(digits, -42);
  CHECK(digits == "-42");

  CHECK(human_count(0) == "0");
  CHECK(human_count(1234) == "1.23K");
  CHECK(human_count(300774272) == "301M");
  CHECK(human_count(999600) == "1.00M");  // not "1000K"
  CHECK(human_count(-1500) == "-1.50K");
  CHECK(human_bytes(512) == "512 B");
  CHECK(human_bytes(14155776) == "13.5 MiB");
  CHECK(human_bytes(1152) == "1.12 KiB");  // 1.125 exactly: a tie rounds to even, as fmt did
  CHECK(human_bytes(1664) == "1.62 KiB");  // 1.625
}

TEST_CASE("shapes appended in place read as to_string") {
  for (const Shape& s : {make_shape({-1, 26, 26, 32}),
                         make_shape({-1}),
                         make_shape({}),
                         make_shape({4, -1, 9223372036854775807}),
                         Shape::unknown_rank()}) {
    std::string out = "x";
    append_shape(out, s);
    CHECK(out == "x" + to_string(s));
  }
  CHECK(to_string(make_shape({-1})) == "(None,)");
  CHECK(to_string(make_shape({-1, 26, 26, 32})) == "(None, 26, 26, 32)");
  CHECK(to_string(Shape::unknown_rank()) == "<unknown rank>");
}

TEST_CASE("printable_report: a control character anywhere is escaped, clean text is not copied") {
  // Every length around the eight-byte words, the character at every position.
  for (std::size_t length = 1; length <= 24; ++length)
    for (std::size_t at = 0; at < length; ++at)
      for (std::string_view control : {"\x1b", "\x7f", "\n", "\xc2\x9b"}) {
        std::string name(length, 'a');
        name.replace(at, 1, control);
        RunReport run;
        run.files.push_back(FileReport{});
        run.files[0].layers.push_back(LayerRow{});
        run.files[0].layers[0].name = name;
        std::optional<RunReport> copy;
        const RunReport& shown = render_util::printable_report(run, copy);
        INFO(length << " " << at);
        REQUIRE(&shown != &run);
        CHECK(shown.files[0].layers[0].name == render_util::printable(name));
      }
  for (std::string name : {"", "conv2d_1", "batch_normalization_12", "price_\xc2\xa3_layer", "é"}) {
    RunReport run;
    run.files.push_back(FileReport{});
    run.files[0].layers.push_back(LayerRow{});
    run.files[0].layers[0].inbound = {name};
    std::optional<RunReport> copy;
    CHECK(&render_util::printable_report(run, copy) == &run);
  }
}

TEST_CASE("table: colour codes, the failing layer, cost, findings and valid sizes") {
  RenderOptions options;
  options.color = true;
  options.cost = true;
  CHECK(render(sample_run(), options) ==
        with_codes(R"TXT(<B>models/net.json: Functional 'net' (keras2-json)<0>
<B>  Layer (type) <- inbound  Input shape             Output shape          Param #<0>
--------------------------------------------------------------------------------
  in (InputLayer)          (None, 224, 224, 3)     (None, 224, 224, 3)         0
  a_rather_long_layer_nam  (None, 224, 224, 3)     (None, 112, 112, 64)    1,792
  e_that_wraps (Conv2D)
    <- in
<BR>> merge (Concatenate)      (None, 224, 224, 3),    ?                           ?<0>
<BR>    <- in,                 (None, 112, 112, 64)<0>
<BR>  a_rather_long_layer_nam<0>
<BR>  e_that_wraps<0>
<D>  out (Dense)              ?                       ?                           ?<0>
<D>    <- merge<0>
--------------------------------------------------------------------------------
> marks the layer where Keras fails; '?' is a shape that cannot be known there
Total params: 1,792 (+ 2 layer(s) whose count is unknown)
Trainable params: 1,792
Non-trainable params: 0

<B>Cost for a batch of 1 (docs/cost.md)<0>
<B>  Layer                            MACs   Weights  Activations  Receptive field<0>
--------------------------------------------------------------------------------
  in                                  ?         ?            ?  1x1 (stride 1x2)
  a_rather_long_layer_name_that_  21.7M  7.00 KiB     3.06 MiB  3x3 (stride 2)
  wraps
  merge                               ?         ?            ?  -
  out                                 ?         ?            ?  -
--------------------------------------------------------------------------------
Total MACs: 21,676,032 (21.7M)
Weight memory: 7.00 KiB (float32)
Activation memory: 3.06 MiB (every layer's outputs) (+ 2 layer(s) unknown)

<BR>error[SL104]<0><B> layer 'merge'<0>
    Concatenate needs matching shapes except on the concatenation axis: got
    (None, 224, 224, 3) and (None, 112, 112, 64)
    <C>hint: resize one input first, for example with a strided convolution or<0>
    <C>pooling<0>
<D>    --> models/net.json:40:5 (config.layers[2])<0>

<B>models/ok.json (keras3)<0>
<B>  Layer (type)  Input shape  Output shape  Param #<0>
--------------------------------------------------
<D>  x (Flatten)   -            ?                   0<0>
--------------------------------------------------
Total params: 0
Trainable params: 0
Non-trainable params: 0

<B>Valid input sizes<0>
  image: height and width must be at least 32 and a multiple of 8; smallest
    32x32
<B>ok: no shape errors (1 layer(s) could not be checked)<0>

2 file(s): 1 error(s), 0 warning(s), 0 note(s)
)TXT"));
}

TEST_CASE("table: 40 columns wrap names as prose and shapes after a comma") {
  RenderOptions options;
  options.width = 40;
  CHECK(render(sample_run(), options) == R"TXT(models/net.json: Functional 'net' (keras2-json)
  Layer (type) <- inbound  Input shape         Output shape        Param #
----------------------------------------
  in (InputLayer)       (None, 224, 224,    (None, 224, 224,          0
                        3)                  3)
  a_rather_long_layer_  (None, 224, 224,    (None, 112, 112,      1,792
  name_that_wraps       3)                  64)
  (Conv2D)
    <- in
> merge (Concatenate)   (None, 224, 224,    ?                         ?
    <- in,              3), (None, 112,
  a_rather_long_layer_  112, 64)
  name_that_wraps
  out (Dense)           ?                   ?                         ?
    <- merge
----------------------------------------
> marks the layer where Keras fails; '?' is a shape that cannot be known there
Total params: 1,792 (+ 2 layer(s) whose count is unknown)
Trainable params: 1,792
Non-trainable params: 0

error[SL104] layer 'merge'
    Concatenate needs matching shapes
    except on the concatenation axis:
    got (None, 224, 224, 3) and (None,
    112, 112, 64)
    hint: resize one input first, for
    example with a strided convolution
    or pooling
    --> models/net.json:40:5 (config.layers[2])

models/ok.json (keras3)
  Layer (type)  Input shape  Output shape  Param #
----------------------------------------
  x (Flatten)   -            ?                   0
----------------------------------------
Total params: 0
Trainable params: 0
Non-trainable params: 0

Valid input sizes
  image: height and width must be at
    least 32 and a multiple of 8;
    smallest 32x32
ok: no shape errors (1 layer(s) could not be checked)

2 file(s): 1 error(s), 0 warning(s), 0 note(s)
)TXT");
}

TEST_CASE("table: narrow and empty widths, quiet, a long name") {
  RunReport run = sample_run();
  run.files[0].layers[1].name = std::string(100000, 'n');
  for (std::size_t width : {0, 1, 2, 10, 1000}) {
    RenderOptions options;
    options.width = width;
    options.cost = true;
    std::string text = render(run, options);
    INFO(width);
    CHECK(text.find("Total params: 1,792") != std::string::npos);
    CHECK(text.find("ok: no shape errors") != std::string::npos);
  }
  RenderOptions quiet;
  quiet.quiet = true;
  std::string text = render(run, quiet);
  CHECK(text.find("Layer (type)") == std::string::npos);
  CHECK(text.find("error[SL104] layer 'merge'") != std::string::npos);
}

TEST_CASE("table: a table of thousands of rows is laid out as one of a few, row for row") {
  // Past a few thousand rows the cells are made again for each pass rather than kept: the
  // columns must still be sized by every row, the last one included.
  RunReport few = sample_run();
  few.files.resize(1);
  auto& layers = few.files[0].layers;
  layers.back().name = "a_rather_long_layer_name_that_widens_the_first_column";
  RunReport many = few;
  auto& more = many.files[0].layers;
  more.insert(more.begin() + 1, 6000, layers.front());  // InputLayers: no params to add
  RenderOptions options;
  options.cost = true;
  std::string few_rendered = render(few, options);
  std::istringstream few_text(few_rendered);
  std::string all = render(many, options);
  std::size_t lines_checked = 0;
  for (std::string line; std::getline(few_text, line); ++lines_checked) {
    INFO(line);
    CHECK(all.find(line + '\n') != std::string::npos);
  }
  CHECK(lines_checked > 10);
  // Each copy is a row of the model table and of the cost table.
  CHECK(std::count(all.begin(), all.end(), '\n') ==
        std::count(few_rendered.begin(), few_rendered.end(), '\n') + 12000);
}

TEST_CASE("table: a table of thousands of rows kept in several buffers writes every row's cells") {
  // Up to a few thousand rows the cells are kept, in buffers of 32 KiB: rows that fall on
  // every side of a buffer's end must come out whole and in order.
  RunReport run = sample_run();
  run.files.resize(1);
  auto& layers = run.files[0].layers;
  LayerRow input = layers.front();
  layers.clear();
  for (int i = 0; i < 3000; ++i) {
    LayerRow row = input;
    row.name = fmt::format("input_number_{}_of_a_long_model", i);
    layers.push_back(row);
  }
  RenderOptions options;
  options.width = 200;  // no cell wraps
  std::string all = render(run, options);
  std::size_t at = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string cell = fmt::format("input_number_{}_of_a_long_model ({})", i, input.class_name);
    INFO(cell);
    std::size_t found = all.find(cell, at);
    REQUIRE(found != std::string::npos);
    CHECK(all.find(cell, found + 1) == std::string::npos);
    at = found + cell.size();
  }
}
