#pragma once

#include <cstddef>

namespace shapelint::io {

/// Maps in, writable, the whole pages of [data, data + bytes) in one system call, before they
/// are first written. A large buffer fresh from the allocator is otherwise faulted in a page
/// at a time, and on the virtual machines CI runs on those faults cost more than the lint of
/// an Inception-sized model's JSON text itself. Small buffers are left alone; a kernel
/// without MADV_POPULATE_WRITE (before Linux 5.14) just leaves the faults to happen.
void prefault_for_writing(void* data, std::size_t bytes) noexcept;

}  // namespace shapelint::io
