#include "core/episodes/episode_file.h"

#include "core/episodes/annotations_json.h"
#include "core/episodes/h5_transaction.h"
#include "core/episodes/posix_io.h"

#include <H5Cpp.h>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>

namespace thinkvla::core {

EpisodeError::EpisodeError(std::filesystem::path file, std::string object_path,
                           const std::string& problem)
    : std::runtime_error(file.string() + ": " + object_path + ": " + problem),
      file_(std::move(file)),
      object_path_(std::move(object_path)) {}

std::string DatasetInfo::languageInstruction() const {
  const auto parsed = nlohmann::json::parse(problem_info_json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("language_instruction") &&
      parsed["language_instruction"].is_string()) {
    return parsed["language_instruction"].get<std::string>();
  }
  return {};
}

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kOurGroup = "thinkvla";
// Deflate level of image datasets: level 1 keeps a 300-step commit around a second on one core
// while still compressing rendered frames well (tests/bench/bench_episode_recorder).
constexpr int kImageDeflateLevel = 1;

enum class Compression { kNone, kDeflate, kShuffleDeflate };

std::string h5Problem(const H5::Exception& e) {
  const std::string detail = hdf5ErrorDetail();
  return detail.empty() ? e.getDetailMsg() : detail;
}

std::string join(const std::string& group_path, const std::string& name) {
  return group_path.empty() || group_path == "/" ? name : group_path + "/" + name;
}

std::string dimsText(const std::vector<hsize_t>& dims) {
  std::string out = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(dims[i]);
  }
  return out + (dims.size() == 1 ? ",)" : ")");
}

std::string typeText(const H5::DataType& type) {
  switch (type.getClass()) {
    case H5T_INTEGER: {
      const bool is_signed = H5Tget_sign(type.getId()) == H5T_SGN_2;
      return std::string(is_signed ? "int" : "uint") + std::to_string(8 * type.getSize());
    }
    case H5T_FLOAT: return "float" + std::to_string(8 * type.getSize());
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    default: return "type class " + std::to_string(static_cast<int>(type.getClass()));
  }
}

// ---- writing --------------------------------------------------------------------------------------

H5::StrType utf8VarString() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

void writeStringAttr(H5::H5Object& obj, const std::string& name, const std::string& value) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  const H5::StrType type = utf8VarString();
  H5::Attribute attr = obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attr.write(type, value);
}

void writeInt64Attr(H5::H5Object& obj, const std::string& name, std::int64_t value) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  H5::Attribute attr = obj.createAttribute(name, H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR));
  attr.write(H5::PredType::NATIVE_INT64, &value);
}

void writeDoubleArrayAttr(H5::H5Object& obj, const std::string& name, const std::vector<double>& v) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  const hsize_t dims[1] = {v.size()};
  H5::Attribute attr = obj.createAttribute(name, H5::PredType::IEEE_F64LE, H5::DataSpace(1, dims));
  if (!v.empty()) attr.write(H5::PredType::NATIVE_DOUBLE, v.data());
}

void writeDataset(H5::Group& group, const std::string& name, const H5::DataType& file_type,
                  const H5::DataType& mem_type, const std::vector<hsize_t>& dims, const void* data,
                  Compression compression) {
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
  H5::DSetCreatPropList props;
  if (compression != Compression::kNone) {
    std::vector<hsize_t> chunk = dims;
    chunk[0] = 1;  // one step per chunk: random access to a frame reads one chunk
    props.setChunk(static_cast<int>(chunk.size()), chunk.data());
    if (compression == Compression::kShuffleDeflate) props.setShuffle();
    props.setDeflate(kImageDeflateLevel);
  }
  H5::DataSet ds = group.createDataSet(name, file_type, space, props);
  if (H5::DataSpace(space).getSimpleExtentNpoints() > 0) ds.write(data, mem_type);
}

void writeMatrix(H5::Group& group, const std::string& name, const RowMatrixXd& m) {
  writeDataset(group, name, H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE,
               {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())}, m.data(),
               Compression::kNone);
}

void writeBytes(H5::Group& group, const std::string& name, const std::vector<std::uint8_t>& v) {
  writeDataset(group, name, H5::PredType::STD_U8LE, H5::PredType::NATIVE_UINT8, {v.size()}, v.data(),
               Compression::kNone);
}

// Stacks T images into one (T, H, W, C) buffer, upside down for the "opengl" convention.
template <typename T>
std::vector<T> stackImages(const std::vector<cv::Mat>& frames, ImageConvention convention) {
  const int rows = frames.front().rows;
  const std::size_t row_bytes = frames.front().cols * frames.front().elemSize();
  std::vector<T> buffer(frames.size() * rows * row_bytes / sizeof(T));
  auto* out = reinterpret_cast<unsigned char*>(buffer.data());
  for (const cv::Mat& frame : frames) {
    for (int r = 0; r < rows; ++r) {
      const int src_row = convention == ImageConvention::kOpenGL ? rows - 1 - r : r;
      std::memcpy(out, frame.ptr(src_row), row_bytes);
      out += row_bytes;
    }
  }
  return buffer;
}

// Checks that `frames` holds `steps` images of one size and `type`; "" when fine.
std::string imageProblem(const std::vector<cv::Mat>& frames, std::size_t steps, int type) {
  if (frames.size() != steps) {
    return "has " + std::to_string(frames.size()) + " frames for " + std::to_string(steps) + " steps";
  }
  for (const cv::Mat& f : frames) {
    if (f.type() != type || f.dims != 2 || f.empty()) return "frame of wrong type or empty";
    if (f.size() != frames.front().size()) return "frames differ in size";
  }
  return {};
}

void validateEpisode(const fs::path& file, const std::string& demo_path, const Episode& e) {
  const auto steps = static_cast<std::size_t>(e.actions.rows());
  auto fail = [&](const std::string& name, const std::string& problem) {
    throw EpisodeError(file, join(demo_path, name), "cannot write: " + problem);
  };
  if (steps == 0) fail("actions", "the episode has no steps");
  if (e.actions.cols() != 7) fail("actions", "expected (T, 7), got " + std::to_string(e.actions.cols()) + " columns");
  const struct {
    const char* name;
    const RowMatrixXd* m;
    Eigen::Index cols;  // -1: any
  } matrices[] = {{"obs/joint_states", &e.joint_states, -1}, {"obs/gripper_states", &e.gripper_states, 2},
                  {"obs/ee_states", &e.ee_states, 6},         {"obs/ee_pos", &e.ee_pos, 3},
                  {"obs/ee_ori", &e.ee_ori, 3},               {"states", &e.states, -1}};
  for (const auto& m : matrices) {
    if (static_cast<std::size_t>(m.m->rows()) != steps || (m.cols >= 0 && m.m->cols() != m.cols)) {
      fail(m.name, "shape (" + std::to_string(m.m->rows()) + ", " + std::to_string(m.m->cols()) +
                       ") does not match " + std::to_string(steps) + " steps" +
                       (m.cols >= 0 ? " x " + std::to_string(m.cols) : ""));
    }
  }
  if (e.robot_states.rows() != 0 && static_cast<std::size_t>(e.robot_states.rows()) != steps) {
    fail("robot_states", "row count does not match the steps");
  }
  if (e.rewards.size() != steps) fail("rewards", "needs one entry per step");
  if (e.dones.size() != steps) fail("dones", "needs one entry per step");
  for (const auto& [name, frames] : {std::pair{"obs/agentview_rgb", &e.agentview_rgb},
                                     std::pair{"obs/eye_in_hand_rgb", &e.eye_in_hand_rgb}}) {
    const std::string problem = imageProblem(*frames, steps, CV_8UC3);
    if (!problem.empty()) fail(name, problem + " (expected CV_8UC3 RGB)");
  }
  for (const auto& [name, frames] : {std::pair{"obs/agentview_depth", &e.agentview_depth},
                                     std::pair{"obs/eye_in_hand_depth", &e.eye_in_hand_depth}}) {
    if (frames->empty()) continue;
    const std::string problem = imageProblem(*frames, steps, CV_32FC1);
    if (!problem.empty()) fail(name, problem + " (expected CV_32FC1)");
  }
  const auto& tf = e.teacher_features;
  if (!tf.shape.empty()) {
    std::size_t count = 1;
    for (std::size_t d : tf.shape) count *= d;
    if (tf.shape.front() != steps || count != tf.values.size()) {
      fail("thinkvla/teacher_features", "shape does not match the steps or the value count");
    }
  }
}

void validateAnnotations(const fs::path& file, const std::string& path, std::int64_t steps,
                         const EpisodeAnnotations& a) {
  auto fail = [&](const std::string& problem) { throw EpisodeError(file, path, problem); };
  if (!a.intervention.empty() && static_cast<std::int64_t>(a.intervention.size()) != steps) {
    fail("intervention flags: " + std::to_string(a.intervention.size()) + " for " +
         std::to_string(steps) + " steps");
  }
  if (!a.timestamps_unix_s.empty() && static_cast<std::int64_t>(a.timestamps_unix_s.size()) != steps) {
    fail("timestamps: " + std::to_string(a.timestamps_unix_s.size()) + " for " +
         std::to_string(steps) + " steps");
  }
  for (const auto& s : a.subtasks) {
    if (s.start_step < 0 || s.end_step < s.start_step || s.end_step > steps) {
      fail("subtask '" + s.label + "' [" + std::to_string(s.start_step) + ", " +
           std::to_string(s.end_step) + ") is outside the episode's " + std::to_string(steps) + " steps");
    }
  }
  for (const auto& k : a.keyframes) {
    if (k.step < 0 || k.step >= steps) {
      fail("keyframe '" + k.label + "' at step " + std::to_string(k.step) + " is outside the episode");
    }
  }
}

void replaceDataset(H5::Group& group, const std::string& name) {
  if (group.nameExists(name)) group.unlink(name);
}

void writeAnnotationsGroup(H5::Group& demo, const EpisodeAnnotations& a) {
  H5::Group ours = demo.nameExists(kOurGroup) ? demo.openGroup(kOurGroup) : demo.createGroup(kOurGroup);
  replaceDataset(ours, "annotations");
  const H5::StrType type = utf8VarString();
  H5::DataSet ds = ours.createDataSet("annotations", type, H5::DataSpace(H5S_SCALAR));
  ds.write(annotationsToJson(a).dump(), type);
  replaceDataset(ours, "intervention");
  if (!a.intervention.empty()) writeBytes(ours, "intervention", a.intervention);
  replaceDataset(ours, "timestamps_unix_s");
  if (!a.timestamps_unix_s.empty()) {
    writeDataset(ours, "timestamps_unix_s", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE,
                 {a.timestamps_unix_s.size()}, a.timestamps_unix_s.data(), Compression::kNone);
  }
}

std::optional<std::int64_t> demoIndex(const std::string& name) {
  if (name.rfind("demo_", 0) != 0 || name.size() == 5) return std::nullopt;
  std::int64_t value = 0;
  for (std::size_t i = 5; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    value = value * 10 + (name[i] - '0');
  }
  return value;
}

std::vector<std::string> demoNames(const H5::Group& data) {
  std::vector<std::pair<std::int64_t, std::string>> found;
  const hsize_t count = data.getNumObjs();
  for (hsize_t i = 0; i < count; ++i) {
    const std::string name = data.getObjnameByIdx(i);
    if (const auto index = demoIndex(name)) found.emplace_back(*index, name);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> names;
  for (auto& f : found) names.push_back(std::move(f.second));
  return names;
}

// ---- reading --------------------------------------------------------------------------------------

// Reads with the checks and error messages of the public API; `file` names the file in errors.
class Checked {
 public:
  explicit Checked(fs::path file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& object, const std::string& problem) const {
    throw EpisodeError(file_, object, problem);
  }

  struct Dataset {
    H5::DataSet ds;
    std::vector<hsize_t> dims;
    H5::DataType type;
  };

  std::optional<Dataset> open(const H5::Group& group, const std::string& group_path,
                              const std::string& name, bool required) const {
    const std::string path = join(group_path, name);
    try {
      if (!group.nameExists(name)) {
        if (required) fail(path, "missing dataset");
        return std::nullopt;
      }
      Dataset d;
      d.ds = group.openDataSet(name);
      d.type = d.ds.getDataType();
      H5::DataSpace space = d.ds.getSpace();
      d.dims.resize(static_cast<std::size_t>(space.getSimpleExtentNdims()));
      if (!d.dims.empty()) space.getSimpleExtentDims(d.dims.data());
      return d;
    } catch (const H5::Exception& e) {
      fail(path, "cannot open dataset: " + h5Problem(e));
    }
  }

  void expectClass(const Dataset& d, const std::string& path, std::initializer_list<H5T_class_t> classes,
                   const char* expected) const {
    const H5T_class_t cls = d.type.getClass();
    if (std::find(classes.begin(), classes.end(), cls) == classes.end()) {
      fail(path, "wrong dtype: " + typeText(d.type) + ", expected " + expected);
    }
  }

  void expectShape(const Dataset& d, const std::string& path, const std::vector<long long>& expected,
                   const std::string& expected_text) const {
    bool ok = d.dims.size() == expected.size();
    for (std::size_t i = 0; ok && i < expected.size(); ++i) {
      ok = expected[i] < 0 || static_cast<long long>(d.dims[i]) == expected[i];
    }
    if (!ok) fail(path, "wrong shape: " + dimsText(d.dims) + ", expected " + expected_text);
  }

  template <typename Fn>
  void read(const Dataset& d, const std::string& path, Fn&& fn) const {
    try {
      fn();
    } catch (const H5::Exception& e) {
      fail(path, "cannot read (truncated or corrupt file?): " + h5Problem(e));
    }
  }

  RowMatrixXd matrix(const H5::Group& g, const std::string& gpath, const std::string& name,
                     std::int64_t steps, long long cols, bool required) const {
    const std::string path = join(gpath, name);
    const auto d = open(g, gpath, name, required);
    if (!d) return {};
    expectClass(*d, path, {H5T_FLOAT}, "float64 or float32");
    expectShape(*d, path, {steps, cols},
                "(" + std::to_string(steps) + ", " + (cols < 0 ? std::string("D") : std::to_string(cols)) + ")");
    RowMatrixXd m(static_cast<Eigen::Index>(d->dims[0]), static_cast<Eigen::Index>(d->dims[1]));
    if (m.size() > 0) read(*d, path, [&] { d->ds.read(m.data(), H5::PredType::NATIVE_DOUBLE); });
    return m;
  }

  std::vector<std::uint8_t> flags(const H5::Group& g, const std::string& gpath, const std::string& name,
                                  std::int64_t steps, bool required) const {
    const std::string path = join(gpath, name);
    const auto d = open(g, gpath, name, required);
    if (!d) return {};
    expectClass(*d, path, {H5T_INTEGER, H5T_FLOAT}, "uint8 (or another number type)");
    expectShape(*d, path, {steps}, "(" + std::to_string(steps) + ",)");
    std::vector<double> values(static_cast<std::size_t>(steps));
    if (steps > 0) read(*d, path, [&] { d->ds.read(values.data(), H5::PredType::NATIVE_DOUBLE); });
    std::vector<std::uint8_t> out(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) out[i] = values[i] != 0.0 ? 1 : 0;
    return out;
  }

  // (T, H, W, 3) uint8 colour or (T, H, W[, 1]) float depth, returned upright.
  std::vector<cv::Mat> images(const H5::Group& g, const std::string& gpath, const std::string& name,
                              std::int64_t steps, bool depth, ImageConvention convention,
                              bool required) const {
    const std::string path = join(gpath, name);
    const auto d = open(g, gpath, name, required);
    if (!d) return {};
    int mat_type = CV_8UC3;
    if (depth) {
      expectClass(*d, path, {H5T_FLOAT}, "float32 or float64");
      if (d->dims.size() == 3) {
        expectShape(*d, path, {steps, -1, -1}, "(" + std::to_string(steps) + ", H, W, 1)");
      } else {
        expectShape(*d, path, {steps, -1, -1, 1}, "(" + std::to_string(steps) + ", H, W, 1)");
      }
      mat_type = CV_32FC1;
    } else {
      const bool u8 = d->type.getClass() == H5T_INTEGER && d->type.getSize() == 1 &&
                      H5Tget_sign(d->type.getId()) == H5T_SGN_NONE;
      if (!u8) fail(path, "wrong dtype: " + typeText(d->type) + ", expected uint8");
      expectShape(*d, path, {steps, -1, -1, 3}, "(" + std::to_string(steps) + ", H, W, 3)");
    }
    const int rows = static_cast<int>(d->dims[1]);
    const int cols = static_cast<int>(d->dims[2]);
    const std::size_t frame_bytes = static_cast<std::size_t>(rows) * cols * CV_ELEM_SIZE(mat_type);
    std::vector<unsigned char> buffer(frame_bytes * static_cast<std::size_t>(steps));
    if (!buffer.empty()) {
      read(*d, path, [&] {
        d->ds.read(buffer.data(), depth ? H5::PredType::NATIVE_FLOAT : H5::PredType::NATIVE_UINT8);
      });
    }
    std::vector<cv::Mat> frames;
    frames.reserve(static_cast<std::size_t>(steps));
    const std::size_t row_bytes = frame_bytes / static_cast<std::size_t>(std::max(rows, 1));
    for (std::int64_t t = 0; t < steps; ++t) {
      cv::Mat frame(rows, cols, mat_type);
      const unsigned char* src = buffer.data() + static_cast<std::size_t>(t) * frame_bytes;
      for (int r = 0; r < rows; ++r) {
        const int stored_row = convention == ImageConvention::kOpenGL ? rows - 1 - r : r;
        std::memcpy(frame.ptr(r), src + static_cast<std::size_t>(stored_row) * row_bytes, row_bytes);
      }
      frames.push_back(std::move(frame));
    }
    return frames;
  }

  // Row `step` of an image dataset checked as images() checks it, returned upright; empty Mat when
  // the dataset is absent and not required.
  cv::Mat imageStep(const H5::Group& g, const std::string& gpath, const std::string& name,
                    std::int64_t steps, std::int64_t step, bool depth, ImageConvention convention,
                    bool required) const {
    const std::string path = join(gpath, name);
    const auto d = open(g, gpath, name, required);
    if (!d) return {};
    if (depth) {
      expectClass(*d, path, {H5T_FLOAT}, "float32 or float64");
      if (d->dims.size() == 3) {
        expectShape(*d, path, {steps, -1, -1}, "(" + std::to_string(steps) + ", H, W, 1)");
      } else {
        expectShape(*d, path, {steps, -1, -1, 1}, "(" + std::to_string(steps) + ", H, W, 1)");
      }
    } else {
      const bool u8 = d->type.getClass() == H5T_INTEGER && d->type.getSize() == 1 &&
                      H5Tget_sign(d->type.getId()) == H5T_SGN_NONE;
      if (!u8) fail(path, "wrong dtype: " + typeText(d->type) + ", expected uint8");
      expectShape(*d, path, {steps, -1, -1, 3}, "(" + std::to_string(steps) + ", H, W, 3)");
    }
    if (step < 0 || step >= steps) {
      fail(path, "no step " + std::to_string(step) + " in " + std::to_string(steps) + " steps");
    }
    const int mat_type = depth ? CV_32FC1 : CV_8UC3;
    const int rows = static_cast<int>(d->dims[1]);
    const int cols = static_cast<int>(d->dims[2]);
    cv::Mat stored(rows, cols, mat_type);
    read(*d, path, [&] {
      H5::DataSpace file_space = d->ds.getSpace();
      std::vector<hsize_t> start(d->dims.size(), 0), count = d->dims;
      start[0] = static_cast<hsize_t>(step);
      count[0] = 1;
      file_space.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
      H5::DataSpace mem_space(static_cast<int>(count.size()), count.data());
      d->ds.read(stored.data, depth ? H5::PredType::NATIVE_FLOAT : H5::PredType::NATIVE_UINT8, mem_space,
                 file_space);
    });
    if (convention == ImageConvention::kOpenGL) {
      cv::Mat upright;
      cv::flip(stored, upright, 0);
      return upright;
    }
    return stored;
  }

  std::optional<std::string> stringAttr(const H5::H5Object& obj, const std::string& obj_path,
                                        const std::string& name, bool required) const {
    const std::string path = obj_path + "@" + name;
    try {
      if (!obj.attrExists(name)) {
        if (required) fail(path, "missing attribute");
        return std::nullopt;
      }
      H5::Attribute attr = obj.openAttribute(name);
      const H5::DataType type = attr.getDataType();
      if (type.getClass() != H5T_STRING) fail(path, "wrong dtype: " + typeText(type) + ", expected string");
      std::string value;
      attr.read(attr.getStrType(), value);
      while (!value.empty() && value.back() == '\0') value.pop_back();  // fixed-length padding
      return value;
    } catch (const H5::Exception& e) {
      fail(path, "cannot read attribute: " + h5Problem(e));
    }
  }

  std::optional<std::int64_t> intAttr(const H5::H5Object& obj, const std::string& obj_path,
                                      const std::string& name, bool required) const {
    const std::string path = obj_path + "@" + name;
    try {
      if (!obj.attrExists(name)) {
        if (required) fail(path, "missing attribute");
        return std::nullopt;
      }
      H5::Attribute attr = obj.openAttribute(name);
      const H5::DataType type = attr.getDataType();
      if (type.getClass() != H5T_INTEGER) fail(path, "wrong dtype: " + typeText(type) + ", expected an integer");
      if (attr.getSpace().getSimpleExtentNpoints() != 1) fail(path, "expected a single value");
      std::int64_t value = 0;
      attr.read(H5::PredType::NATIVE_INT64, &value);
      return value;
    } catch (const H5::Exception& e) {
      fail(path, "cannot read attribute: " + h5Problem(e));
    }
  }

  std::vector<double> doubleArrayAttr(const H5::H5Object& obj, const std::string& obj_path,
                                      const std::string& name) const {
    const std::string path = obj_path + "@" + name;
    try {
      if (!obj.attrExists(name)) return {};
      H5::Attribute attr = obj.openAttribute(name);
      const H5::DataType type = attr.getDataType();
      if (type.getClass() != H5T_FLOAT && type.getClass() != H5T_INTEGER) {
        fail(path, "wrong dtype: " + typeText(type) + ", expected numbers");
      }
      std::vector<double> values(static_cast<std::size_t>(attr.getSpace().getSimpleExtentNpoints()));
      if (!values.empty()) attr.read(H5::PredType::NATIVE_DOUBLE, values.data());
      return values;
    } catch (const H5::Exception& e) {
      fail(path, "cannot read attribute: " + h5Problem(e));
    }
  }

  H5::Group group(const H5::Group& parent, const std::string& parent_path, const std::string& name) const {
    const std::string path = join(parent_path, name);
    try {
      if (!parent.nameExists(name)) fail(path, "missing group");
      return parent.openGroup(name);
    } catch (const H5::Exception& e) {
      fail(path, "cannot open group: " + h5Problem(e));
    }
  }

  DatasetInfo datasetInfo(const H5::Group& data) const {
    DatasetInfo info;
    info.env_name = stringAttr(data, "data", "env_name", false).value_or("");
    info.env_args_json = stringAttr(data, "data", "env_args", false).value_or("");
    info.problem_info_json = stringAttr(data, "data", "problem_info", false).value_or("");
    info.bddl_file_name = stringAttr(data, "data", "bddl_file_name", false).value_or("");
    info.bddl_file_content = stringAttr(data, "data", "bddl_file_content", false).value_or("");
    // robosuite's default, and what LIBERO's files say explicitly.
    const std::string convention = stringAttr(data, "data", "macros_image_convention", false).value_or("opengl");
    if (convention == "opengl") {
      info.image_convention = ImageConvention::kOpenGL;
    } else if (convention == "opencv") {
      info.image_convention = ImageConvention::kOpenCV;
    } else {
      fail("data@macros_image_convention", "unknown image convention '" + convention + "'");
    }
    return info;
  }

  std::int64_t numSamples(const H5::Group& demo, const std::string& demo_path) const {
    const auto attr = intAttr(demo, demo_path, "num_samples", false);
    const auto actions = open(demo, demo_path, "actions", true);
    if (actions->dims.empty()) fail(join(demo_path, "actions"), "wrong shape: scalar, expected (T, 7)");
    const auto rows = static_cast<std::int64_t>(actions->dims[0]);
    if (attr && *attr != rows) {
      fail(join(demo_path, "actions"), "wrong shape: " + dimsText(actions->dims) + " but num_samples = " +
                                           std::to_string(*attr));
    }
    return rows;
  }

  std::optional<EpisodeAnnotations> annotations(const H5::Group& demo, const std::string& demo_path,
                                                std::int64_t steps) const {
    try {
      if (!demo.nameExists(kOurGroup)) return std::nullopt;
    } catch (const H5::Exception& e) {
      fail(join(demo_path, kOurGroup), "cannot open group: " + h5Problem(e));
    }
    const std::string ours_path = join(demo_path, kOurGroup);
    const H5::Group ours = group(demo, demo_path, kOurGroup);
    const auto d = open(ours, ours_path, "annotations", true);
    const std::string path = join(ours_path, "annotations");
    expectClass(*d, path, {H5T_STRING}, "a JSON string");
    std::string text;
    read(*d, path, [&] { d->ds.read(text, d->ds.getStrType()); });
    while (!text.empty() && text.back() == '\0') text.pop_back();
    const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) fail(path, "not a JSON object");
    EpisodeAnnotations a;
    try {
      a = annotationsFromJson(j);
    } catch (const json::exception& e) {
      fail(path, std::string("malformed annotations: ") + e.what());
    }
    a.intervention = flags(ours, ours_path, "intervention", steps, false);
    if (const auto ts = open(ours, ours_path, "timestamps_unix_s", false)) {
      const std::string ts_path = join(ours_path, "timestamps_unix_s");
      expectClass(*ts, ts_path, {H5T_FLOAT}, "float64");
      expectShape(*ts, ts_path, {steps}, "(" + std::to_string(steps) + ",)");
      a.timestamps_unix_s.resize(static_cast<std::size_t>(steps));
      if (steps > 0) {
        read(*ts, ts_path, [&] { ts->ds.read(a.timestamps_unix_s.data(), H5::PredType::NATIVE_DOUBLE); });
      }
    }
    return a;
  }

  const fs::path& file() const { return file_; }

 private:
  fs::path file_;
};

H5::Group openDataGroup(const Checked& checked, const H5::H5File& file) {
  try {
    if (!file.nameExists("data")) checked.fail("data", "missing group (not a LIBERO/robomimic episode file)");
    return file.openGroup("data");
  } catch (const H5::Exception& e) {
    checked.fail("data", "cannot open group: " + h5Problem(e));
  }
}

std::string findRecording(const Checked& checked, const H5::Group& data, const std::string& recording_id) {
  for (const std::string& name : demoNames(data)) {
    const std::string demo_path = join("data", name);
    const H5::Group demo = checked.group(data, "data", name);
    const auto steps = checked.numSamples(demo, demo_path);
    const auto a = checked.annotations(demo, demo_path, steps);
    if (a && a->recording_id == recording_id) return name;
  }
  return {};
}

// robomimic's attributes of "data" after a demo was added or removed: how many demos, how many
// steps in all.
void writeDataTotals(const Checked& checked, H5::Group& data) {
  std::int64_t total = 0;
  const std::vector<std::string> all = demoNames(data);
  for (const std::string& n : all) total += checked.numSamples(data.openGroup(n), join("data", n));
  writeInt64Attr(data, "num_demos", static_cast<std::int64_t>(all.size()));
  writeInt64Attr(data, "total", total);
}

}  // namespace

void createEpisodeFile(const fs::path& file, const DatasetInfo& info, CreateMode mode) {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  std::error_code ec;
  if (mode == CreateMode::kFailIfExists && fs::exists(file, ec)) {
    throw EpisodeError(file, "/", "already exists");
  }
  // LIBERO's readers json.loads() both attributes: they must hold JSON objects.
  const std::string env_args = info.env_args_json.empty() ? "{}" : info.env_args_json;
  const std::string problem_info = info.problem_info_json.empty()
                                       ? R"({"problem_name": "", "domain_name": "", "language_instruction": ""})"
                                       : info.problem_info_json;
  for (const auto& [name, text] : {std::pair{"data@env_args", &env_args}, std::pair{"data@problem_info", &problem_info}}) {
    if (!json::parse(*text, nullptr, /*allow_exceptions=*/false).is_object()) {
      throw EpisodeError(file, name, "not a JSON object: " + *text);
    }
  }
  // Complete under a temporary name, then an atomic rename: never a half-created file.
  const fs::path tmp = file.string() + ".tmp-create";
  fs::remove(tmp, ec);
  try {
    H5::H5File h5(tmp.string(), H5F_ACC_TRUNC);
    H5::Group data = h5.createGroup("data");
    writeStringAttr(data, "env_name", info.env_name);
    writeStringAttr(data, "env_args", env_args);
    writeStringAttr(data, "problem_info", problem_info);
    writeStringAttr(data, "bddl_file_name", info.bddl_file_name);
    writeStringAttr(data, "bddl_file_content", info.bddl_file_content);
    writeStringAttr(data, "macros_image_convention",
                    info.image_convention == ImageConvention::kOpenGL ? "opengl" : "opencv");
    writeInt64Attr(data, "num_demos", 0);
    writeInt64Attr(data, "total", 0);
    data.close();
    h5.close();
  } catch (const H5::Exception& e) {
    fs::remove(tmp, ec);
    throw EpisodeError(file, "data", "cannot create: " + h5Problem(e));
  }
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  fs::remove(journalPath(file), ec);  // a journal of a replaced file must not roll the new one back
  if (!synced) {
    fs::remove(tmp, ec);
    throw EpisodeError(file, "/", "cannot sync the new file: " + posix::lastErrorText());
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw EpisodeError(file, "/", "cannot move the new file into place: " + ec.message());
  }
  posix::fsyncDirectory(file.parent_path());
}

std::string appendEpisode(const fs::path& file, const Episode& episode) {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  H5Transaction tx(file);
  const Checked checked(file);
  std::string name;
  {
    H5::Group data = openDataGroup(checked, tx.file());
    const DatasetInfo info = checked.datasetInfo(data);
    if (!episode.annotations.recording_id.empty()) {
      const std::string existing = findRecording(checked, data, episode.annotations.recording_id);
      if (!existing.empty()) return existing;  // committed before a crash; the tx rolls back nothing
    }
    const std::vector<std::string> names = demoNames(data);
    const std::int64_t index = names.empty() ? 0 : *demoIndex(names.back()) + 1;
    name = "demo_" + std::to_string(index);
    const std::string demo_path = join("data", name);
    validateEpisode(file, demo_path, episode);
    validateAnnotations(file, join(demo_path, kOurGroup), episode.numSamples(), episode.annotations);
    std::string object = demo_path;
    try {
      H5::Group demo = data.createGroup(name);
      H5::Group obs = demo.createGroup("obs");
      const ImageConvention conv = info.image_convention;
      const auto writeImages = [&](const char* ds_name, const std::vector<cv::Mat>& frames, bool depth) {
        if (frames.empty()) return;
        object = join(demo_path, std::string("obs/") + ds_name);
        const auto rows = static_cast<hsize_t>(frames.front().rows);
        const auto cols = static_cast<hsize_t>(frames.front().cols);
        if (depth) {
          const auto buffer = stackImages<float>(frames, conv);
          writeDataset(obs, ds_name, H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT,
                       {frames.size(), rows, cols, 1}, buffer.data(), Compression::kShuffleDeflate);
        } else {
          const auto buffer = stackImages<std::uint8_t>(frames, conv);
          writeDataset(obs, ds_name, H5::PredType::STD_U8LE, H5::PredType::NATIVE_UINT8,
                       {frames.size(), rows, cols, 3}, buffer.data(), Compression::kDeflate);
        }
      };
      writeImages("agentview_rgb", episode.agentview_rgb, false);
      writeImages("eye_in_hand_rgb", episode.eye_in_hand_rgb, false);
      writeImages("agentview_depth", episode.agentview_depth, true);
      writeImages("eye_in_hand_depth", episode.eye_in_hand_depth, true);
      object = join(demo_path, "obs");
      writeMatrix(obs, "joint_states", episode.joint_states);
      writeMatrix(obs, "gripper_states", episode.gripper_states);
      writeMatrix(obs, "ee_states", episode.ee_states);
      writeMatrix(obs, "ee_pos", episode.ee_pos);
      writeMatrix(obs, "ee_ori", episode.ee_ori);
      object = demo_path;
      writeMatrix(demo, "actions", episode.actions);
      writeMatrix(demo, "states", episode.states);
      if (episode.robot_states.rows() > 0) writeMatrix(demo, "robot_states", episode.robot_states);
      writeBytes(demo, "rewards", episode.rewards);
      writeBytes(demo, "dones", episode.dones);
      writeInt64Attr(demo, "num_samples", episode.numSamples());
      writeStringAttr(demo, "model_file", episode.model_file);
      writeDoubleArrayAttr(demo, "init_state", episode.init_state);
      object = join(demo_path, kOurGroup);
      writeAnnotationsGroup(demo, episode.annotations);
      if (!episode.teacher_features.shape.empty()) {
        H5::Group ours = demo.openGroup(kOurGroup);
        std::vector<hsize_t> dims(episode.teacher_features.shape.begin(), episode.teacher_features.shape.end());
        writeDataset(ours, "teacher_features", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, dims,
                     episode.teacher_features.values.data(), Compression::kShuffleDeflate);
        H5::DataSet ds = ours.openDataSet("teacher_features");
        writeStringAttr(ds, "description", episode.teacher_features.description);
      }
      object = "data";
      writeDataTotals(checked, data);
    } catch (const H5::Exception& e) {
      throw EpisodeError(file, object, "cannot write: " + h5Problem(e));
    }
  }
  tx.commit();
  return name;
}

void saveAnnotations(const fs::path& file, const std::string& episode, const EpisodeAnnotations& annotations) {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  H5Transaction tx(file);
  const Checked checked(file);
  {
    H5::Group data = openDataGroup(checked, tx.file());
    const std::string demo_path = join("data", episode);
    H5::Group demo = checked.group(data, "data", episode);
    const std::int64_t steps = checked.numSamples(demo, demo_path);
    validateAnnotations(file, join(demo_path, kOurGroup), steps, annotations);
    try {
      writeAnnotationsGroup(demo, annotations);
    } catch (const H5::Exception& e) {
      throw EpisodeError(file, join(demo_path, kOurGroup), "cannot write: " + h5Problem(e));
    }
  }
  tx.commit();
}

void deleteEpisode(const fs::path& file, const std::string& episode) {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  H5Transaction tx(file);
  const Checked checked(file);
  {
    H5::Group data = openDataGroup(checked, tx.file());
    const std::string demo_path = join("data", episode);
    if (!demoIndex(episode) || !data.nameExists(episode)) checked.fail(demo_path, "no such demo");
    std::string object = demo_path;
    try {
      data.unlink(episode);
      object = "data";
      writeDataTotals(checked, data);
    } catch (const H5::Exception& e) {
      throw EpisodeError(file, object, "cannot delete: " + h5Problem(e));
    }
  }
  tx.commit();
}

EpisodeReader::EpisodeReader(const fs::path& file) : path_(file) {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  std::error_code ec;
  if (!fs::exists(file, ec)) throw EpisodeError(file, "/", "no such file");
  recoverInterruptedWrite(file);
  try {
    file_ = std::make_unique<H5::H5File>(file.string(), H5F_ACC_RDONLY);
  } catch (const H5::Exception& e) {
    const std::string detail = h5Problem(e);
    std::string what = "not a readable HDF5 file";
    // Truncation first: its detail ("sblock->base_addr") also contains "lock".
    for (const char* locking : {"lock file", "lock the file", "file lock"}) {
      if (detail.find(locking) != std::string::npos) what = "locked: another process or handle is writing it";
    }
    if (detail.find("truncated") != std::string::npos) what = "truncated file";
    throw EpisodeError(file, "/", what + " (" + detail + ")");
  }
  const Checked checked(file);
  info_ = checked.datasetInfo(openDataGroup(checked, *file_));
}

EpisodeReader::~EpisodeReader() {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  try {
    file_->close();
  } catch (const H5::Exception&) {
    // Closing a read-only handle cannot lose data; nothing to report.
  }
}

std::vector<std::string> EpisodeReader::episodeNames() const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  try {
    return demoNames(openDataGroup(checked, *file_));
  } catch (const H5::Exception& e) {
    checked.fail("data", "cannot list: " + h5Problem(e));
  }
}

std::vector<EpisodeSummary> EpisodeReader::summaries() const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  const H5::Group data = openDataGroup(checked, *file_);
  std::vector<EpisodeSummary> out;
  for (const std::string& name : episodeNames()) {
    const std::string demo_path = join("data", name);
    const H5::Group demo = checked.group(data, "data", name);
    EpisodeSummary s;
    s.name = name;
    s.num_samples = checked.numSamples(demo, demo_path);
    if (auto a = checked.annotations(demo, demo_path, s.num_samples)) {
      s.annotations = std::move(*a);
      s.has_annotations = true;
    }
    out.push_back(std::move(s));
  }
  return out;
}

EpisodeAnnotations EpisodeReader::readAnnotations(const std::string& name) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  const H5::Group data = openDataGroup(checked, *file_);
  const std::string demo_path = join("data", name);
  const H5::Group demo = checked.group(data, "data", name);
  return checked.annotations(demo, demo_path, checked.numSamples(demo, demo_path)).value_or(EpisodeAnnotations{});
}

std::int64_t EpisodeReader::storedNumDemos() const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  return checked.intAttr(openDataGroup(checked, *file_), "data", "num_demos", false).value_or(-1);
}

std::int64_t EpisodeReader::storedTotal() const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  return checked.intAttr(openDataGroup(checked, *file_), "data", "total", false).value_or(-1);
}

RowMatrixXd EpisodeReader::readActions(const std::string& name) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  const H5::Group data = openDataGroup(checked, *file_);
  const std::string demo_path = join("data", name);
  const H5::Group demo = checked.group(data, "data", name);
  return checked.matrix(demo, demo_path, "actions", checked.numSamples(demo, demo_path), 7, true);
}

Episode EpisodeReader::readEpisode(const std::string& name, EpisodeParts parts) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  const H5::Group data = openDataGroup(checked, *file_);
  const std::string demo_path = join("data", name);
  const H5::Group demo = checked.group(data, "data", name);
  const std::int64_t steps = checked.numSamples(demo, demo_path);
  const std::string obs_path = join(demo_path, "obs");
  const H5::Group obs = checked.group(demo, demo_path, "obs");
  const ImageConvention conv = info_.image_convention;

  Episode e;
  if (parts == EpisodeParts::kAll) {
    e.agentview_rgb = checked.images(obs, obs_path, "agentview_rgb", steps, false, conv, true);
    e.eye_in_hand_rgb = checked.images(obs, obs_path, "eye_in_hand_rgb", steps, false, conv, true);
    e.agentview_depth = checked.images(obs, obs_path, "agentview_depth", steps, true, conv, false);
    e.eye_in_hand_depth = checked.images(obs, obs_path, "eye_in_hand_depth", steps, true, conv, false);
  }
  e.joint_states = checked.matrix(obs, obs_path, "joint_states", steps, -1, true);
  e.gripper_states = checked.matrix(obs, obs_path, "gripper_states", steps, 2, true);
  e.ee_states = checked.matrix(obs, obs_path, "ee_states", steps, 6, true);
  e.ee_pos = checked.matrix(obs, obs_path, "ee_pos", steps, 3, false);
  e.ee_ori = checked.matrix(obs, obs_path, "ee_ori", steps, 3, false);
  // Older files lack ee_pos / ee_ori: LIBERO derives them from ee_states.
  if (e.ee_pos.rows() == 0) e.ee_pos = e.ee_states.leftCols(3);
  if (e.ee_ori.rows() == 0) e.ee_ori = e.ee_states.rightCols(3);
  e.actions = checked.matrix(demo, demo_path, "actions", steps, 7, true);
  e.states = checked.matrix(demo, demo_path, "states", steps, -1, true);
  e.robot_states = checked.matrix(demo, demo_path, "robot_states", steps, -1, false);
  e.rewards = checked.flags(demo, demo_path, "rewards", steps, true);
  e.dones = checked.flags(demo, demo_path, "dones", steps, true);
  e.model_file = checked.stringAttr(demo, demo_path, "model_file", false).value_or("");
  e.init_state = checked.doubleArrayAttr(demo, demo_path, "init_state");
  if (auto a = checked.annotations(demo, demo_path, steps)) e.annotations = std::move(*a);

  const std::string ours_path = join(demo_path, kOurGroup);
  bool has_ours = false;
  try {
    has_ours = demo.nameExists(kOurGroup);
  } catch (const H5::Exception& ex) {
    checked.fail(ours_path, "cannot open group: " + h5Problem(ex));
  }
  if (has_ours) {
    const H5::Group ours = checked.group(demo, demo_path, kOurGroup);
    if (const auto tf = checked.open(ours, ours_path, "teacher_features", false)) {
      const std::string tf_path = join(ours_path, "teacher_features");
      checked.expectClass(*tf, tf_path, {H5T_FLOAT}, "float32");
      if (tf->dims.empty() || static_cast<std::int64_t>(tf->dims[0]) != steps) {
        checked.fail(tf_path, "wrong shape: " + dimsText(tf->dims) + ", expected (" + std::to_string(steps) + ", ...)");
      }
      std::size_t count = 1;
      for (hsize_t d : tf->dims) count *= static_cast<std::size_t>(d);
      e.teacher_features.shape.assign(tf->dims.begin(), tf->dims.end());
      if (parts == EpisodeParts::kAll) e.teacher_features.values.resize(count);
      checked.read(*tf, tf_path, [&] {
        if (count > 0 && parts == EpisodeParts::kAll) {
          tf->ds.read(e.teacher_features.values.data(), H5::PredType::NATIVE_FLOAT);
        }
        e.teacher_features.description = checked.stringAttr(tf->ds, tf_path, "description", false).value_or("");
      });
    }
  }
  return e;
}

StepImages EpisodeReader::readStep(const std::string& name, std::int64_t step, StepDepth depth) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  const H5::Group data = openDataGroup(checked, *file_);
  const std::string demo_path = join("data", name);
  const H5::Group demo = checked.group(data, "data", name);
  const std::int64_t steps = checked.numSamples(demo, demo_path);
  const std::string obs_path = join(demo_path, "obs");
  const H5::Group obs = checked.group(demo, demo_path, "obs");
  const ImageConvention conv = info_.image_convention;
  StepImages s;
  s.agentview_rgb = checked.imageStep(obs, obs_path, "agentview_rgb", steps, step, false, conv, true);
  s.eye_in_hand_rgb = checked.imageStep(obs, obs_path, "eye_in_hand_rgb", steps, step, false, conv, true);
  if (depth == StepDepth::kRead) {
    s.agentview_depth = checked.imageStep(obs, obs_path, "agentview_depth", steps, step, true, conv, false);
    s.eye_in_hand_depth = checked.imageStep(obs, obs_path, "eye_in_hand_depth", steps, step, true, conv, false);
  }
  return s;
}

std::vector<float> EpisodeReader::readStepTeacherFeatures(const std::string& name, std::int64_t step) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  const H5::Group data = openDataGroup(checked, *file_);
  const std::string demo_path = join("data", name);
  const H5::Group demo = checked.group(data, "data", name);
  const std::int64_t steps = checked.numSamples(demo, demo_path);
  const std::string ours_path = join(demo_path, kOurGroup);
  try {
    if (!demo.nameExists(kOurGroup)) return {};
  } catch (const H5::Exception& e) {
    checked.fail(ours_path, "cannot open group: " + h5Problem(e));
  }
  const H5::Group ours = checked.group(demo, demo_path, kOurGroup);
  const auto tf = checked.open(ours, ours_path, "teacher_features", false);
  if (!tf) return {};
  const std::string tf_path = join(ours_path, "teacher_features");
  checked.expectClass(*tf, tf_path, {H5T_FLOAT}, "float32");
  if (tf->dims.empty() || static_cast<std::int64_t>(tf->dims[0]) != steps) {
    checked.fail(tf_path, "wrong shape: " + dimsText(tf->dims) + ", expected (" + std::to_string(steps) + ", ...)");
  }
  if (step < 0 || step >= steps) {
    checked.fail(tf_path, "no step " + std::to_string(step) + " in " + std::to_string(steps) + " steps");
  }
  std::size_t per_step = 1;
  for (std::size_t i = 1; i < tf->dims.size(); ++i) per_step *= static_cast<std::size_t>(tf->dims[i]);
  std::vector<float> values(per_step);
  checked.read(*tf, tf_path, [&] {
    H5::DataSpace file_space = tf->ds.getSpace();
    std::vector<hsize_t> start(tf->dims.size(), 0), count = tf->dims;
    start[0] = static_cast<hsize_t>(step);
    count[0] = 1;
    file_space.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
    H5::DataSpace mem_space(static_cast<int>(count.size()), count.data());
    if (per_step > 0) tf->ds.read(values.data(), H5::PredType::NATIVE_FLOAT, mem_space, file_space);
  });
  return values;
}

std::vector<std::int64_t> EpisodeReader::datasetShape(const std::string& name, const std::string& dataset) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5Mutex());
  quietHdf5();
  const Checked checked(path_);
  const H5::Group data = openDataGroup(checked, *file_);
  const std::string demo_path = join("data", name);
  const H5::Group demo = checked.group(data, "data", name);
  const std::string path = join(demo_path, dataset);
  try {
    // Walk the path so a missing intermediate group reads as "absent", not as an error.
    H5::Group group = demo;
    std::string rest = dataset;
    for (auto slash = rest.find('/'); slash != std::string::npos; slash = rest.find('/')) {
      const std::string part = rest.substr(0, slash);
      if (!group.nameExists(part)) return {};
      group = group.openGroup(part);
      rest = rest.substr(slash + 1);
    }
    if (!group.nameExists(rest)) return {};
    const H5::DataSpace space = group.openDataSet(rest).getSpace();
    std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
    if (!dims.empty()) space.getSimpleExtentDims(dims.data());
    return {dims.begin(), dims.end()};
  } catch (const H5::Exception& e) {
    checked.fail(path, "cannot open dataset: " + h5Problem(e));
  }
}

}  // namespace thinkvla::core
