#pragma once

#include <span>
#include <string_view>

#include "shapelint/diag/diagnostic.hpp"

namespace shapelint {

/// One entry of the rule-id catalogue; ids are never reused.
struct RuleInfo {
  std::string_view id;
  Severity severity;
  std::string_view title;
  /// Whether a finding of this id makes the file unreadable (status "invalid", exit 2).
  bool makes_invalid = false;
};

std::span<const RuleInfo> rule_catalog();
const RuleInfo* find_rule_info(std::string_view id);

namespace rule {
// SL0xx: reading the file and the model config.
inline constexpr std::string_view kUnreadable = "SL001";
inline constexpr std::string_view kInvalidJson = "SL002";
inline constexpr std::string_view kNotAModel = "SL003";
inline constexpr std::string_view kBadConfigValue = "SL004";
inline constexpr std::string_view kDanglingReference = "SL005";
inline constexpr std::string_view kCycle = "SL006";
inline constexpr std::string_view kDuplicateLayerName = "SL007";
inline constexpr std::string_view kBadInputShapeOption = "SL008";
inline constexpr std::string_view kUnknownLayerClass = "SL010";
inline constexpr std::string_view kOpaqueLambda = "SL011";
inline constexpr std::string_view kSubclassedModel = "SL012";
inline constexpr std::string_view kOpaqueTfOp = "SL013";
inline constexpr std::string_view kRecordedWeightsUnreadable = "SL014";
// SL1xx: what Keras rejects.
inline constexpr std::string_view kInputRank = "SL101";
inline constexpr std::string_view kInputAxis = "SL102";
inline constexpr std::string_view kNonPositiveDim = "SL103";
inline constexpr std::string_view kMergeMismatch = "SL104";
inline constexpr std::string_view kReshapeCount = "SL105";
inline constexpr std::string_view kDotAxes = "SL106";
inline constexpr std::string_view kInputCount = "SL107";
inline constexpr std::string_view kInvalidArgument = "SL108";
inline constexpr std::string_view kModelInputMismatch = "SL109";
inline constexpr std::string_view kDimOverflow = "SL110";
inline constexpr std::string_view kWeightsIncompatible = "SL111";
inline constexpr std::string_view kRecordedWeightsMismatch = "SL112";
// SL2xx: legal but suspicious.
inline constexpr std::string_view kDenseOnHighRank = "SL201";
inline constexpr std::string_view kUnusedLayer = "SL202";
inline constexpr std::string_view kRecordedShapeMismatch = "SL203";
// SL3xx: budgets and contracts the user sets (--max-*, shapelint diff).
inline constexpr std::string_view kParamBudget = "SL301";
inline constexpr std::string_view kMacBudget = "SL302";
inline constexpr std::string_view kActivationMemoryBudget = "SL303";
inline constexpr std::string_view kSignatureChanged = "SL304";
inline constexpr std::string_view kArchitectureChanged = "SL305";
// SL4xx: portability to the --target (tf.keras 2, Keras 3, TensorFlow.js).
inline constexpr std::string_view kTargetLacksLayer = "SL401";
inline constexpr std::string_view kTargetRejectsArgument = "SL402";
inline constexpr std::string_view kTargetCannotReadFormat = "SL403";
inline constexpr std::string_view kLambdaBytecode = "SL404";
}  // namespace rule

}  // namespace shapelint
