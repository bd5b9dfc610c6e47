// Crash-safe modification of an existing HDF5 file, through an undo journal beside it.
//
// HDF5 has no journaling: adding a group or rewriting an attribute updates B-tree nodes, heaps and
// object headers in place, so a process killed half-way can leave a file that no longer opens.
// H5Transaction opens the file through a small virtual file driver ("thinkvla_undo", POSIX I/O like
// HDF5's sec2 driver, same bytes on disk) that keeps "<file>-journal":
//   - at open it writes the file's current size into the journal header and syncs it;
//   - before any byte that existed at open is overwritten (or truncated away) for the first time, the
//     original 4 KiB page is appended to the journal, CRC-framed, and the journal is synced before the
//     file is touched; bytes appended past the old end need no undo;
//   - commit() closes the file (HDF5 writes out all its metadata), fsyncs it, then deletes the
//     journal. Deleting the journal is the commit point.
// If the process dies before that, recoverInterruptedWrite() (which every opener in core/episodes
// calls first) writes the saved pages back and truncates to the old size: the file is again, byte for
// byte, what it was before the transaction. A torn journal record is ignored: the file write it
// guards had not started. The outcome of any crash is therefore the old file or the new one.
//
// Concurrency: a transaction holds an exclusive flock on the file for its lifetime, so a second
// writer or a recovery attempt in another process (or another handle in this one) fails with a
// clear error instead of interfering. HDF5 readers opened with HDF5's default file locking (on in
// 1.10.8) hold a shared lock, so a transaction cannot start while they keep the file open.
// Threads: an H5Transaction is used by one thread; hdf5Mutex() serialises the compound HDF5
// operations of core/episodes within the process.
#pragma once

#include <H5Cpp.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace thinkvla::core {

// Process-wide lock held by core/episodes around each public operation that uses HDF5.
std::recursive_mutex& hdf5Mutex();

// Turns HDF5's automatic error printing off for the calling thread (error stacks are per thread).
void quietHdf5();

// The most specific message on the calling thread's HDF5 error stack ("truncated file: eof = ...",
// "unable to open file"), or "" when it is empty. Call right after catching H5::Exception.
std::string hdf5ErrorDetail();

// Path of the undo journal of `file`: "<file>-journal".
std::filesystem::path journalPath(const std::filesystem::path& file);

// If `file` has a journal left by an interrupted transaction, rolls the file back to its state
// before that transaction and removes the journal. Returns true when it rolled something back.
// Throws EpisodeError when the journal exists but the file is locked by a live writer, or on I/O
// errors. Cheap when there is no journal (one stat).
bool recoverInterruptedWrite(const std::filesystem::path& file);

class H5Transaction {
 public:
  // Recovers a pending journal, then opens `file` (which must exist) read-write through the undo
  // driver. Throws EpisodeError naming the file.
  explicit H5Transaction(const std::filesystem::path& file);
  // Without commit(): closes the file and rolls it back (an exception unwound the change).
  ~H5Transaction();
  H5Transaction(const H5Transaction&) = delete;
  H5Transaction& operator=(const H5Transaction&) = delete;

  H5::H5File& file() { return *file_; }
  const std::filesystem::path& path() const { return path_; }

  // Closes the file, makes it durable and deletes the journal. Throws EpisodeError on failure (the
  // destructor then rolls back).
  void commit();

 private:
  std::filesystem::path path_;
  std::unique_ptr<H5::H5File> file_;
  bool committed_ = false;
};

// Test hook, process-wide: SIGKILL the process at the n-th durable step of undo-driver transactions
// counted from now (each file write, each truncate, and the journal deletion of commit). A file write
// chosen as the crash point is torn: half of it is written before the kill. n <= 0 disables.
void setCrashPointForTesting(int n);

}  // namespace thinkvla::core
