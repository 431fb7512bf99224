// --target: what the target cannot load. Each behaviour was checked against the target itself
// where one was at hand: Keras 3.16 (the Keras 3 oracle, keras/src), TensorFlow.js 4.22
// (tf.models.modelFromJSON and predict), tf.keras 2 from its source (keras-team/tf-keras).
#include "shapelint/analysis/portability.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "shapelint/diag/catalog.hpp"
#include "shapelint/model/keras1.hpp"
#include "shapelint/model/layer_config.hpp"
#include "shapelint/rules/registry.hpp"

namespace shapelint::analysis {

namespace {

// Every layer class tfjs-layers 4.22 registers (tf.serialization's class map, less the
// initializers, constraints, regularizers and optimizers it shares with them).
constexpr std::array<std::string_view, 69> kTfjsLayers{
    "Activation",
    "Add",
    "AlphaDropout",
    "Average",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "BatchNormalization",
    "Bidirectional",
    "CategoryEncoding",
    "CenterCrop",
    "Concatenate",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "ConvLSTM2D",
    "ConvLSTM2DCell",
    "Cropping2D",
    "Dense",
    "DepthwiseConv2D",
    "Dot",
    "Dropout",
    "ELU",
    "Embedding",
    "Flatten",
    "Functional",
    "GRU",
    "GRUCell",
    "GaussianDropout",
    "GaussianNoise",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "InputLayer",
    "LSTM",
    "LSTMCell",
    "LayerNormalization",
    "LeakyReLU",
    "Masking",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "Maximum",
    "Minimum",
    "Model",
    "Multiply",
    "PReLU",
    "Permute",
    "RNN",
    "RandomWidth",
    "ReLU",
    "RepeatVector",
    "Rescaling",
    "Reshape",
    "Resizing",
    "SeparableConv2D",
    "Sequential",
    "SimpleRNN",
    "SimpleRNNCell",
    "Softmax",
    "SpatialDropout1D",
    "StackedRNNCells",
    "ThresholdedReLU",
    "TimeDistributed",
    "UpSampling2D",
    "ZeroPadding2D",
};

// tf.keras 2 and standalone Keras 2 classes Keras 3 cannot deserialize (checked with the
// Keras 3 oracle: "Unknown layer: '...'"): removed layers, cuDNN and TF-op wrappers, and the
// three Keras 3 keeps only in keras._legacy.layers, which its loader does not look in.
constexpr std::array<std::string_view, 21> kKeras2Only{
    "AbstractRNNCell",
    "CategoryCrossing",
    "ClassMethod",
    "CuDNNGRU",
    "CuDNNLSTM",
    "Deconvolution2D",
    "Deconvolution3D",
    "DenseFeatures",
    "InstanceMethod",
    "InstanceProperty",
    "LocallyConnected1D",
    "LocallyConnected2D",
    "RandomFourierFeatures",
    "RandomHeight",
    "RandomWidth",
    "SequenceFeatures",
    "SlicingOpLambda",
    "SyncBatchNormalization",
    "TFOpLambda",
    "TensorFlowOpLayer",
    "ThresholdedReLU",
};

// Keras 3 classes tf.keras 2 does not have (tf_keras/layers/__init__.py lists the others),
// and the keras.src.ops operations Keras 3 writes into Functional models as layers.
constexpr std::array<std::string_view, 49> kKeras3Only{
    "AdaptiveAveragePooling1D",
    "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D",
    "AdaptiveMaxPooling3D",
    "AugMix",
    "AutoContrast",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix",
    "Equalization",
    "FlaxLayer",
    "GroupQueryAttention",
    "JaxLayer",
    "MaxNumBoundingBoxes",
    "MelSpectrogram",
    "MixUp",
    "Pipeline",
    "RMSNormalization",
    "RandAugment",
    "RandomColorDegeneration",
    "RandomColorJitter",
    "RandomElasticTransform",
    "RandomErasing",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomPerspective",
    "RandomPosterization",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "ReversibleEmbedding",
    "STFTSpectrogram",
    "Solarization",
    "TFSMLayer",
    "TorchModuleWrapper",
    "All",
    "Any",
    "Equal",
    "Greater",
    "GreaterEqual",
    "Less",
    "LessEqual",
    "LogicalAnd",
    "LogicalOr",
    "LogicalXor",
    "NotEqual",
};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& list, std::string_view cls) {
  return !cls.empty() && std::find(list.begin(), list.end(), cls) != list.end();
}

bool is_tf_op_class(std::string_view cls) {
  return cls == "TFOpLambda" || cls == "SlicingOpLambda" || cls == "TensorFlowOpLayer" ||
         cls == "ClassMethod" || cls == "InstanceMethod" || cls == "InstanceProperty";
}

/// A class shapelint knows as a Keras class: custom classes are SL010's, not the target's.
bool known_keras_class(const Layer& layer) {
  std::string_view cls = layer.rule_class();
  return cls == "InputLayer" || cls == "Lambda" || is_tf_op_class(cls) ||
         RuleRegistry::builtin().find(cls) != nullptr || listed(kKeras2Only, cls) ||
         listed(kKeras3Only, cls);
}

bool is_rnn_class(std::string_view cls) {
  return cls == "LSTM" || cls == "GRU" || cls == "SimpleRNN" || cls == "RNN" ||
         cls == "CuDNNLSTM" || cls == "CuDNNGRU" || cls == "ConvLSTM1D" || cls == "ConvLSTM2D" ||
         cls == "ConvLSTM3D";
}

/// The convolutions whose padding is judged; ConvLSTM layers are left alone.
bool is_conv_class(std::string_view cls) {
  return cls.find("Conv") != std::string_view::npos && cls.rfind("ConvLSTM", 0) != 0;
}

/// Whether `target` accepts padding="causal" on this convolution class when loading and
/// running the model. Keras 3: only Conv1D (BaseConv's allow_causal=rank == 1). tf.keras 2:
/// Conv1D and SeparableConv1D ("Causal padding is only supported for `Conv1D` and
/// `SeparableConv1D`"), and the 1D classes derived from them. TensorFlow.js: none (its conv
/// ops throw "The support for CAUSAL padding mode ... is not implemented yet" when run).
bool accepts_causal(Target target, std::string_view cls) {
  switch (target) {
    case Target::keras3:
      return cls == "Conv1D" || cls == "Convolution1D";
    case Target::keras2:
      // The 2D and 3D convolutions are refused; the 1D ones (Conv1D, SeparableConv1D and
      // the layers built on them) are left alone.
      return cls.find("1D") != std::string_view::npos;
    case Target::tfjs:
      return false;
  }
  return true;
}

struct Checker {
  Target target;
  Dialect dialect;
  Diagnostics& sink;
  const Text* outer = nullptr;  ///< the top-level layer a nested model is, or null

  void add(std::string_view id,
           const Layer& layer,
           std::string message,
           std::string hint,
           std::string json_path) const {
    const RuleInfo* info = find_rule_info(id);
    if (outer)
      message = fmt::format("in '{}', {}", *outer, message);
    sink.push_back(Diagnostic{.rule = std::string(id),
                              .severity = info ? info->severity : Severity::error,
                              .layer = (outer ? *outer : layer.name).str(),
                              .message = std::move(message),
                              .hint = std::move(hint),
                              .json_path = std::move(json_path)});
  }

  const char* name() const { return display_name(target); }

  /// SL403: a Keras 1 config (Keras 3 and TensorFlow.js have no Keras 1 converter). Returns
  /// whether it reported, so that the layer's class is not judged twice.
  bool keras1_layer(const Layer& layer) const {
    if (dialect != Dialect::keras1 || target == Target::keras2 || !layer.config())
      return false;
    if (layer.class_name != layer.rule_class()) {
      add(rule::kTargetCannotReadFormat,
          layer,
          fmt::format("layer '{}' is a Keras 1 {} (Keras 2: {}); {} has no Keras 1 converter "
                      "and fails with \"Unknown layer: '{}'\"",
                      layer.name,
                      layer.class_name,
                      layer.rule_class(),
                      name(),
                      layer.class_name),
          "load the model in Keras 2 and save it again, or write the layer with its Keras 2 "
          "name and arguments",
          layer.path() + ".class_name");
      return true;
    }
    if (layer.config().is_object() && has_keras1_arguments(layer.class_name, layer.config())) {
      add(rule::kTargetCannotReadFormat,
          layer,
          fmt::format("layer '{}' ({}) has Keras 1 arguments (such as output_dim, nb_filter, "
                      "border_mode, init); {} has no Keras 1 converter and rejects them",
                      layer.name,
                      layer.class_name,
                      name()),
          "load the model in Keras 2 and save it again, or rename the arguments to Keras 2's",
          layer.path() + ".config");
      return true;
    }
    return false;
  }

  /// SL401; returns whether it reported, so that the arguments of a class the target does
  /// not have are not judged as well.
  bool layer_class(const Layer& layer) const {
    if (layer.nested() || !known_keras_class(layer))
      return false;
    std::string_view cls = layer.rule_class();
    bool lacks = false;
    std::string why;
    switch (target) {
      case Target::keras3:
        lacks = listed(kKeras2Only, cls);
        why = fmt::format("Keras 3 fails with \"Unknown layer: '{}'\"", layer.class_name);
        break;
      case Target::keras2:
        lacks = listed(kKeras3Only, cls);
        why = "it is new in Keras 3";
        break;
      case Target::tfjs:
        lacks = !listed(kTfjsLayers, cls);
        why = cls == "Identity"
                  ? std::string("it knows 'Identity' only as an initializer, and loading fails")
                  : fmt::format("loading fails with \"Unknown layer: {}\"", layer.class_name);
        break;
    }
    if (!lacks)
      return false;
    std::string hint =
        cls == "Lambda" ? "replace the Lambda with built-in layers, or register a custom layer "
                          "in TensorFlow.js that does the same"
        : is_tf_op_class(cls)
            ? "replace the TensorFlow op with built-in Keras layers before saving"
            : fmt::format("replace '{}' with layers {} has, or implement and register it there",
                          layer.name,
                          name());
    add(rule::kTargetLacksLayer,
        layer,
        fmt::format("layer '{}' is of class {}, which {} does not have: {}",
                    layer.name,
                    layer.class_name,
                    name(),
                    why),
        std::move(hint),
        layer.path() + ".class_name");
    return true;
  }

  /// SL402 on one layer config (a wrapper's inner layer too).
  void arguments(const Layer& layer,
                 JsonValue config,
                 const std::string& config_path,
                 std::string_view cls) const {
    if (!config.is_object())
      return;
    LayerConfig lc(config, config_path, nullptr, layer.name);
    if (target == Target::keras3 && is_rnn_class(cls) && lc.has("time_major")) {
      JsonValue v = lc.raw("time_major");
      std::string value = v.is_boolean() && v.as_bool() ? "True" : "False";
      add(rule::kTargetRejectsArgument,
          layer,
          fmt::format("{} '{}' has the tf.keras 2 argument time_major, which Keras 3 rejects: "
                      "\"Unrecognized keyword arguments passed to {}: {{'time_major': {}}}\"",
                      cls,
                      lc.get_string("name", layer.name),
                      cls,
                      value),
          value == "True" ? "Keras 3 RNNs are batch-major: drop time_major and feed (batch, "
                            "time, features), transposing the data"
                          : "drop time_major from the config (false is Keras 3's only layout)",
          lc.path_of("time_major"));
    }
    if (is_conv_class(cls) && lc.get_string("padding", "") == "causal" &&
        !accepts_causal(target, cls)) {
      std::string why;
      switch (target) {
        case Target::keras3:
          why =
              "Keras 3 accepts causal padding only in Conv1D: \"The `padding` argument must "
              "be a list/tuple or one of {'valid', 'same'}. Received: causal\"";
          break;
        case Target::keras2:
          why =
              "tf.keras 2 accepts it only in Conv1D and SeparableConv1D: \"Causal padding is "
              "only supported for `Conv1D` and `SeparableConv1D`.\"";
          break;
        case Target::tfjs:
          why =
              "TensorFlow.js loads it, but fails when the model runs: \"The support for "
              "CAUSAL padding mode in conv1dWithBias is not implemented yet.\"";
          break;
      }
      add(rule::kTargetRejectsArgument,
          layer,
          fmt::format(
              "{} '{}' has padding=\"causal\": {}", cls, lc.get_string("name", layer.name), why),
          "pad the time axis on the left with a ZeroPadding layer and use padding=\"valid\"",
          lc.path_of("padding"));
    }
    if (target == Target::tfjs && (cls == "GRU" || cls == "GRUCell") &&
        lc.get_bool("reset_after", false)) {
      add(rule::kTargetRejectsArgument,
          layer,
          fmt::format("{} '{}' has reset_after=True (tf.keras 2's and Keras 3's default), which "
                      "TensorFlow.js rejects: \"GRUCell does not support reset_after parameter "
                      "set to true.\"",
                      cls,
                      lc.get_string("name", layer.name)),
          "train the GRU with reset_after=False for TensorFlow.js (its weights differ: one bias "
          "instead of two)",
          lc.path_of("reset_after"));
    }
  }

  void layer_arguments(const Layer& layer) const {
    if (!layer.config())
      return;
    arguments(layer, layer.config(), layer.path() + ".config", layer.rule_class());
    // Bidirectional and TimeDistributed carry their layer's config inside their own.
    JsonValue inner = layer.config().find("layer");
    if (inner.is_object()) {
      JsonValue cls = inner.find("class_name");
      JsonValue cfg = inner.find("config");
      if (cls.is_string() && cfg)
        arguments(layer, cfg, layer.path() + ".config.layer.config", cls.as_string());
    }
  }

  /// SL403: Keras 3's `batch_shape` where the target reads only `batch_input_shape`.
  void keras3_input(const Layer& layer) const {
    if (dialect != Dialect::keras3 || target == Target::keras3 || !layer.config() ||
        layer.rule_class() != "InputLayer")
      return;
    LayerConfig lc(layer.config(), layer.path() + ".config", nullptr, layer.name);
    if (!lc.has("batch_shape") || lc.has("batch_input_shape"))
      return;
    add(rule::kTargetCannotReadFormat,
        layer,
        fmt::format("InputLayer '{}' declares its shape as Keras 3's batch_shape; {} reads only "
                    "batch_input_shape{}",
                    layer.name,
                    name(),
                    target == Target::tfjs ? ": \"An InputLayer should be passed either a "
                                             "`batchInputShape` or an `inputShape`.\""
                                           : ""),
        "save the model with the target's Keras (tf.keras 2, or tensorflowjs_converter from a "
        "tf.keras 2 model), or rename batch_shape to batch_input_shape",
        lc.path_of("batch_shape"));
  }

  /// SL402: tf.keras 2 gives a Sequential's first layer the input shape as its own
  /// `batch_input_shape`; Keras 3's loader reads it as `input_shape` and adds a batch axis
  /// (oracle: a Conv2D then fails with "Kernel shape must have the same length as input ...
  /// (None, None, 20, 20, 3)", a Dense silently gives (None, None, units)).
  void first_layer_batch_input_shape(const Model& m, const Layer& layer) const {
    if (target != Target::keras3 || dialect == Dialect::keras3 || !m.sequential ||
        m.layers.empty() || !m.layers[0].implicit_input || &layer != &m.layers[1] ||
        !layer.config() || layer.nested())
      return;
    LayerConfig lc(layer.config(), layer.path() + ".config", nullptr, layer.name);
    auto declared = lc.get_shape("batch_input_shape");
    if (!declared || declared->rank() == 0)
      return;
    DimVector doubled{Dim::unknown()};
    doubled.insert(doubled.end(), declared->dims().begin(), declared->dims().end());
    add(rule::kTargetRejectsArgument,
        layer,
        fmt::format("{} '{}' is the first layer of a Sequential and declares batch_input_shape "
                    "{}: Keras 3 reads it as input_shape and adds a batch axis, so the model's "
                    "input becomes {}{}",
                    layer.class_name,
                    layer.name,
                    to_string(*declared),
                    to_string(Shape(std::move(doubled))),
                    is_conv_class(layer.rule_class())
                        ? " and the layer fails: \"Kernel shape must have the same length as "
                          "input\""
                        : ", and every shape after it has an extra axis"),
        "begin the Sequential with an InputLayer that has this batch_input_shape, and drop "
        "batch_input_shape from the layer",
        lc.path_of("batch_input_shape"));
  }

  /// SL404: a Lambda whose function is marshalled Python bytecode.
  void lambda_bytecode(const Layer& layer) const {
    if (target == Target::tfjs || layer.rule_class() != "Lambda" || !layer.config())
      return;
    LayerConfig lc(layer.config(), layer.path() + ".config", nullptr, layer.name);
    JsonValue fn = lc.raw("function");
    if (!fn)
      return;
    bool keras3_lambda =
        fn.find("class_name").is_string() && fn.find("class_name").as_string() == "__lambda__";
    bool keras2_lambda = lc.get_string("function_type", "") == "lambda";
    if (!keras3_lambda && !keras2_lambda)
      return;
    add(rule::kLambdaBytecode,
        layer,
        fmt::format("Lambda '{}' stores its function as marshalled Python bytecode: it loads "
                    "only under the Python version that wrote it{}",
                    layer.name,
                    target == Target::keras3 ? ", and Keras 3 loads it only with "
                                               "safe_mode=False"
                                             : ""),
        "replace the Lambda with built-in layers or a registered custom layer, whose code "
        "ships with the model's code rather than inside the file",
        lc.path_of("function"));
  }

  void model(const Model& m) const {
    bool node_format_reported = false;
    for (const Layer& layer : m.layers) {
      if (layer.implicit_input)
        continue;
      // SL403: Keras 3's {"args", "kwargs"} inbound nodes, once per model.
      if (!node_format_reported && dialect == Dialect::keras3 && target != Target::keras3 &&
          !m.sequential && !layer.nodes.empty() && !layer.nodes[0].inputs.empty()) {
        add(rule::kTargetCannotReadFormat,
            layer,
            fmt::format("this model's calls are written in Keras 3's node format ({{\"args\": "
                        "[...], \"kwargs\": {{...}}}}), from layer '{}' on; {} reads only "
                        "tf.keras 2's node lists{}",
                        layer.name,
                        name(),
                        target == Target::tfjs ? ": \"Corrupted configuration, expected array "
                                                 "for nodeData\""
                                               : ""),
            "save the model with the target's Keras: Keras 3 files cannot be written back in "
            "the tf.keras 2 format",
            layer.call_path(layer.nodes[0]));
        node_format_reported = true;
      }
      bool keras1 = keras1_layer(layer);
      if (!keras1 && !layer_class(layer))
        layer_arguments(layer);
      keras3_input(layer);
      if (!keras1)
        first_layer_batch_input_shape(m, layer);
      lambda_bytecode(layer);
      if (layer.nested() && !layer.nested()->opaque)
        Checker{target, dialect, sink, outer ? outer : &layer.name}.model(*layer.nested());
    }
  }
};

}  // namespace

std::optional<Target> parse_target(std::string_view text) {
  if (text == "keras2")
    return Target::keras2;
  if (text == "keras3")
    return Target::keras3;
  if (text == "tfjs")
    return Target::tfjs;
  return std::nullopt;
}

const char* to_string(Target target) {
  switch (target) {
    case Target::keras2:
      return "keras2";
    case Target::keras3:
      return "keras3";
    case Target::tfjs:
      return "tfjs";
  }
  return "keras3";
}

const char* display_name(Target target) {
  switch (target) {
    case Target::keras2:
      return "tf.keras 2";
    case Target::keras3:
      return "Keras 3";
    case Target::tfjs:
      return "TensorFlow.js";
  }
  return "Keras 3";
}

bool target_has_layer(Target target, std::string_view cls) {
  switch (target) {
    case Target::keras3:
      return !listed(kKeras2Only, cls);
    case Target::keras2:
      return !listed(kKeras3Only, cls);
    case Target::tfjs:
      return listed(kTfjsLayers, cls);
  }
  return true;
}

void check_portability(const Model& model, Dialect dialect, Target target, Diagnostics& sink) {
  if (model.opaque)
    return;
  Checker{target, dialect, sink, nullptr}.model(model);
}

}  // namespace shapelint::analysis
