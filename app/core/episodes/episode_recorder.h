// EpisodeRecorder: records demonstrations live into an episode file (core/episodes/episode_file.h)
// without stalling the control loop, and without losing kept episodes to a crash.
//
// Data path. The control thread calls beginEpisode(), appendStep() once per step (20 Hz) and
// endEpisode(kKeep | kDiscard). appendStep() deep-copies the step into a serialised record and puts
// it on a bounded queue; it blocks only when the queue is full, and never drops a step. The writer
// thread appends each record to the episode's side log ("<file>.recording/open-<id>.tvlog", see
// step_log.h) with one write() and fdatasyncs it every sync_interval_s. On kKeep it writes an end
// record, syncs, and renames the log to "ended-<id>.tvlog"; the committer thread then appends the
// episode to the HDF5 file in one H5Transaction (old file or new file after any crash) and deletes
// the log. Commits are idempotent (the recording id is stored with the demo), so a crash between
// the commit and the deletion never duplicates an episode. kDiscard deletes the log. Re-record is
// endEpisode(kDiscard) then beginEpisode() again.
//
// Crash safety. The main file is only ever changed by transactions: whatever happens, earlier
// episodes stay intact and the file opens. An episode whose process died while recording survives
// in its side log up to the last step that reached the writer: at most the queue (capacity below
// one second at 20 Hz) plus the record being written is lost. The next recorder on the same file
// (or recoverRecordings()) commits kept-but-uncommitted episodes, and commits the interrupted one
// marked `recovered` and unsuccessful, or discards it, by policy; either way it says so in the log.
//
// Threads: one control thread calls beginEpisode/appendStep/endEpisode/episodeOpen; stats() and
// waitUntilIdle() may be called from any thread. The recorder owns its two threads and joins them
// in its destructor. Ownership: the recorder copies everything it is given.
#pragma once

#include "core/episodes/episode_types.h"
#include "core/episodes/step_log.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace thinkvla::core {

enum class EndDecision { kKeep, kDiscard };
enum class InterruptedEpisodePolicy { kCommitAsRecovered, kDiscard };

// What is known when an episode starts: instruction, operator, source, QA pairs, teacher prompts
// (in annotations; start_time_unix_s is filled in when 0), the scene and its initial state.
struct EpisodeStart {
  EpisodeAnnotations annotations;
  std::string model_file;
  std::vector<double> init_state;
};

// What the operator decides when it ends.
struct EpisodeOutcome {
  bool success = false;
  std::string notes;
  std::vector<SubtaskSegment> subtasks;
  std::vector<Keyframe> keyframes;
};

struct RecorderOptions {
  std::filesystem::path file;  // created with dataset_info if missing
  DatasetInfo dataset_info;
  // 16 steps = 0.8 s at 20 Hz (~3.7 MB with two 128x128 RGB-D cameras): the most a kill can lose,
  // and ample slack (the writer needs ~1 ms a step; see tests/bench/bench_episode_recorder).
  std::size_t queue_capacity_steps = 16;
  double sync_interval_s = 1.0;
  InterruptedEpisodePolicy interrupted_policy = InterruptedEpisodePolicy::kCommitAsRecovered;
};

struct RecorderStats {
  std::uint64_t steps_appended = 0;
  std::uint64_t steps_written = 0;
  std::size_t queue_depth_max = 0;
  double producer_blocked_max_ms = 0.0;  // longest appendStep() wait on a full queue
  std::uint64_t episodes_committed = 0;
  std::uint64_t episodes_discarded = 0;
  std::string last_committed;  // "demo_7"
  double last_commit_s = 0.0;  // duration of the last commit
  std::string last_error;
};

struct RecoveryReport {
  int committed_kept = 0;            // kept episodes whose commit had not finished
  int committed_interrupted = 0;     // interrupted recordings committed as `recovered`
  int discarded_interrupted = 0;
  std::vector<std::string> messages;  // also logged
};

// Commits or discards what an earlier recorder on `file` left in "<file>.recording/", after
// rolling back an interrupted transaction. Creates `file` with `info` when it does not exist.
// Throws EpisodeError.
RecoveryReport recoverRecordings(const std::filesystem::path& file, const DatasetInfo& info,
                                 InterruptedEpisodePolicy policy);

// "<file>.recording": the directory of side logs.
std::filesystem::path recordingDirectory(const std::filesystem::path& file);

class EpisodeRecorder {
 public:
  // Runs recoverRecordings(), then starts the writer and committer threads. Throws EpisodeError.
  explicit EpisodeRecorder(RecorderOptions options);
  // Discards an open episode (logged), commits what was kept (waiting for it), joins the threads.
  ~EpisodeRecorder();
  EpisodeRecorder(const EpisodeRecorder&) = delete;
  EpisodeRecorder& operator=(const EpisodeRecorder&) = delete;

  const RecoveryReport& recoveryReport() const { return recovery_; }

  // Control thread. Throws EpisodeError when an episode is already open.
  void beginEpisode(const EpisodeStart& start);
  // Control thread. Throws EpisodeError when no episode is open or the step does not match the
  // first step of the episode (image sizes and types, vector lengths).
  void appendStep(const RecordedStep& step);
  // Control thread. kKeep queues the episode for commit; kDiscard drops it.
  void endEpisode(EndDecision decision, const EpisodeOutcome& outcome);
  bool episodeOpen() const { return episode_open_; }
  std::uint64_t stepsInEpisode() const { return steps_in_episode_; }

  // Any thread: waits until every kept episode is committed (true) or `timeout_s` passed (false).
  bool waitUntilIdle(double timeout_s) const;
  RecorderStats stats() const;

 private:
  struct Item {
    StepLogRecord type;
    std::vector<std::uint8_t> payload;
    EndDecision decision = EndDecision::kKeep;
    std::string recording_id;
  };

  void push(Item item);
  void writerLoop();
  void committerLoop();
  void handle(Item& item);
  void setError(const std::string& error);

  RecorderOptions options_;
  RecoveryReport recovery_;
  std::filesystem::path directory_;

  // Control thread only.
  bool episode_open_ = false;
  std::uint64_t steps_in_episode_ = 0;
  std::string recording_id_;
  std::vector<int> first_step_shape_;  // sizes every later step of the episode must match
  int directory_lock_fd_ = -1;         // flock on "<file>.recording/lock": one recorder per file
  std::uint64_t next_sequence_ = 0;

  // Control -> writer.
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_not_empty_;
  std::condition_variable queue_not_full_;
  std::deque<Item> queue_;
  bool writer_busy_ = false;
  bool stop_writer_ = false;

  // Writer thread only.
  StepLogWriter log_;
  bool log_failed_ = false;
  double last_sync_s_ = 0.0;

  // Writer -> committer.
  mutable std::mutex commit_mutex_;
  std::condition_variable commit_cv_;
  std::deque<std::filesystem::path> to_commit_;
  bool committing_ = false;
  bool stop_committer_ = false;

  std::atomic<std::uint64_t> outstanding_keeps_{0};  // kept, not yet committed or failed for good
  mutable std::mutex stats_mutex_;
  RecorderStats stats_;

  std::thread writer_;
  std::thread committer_;
};

}  // namespace thinkvla::core
