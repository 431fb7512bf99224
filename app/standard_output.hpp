#pragma once

namespace shapelint::cli {

/// Points std::cout at a buffer of its own, which writes to file descriptor 1 in large
/// pieces, and leaves std::cin and std::cerr as they are.
///
/// Why not std::ios::sync_with_stdio(false), as the program did before: it gives
/// all six standard streams, the wide ones too, buffers of their own (120 KiB, in the
/// huge-page arena of small_blocks.hpp), and a 400 KiB model's lint then wrote past its
/// first 2 MiB page (a fault of hundreds of microseconds). Synchronized with C's stdio,
/// std::cout would pass each of a report's many small writes to stdio one by one.
///
/// The buffer lives to the end of the process: the standard library flushes std::cout
/// when the program returns from main; before std::_Exit, flush it yourself. A write that
/// fails sets std::cout's badbit, as a file buffer's does.
void buffer_standard_output();

}  // namespace shapelint::cli
