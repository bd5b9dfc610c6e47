// Plain data of recorded episodes: what one LIBERO-layout demonstration holds (data/demo_N), the
// file-level attributes on `data`, our annotations stored beside that layout, and the error type of
// everything in core/episodes. Value types with no behaviour beyond small helpers: copy them freely,
// use them from any thread (each object from one thread at a time).
#pragma once

#include <Eigen/Core>
#include <opencv2/core.hpp>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace thinkvla::core {

// Thrown by the public API of core/episodes. The message always names the file and, when one is at
// fault, the HDF5 object path ("data/demo_3/obs/agentview_rgb"): "<file>: <object>: <problem>".
class EpisodeError : public std::runtime_error {
 public:
  EpisodeError(std::filesystem::path file, std::string object_path, const std::string& problem);
  const std::filesystem::path& file() const { return file_; }
  const std::string& objectPath() const { return object_path_; }

 private:
  std::filesystem::path file_;
  std::string object_path_;
};

// Row-major (T, D) float64 arrays, the memory layout of HDF5 and numpy.
using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// How images are stored in the file (`data.attrs["macros_image_convention"]`). robosuite/LIBERO
// write "opengl": rows bottom-up, i.e. upside down. In memory images are always upright.
enum class ImageConvention { kOpenGL, kOpenCV };

// Attributes of the `data` group, as LIBERO's create_dataset.py writes them.
struct DatasetInfo {
  std::string env_name;           // "Libero_Tabletop_Manipulation" or our world's name
  std::string env_args_json;      // `env_args`: JSON string
  std::string problem_info_json;  // `problem_info`: JSON string with "language_instruction"
  std::string bddl_file_name;
  std::string bddl_file_content;
  ImageConvention image_convention = ImageConvention::kOpenGL;

  // problem_info_json["language_instruction"], or "" when absent or not JSON.
  std::string languageInstruction() const;
};

struct SubtaskSegment {
  std::int64_t start_step = 0;  // inclusive
  std::int64_t end_step = 0;    // exclusive
  std::string label;
};

struct Keyframe {
  std::int64_t step = 0;
  std::string label;
};

// A spatial question-answer pair for 3D-VLM co-training ("how far is the bowl from the plate?").
struct QaPair {
  std::string kind;  // "location", "distance", "orientation", "angle", ...
  std::string question;
  std::string answer;
};

// Where an episode came from.
struct EpisodeSource {
  std::string kind;    // "sim", "camera", "libero", "import"
  std::string task;    // sim task / suite name
  std::int64_t seed = 0;
  std::string camera;  // camera device or calibration name for real recordings
};

// Our per-episode annotations (data/demo_N/thinkvla/...). LIBERO's readers never look there.
struct EpisodeAnnotations {
  std::string instruction;
  bool success = false;
  std::vector<SubtaskSegment> subtasks;
  std::vector<Keyframe> keyframes;
  std::string notes;
  std::string operator_name;
  double start_time_unix_s = 0.0;
  double end_time_unix_s = 0.0;
  EpisodeSource source;
  std::vector<QaPair> qa_pairs;
  std::vector<std::string> teacher_prompts;
  std::string recording_id;  // unique id given by the recorder; makes commits idempotent
  bool recovered = false;    // committed from the side log of an interrupted recording
  // Per step (empty, or one entry per step):
  std::vector<std::uint8_t> intervention;  // 1 where a human took over from the policy
  std::vector<double> timestamps_unix_s;   // wall-clock time of each step
};

// Optional stored 3D teacher features, float32, first dimension = steps (T, ...).
struct TeacherFeatures {
  std::vector<std::size_t> shape;  // empty: none stored
  std::vector<float> values;       // row-major, product(shape) values
  std::string description;         // e.g. "vggt-small patch features, 8x8x256"
};

// One demonstration, data/demo_N. All per-step arrays have num_samples rows. Images are upright,
// RGB: CV_8UC3 colour, CV_32FC1 depth (as the source gave it). Depth vectors may be empty (LIBERO
// files without depth); every other per-step array is required.
struct Episode {
  std::vector<cv::Mat> agentview_rgb;
  std::vector<cv::Mat> eye_in_hand_rgb;
  std::vector<cv::Mat> agentview_depth;
  std::vector<cv::Mat> eye_in_hand_depth;
  RowMatrixXd joint_states;    // (T, 7)
  RowMatrixXd gripper_states;  // (T, 2)
  RowMatrixXd ee_states;       // (T, 6): position, axis-angle
  RowMatrixXd ee_pos;          // (T, 3)
  RowMatrixXd ee_ori;          // (T, 3)
  RowMatrixXd actions;         // (T, 7): delta position, delta axis-angle, gripper (-1 open, +1 close)
  RowMatrixXd states;          // (T, S): flattened simulator state
  RowMatrixXd robot_states;    // (T, R) or empty (0 rows): optional in LIBERO files
  std::vector<std::uint8_t> rewards;  // (T,), LIBERO: 1 at the last step
  std::vector<std::uint8_t> dones;    // (T,), 1 at the last step
  std::string model_file;             // MJCF of the scene (`model_file` attribute)
  std::vector<double> init_state;     // `init_state` attribute
  EpisodeAnnotations annotations;
  TeacherFeatures teacher_features;

  std::int64_t numSamples() const { return actions.rows(); }
};

// One row of a file's table of contents.
struct EpisodeSummary {
  std::string name;  // "demo_3"
  std::int64_t num_samples = 0;
  EpisodeAnnotations annotations;  // default-constructed when the demo has none (LIBERO's files)
  bool has_annotations = false;
};

}  // namespace thinkvla::core
