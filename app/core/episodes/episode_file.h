// Episode files: demonstrations in the LIBERO/robomimic HDF5 layout, plus our annotations beside it.
//
//   data                      attrs env_name, env_args, problem_info (JSON, language_instruction),
//                             bddl_file_name, bddl_file_content, macros_image_convention,
//                             num_demos, total (as LIBERO's create_dataset.py writes them)
//   data/demo_N               attrs num_samples, model_file, init_state
//     obs/agentview_rgb, eye_in_hand_rgb        (T, H, W, 3) uint8, chunked per step, deflate
//     obs/agentview_depth, eye_in_hand_depth    (T, H, W, 1) float32, chunked, shuffle+deflate
//     obs/joint_states (T,7), gripper_states (T,2), ee_states (T,6), ee_pos (T,3), ee_ori (T,3)
//     actions (T,7) float64, states (T,S) float64, robot_states (optional), rewards, dones (T,) uint8
//     thinkvla/annotations        ours: scalar UTF-8 JSON string (instruction, success, subtasks,
//                                 keyframes, notes, operator, times, source, QA, teacher prompts)
//     thinkvla/intervention       ours: (T,) uint8, optional
//     thinkvla/timestamps_unix_s  ours: (T,) float64, optional
//     thinkvla/teacher_features   ours: float32 (T, ...), optional
// LIBERO's and robomimic's readers list data/ for demo_N groups and open named datasets, so the
// "thinkvla" group inside each demo is invisible to them. Images are upright in memory; with the
// "opengl" convention (LIBERO's, our default) they are stored upside down, as LIBERO stores them.
//
// Safety: files are created complete under a temporary name and renamed into place; every change to
// an existing file (appendEpisode, saveAnnotations) is one H5Transaction (core/episodes/
// h5_transaction.h), so a crash leaves the old or the new file, never a broken one. Every function
// first rolls back a transaction a crash left behind.
//
// Errors: every function throws EpisodeError naming the file and the HDF5 object at fault (a
// truncated file, a missing dataset, a wrong shape or dtype); HDF5's own printing is turned off.
// Threads: the free functions may be called from any thread (they take hdf5Mutex()); an
// EpisodeReader is used by one thread at a time. A reader keeps the file open and, with it, HDF5's
// shared file lock: writes to that file fail until the reader is destroyed.
#pragma once

#include "core/episodes/episode_types.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace H5 {
class H5File;
}

namespace thinkvla::core {

enum class CreateMode { kFailIfExists, kReplace };

// Writes an empty episode file (data group with its attributes, num_demos = total = 0).
void createEpisodeFile(const std::filesystem::path& file, const DatasetInfo& info, CreateMode mode);

// Appends `episode` as the next data/demo_N and updates num_demos and total, in one transaction.
// Returns the group name ("demo_4"). If episode.annotations.recording_id is set and a demo with that
// id is already in the file, nothing is written and that demo's name is returned.
std::string appendEpisode(const std::filesystem::path& file, const Episode& episode);

// Replaces the annotations of data/<episode> (JSON, intervention flags, timestamps) in one
// transaction. Per-step vectors must be empty or have one entry per step.
void saveAnnotations(const std::filesystem::path& file, const std::string& episode,
                     const EpisodeAnnotations& annotations);

// Removes data/<episode> and updates num_demos and total, in one transaction (the other demos keep
// their names, as LIBERO's readers list data/ for demo_N groups). HDF5 does not give the freed
// space back to the file system; `h5repack` does. Throws EpisodeError naming the file and the demo
// (e.g. when there is no such demo).
void deleteEpisode(const std::filesystem::path& file, const std::string& episode);

// Which parts of an episode readEpisode reads. kLowDim leaves the image, depth and teacher-feature
// values empty (teacher_features.shape is still filled): what a training loader keeps in memory.
enum class EpisodeParts { kAll, kLowDim };

enum class StepDepth { kSkip, kRead };

// One step of the camera datasets (EpisodeReader::readStep), upright.
struct StepImages {
  cv::Mat agentview_rgb;      // CV_8UC3 RGB
  cv::Mat eye_in_hand_rgb;    // CV_8UC3 RGB
  cv::Mat agentview_depth;    // CV_32FC1; empty when not asked for or not stored
  cv::Mat eye_in_hand_depth;  // CV_32FC1; empty when not asked for or not stored
};

// Read access to one episode file; owns an open read-only HDF5 handle.
class EpisodeReader {
 public:
  explicit EpisodeReader(const std::filesystem::path& file);
  ~EpisodeReader();
  EpisodeReader(const EpisodeReader&) = delete;
  EpisodeReader& operator=(const EpisodeReader&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const DatasetInfo& datasetInfo() const { return info_; }
  // data/demo_N names ordered by N.
  std::vector<std::string> episodeNames() const;
  std::vector<EpisodeSummary> summaries() const;
  Episode readEpisode(const std::string& name, EpisodeParts parts = EpisodeParts::kAll) const;
  // One step's images alone (one chunk per dataset: cheap random access for training loaders),
  // checked like readEpisode. Throws EpisodeError for a step outside the episode.
  StepImages readStep(const std::string& name, std::int64_t step, StepDepth depth) const;
  // Row `step` of thinkvla/teacher_features (product of the per-step shape); empty when none.
  std::vector<float> readStepTeacherFeatures(const std::string& name, std::int64_t step) const;
  // The shape of data/<name>/<dataset> ("obs/agentview_depth"); empty when it does not exist.
  std::vector<std::int64_t> datasetShape(const std::string& name, const std::string& dataset) const;
  // data.attrs num_demos and total as stored (-1 when absent), for validation.
  std::int64_t storedNumDemos() const;
  std::int64_t storedTotal() const;
  // Only data/<name>/actions (T, 7), checked like readEpisode: for statistics without the images.
  RowMatrixXd readActions(const std::string& name) const;
  // The episode's annotations; default-constructed (has_annotations false in summaries) for demos
  // written by other tools.
  EpisodeAnnotations readAnnotations(const std::string& name) const;

 private:
  std::filesystem::path path_;
  std::unique_ptr<H5::H5File> file_;
  DatasetInfo info_;
};

}  // namespace thinkvla::core
