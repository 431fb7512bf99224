// Shape rules for Keras 3's audio preprocessing layers
// (keras/src/layers/preprocessing/{mel_spectrogram,stft_spectrogram}.py).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/rules/registry.hpp"
#include "shapelint/shape/conv_arith.hpp"

namespace shapelint {

namespace {

/// Python's `//` on a Dim (unknown stays unknown).
Dim frames_of(Dim samples, std::int64_t stride) {
  return floor_div(samples + Dim::of(stride + 1), stride);
}

// Mirrors keras/src/layers/preprocessing/mel_spectrogram.py: (batch, samples) ->
// (batch, num_mel_bins, (samples + stride + 1) // stride); a rank-1 input is one unbatched
// signal. There is no input spec: axis 1 is read whatever the rank.
void infer_mel_spectrogram(LayerCall& c) {
  const std::int64_t fft_length = c.config().get_int("fft_length", 2048);
  std::int64_t sequence_length = c.config().get_int("sequence_length", 0);
  if (sequence_length == 0)
    sequence_length = fft_length;  // `sequence_length or fft_length`
  if (fft_length < sequence_length) {
    c.error(rule::kInvalidArgument,
            fmt::format("`fft_length` must be greater than or equal to   `sequence_length`. "
                        "Received: `sequence_length`={}, `fft_length`={}.",
                        sequence_length,
                        fft_length),
            fmt::format("give '{}' an fft_length of at least its sequence_length", c.layer_name()));
    return;
  }
  const std::int64_t stride = c.config().get_int("sequence_stride", 512);
  const Dim bins = Dim::of(c.config().get_int("num_mel_bins", 128));
  const Shape& in = c.input();
  if (!in.has_rank() || in.rank() == 0 || stride <= 0) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (in.rank() == 1)
    c.outputs = {Shape{bins, frames_of(in.at(0), stride)}};
  else
    c.outputs = {Shape{in.at(0), bins, frames_of(in.dims()[1], stride)}};
}

// ---- STFTSpectrogram ---------------------------------------------------------------------

struct StftArgs {
  std::string mode;
  std::int64_t frame_length = 256;
  std::int64_t frame_step = 128;
  std::int64_t fft_length = 256;
  WindowPadding padding = WindowPadding::valid;
};

bool invalid(LayerCall& c, std::string message, std::string hint) {
  c.error(rule::kInvalidArgument, std::move(message), std::move(hint));
  return false;
}

/// The smallest power of two at least `n` (`2 ** ceil(log2(n))`).
std::int64_t next_power_of_two(std::int64_t n) {
  std::int64_t p = 1;
  while (p < n && p < (std::int64_t{1} << 62))
    p *= 2;
  return p;
}

bool read_stft_args(LayerCall& c, StftArgs& a) {
  a.mode = c.config().get_string("mode", "log");
  a.frame_length = c.config().get_int("frame_length", 256);
  auto step = c.config().get_optional_int("frame_step");
  auto fft = c.config().get_optional_int("fft_length");
  if (step && (*step > a.frame_length || *step < 1))
    return invalid(c,
                   fmt::format("`frame_step` should be a positive integer not greater than "
                               "`frame_length`. Received frame_step={}, frame_length={}",
                               *step,
                               a.frame_length),
                   "use a frame_step between 1 and frame_length");
  if (fft && *fft < a.frame_length)
    return invalid(c,
                   fmt::format("`fft_length` should be not less than `frame_length`. Received "
                               "fft_length={}, frame_length={}",
                               *fft,
                               a.frame_length),
                   "use an fft_length of at least frame_length");
  static constexpr std::string_view kModes[] = {
      "log", "magnitude", "psd", "real", "imag", "angle", "stft"};
  if (std::find(std::begin(kModes), std::end(kModes), a.mode) == std::end(kModes))
    return invalid(c,
                   fmt::format("Output mode is invalid, it must be one of log, magnitude, psd, "
                               "real, imag, angle, stft. Received: mode={}",
                               a.mode),
                   "use one of the listed modes");
  auto scaling = c.config().get_optional_string("scaling");
  if (c.config().object() && !c.config().object()->contains("scaling"))
    scaling = "density";
  if (scaling && *scaling != "density" && *scaling != "spectrum")
    return invalid(c,
                   fmt::format("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                               "Received scaling={}",
                               *scaling),
                   "use scaling='density', 'spectrum' or null");
  const std::string padding = c.config().get_string("padding", "valid");
  if (padding != "valid" && padding != "same")
    return invalid(c,
                   fmt::format("Padding is invalid, it should be 'valid', 'same'. Received: "
                               "padding={}",
                               padding),
                   "use padding='valid' or 'same'");
  a.padding = padding == "same" ? WindowPadding::same : WindowPadding::valid;
  a.frame_step = step && *step != 0 ? *step : a.frame_length / 2;
  a.fft_length = fft && *fft != 0 ? *fft : next_power_of_two(a.frame_length);
  return true;
}

/// Keras's `compute_conv_output_shape` error when a valid window does not fit.
void report_frames_do_not_fit(LayerCall& c, const StftArgs& a, Dim channels, Dim filters) {
  c.error(
      rule::kNonPositiveDim,
      fmt::format("Computed output size would be zero or negative. Received `inputs "
                  "shape={}`, `kernel shape=({}, {}, {})`, `dilation_rate=[1]`, "
                  "`strides=({},)`, `padding=valid`.",
                  to_string(c.input()),
                  a.frame_length,
                  to_string(channels),
                  to_string(filters),
                  a.frame_step),
      fmt::format(
          "give '{}' signals of at least frame_length={} samples", c.layer_name(), a.frame_length));
}

// Mirrors keras/src/layers/preprocessing/stft_spectrogram.py: a strided convolution over
// time; (batch, time, channels) -> (batch, frames, freq * channels), freq = fft // 2 + 1
// (doubled for mode 'stft'); expand_dims gives (batch, frames, freq, channels).
// real_kernel / imag_kernel (frame_length, 1, fft // 2 + 1), except in modes imag / real.
void infer_stft_spectrogram(LayerCall& c) {
  StftArgs a;
  if (!read_stft_args(c, a))
    return;
  const Shape kernel{Dim::of(a.frame_length), Dim::of(1), Dim::of(a.fft_length / 2 + 1)};
  if (a.mode != "imag")
    c.add_weight("real_kernel", kernel);
  if (a.mode != "real")
    c.add_weight("imag_kernel", kernel);
  const Shape& in = c.input();
  if (!in.has_rank()) {
    c.outputs = {Shape::unknown_rank()};
    return;
  }
  if (!c.require_rank(0, 3))
    return;
  c.input_specs = {InputSpec{.ndim = 3}};
  const bool channels_first = c.config().channels_first();
  const Dim channels = channels_first ? in.at(1) : in.at(2);
  if (!channels.is_known()) {
    // compute_output_shape multiplies the frequency bins by the channel count.
    c.error(rule::kInputAxis,
            "unsupported operand type(s) for *: 'int' and 'NoneType'",
            fmt::format("give the input of '{}' a known number of channels", c.layer_name()));
    return;
  }
  const std::int64_t freq = (a.fft_length / 2 + 1) * (a.mode == "stft" ? 2 : 1);
  const Dim filters = Dim::of(freq) * channels;
  const Dim time = channels_first ? in.at(2) : in.at(1);
  const Dim frames = conv_output_length(time, a.frame_length, a.padding, a.frame_step);
  if (frames.is_known() && frames.value() <= 0) {
    report_frames_do_not_fit(c, a, channels, filters);
    return;
  }
  if (c.config().get_bool("expand_dims", false))
    c.outputs = {channels_first ? Shape{in.at(0), channels, frames, Dim::of(freq)}
                                : Shape{in.at(0), frames, Dim::of(freq), channels}};
  else
    c.outputs = {channels_first ? Shape{in.at(0), filters, frames}
                                : Shape{in.at(0), frames, filters}};
}

constexpr LayerRule kRules[] = {
    {"MelSpectrogram", infer_mel_spectrogram},
    {"STFTSpectrogram", infer_stft_spectrogram},
};

}  // namespace

std::span<const LayerRule> audio_preprocessing_rules() {
  return kRules;
}

}  // namespace shapelint
