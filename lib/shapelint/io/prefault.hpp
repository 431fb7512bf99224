#pragma once

#include <cstddef>

namespace shapelint::io {

/// Maps in, writable, the whole pages of [data, data + bytes) in one system call, before they
/// are first written. A large buffer fresh from the allocator is otherwise faulted in a page
/// at a time, and on the virtual machines CI runs on those faults cost more than the lint of
/// an Inception-sized model's JSON text itself. Small buffers are left alone; a kernel
/// without MADV_POPULATE_WRITE (before Linux 5.14) just leaves the faults to happen.
void prefault_for_writing(void* data, std::size_t bytes) noexcept;

/// Asks the kernel to back the 2 MiB-aligned part of [data, data + bytes) with 2 MiB pages
/// (transparent huge pages, where the system allows them on request). For a large buffer
/// written once front to back (a large document's nodes): fewer faults, and far fewer TLB
/// misses, which on the virtual machines CI runs on made copying into 4 KiB pages a tenth of
/// the lint of a 4.4 MB config. Does nothing where the kernel cannot.
void advise_huge_pages(void* data, std::size_t bytes) noexcept;

/// Gives the system back the whole pages of [data, data + bytes), part of a block still
/// allocated whose bytes there hold nothing any more (the tail of a list emptied from its
/// end): they stop counting in the process's memory, and read as zeros if touched again.
/// Small ranges are left alone (the system call would cost more than the pages).
void discard_pages(void* data, std::size_t bytes) noexcept;

}  // namespace shapelint::io
