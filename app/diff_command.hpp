#pragma once

// `shapelint diff OLD NEW`: compares two versions of a model (any formats shapelint reads).

namespace shapelint::cli {

/// Runs the diff command; `argv[0]` is "diff". Returns the exit code: 0 no finding at or
/// above --fail-on (the signature is unchanged), 1 such a finding (a breaking signature
/// change), 2 a usage error or a version that cannot be read.
int run_diff(int argc, char** argv);

}  // namespace shapelint::cli
