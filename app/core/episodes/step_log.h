// The side log of one episode being recorded (internal to core/episodes): an append-only file of
// CRC-framed records, a header (JSON), one record per step (binary), and an end record (JSON) once
// the operator keeps the episode. Each record goes to the kernel with one write() as soon as the
// writer thread has it, so a killed process loses only what was still queued; a record torn by the
// kill fails its CRC and is ignored with everything after it. fdatasync every second (the
// recorder's choice) bounds the loss on power failure as well.
//
// Threads: a StepLogWriter belongs to the recorder's writer thread; readStepLog and the
// (de)serialisers are pure and may run anywhere.
#pragma once

#include "core/episodes/episode_types.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace thinkvla::core {

// One control step as the recorder receives it.
struct RecordedStep {
  cv::Mat agentview_rgb;      // CV_8UC3, RGB, upright
  cv::Mat eye_in_hand_rgb;    // CV_8UC3, RGB, upright
  cv::Mat agentview_depth;    // CV_32FC1 or empty (then empty in every step of the episode)
  cv::Mat eye_in_hand_depth;  // CV_32FC1 or empty
  Eigen::VectorXd joint_states;    // 7 for the Panda
  Eigen::Vector2d gripper_states = Eigen::Vector2d::Zero();
  Eigen::Matrix<double, 6, 1> ee_states = Eigen::Matrix<double, 6, 1>::Zero();  // position, axis-angle
  Eigen::Matrix<double, 7, 1> action = Eigen::Matrix<double, 7, 1>::Zero();
  Eigen::VectorXd state;           // flattened simulator state (may be empty for real robots)
  bool intervention = false;       // a human drove this step
  double timestamp_unix_s = 0.0;
};

std::vector<std::uint8_t> serializeStep(const RecordedStep& step);
// Throws std::runtime_error on a malformed payload.
RecordedStep deserializeStep(const std::uint8_t* data, std::size_t size);

enum class StepLogRecord : std::uint8_t { kHeader = 1, kStep = 2, kEnd = 3 };

class StepLogWriter {
 public:
  StepLogWriter() = default;
  ~StepLogWriter();
  StepLogWriter(const StepLogWriter&) = delete;
  StepLogWriter& operator=(const StepLogWriter&) = delete;

  // Creates `path` (must not exist), writes the header record and syncs file and directory.
  // Returns false with `error` set on failure.
  bool open(const std::filesystem::path& path, const nlohmann::json& header, std::string& error);
  bool append(StepLogRecord type, const std::uint8_t* payload, std::size_t size, std::string& error);
  bool sync(std::string& error);
  void close();
  bool isOpen() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

struct StepLogContents {
  std::optional<nlohmann::json> header;
  std::vector<std::vector<std::uint8_t>> steps;  // payloads, in order
  std::optional<nlohmann::json> end;
  std::size_t bytes_ignored = 0;  // a torn or corrupt tail
};

// Reads every intact record up to the first torn or corrupt one. Throws std::runtime_error when the
// file cannot be read at all.
StepLogContents readStepLog(const std::filesystem::path& path);

}  // namespace thinkvla::core
