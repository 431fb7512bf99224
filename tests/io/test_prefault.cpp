// Advice on fresh buffers (io/prefault.hpp): pages mapped in ahead, 2 MiB pages asked for.
// What the kernel did is read back from /proc/self/smaps, the kernel's own account of the
// process's mappings.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "shapelint/io/prefault.hpp"
#include <sys/mman.h>
#include <unistd.h>

namespace {

/// The smaps lines of the mapping that holds `address`, or "" when none does.
std::string smaps_entry_of(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  auto at = reinterpret_cast<std::uintptr_t>(address);
  std::string line;
  std::ostringstream entry;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t from = 0;
    std::uintptr_t to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-' && line.find(':') > line.find(' ')) {
      if (inside)
        break;  // the next mapping
      inside = from <= at && at < to;
    }
    if (inside)
      entry << line << '\n';
  }
  return entry.str();
}

/// A field of an smaps entry ("THPeligible", "Rss"): its number, -1 when absent.
long smaps_field(const std::string& entry, const std::string& name) {
  auto at = entry.find('\n' + name + ':');
  if (at == std::string::npos)
    return -1;
  return std::stol(entry.substr(at + name.size() + 2));
}

struct FreshMapping {
  explicit FreshMapping(std::size_t bytes) : size(bytes) {
    data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(data != MAP_FAILED);
  }

  ~FreshMapping() { munmap(data, size); }

  void* data;
  std::size_t size;
};

std::size_t page_bytes() {
  return static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

/// How many of the mapping's pages are in memory.
std::size_t resident_pages(const FreshMapping& mapping) {
  std::vector<unsigned char> in_core(mapping.size / page_bytes());
  REQUIRE(mincore(mapping.data, mapping.size, in_core.data()) == 0);
  return static_cast<std::size_t>(std::count_if(
      in_core.begin(), in_core.end(), [](unsigned char page) { return (page & 1) != 0; }));
}

bool huge_pages_on_request() {
  std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text((std::istreambuf_iterator<char>(mode)), std::istreambuf_iterator<char>());
  return text.find("[madvise]") != std::string::npos || text.find("[always]") != std::string::npos;
}

}  // namespace

/// Whether this kernel maps pages in on request (MADV_POPULATE_WRITE, Linux 5.14 on).
bool populates_on_request() {
#ifdef MADV_POPULATE_WRITE
  FreshMapping probe(page_bytes());
  return madvise(probe.data, probe.size, MADV_POPULATE_WRITE) == 0;
#else
  return false;
#endif
}

TEST_CASE("prefault_for_writing maps a large buffer's pages in, and leaves a small one alone") {
  if (!populates_on_request()) {
    WARN("skipped: this kernel does not map pages in on request (MADV_POPULATE_WRITE)");
    return;
  }
  FreshMapping large(std::size_t{1} << 20);
  CHECK(resident_pages(large) == 0);
  shapelint::io::prefault_for_writing(large.data, large.size);
  CHECK(resident_pages(large) == large.size / page_bytes());
  std::memset(large.data, 1, large.size);  // and writable

  FreshMapping small(std::size_t{16} << 10);
  shapelint::io::prefault_for_writing(small.data, small.size);
  CHECK(resident_pages(small) == 0);
}

TEST_CASE("advise_huge_pages makes the 2 MiB-aligned part of a buffer eligible for them") {
  if (!huge_pages_on_request()) {
    WARN("skipped: transparent huge pages are off on this system");
    return;
  }
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  FreshMapping mapping(std::size_t{8} << 20);
  // A buffer starting 1 MiB into the mapping: madvise takes its whole 2 MiB units.
  auto* buffer = static_cast<char*>(mapping.data) + (std::size_t{1} << 20);
  std::size_t bytes = std::size_t{6} << 20;
  auto first_unit = (reinterpret_cast<std::uintptr_t>(buffer) + kHuge - 1) & ~(kHuge - 1);
  auto* inside = reinterpret_cast<const char*>(first_unit);
  CHECK(smaps_field(smaps_entry_of(inside), "THPeligible") == 0);  // not before the advice
  shapelint::io::advise_huge_pages(buffer, bytes);
  std::string entry = smaps_entry_of(inside);
  INFO(entry);
  CHECK(smaps_field(entry, "THPeligible") == 1);
  CHECK(entry.find(" hg") != std::string::npos);  // VmFlags: huge-page advice given
  // Nothing before the buffer was advised.
  CHECK(smaps_entry_of(mapping.data).find(" hg") == std::string::npos);
}

TEST_CASE("discard_pages gives back the whole pages inside a range, and leaves a small one") {
  FreshMapping mapping(std::size_t{1} << 20);
  std::memset(mapping.data, 1, mapping.size);
  std::size_t pages = mapping.size / page_bytes();
  REQUIRE(resident_pages(mapping) == pages);
  // A range that starts and ends inside pages: the two partial pages stay, with their bytes.
  auto* bytes = static_cast<char*>(mapping.data);
  shapelint::io::discard_pages(bytes + 100, mapping.size - 200);
  CHECK(resident_pages(mapping) == 2);
  CHECK(bytes[99] == 1);
  CHECK(bytes[mapping.size - 100] == 1);
  CHECK(bytes[page_bytes()] == 0);  // a page given back reads as zeros

  std::memset(mapping.data, 1, mapping.size);
  shapelint::io::discard_pages(mapping.data, std::size_t{16} << 10);
  CHECK(resident_pages(mapping) == pages);  // too small to be worth a system call
}
