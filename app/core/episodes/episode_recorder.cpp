#include "core/episodes/episode_recorder.h"

#include "core/episodes/annotations_json.h"
#include "core/episodes/episode_file.h"
#include "core/episodes/h5_transaction.h"
#include "core/episodes/posix_io.h"
#include "core/logging.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace thinkvla::core {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int kCommitAttempts = 3;

double nowUnixS() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double steadyS() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Sortable and unique: nanoseconds since the epoch, process id, sequence number.
std::string makeRecordingId(std::uint64_t sequence) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%020lld-%d-%06llu", static_cast<long long>(ns),
                static_cast<int>(::getpid()), static_cast<unsigned long long>(sequence));
  return buffer;
}

std::vector<int> stepShape(const RecordedStep& s) {
  std::vector<int> shape;
  for (const cv::Mat* m : {&s.agentview_rgb, &s.eye_in_hand_rgb, &s.agentview_depth, &s.eye_in_hand_depth}) {
    shape.push_back(m->empty() ? 0 : m->rows);
    shape.push_back(m->empty() ? 0 : m->cols);
    shape.push_back(m->empty() ? -1 : m->type());
  }
  shape.push_back(static_cast<int>(s.joint_states.size()));
  shape.push_back(static_cast<int>(s.state.size()));
  return shape;
}

// Builds the episode of a side log. `interrupted`: the log has no end record (its process died).
Episode assembleEpisode(const StepLogContents& log, const fs::path& log_path) {
  if (!log.header) throw EpisodeError(log_path, "header", "no intact header record");
  const json& header = *log.header;
  Episode e;
  try {
    e.annotations = annotationsFromJson(header.at("annotations"));
    e.annotations.recording_id = header.value("recording_id", "");
    e.model_file = header.value("model_file", "");
    e.init_state = header.value("init_state", std::vector<double>{});
  } catch (const json::exception& ex) {
    throw EpisodeError(log_path, "header", std::string("malformed: ") + ex.what());
  }
  const auto steps = static_cast<Eigen::Index>(log.steps.size());
  if (steps == 0) throw EpisodeError(log_path, "steps", "no complete step");
  auto& a = e.annotations;
  a.intervention.assign(static_cast<std::size_t>(steps), 0);
  a.timestamps_unix_s.assign(static_cast<std::size_t>(steps), 0.0);
  std::vector<int> shape;
  for (Eigen::Index t = 0; t < steps; ++t) {
    const std::string where = "step " + std::to_string(t);
    RecordedStep s;
    try {
      s = deserializeStep(log.steps[static_cast<std::size_t>(t)].data(), log.steps[static_cast<std::size_t>(t)].size());
    } catch (const std::exception& ex) {
      throw EpisodeError(log_path, where, ex.what());
    }
    if (t == 0) {
      shape = stepShape(s);
      e.joint_states.resize(steps, s.joint_states.size());
      e.gripper_states.resize(steps, 2);
      e.ee_states.resize(steps, 6);
      e.actions.resize(steps, 7);
      e.states.resize(steps, s.state.size());
    } else if (stepShape(s) != shape) {
      throw EpisodeError(log_path, where, "does not match the shapes of step 0");
    }
    e.joint_states.row(t) = s.joint_states.transpose();
    e.gripper_states.row(t) = s.gripper_states.transpose();
    e.ee_states.row(t) = s.ee_states.transpose();
    e.actions.row(t) = s.action.transpose();
    e.states.row(t) = s.state.transpose();
    e.agentview_rgb.push_back(std::move(s.agentview_rgb));
    e.eye_in_hand_rgb.push_back(std::move(s.eye_in_hand_rgb));
    if (!s.agentview_depth.empty()) e.agentview_depth.push_back(std::move(s.agentview_depth));
    if (!s.eye_in_hand_depth.empty()) e.eye_in_hand_depth.push_back(std::move(s.eye_in_hand_depth));
    a.intervention[static_cast<std::size_t>(t)] = s.intervention ? 1 : 0;
    a.timestamps_unix_s[static_cast<std::size_t>(t)] = s.timestamp_unix_s;
  }
  e.ee_pos = e.ee_states.leftCols(3);
  e.ee_ori = e.ee_states.rightCols(3);
  if (log.end) {
    EpisodeAnnotations outcome;
    try {
      outcome = annotationsFromJson(*log.end);
    } catch (const json::exception& ex) {
      throw EpisodeError(log_path, "end", std::string("malformed: ") + ex.what());
    }
    a.success = outcome.success;
    a.notes = outcome.notes;
    a.subtasks = outcome.subtasks;
    a.keyframes = outcome.keyframes;
    a.end_time_unix_s = outcome.end_time_unix_s;
  } else {
    a.recovered = true;
    a.success = false;
    a.end_time_unix_s = a.timestamps_unix_s.back();
    a.notes += std::string(a.notes.empty() ? "" : "\n") + "Recovered after the recording process stopped: " +
               std::to_string(steps) + " steps.";
    // Annotations made for the full episode may point past its recovered end.
    a.subtasks.erase(std::remove_if(a.subtasks.begin(), a.subtasks.end(),
                                    [&](const SubtaskSegment& s) { return s.end_step > steps; }),
                     a.subtasks.end());
    a.keyframes.erase(std::remove_if(a.keyframes.begin(), a.keyframes.end(),
                                     [&](const Keyframe& k) { return k.step >= steps; }),
                      a.keyframes.end());
  }
  // LIBERO: done at the last step; reward 1 there when the task succeeded.
  e.dones.assign(static_cast<std::size_t>(steps), 0);
  e.rewards.assign(static_cast<std::size_t>(steps), 0);
  e.dones.back() = 1;
  e.rewards.back() = a.success ? 1 : 0;
  return e;
}

// Appends the episode of a finished log (idempotent) and deletes the log. Returns the demo name.
std::string commitLog(const fs::path& file, const fs::path& log_path) {
  StepLogContents contents;
  try {
    contents = readStepLog(log_path);
  } catch (const std::exception& ex) {
    throw EpisodeError(log_path, "/", ex.what());
  }
  const std::string name = appendEpisode(file, assembleEpisode(contents, log_path));
  std::error_code ec;
  fs::remove(log_path, ec);
  posix::fsyncDirectory(log_path.parent_path());
  return name;
}

std::string idOf(const fs::path& log_path, const std::string& prefix) {
  std::string stem = log_path.stem().string();
  return stem.substr(prefix.size());
}

int lockDirectory(const fs::path& directory, const fs::path& file) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) throw EpisodeError(file, "/", "cannot create " + directory.string() + ": " + ec.message());
  const fs::path lock_path = directory / "lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw EpisodeError(file, "/", "cannot open " + lock_path.string() + ": " + posix::lastErrorText());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw EpisodeError(file, "/", "another recorder is recording into this file");
  }
  return fd;
}

// The caller holds the directory lock.
RecoveryReport recoverLocked(const fs::path& file, const DatasetInfo& info, InterruptedEpisodePolicy policy) {
  RecoveryReport report;
  recoverInterruptedWrite(file);
  std::error_code ec;
  if (!fs::exists(file, ec)) createEpisodeFile(file, info, CreateMode::kFailIfExists);
  const fs::path directory = recordingDirectory(file);
  std::vector<std::pair<std::string, fs::path>> logs;  // (id, path), in recording order
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".tvlog") continue;
    if (name.rfind("ended-", 0) == 0) logs.emplace_back(idOf(entry.path(), "ended-"), entry.path());
    if (name.rfind("open-", 0) == 0) logs.emplace_back(idOf(entry.path(), "open-"), entry.path());
  }
  std::sort(logs.begin(), logs.end());
  auto say = [&](const std::string& message) {
    spdlog::warn("{}", message);
    report.messages.push_back(message);
  };
  for (const auto& [id, path] : logs) {
    const bool ended = path.filename().string().rfind("ended-", 0) == 0;
    try {
      if (ended) {
        const std::string name = commitLog(file, path);
        ++report.committed_kept;
        say(file.string() + ": committed kept episode " + id + " as " + name + " (its commit had not finished)");
        continue;
      }
      const StepLogContents contents = readStepLog(path);
      const std::string torn = contents.bytes_ignored > 0
                                   ? " (" + std::to_string(contents.bytes_ignored) + " bytes of a torn record ignored)"
                                   : "";
      if (!contents.header || contents.steps.empty()) {
        fs::remove(path, ec);
        ++report.discarded_interrupted;
        say(file.string() + ": interrupted recording " + id + " had no complete step; nothing to recover");
      } else if (policy == InterruptedEpisodePolicy::kDiscard) {
        fs::remove(path, ec);
        ++report.discarded_interrupted;
        say(file.string() + ": interrupted recording " + id + " (" + std::to_string(contents.steps.size()) +
            " steps" + torn + ") discarded by policy");
      } else {
        const std::string name = appendEpisode(file, assembleEpisode(contents, path));
        fs::remove(path, ec);
        ++report.committed_interrupted;
        say(file.string() + ": interrupted recording " + id + " recovered with " +
            std::to_string(contents.steps.size()) + " steps" + torn + " as " + name +
            ", marked recovered and unsuccessful");
      }
      posix::fsyncDirectory(directory);
    } catch (const EpisodeError& e) {
      // Keep the log for inspection under a name recovery skips; go on with the others.
      const fs::path kept = path.string() + ".unusable";
      fs::rename(path, kept, ec);
      say(std::string("cannot recover ") + path.string() + ", kept as " + kept.string() + ": " + e.what());
    }
  }
  return report;
}

}  // namespace

fs::path recordingDirectory(const fs::path& file) { return fs::path(file.string() + ".recording"); }

RecoveryReport recoverRecordings(const fs::path& file, const DatasetInfo& info, InterruptedEpisodePolicy policy) {
  const int lock_fd = lockDirectory(recordingDirectory(file), file);
  try {
    RecoveryReport report = recoverLocked(file, info, policy);
    ::close(lock_fd);
    return report;
  } catch (...) {
    ::close(lock_fd);
    throw;
  }
}

EpisodeRecorder::EpisodeRecorder(RecorderOptions options)
    : options_(std::move(options)), directory_(recordingDirectory(options_.file)) {
  if (options_.queue_capacity_steps == 0) options_.queue_capacity_steps = 1;
  directory_lock_fd_ = lockDirectory(directory_, options_.file);
  try {
    recovery_ = recoverLocked(options_.file, options_.dataset_info, options_.interrupted_policy);
  } catch (...) {
    ::close(directory_lock_fd_);
    throw;
  }
  writer_ = std::thread([this] { writerLoop(); });
  committer_ = std::thread([this] { committerLoop(); });
}

EpisodeRecorder::~EpisodeRecorder() {
  if (episode_open_) {
    spdlog::warn("{}: recorder closed during an episode ({} steps); the episode is discarded",
                 options_.file.string(), steps_in_episode_);
    endEpisode(EndDecision::kDiscard, {});
  }
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stop_writer_ = true;
  }
  queue_not_empty_.notify_all();
  writer_.join();
  {
    std::lock_guard<std::mutex> lock(commit_mutex_);
    stop_committer_ = true;
  }
  commit_cv_.notify_all();
  committer_.join();
  ::close(directory_lock_fd_);
}

void EpisodeRecorder::beginEpisode(const EpisodeStart& start) {
  if (episode_open_) throw EpisodeError(options_.file, "(recorder)", "an episode is already open");
  recording_id_ = makeRecordingId(next_sequence_++);
  EpisodeAnnotations a = start.annotations;
  if (a.start_time_unix_s == 0.0) a.start_time_unix_s = nowUnixS();
  a.recording_id = recording_id_;
  json header;
  header["format"] = 1;
  header["recording_id"] = recording_id_;
  header["annotations"] = annotationsToJson(a);
  header["model_file"] = start.model_file;
  header["init_state"] = start.init_state;
  const std::string text = header.dump();
  Item item{StepLogRecord::kHeader, std::vector<std::uint8_t>(text.begin(), text.end()), EndDecision::kKeep,
            recording_id_};
  push(std::move(item));
  episode_open_ = true;
  steps_in_episode_ = 0;
  first_step_shape_.clear();
}

void EpisodeRecorder::appendStep(const RecordedStep& step) {
  if (!episode_open_) throw EpisodeError(options_.file, "(recorder)", "appendStep() without an open episode");
  const std::string where = "(recorder) step " + std::to_string(steps_in_episode_);
  if (step.agentview_rgb.type() != CV_8UC3 || step.eye_in_hand_rgb.type() != CV_8UC3 ||
      step.agentview_rgb.empty() || step.eye_in_hand_rgb.empty()) {
    throw EpisodeError(options_.file, where, "colour images must be non-empty CV_8UC3 RGB");
  }
  for (const cv::Mat* depth : {&step.agentview_depth, &step.eye_in_hand_depth}) {
    if (!depth->empty() && depth->type() != CV_32FC1) {
      throw EpisodeError(options_.file, where, "depth images must be CV_32FC1 or empty");
    }
  }
  std::vector<int> shape = stepShape(step);
  if (steps_in_episode_ == 0) {
    first_step_shape_ = std::move(shape);
  } else if (shape != first_step_shape_) {
    throw EpisodeError(options_.file, where,
                       "image sizes/types or vector lengths differ from the episode's first step");
  }
  std::vector<std::uint8_t> payload;
  if (step.timestamp_unix_s == 0.0) {
    RecordedStep stamped = step;  // shares the image buffers; serialisation copies them
    stamped.timestamp_unix_s = nowUnixS();
    payload = serializeStep(stamped);
  } else {
    payload = serializeStep(step);
  }
  push(Item{StepLogRecord::kStep, std::move(payload), EndDecision::kKeep, recording_id_});
  ++steps_in_episode_;
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++stats_.steps_appended;
}

void EpisodeRecorder::endEpisode(EndDecision decision, const EpisodeOutcome& outcome) {
  if (!episode_open_) throw EpisodeError(options_.file, "(recorder)", "endEpisode() without an open episode");
  if (decision == EndDecision::kKeep && steps_in_episode_ == 0) {
    spdlog::warn("{}: an episode without steps cannot be kept; discarded", options_.file.string());
    decision = EndDecision::kDiscard;
  }
  EpisodeAnnotations end;
  end.success = outcome.success;
  end.notes = outcome.notes;
  end.subtasks = outcome.subtasks;
  end.keyframes = outcome.keyframes;
  end.end_time_unix_s = nowUnixS();
  const std::string text = annotationsToJson(end).dump();
  if (decision == EndDecision::kKeep) ++outstanding_keeps_;
  push(Item{StepLogRecord::kEnd, std::vector<std::uint8_t>(text.begin(), text.end()), decision, recording_id_});
  episode_open_ = false;
}

void EpisodeRecorder::push(Item item) {
  std::unique_lock<std::mutex> lock(queue_mutex_);
  double blocked_ms = 0.0;
  if (queue_.size() >= options_.queue_capacity_steps) {
    const auto t0 = std::chrono::steady_clock::now();
    queue_not_full_.wait(lock, [&] { return queue_.size() < options_.queue_capacity_steps; });
    blocked_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  queue_.push_back(std::move(item));
  const std::size_t depth = queue_.size();
  lock.unlock();
  queue_not_empty_.notify_one();
  std::lock_guard<std::mutex> stats_lock(stats_mutex_);
  stats_.queue_depth_max = std::max(stats_.queue_depth_max, depth);
  stats_.producer_blocked_max_ms = std::max(stats_.producer_blocked_max_ms, blocked_ms);
}

void EpisodeRecorder::writerLoop() {
  for (;;) {
    Item item;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_not_empty_.wait(lock, [&] { return stop_writer_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping and drained
      item = std::move(queue_.front());
      queue_.pop_front();
      writer_busy_ = true;
    }
    queue_not_full_.notify_one();
    handle(item);
    std::lock_guard<std::mutex> lock(queue_mutex_);
    writer_busy_ = false;
  }
  log_.close();
}

void EpisodeRecorder::handle(Item& item) {
  std::string error;
  switch (item.type) {
    case StepLogRecord::kHeader: {
      log_.close();
      log_failed_ = false;
      const fs::path path = directory_ / ("open-" + item.recording_id + ".tvlog");
      const json header = json::parse(item.payload.begin(), item.payload.end());
      if (!log_.open(path, header, error)) {
        log_failed_ = true;
        setError(error);
      }
      last_sync_s_ = steadyS();
      break;
    }
    case StepLogRecord::kStep: {
      if (log_failed_) break;  // the error is reported; the episode cannot be kept
      if (!log_.append(StepLogRecord::kStep, item.payload.data(), item.payload.size(), error)) {
        log_failed_ = true;
        setError(error);
        break;
      }
      {
        std::lock_guard<std::mutex> lock(stats_mutex_);
        ++stats_.steps_written;
      }
      if (steadyS() - last_sync_s_ >= options_.sync_interval_s) {
        if (!log_.sync(error)) setError(error);
        last_sync_s_ = steadyS();
      }
      break;
    }
    case StepLogRecord::kEnd: {
      const fs::path open_path = log_.path();
      if (item.decision == EndDecision::kDiscard) {
        log_.close();
        std::error_code ec;
        fs::remove(open_path, ec);
        std::lock_guard<std::mutex> lock(stats_mutex_);
        ++stats_.episodes_discarded;
        break;
      }
      const bool ok = !log_failed_ &&
                      log_.append(StepLogRecord::kEnd, item.payload.data(), item.payload.size(), error) &&
                      log_.sync(error);
      log_.close();
      const fs::path ended = directory_ / ("ended-" + item.recording_id + ".tvlog");
      std::error_code ec;
      if (ok) fs::rename(open_path, ended, ec);
      if (!ok || ec) {
        // The open log stays: the next recorder recovers what reached it.
        setError("episode " + item.recording_id + " could not be finished: " + (ok ? ec.message() : error));
        --outstanding_keeps_;
        break;
      }
      posix::fsyncDirectory(directory_);
      {
        std::lock_guard<std::mutex> lock(commit_mutex_);
        to_commit_.push_back(ended);
      }
      commit_cv_.notify_one();
      break;
    }
  }
}

void EpisodeRecorder::committerLoop() {
  int attempts = 0;
  for (;;) {
    fs::path path;
    {
      std::unique_lock<std::mutex> lock(commit_mutex_);
      commit_cv_.wait(lock, [&] { return stop_committer_ || !to_commit_.empty(); });
      if (to_commit_.empty()) break;
      path = to_commit_.front();
      committing_ = true;
    }
    bool done = false;
    try {
      const double t0 = steadyS();
      const std::string name = commitLog(options_.file, path);
      const double seconds = steadyS() - t0;
      spdlog::info("{}: committed {} ({:.2f} s)", options_.file.string(), name, seconds);
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.episodes_committed;
      stats_.last_committed = name;
      stats_.last_commit_s = seconds;
      done = true;
    } catch (const EpisodeError& e) {
      ++attempts;
      setError(e.what());
    }
    std::unique_lock<std::mutex> lock(commit_mutex_);
    committing_ = false;
    if (done || attempts >= kCommitAttempts || stop_committer_) {
      if (!done) {
        spdlog::error("{}: giving up committing {} in this session; the next recorder retries",
                      options_.file.string(), path.string());
      }
      to_commit_.pop_front();
      attempts = 0;
      --outstanding_keeps_;
    } else {
      // Typically a reader holding the file open: try again shortly.
      commit_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_committer_; });
    }
  }
}

void EpisodeRecorder::setError(const std::string& error) {
  spdlog::error("{}", error);
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.last_error = error;
}

bool EpisodeRecorder::waitUntilIdle(double timeout_s) const {
  const double deadline = steadyS() + timeout_s;
  for (;;) {
    bool idle;
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      idle = queue_.empty() && !writer_busy_;
    }
    if (idle && outstanding_keeps_.load() == 0) return true;
    if (steadyS() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

RecorderStats EpisodeRecorder::stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return stats_;
}

}  // namespace thinkvla::core
