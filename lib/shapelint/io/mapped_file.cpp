#include "shapelint/io/mapped_file.hpp"

#include <atomic>
#include <csignal>
#include <cstdint>
#include <mutex>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace shapelint::io {

namespace {

// A mapped file cut short by another process (an editor saving in place) would make reading
// its lost tail raise SIGBUS. The handler below maps zeros over the page instead, and marks
// the mapping cut: the read goes on, sees NUL bytes, and the caller reports the file as
// changed while it was read. A SIGBUS anywhere else goes to the action there was before.

struct GuardSlot {
  std::atomic<std::uintptr_t> begin{0};  ///< 0: free
  std::atomic<std::uintptr_t> end{0};
  std::atomic<bool> cut{false};
};

constexpr std::size_t kGuardSlots = 64;  ///< mappings at once: one per lint thread suffices
GuardSlot g_slots[kGuardSlots];

struct sigaction g_previous_action {};

std::uintptr_t g_page_size = 4096;

void on_sigbus(int signal, siginfo_t* info, void*) {
  auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (GuardSlot& slot : g_slots) {
    std::uintptr_t begin = slot.begin.load(std::memory_order_acquire);
    if (begin == 0 || address < begin || address >= slot.end.load(std::memory_order_acquire))
      continue;
    void* page = reinterpret_cast<void*>(address & ~(g_page_size - 1));
    if (mmap(page, g_page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
        MAP_FAILED) {
      slot.cut.store(true, std::memory_order_release);
      return;  // the access is made again, and reads zeros
    }
  }
  sigaction(SIGBUS, &g_previous_action, nullptr);
  raise(signal);  // delivered as it would have been, once this handler returns
}

void install_guard() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    g_page_size = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &g_previous_action);
  });
}

/// A free slot guarding [data, data + size), or kGuardSlots when all are taken.
std::size_t guard(const void* data, std::size_t size) {
  install_guard();
  auto begin = reinterpret_cast<std::uintptr_t>(data);
  for (std::size_t i = 0; i < kGuardSlots; ++i) {
    std::uintptr_t expected = 0;
    GuardSlot& slot = g_slots[i];
    // A free slot's end is already 0 (unmap clears it first): only the slot won is written,
    // so another thread's mapping never loses its guard here.
    if (slot.begin.compare_exchange_strong(expected, begin, std::memory_order_acq_rel)) {
      slot.cut.store(false, std::memory_order_release);
      slot.end.store(begin + size, std::memory_order_release);
      return i;
    }
  }
  return kGuardSlots;
}

}  // namespace

std::optional<MappedFile> MappedFile::open(const std::string& path,
                                           std::uint64_t min_bytes,
                                           std::uint64_t max_bytes) {
  // Looked at before it is opened: opening a FIFO would wait for a writer, and closing it
  // again would take its data from the read that follows. O_NONBLOCK for a file swapped
  // for a FIFO in between (it means nothing to a regular file).
  struct stat st {};

  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return std::nullopt;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return std::nullopt;
  void* data = MAP_FAILED;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (size >= min_bytes && size <= max_bytes)
      // Mapped in whole at once: the lint reads every byte anyway, and a fault every 64 KiB
      // (the kernel's fault-around) was 62 faults for a 4.4 MB config, a tenth of its lint.
      data = mmap(
          nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  }
  ::close(fd);  // the mapping keeps the file
  if (data == MAP_FAILED)
    return std::nullopt;
  auto size = static_cast<std::size_t>(st.st_size);
  std::size_t slot = guard(data, size);
  if (slot == kGuardSlots) {  // unguarded: read the file instead
    munmap(data, size);
    return std::nullopt;
  }
  // Read front to back, once: the kernel may read ahead and map the pages ahead in batches.
  madvise(data, size, MADV_SEQUENTIAL);
  return MappedFile(data, size, slot);
}

bool MappedFile::cut_short() const noexcept {
  return data_ && g_slots[slot_].cut.load(std::memory_order_acquire);
}

void MappedFile::unmap() noexcept {
  if (!data_)
    return;
  GuardSlot& slot = g_slots[slot_];
  slot.end.store(0, std::memory_order_release);
  slot.begin.store(0, std::memory_order_release);
  munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      slot_(other.slot_) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    unmap();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    slot_ = other.slot_;
  }
  return *this;
}

MappedFile::~MappedFile() {
  unmap();
}

}  // namespace shapelint::io
