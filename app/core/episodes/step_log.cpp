#include "core/episodes/step_log.h"

#include "core/episodes/crc32.h"
#include "core/episodes/posix_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace thinkvla::core {
namespace {

constexpr std::uint32_t kRecordMagic = 0x474C5654;  // "TVLG"
constexpr std::size_t kRecordHeaderBytes = 16;       // magic, type + 3 pad, length, crc
constexpr std::uint32_t kStepVersion = 1;

class Out {
 public:
  explicit Out(std::size_t reserve) { bytes_.reserve(reserve); }
  void raw(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
  }
  template <typename T>
  void value(T v) {
    raw(&v, sizeof(v));
  }
  void doubles(const double* d, std::size_t n) { raw(d, n * sizeof(double)); }
  void vector(const Eigen::VectorXd& v) {
    value<std::uint32_t>(static_cast<std::uint32_t>(v.size()));
    doubles(v.data(), static_cast<std::size_t>(v.size()));
  }
  void image(const cv::Mat& m) {
    value<std::int32_t>(m.empty() ? 0 : m.rows);
    value<std::int32_t>(m.empty() ? 0 : m.cols);
    value<std::int32_t>(m.type());
    if (m.empty()) return;
    const std::size_t row_bytes = m.cols * m.elemSize();
    for (int r = 0; r < m.rows; ++r) raw(m.ptr(r), row_bytes);
  }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
};

class In {
 public:
  In(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  void raw(void* out, std::size_t size) {
    if (static_cast<std::size_t>(end_ - p_) < size) throw std::runtime_error("step record too short");
    std::memcpy(out, p_, size);
    p_ += size;
  }
  template <typename T>
  T value() {
    T v;
    raw(&v, sizeof(v));
    return v;
  }
  Eigen::VectorXd vector() {
    const auto n = value<std::uint32_t>();
    if (n > (1U << 20)) throw std::runtime_error("step record: implausible vector length");
    Eigen::VectorXd v(static_cast<Eigen::Index>(n));
    raw(v.data(), n * sizeof(double));
    return v;
  }
  cv::Mat image() {
    const auto rows = value<std::int32_t>();
    const auto cols = value<std::int32_t>();
    const auto type = value<std::int32_t>();
    if (rows == 0 || cols == 0) return {};
    if (rows < 0 || cols < 0 || rows > 16384 || cols > 16384 || (type != CV_8UC3 && type != CV_32FC1)) {
      throw std::runtime_error("step record: bad image header");
    }
    cv::Mat m(rows, cols, type);
    raw(m.data, m.total() * m.elemSize());
    return m;
  }
  bool done() const { return p_ == end_; }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

std::size_t imageBytes(const cv::Mat& m) { return 12 + (m.empty() ? 0 : m.total() * m.elemSize()); }

}  // namespace

std::vector<std::uint8_t> serializeStep(const RecordedStep& s) {
  const std::size_t size = 64 + 8 * (s.joint_states.size() + s.state.size() + 2 + 6 + 7) +
                           imageBytes(s.agentview_rgb) + imageBytes(s.eye_in_hand_rgb) +
                           imageBytes(s.agentview_depth) + imageBytes(s.eye_in_hand_depth);
  Out out(size);
  out.value<std::uint32_t>(kStepVersion);
  out.value<std::uint8_t>(s.intervention ? 1 : 0);
  out.value<double>(s.timestamp_unix_s);
  out.vector(s.joint_states);
  out.doubles(s.gripper_states.data(), 2);
  out.doubles(s.ee_states.data(), 6);
  out.doubles(s.action.data(), 7);
  out.vector(s.state);
  out.image(s.agentview_rgb);
  out.image(s.eye_in_hand_rgb);
  out.image(s.agentview_depth);
  out.image(s.eye_in_hand_depth);
  return out.take();
}

RecordedStep deserializeStep(const std::uint8_t* data, std::size_t size) {
  In in(data, size);
  if (in.value<std::uint32_t>() != kStepVersion) throw std::runtime_error("step record: unknown version");
  RecordedStep s;
  s.intervention = in.value<std::uint8_t>() != 0;
  s.timestamp_unix_s = in.value<double>();
  s.joint_states = in.vector();
  in.raw(s.gripper_states.data(), 2 * sizeof(double));
  in.raw(s.ee_states.data(), 6 * sizeof(double));
  in.raw(s.action.data(), 7 * sizeof(double));
  s.state = in.vector();
  s.agentview_rgb = in.image();
  s.eye_in_hand_rgb = in.image();
  s.agentview_depth = in.image();
  s.eye_in_hand_depth = in.image();
  if (!in.done()) throw std::runtime_error("step record: trailing bytes");
  return s;
}

StepLogWriter::~StepLogWriter() { close(); }

bool StepLogWriter::open(const std::filesystem::path& path, const nlohmann::json& header,
                         std::string& error) {
  close();
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    error = "cannot create " + path.string() + ": " + posix::lastErrorText();
    return false;
  }
  path_ = path;
  const std::string text = header.dump();
  if (!append(StepLogRecord::kHeader, reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), error) ||
      !sync(error)) {
    return false;
  }
  if (!posix::fsyncDirectory(path.parent_path())) {
    error = "cannot sync " + path.parent_path().string() + ": " + posix::lastErrorText();
    return false;
  }
  return true;
}

bool StepLogWriter::append(StepLogRecord type, const std::uint8_t* payload, std::size_t size,
                           std::string& error) {
  // Header and payload in one write(): the record reaches the kernel whole or (if the process is
  // killed inside the call) as a prefix that the reader rejects.
  std::vector<std::uint8_t> record(kRecordHeaderBytes + size);
  const std::uint32_t length = static_cast<std::uint32_t>(size);
  const std::uint32_t crc = crc32(payload, size, static_cast<std::uint32_t>(type));
  std::memcpy(record.data(), &kRecordMagic, 4);
  record[4] = static_cast<std::uint8_t>(type);
  std::memcpy(record.data() + 8, &length, 4);
  std::memcpy(record.data() + 12, &crc, 4);
  if (size > 0) std::memcpy(record.data() + kRecordHeaderBytes, payload, size);
  if (!posix::writeAll(fd_, record.data(), record.size())) {
    error = "cannot write " + path_.string() + ": " + posix::lastErrorText();
    return false;
  }
  return true;
}

bool StepLogWriter::sync(std::string& error) {
  if (::fdatasync(fd_) != 0) {
    error = "cannot sync " + path_.string() + ": " + posix::lastErrorText();
    return false;
  }
  return true;
}

void StepLogWriter::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

StepLogContents readStepLog(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + posix::lastErrorText());
  struct stat st {};
  std::vector<std::uint8_t> bytes;
  if (::fstat(fd, &st) == 0) {
    bytes.resize(static_cast<std::size_t>(st.st_size));
    const ssize_t got = posix::preadFull(fd, bytes.data(), bytes.size(), 0);
    bytes.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
  }
  ::close(fd);

  StepLogContents contents;
  std::size_t pos = 0;
  while (pos + kRecordHeaderBytes <= bytes.size()) {
    const std::uint8_t* rec = bytes.data() + pos;
    std::uint32_t magic, length, crc;
    std::memcpy(&magic, rec, 4);
    std::memcpy(&length, rec + 8, 4);
    std::memcpy(&crc, rec + 12, 4);
    const auto type = static_cast<StepLogRecord>(rec[4]);
    if (magic != kRecordMagic || pos + kRecordHeaderBytes + length > bytes.size()) break;
    const std::uint8_t* payload = rec + kRecordHeaderBytes;
    if (crc32(payload, length, static_cast<std::uint32_t>(type)) != crc) break;
    if (type == StepLogRecord::kHeader || type == StepLogRecord::kEnd) {
      auto j = nlohmann::json::parse(payload, payload + length, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) break;
      (type == StepLogRecord::kHeader ? contents.header : contents.end) = std::move(j);
    } else if (type == StepLogRecord::kStep) {
      if (!contents.header) break;  // steps before a header cannot belong to anything
      contents.steps.emplace_back(payload, payload + length);
    } else {
      break;
    }
    pos += kRecordHeaderBytes + length;
  }
  contents.bytes_ignored = bytes.size() - pos;
  return contents;
}

}  // namespace thinkvla::core
