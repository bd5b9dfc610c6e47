#include "core/episodes/h5_transaction.h"

#include "core/episodes/crc32.h"
#include "core/episodes/episode_types.h"
#include "core/episodes/posix_io.h"
#include "core/logging.h"

#include <spdlog/spdlog.h>

#include <H5FDpublic.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace thinkvla::core {
namespace {

constexpr char kJournalMagic[8] = {'T', 'V', 'U', 'N', 'D', 'O', '0', '1'};
constexpr std::size_t kJournalHeaderBytes = 24;  // magic, u64 original size, u32 crc, u32 zero
constexpr std::size_t kRecordHeaderBytes = 16;   // u64 address, u32 length, u32 crc
constexpr haddr_t kPageBytes = 4096;

std::atomic<int> g_crash_countdown{0};

// True when this durable step is the one chosen by setCrashPointForTesting().
bool crashPointReached() {
  int current = g_crash_countdown.load();
  while (current > 0) {
    if (g_crash_countdown.compare_exchange_weak(current, current - 1)) return current == 1;
  }
  return false;
}

[[noreturn]] void killSelf() {
  ::raise(SIGKILL);
  ::_exit(137);  // unreachable
}

struct UndoFile {
  H5FD_t pub;  // first member: HDF5 sees the driver's file as an H5FD_t
  int fd = -1;
  int journal_fd = -1;
  haddr_t eoa = 0;
  haddr_t eof = 0;
  haddr_t original_eof = 0;
  dev_t device = 0;
  ino_t inode = 0;
  bool writable = false;
  bool changed = false;        // any write or truncate happened
  bool journal_dirty = false;  // records appended since the last sync
  std::unordered_set<haddr_t> saved_pages;
  std::string journal_path;
};

UndoFile* asUndo(H5FD_t* f) { return reinterpret_cast<UndoFile*>(f); }
const UndoFile* asUndo(const H5FD_t* f) { return reinterpret_cast<const UndoFile*>(f); }

void putU32(unsigned char* p, std::uint32_t v) { std::memcpy(p, &v, 4); }
void putU64(unsigned char* p, std::uint64_t v) { std::memcpy(p, &v, 8); }
std::uint32_t getU32(const unsigned char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
std::uint64_t getU64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Appends the original content of every page of [begin, end) below the size at open that was not
// saved yet.
bool saveOriginal(UndoFile* file, haddr_t begin, haddr_t end) {
  if (end > file->original_eof) end = file->original_eof;
  if (begin >= end) return true;
  std::vector<unsigned char> record;
  for (haddr_t page = begin / kPageBytes; page <= (end - 1) / kPageBytes; ++page) {
    if (file->saved_pages.count(page) != 0) continue;
    const haddr_t page_begin = page * kPageBytes;
    const haddr_t page_end = std::min(page_begin + kPageBytes, file->original_eof);
    const auto length = static_cast<std::size_t>(page_end - page_begin);
    record.assign(kRecordHeaderBytes + length, 0);
    const ssize_t got = posix::preadFull(file->fd, record.data() + kRecordHeaderBytes, length,
                                         static_cast<off_t>(page_begin));
    if (got != static_cast<ssize_t>(length)) return false;
    putU64(record.data(), page_begin);
    putU32(record.data() + 8, static_cast<std::uint32_t>(length));
    std::uint32_t crc = crc32(record.data(), 12);
    crc = crc32(record.data() + kRecordHeaderBytes, length, crc);
    putU32(record.data() + 12, crc);
    if (!posix::writeAll(file->journal_fd, record.data(), record.size())) return false;
    file->saved_pages.insert(page);
    file->journal_dirty = true;
  }
  return true;
}

// The undo records must be on disk before the bytes they protect change.
bool syncJournal(UndoFile* file) {
  if (!file->journal_dirty) return true;
  if (::fdatasync(file->journal_fd) != 0) return false;
  file->journal_dirty = false;
  return true;
}

H5FD_t* undoOpen(const char* name, unsigned flags, hid_t /*fapl*/, haddr_t maxaddr) {
  if ((flags & (H5F_ACC_CREAT | H5F_ACC_TRUNC | H5F_ACC_EXCL)) != 0) return nullptr;  // existing files only
  const bool writable = (flags & H5F_ACC_RDWR) != 0;
  const int fd = ::open(name, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return nullptr;
  }
  auto* file = new UndoFile();
  std::memset(&file->pub, 0, sizeof(file->pub));
  file->fd = fd;
  file->eof = static_cast<haddr_t>(st.st_size);
  file->original_eof = file->eof;
  file->device = st.st_dev;
  file->inode = st.st_ino;
  file->writable = writable;
  if (writable) {
    // One writer at a time, across processes and handles; a crashed writer's lock dies with it.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      delete file;
      return nullptr;
    }
    file->journal_path = std::string(name) + "-journal";
    const int jfd = ::open(file->journal_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (jfd < 0) {  // a pending journal: recoverInterruptedWrite() must run first
      ::close(fd);
      delete file;
      return nullptr;
    }
    file->journal_fd = jfd;
    unsigned char header[kJournalHeaderBytes] = {};
    std::memcpy(header, kJournalMagic, 8);
    putU64(header + 8, file->original_eof);
    putU32(header + 16, crc32(header, 16));
    const bool ok = posix::writeAll(jfd, header, sizeof(header)) && ::fdatasync(jfd) == 0 &&
                    posix::fsyncDirectory(std::filesystem::path(file->journal_path).parent_path());
    if (!ok) {
      ::close(jfd);
      ::unlink(file->journal_path.c_str());
      ::close(fd);
      delete file;
      return nullptr;
    }
  }
  (void)maxaddr;
  return &file->pub;
}

herr_t undoClose(H5FD_t* f) {
  UndoFile* file = asUndo(f);
  herr_t status = 0;
  if (file->writable) {
    // Durable before the caller may delete the journal (the commit point).
    if (file->changed && ::fsync(file->fd) != 0) status = -1;
    ::close(file->journal_fd);
    // Nothing was modified: the journal protects nothing and can go now.
    if (!file->changed) ::unlink(file->journal_path.c_str());
  }
  ::close(file->fd);
  delete file;
  return status;
}

int undoCmp(const H5FD_t* f1, const H5FD_t* f2) {
  const UndoFile* a = asUndo(f1);
  const UndoFile* b = asUndo(f2);
  if (a->device != b->device) return a->device < b->device ? -1 : 1;
  if (a->inode != b->inode) return a->inode < b->inode ? -1 : 1;
  return 0;
}

herr_t undoQuery(const H5FD_t* /*f*/, unsigned long* flags) {
  if (flags != nullptr) {
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
             H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_POSIX_COMPAT_HANDLE |
             H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  }
  return 0;
}

haddr_t undoGetEoa(const H5FD_t* f, H5FD_mem_t /*type*/) { return asUndo(f)->eoa; }

herr_t undoSetEoa(H5FD_t* f, H5FD_mem_t /*type*/, haddr_t addr) {
  asUndo(f)->eoa = addr;
  return 0;
}

haddr_t undoGetEof(const H5FD_t* f, H5FD_mem_t /*type*/) { return asUndo(f)->eof; }

herr_t undoGetHandle(H5FD_t* f, hid_t /*fapl*/, void** handle) {
  if (handle == nullptr) return -1;
  *handle = &asUndo(f)->fd;
  return 0;
}

herr_t undoRead(H5FD_t* f, H5FD_mem_t /*type*/, hid_t /*dxpl*/, haddr_t addr, size_t size,
                void* buffer) {
  UndoFile* file = asUndo(f);
  if (addr == HADDR_UNDEF || addr + size > file->eoa) return -1;
  auto* out = static_cast<unsigned char*>(buffer);
  const ssize_t got = posix::preadFull(file->fd, out, size, static_cast<off_t>(addr));
  if (got < 0) return -1;
  // Past the physical end of file HDF5 expects zeros (as with sec2).
  if (static_cast<std::size_t>(got) < size) std::memset(out + got, 0, size - static_cast<std::size_t>(got));
  return 0;
}

herr_t undoWrite(H5FD_t* f, H5FD_mem_t /*type*/, hid_t /*dxpl*/, haddr_t addr, size_t size,
                 const void* buffer) {
  UndoFile* file = asUndo(f);
  if (!file->writable || addr == HADDR_UNDEF || addr + size > file->eoa) return -1;
  if (!saveOriginal(file, addr, addr + size) || !syncJournal(file)) return -1;
  file->changed = true;
  if (crashPointReached()) {
    posix::pwriteAll(file->fd, buffer, size / 2, static_cast<off_t>(addr));  // torn write
    killSelf();
  }
  if (!posix::pwriteAll(file->fd, buffer, size, static_cast<off_t>(addr))) return -1;
  if (addr + size > file->eof) file->eof = addr + size;
  return 0;
}

herr_t undoTruncate(H5FD_t* f, hid_t /*dxpl*/, hbool_t /*closing*/) {
  UndoFile* file = asUndo(f);
  if (!file->writable || file->eoa == file->eof) return 0;
  if (file->eoa < file->eof) {
    if (!saveOriginal(file, file->eoa, file->eof) || !syncJournal(file)) return -1;
  }
  file->changed = true;
  if (crashPointReached()) killSelf();
  if (::ftruncate(file->fd, static_cast<off_t>(file->eoa)) != 0) return -1;
  file->eof = file->eoa;
  return 0;
}

// Locking is done in undoOpen (exclusive, for the whole transaction); HDF5's own call is a no-op.
herr_t undoLock(H5FD_t* /*f*/, hbool_t /*rw*/) { return 0; }
herr_t undoUnlock(H5FD_t* /*f*/) { return 0; }

const H5FD_class_t kUndoClass = {
    "thinkvla_undo",
    (static_cast<haddr_t>(1) << (8 * sizeof(off_t) - 1)) - 1,
    H5F_CLOSE_WEAK,
    nullptr,  // terminate
    nullptr,  // sb_size
    nullptr,  // sb_encode
    nullptr,  // sb_decode
    0,        // fapl_size
    nullptr,  // fapl_get
    nullptr,  // fapl_copy
    nullptr,  // fapl_free
    0,        // dxpl_size
    nullptr,  // dxpl_copy
    nullptr,  // dxpl_free
    undoOpen,
    undoClose,
    undoCmp,
    undoQuery,
    nullptr,  // get_type_map
    nullptr,  // alloc
    nullptr,  // free
    undoGetEoa,
    undoSetEoa,
    undoGetEof,
    undoGetHandle,
    undoRead,
    undoWrite,
    nullptr,  // flush
    undoTruncate,
    undoLock,
    undoUnlock,
    H5FD_FLMAP_DICHOTOMY,
};

hid_t undoDriver() {
  static hid_t id = [] {
    const hid_t registered = H5FDregister(&kUndoClass);
    if (registered < 0) throw std::runtime_error("cannot register the thinkvla_undo HDF5 driver");
    return registered;
  }();
  return id;
}

herr_t collectInnermost(unsigned n, const H5E_error2_t* err, void* client) {
  auto* out = static_cast<std::string*>(client);
  if (n == 0 && err != nullptr && err->desc != nullptr) *out = err->desc;
  return 0;
}

}  // namespace

std::recursive_mutex& hdf5Mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

void quietHdf5() {
  thread_local bool quiet = false;
  if (!quiet) {
    H5::Exception::dontPrint();
    quiet = true;
  }
}

std::string hdf5ErrorDetail() {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collectInnermost, &detail);
  return detail;
}

std::filesystem::path journalPath(const std::filesystem::path& file) {
  return std::filesystem::path(file.string() + "-journal");
}

namespace {

enum class RollbackReason { kCrashRecovery, kAbandoned };

bool rollBack(const std::filesystem::path& file, RollbackReason reason) {
  const std::filesystem::path journal = journalPath(file);
  std::error_code ec;
  if (!std::filesystem::exists(journal, ec)) return false;

  const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    throw EpisodeError(file, "/", "an interrupted write left " + journal.string() +
                                      " but the file cannot be opened to roll it back: " +
                                      posix::lastErrorText());
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw EpisodeError(file, "/", "an interrupted write must be rolled back, but the file is open "
                                  "elsewhere (a writer, or a reader holding HDF5's lock)");
  }
  // The writer may have finished (and deleted the journal) while we waited for nothing.
  if (!std::filesystem::exists(journal, ec)) {
    ::close(fd);
    return false;
  }
  const int jfd = ::open(journal.c_str(), O_RDONLY | O_CLOEXEC);
  std::vector<unsigned char> bytes;
  if (jfd >= 0) {
    struct stat st {};
    if (::fstat(jfd, &st) == 0) {
      bytes.resize(static_cast<std::size_t>(st.st_size));
      const ssize_t got = posix::preadFull(jfd, bytes.data(), bytes.size(), 0);
      bytes.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
    }
    ::close(jfd);
  }
  bool header_ok = bytes.size() >= kJournalHeaderBytes &&
                   std::memcmp(bytes.data(), kJournalMagic, 8) == 0 &&
                   getU32(bytes.data() + 16) == crc32(bytes.data(), 16);
  std::size_t restored_pages = 0;
  if (header_ok) {
    const std::uint64_t original_size = getU64(bytes.data() + 8);
    std::size_t pos = kJournalHeaderBytes;
    while (pos + kRecordHeaderBytes <= bytes.size()) {
      const unsigned char* rec = bytes.data() + pos;
      const std::uint64_t address = getU64(rec);
      const std::uint32_t length = getU32(rec + 8);
      if (length > kPageBytes || pos + kRecordHeaderBytes + length > bytes.size()) break;  // torn
      std::uint32_t crc = crc32(rec, 12);
      crc = crc32(rec + kRecordHeaderBytes, length, crc);
      if (crc != getU32(rec + 12)) break;  // torn: the write it guards never started
      if (!posix::pwriteAll(fd, rec + kRecordHeaderBytes, length, static_cast<off_t>(address))) {
        const std::string why = posix::lastErrorText();
        ::close(fd);
        throw EpisodeError(file, "/", "rolling back an interrupted write failed: " + why);
      }
      ++restored_pages;
      pos += kRecordHeaderBytes + length;
    }
    if (::ftruncate(fd, static_cast<off_t>(original_size)) != 0 || ::fsync(fd) != 0) {
      const std::string why = posix::lastErrorText();
      ::close(fd);
      throw EpisodeError(file, "/", "rolling back an interrupted write failed: " + why);
    }
  }
  // Without a complete header the transaction never reached its first write: nothing to undo.
  std::filesystem::remove(journal, ec);
  posix::fsyncDirectory(file.parent_path());
  ::close(fd);
  if (reason == RollbackReason::kCrashRecovery) {
    spdlog::warn("{}: rolled back a write interrupted by a crash ({} page(s) restored from {})",
                 file.string(), restored_pages, journal.string());
  } else {
    spdlog::debug("{}: discarded uncommitted changes ({} page(s) restored)", file.string(), restored_pages);
  }
  return true;
}

}  // namespace

bool recoverInterruptedWrite(const std::filesystem::path& file) {
  return rollBack(file, RollbackReason::kCrashRecovery);
}

H5Transaction::H5Transaction(const std::filesystem::path& file) : path_(file) {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  recoverInterruptedWrite(file);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) throw EpisodeError(file, "/", "no such file");
  try {
    H5::FileAccPropList fapl;
    // Closing the file must close everything, so that commit() really ends all writes.
    fapl.setFcloseDegree(H5F_CLOSE_STRONG);
    if (H5Pset_driver(fapl.getId(), undoDriver(), nullptr) < 0) {
      throw EpisodeError(file, "/", "cannot select the journaling HDF5 driver");
    }
    file_ = std::make_unique<H5::H5File>(file.string(), H5F_ACC_RDWR,
                                         H5::FileCreatPropList::DEFAULT, fapl);
  } catch (const H5::Exception& e) {
    const std::string detail = hdf5ErrorDetail();
    throw EpisodeError(file, "/",
                       "cannot open for writing (locked by another writer or reader, or not an "
                       "HDF5 file): " + (detail.empty() ? e.getDetailMsg() : detail));
  }
}

H5Transaction::~H5Transaction() {
  if (committed_) return;
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  try {
    if (file_) file_->close();
  } catch (const H5::Exception&) {
    // The rollback below restores the file whatever state the close left it in.
  }
  file_.reset();
  try {
    rollBack(path_, RollbackReason::kAbandoned);
  } catch (const EpisodeError& e) {
    spdlog::error("{}", e.what());
  }
}

void H5Transaction::commit() {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  try {
    file_->close();  // HDF5 writes its metadata; the driver fsyncs the file
  } catch (const H5::Exception& e) {
    const std::string detail = hdf5ErrorDetail();
    throw EpisodeError(path_, "/", "writing the changes failed: " +
                                       (detail.empty() ? e.getDetailMsg() : detail));
  }
  file_.reset();
  if (crashPointReached()) killSelf();
  const std::filesystem::path journal = journalPath(path_);
  std::error_code ec;
  std::filesystem::remove(journal, ec);  // the commit point
  if (ec) throw EpisodeError(path_, "/", "cannot delete the journal: " + ec.message());
  posix::fsyncDirectory(path_.parent_path());
  committed_ = true;
}

void setCrashPointForTesting(int n) { g_crash_countdown.store(n > 0 ? n : 0); }

}  // namespace thinkvla::core
