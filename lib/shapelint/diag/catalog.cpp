#include "shapelint/diag/catalog.hpp"

#include <array>

namespace shapelint {

namespace {

// The single table of rule ids. Retired ids stay here and are never reused.
constexpr std::array kCatalog{
    RuleInfo{rule::kUnreadable, Severity::error, "file cannot be read", true},
    RuleInfo{rule::kInvalidJson, Severity::error, "file is not valid JSON", true},
    RuleInfo{rule::kNotAModel, Severity::error, "not a Keras model config", true},
    RuleInfo{
        rule::kBadConfigValue, Severity::error, "config value of the wrong type or missing", true},
    RuleInfo{rule::kDanglingReference,
             Severity::error,
             "inbound reference to a missing layer or node",
             true},
    RuleInfo{rule::kCycle, Severity::error, "layer graph has a cycle", true},
    RuleInfo{rule::kDuplicateLayerName, Severity::error, "two layers share one name", true},
    RuleInfo{
        rule::kBadInputShapeOption, Severity::error, "--input-shape does not fit the model", true},
    RuleInfo{rule::kUnknownLayerClass, Severity::warning, "no shape rule for this layer class"},
    RuleInfo{rule::kOpaqueLambda, Severity::note, "Lambda without a declared output_shape"},
    RuleInfo{
        rule::kSubclassedModel, Severity::warning, "subclassed model saved without a layer graph"},
    RuleInfo{rule::kOpaqueTfOp, Severity::note, "raw TensorFlow op layer"},
    RuleInfo{rule::kRecordedWeightsUnreadable,
             Severity::warning,
             "the weights stored in the file cannot be read"},
    RuleInfo{rule::kInputRank, Severity::error, "input rank outside what the layer accepts"},
    RuleInfo{
        rule::kInputAxis, Severity::error, "input axis differs from what the layer was built for"},
    RuleInfo{rule::kNonPositiveDim, Severity::error, "computed output dimension below 1"},
    RuleInfo{rule::kMergeMismatch, Severity::error, "merge inputs do not line up"},
    RuleInfo{rule::kReshapeCount, Severity::error, "Reshape changes the element count"},
    RuleInfo{rule::kDotAxes, Severity::error, "Dot axes have different sizes"},
    RuleInfo{rule::kInputCount, Severity::error, "wrong number of input tensors"},
    RuleInfo{rule::kInvalidArgument, Severity::error, "layer argument Keras rejects"},
    RuleInfo{rule::kModelInputMismatch,
             Severity::error,
             "data shape differs from the model's declared input"},
    RuleInfo{rule::kDimOverflow, Severity::error, "dimension arithmetic overflows"},
    RuleInfo{rule::kWeightsIncompatible,
             Severity::error,
             "input does not fit the layer's built weights"},
    RuleInfo{rule::kRecordedWeightsMismatch,
             Severity::error,
             "a weight stored in the file does not fit the architecture"},
    RuleInfo{rule::kDenseOnHighRank, Severity::warning, "Dense applied to a rank > 2 input"},
    RuleInfo{rule::kUnusedLayer, Severity::warning, "layer not connected to the model"},
    RuleInfo{rule::kRecordedShapeMismatch,
             Severity::warning,
             "a layer's inputs differ from the input shape the file records"},
    RuleInfo{rule::kParamBudget, Severity::error, "more parameters than --max-params allows"},
    RuleInfo{rule::kMacBudget, Severity::error, "more multiply-accumulates than --max-macs allows"},
    RuleInfo{rule::kActivationMemoryBudget,
             Severity::error,
             "more activation memory than --max-activation-memory allows"},
    RuleInfo{rule::kSignatureChanged,
             Severity::error,
             "the model's input or output signature changed (shapelint diff)"},
    RuleInfo{rule::kArchitectureChanged,
             Severity::note,
             "a layer was added, removed or changed (shapelint diff)"},
    RuleInfo{rule::kTargetLacksLayer, Severity::error, "the --target has no such layer class"},
    RuleInfo{
        rule::kTargetRejectsArgument, Severity::error, "the --target rejects a layer argument"},
    RuleInfo{rule::kTargetCannotReadFormat,
             Severity::error,
             "the --target cannot read how the file is written"},
    RuleInfo{rule::kLambdaBytecode,
             Severity::warning,
             "a Lambda stores Python bytecode, tied to the Python version that wrote it"},
};

}  // namespace

std::span<const RuleInfo> rule_catalog() {
  return kCatalog;
}

const RuleInfo* find_rule_info(std::string_view id) {
  for (const auto& r : kCatalog)
    if (r.id == id)
      return &r;
  return nullptr;
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::note:
      return "note";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "error";
}

}  // namespace shapelint
