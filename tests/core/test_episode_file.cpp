// Episode files in the LIBERO layout: our files round-trip bit for bit, a file laid out exactly as
// LIBERO's create_dataset.py (h5py) writes it loads upright, annotations are stored and edited beside
// the layout, and broken files give errors that name the file and the dataset.
#include <QtTest/QtTest>

#include "core/episodes/episode_file.h"
#include "core/episodes/h5_transaction.h"
#include "episode_test_data.h"

#include <H5Cpp.h>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace thinkvla::core;
namespace td = thinkvla::testdata;
namespace fs = std::filesystem;

namespace {

constexpr int kImageSize = 128;  // LIBERO's

std::vector<char> fileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

DatasetInfo ourInfo() {
  DatasetInfo info;
  info.env_name = "ThinkVLA_Tabletop";
  info.env_args_json = R"({"type": 1, "env_name": "ThinkVLA_Tabletop", "env_kwargs": {"control_freq": 20}})";
  info.problem_info_json =
      R"({"problem_name": "libero_tabletop_manipulation", "domain_name": "robosuite", "language_instruction": "put the bowl on the plate"})";
  info.bddl_file_name = "put_the_bowl_on_the_plate.bddl";
  info.bddl_file_content = "(define (problem LIBERO_Tabletop_Manipulation) ...)";
  return info;
}

Episode annotatedEpisode(int index, int steps) {
  Episode e = td::makeEpisode(index, steps, kImageSize);
  auto& a = e.annotations;
  a.subtasks = {{0, 3, "reach the bowl"}, {3, steps, "place it"}};
  a.keyframes = {{2, "grasp"}, {steps - 1, "released"}};
  a.notes = "operator note: slipped once, ünïcödé ok";
  a.operator_name = "ada";
  a.start_time_unix_s = 1.7e9 + 0.125;
  a.end_time_unix_s = 1.7e9 + 10.5;
  a.source = {"sim", "libero_spatial/task_3", 1234567, ""};
  a.qa_pairs = {{"distance", "How far is the bowl from the plate?", "0.23 m"},
                {"location", "Where is the bowl?", "(0.41, -0.12, 0.90)"}};
  a.teacher_prompts = {"Think about where the bowl is in 3D before acting."};
  a.recording_id = "rec-" + std::to_string(index);
  e.teacher_features.shape = {static_cast<std::size_t>(steps), 4, 4, 8};
  for (std::size_t i = 0; i < static_cast<std::size_t>(steps) * 128; ++i) {
    e.teacher_features.values.push_back(static_cast<float>(td::value(index, static_cast<int>(i), 7)));
  }
  e.teacher_features.description = "test features 4x4x8";
  e.robot_states = e.states.leftCols(5);
  return e;
}

void compareAnnotations(const EpisodeAnnotations& a, const EpisodeAnnotations& b) {
  QCOMPARE(b.instruction, a.instruction);
  QCOMPARE(b.success, a.success);
  QCOMPARE(b.subtasks.size(), a.subtasks.size());
  for (std::size_t i = 0; i < a.subtasks.size(); ++i) {
    QCOMPARE(b.subtasks[i].start_step, a.subtasks[i].start_step);
    QCOMPARE(b.subtasks[i].end_step, a.subtasks[i].end_step);
    QCOMPARE(b.subtasks[i].label, a.subtasks[i].label);
  }
  QCOMPARE(b.keyframes.size(), a.keyframes.size());
  for (std::size_t i = 0; i < a.keyframes.size(); ++i) {
    QCOMPARE(b.keyframes[i].step, a.keyframes[i].step);
    QCOMPARE(b.keyframes[i].label, a.keyframes[i].label);
  }
  QCOMPARE(b.notes, a.notes);
  QCOMPARE(b.operator_name, a.operator_name);
  QVERIFY(std::memcmp(&b.start_time_unix_s, &a.start_time_unix_s, sizeof(double)) == 0);
  QVERIFY(std::memcmp(&b.end_time_unix_s, &a.end_time_unix_s, sizeof(double)) == 0);
  QCOMPARE(b.source.kind, a.source.kind);
  QCOMPARE(b.source.task, a.source.task);
  QCOMPARE(b.source.seed, a.source.seed);
  QCOMPARE(b.source.camera, a.source.camera);
  QCOMPARE(b.qa_pairs.size(), a.qa_pairs.size());
  for (std::size_t i = 0; i < a.qa_pairs.size(); ++i) {
    QCOMPARE(b.qa_pairs[i].kind, a.qa_pairs[i].kind);
    QCOMPARE(b.qa_pairs[i].question, a.qa_pairs[i].question);
    QCOMPARE(b.qa_pairs[i].answer, a.qa_pairs[i].answer);
  }
  QVERIFY(b.teacher_prompts == a.teacher_prompts);
  QCOMPARE(b.recording_id, a.recording_id);
  QCOMPARE(b.recovered, a.recovered);
  QVERIFY(b.intervention == a.intervention);
  QVERIFY(b.timestamps_unix_s == a.timestamps_unix_s);
}

// Writes `values` as a vlen UTF-8 string attribute, as h5py does for a Python str.
void h5pyStringAttr(H5::H5Object& obj, const char* name, const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

void h5pyInt64Attr(H5::H5Object& obj, const char* name, std::int64_t value) {
  obj.createAttribute(name, H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_INT64, &value);
}

template <typename T>
void h5pyDataset(H5::Group& g, const char* name, const H5::PredType& file_type, const H5::PredType& mem_type,
                 std::vector<hsize_t> dims, const std::vector<T>& values) {
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
  g.createDataSet(name, file_type, space).write(values.data(), mem_type);  // contiguous, like h5py
}

std::vector<double> flat(const RowMatrixXd& m) { return std::vector<double>(m.data(), m.data() + m.size()); }

}  // namespace

class TestEpisodeFile : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  fs::path path(const char* name) const { return fs::path(dir_.path().toStdString()) / name; }

  // A valid file of ours with one 6-step episode, for the corruption tests.
  fs::path validFile(const char* name) {
    const fs::path file = path(name);
    createEpisodeFile(file, ourInfo(), CreateMode::kReplace);
    appendEpisode(file, td::makeEpisode(0, 6, 16));
    return file;
  }

  void expectReadError(const fs::path& file, const QString& object, const QString& problem) {
    try {
      EpisodeReader reader(file);
      reader.readEpisode("demo_0");
      QFAIL("no error");
    } catch (const EpisodeError& e) {
      const QString message = QString::fromStdString(e.what());
      QVERIFY2(message.contains(QString::fromStdString(file.string())), qPrintable(message));
      QVERIFY2(message.contains(object), qPrintable(message));
      QVERIFY2(message.contains(problem), qPrintable(message));
      QCOMPARE(QString::fromStdString(e.objectPath()), object);
    }
  }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(dir_.isValid()); }

  void writeThenReadBackBitForBit() {
    const fs::path file = path("roundtrip.hdf5");
    createEpisodeFile(file, ourInfo(), CreateMode::kFailIfExists);
    const Episode first = annotatedEpisode(0, 9);
    Episode second = td::makeEpisode(1, 5, kImageSize, /*depth=*/false);  // no depth, no extras
    QCOMPARE(appendEpisode(file, first), std::string("demo_0"));
    QCOMPARE(appendEpisode(file, second), std::string("demo_1"));
    // A second append of the same recording is a no-op (what makes recorder commits idempotent).
    QCOMPARE(appendEpisode(file, first), std::string("demo_0"));

    EpisodeReader reader(file);
    QCOMPARE(reader.datasetInfo().env_name, ourInfo().env_name);
    QCOMPARE(reader.datasetInfo().env_args_json, ourInfo().env_args_json);
    QCOMPARE(reader.datasetInfo().bddl_file_content, ourInfo().bddl_file_content);
    QCOMPARE(reader.datasetInfo().languageInstruction(), std::string("put the bowl on the plate"));
    QVERIFY(reader.datasetInfo().image_convention == ImageConvention::kOpenGL);
    QVERIFY(reader.episodeNames() == (std::vector<std::string>{"demo_0", "demo_1"}));

    const Episode back = reader.readEpisode("demo_0");
    QCOMPARE(QString::fromStdString(td::firstDifference(first, back)), QString());
    QVERIFY(td::sameBits(back.robot_states, first.robot_states));
    QVERIFY(back.rewards == first.rewards);
    QVERIFY(back.dones == first.dones);
    QCOMPARE(back.model_file, first.model_file);
    QVERIFY(back.init_state == first.init_state);
    compareAnnotations(first.annotations, back.annotations);
    QVERIFY(back.teacher_features.shape == first.teacher_features.shape);
    QVERIFY(back.teacher_features.values == first.teacher_features.values);
    QCOMPARE(back.teacher_features.description, first.teacher_features.description);

    const Episode back2 = reader.readEpisode("demo_1");
    QCOMPARE(QString::fromStdString(td::firstDifference(second, back2)), QString());
    QVERIFY(back2.agentview_depth.empty());
    QCOMPARE(back2.robot_states.rows(), Eigen::Index{0});

    const auto summaries = reader.summaries();
    QCOMPARE(summaries.size(), std::size_t{2});
    QCOMPARE(summaries[0].num_samples, std::int64_t{9});
    QVERIFY(summaries[0].has_annotations);
    QCOMPARE(summaries[0].annotations.operator_name, std::string("ada"));
  }

  // What LIBERO's h5py-based readers see: the layout, the dtypes, the attributes, images stored
  // upside down ("opengl"), chunked and compressed.
  void storedLayoutIsLiberos() {
    const fs::path file = path("layout.hdf5");
    createEpisodeFile(file, ourInfo(), CreateMode::kReplace);
    const Episode e = annotatedEpisode(3, 4);
    appendEpisode(file, e);
    H5::H5File h5(file.string(), H5F_ACC_RDONLY);
    H5::Group data = h5.openGroup("data");
    std::int64_t num_demos = 0, total = 0;
    data.openAttribute("num_demos").read(H5::PredType::NATIVE_INT64, &num_demos);
    data.openAttribute("total").read(H5::PredType::NATIVE_INT64, &total);
    QCOMPARE(num_demos, std::int64_t{1});
    QCOMPARE(total, std::int64_t{4});
    std::string convention;
    H5::Attribute conv_attr = data.openAttribute("macros_image_convention");
    conv_attr.read(conv_attr.getStrType(), convention);
    QCOMPARE(convention, std::string("opengl"));

    H5::DataSet rgb = h5.openDataSet("data/demo_0/obs/agentview_rgb");
    QCOMPARE(rgb.getDataType().getClass(), H5T_INTEGER);
    QCOMPARE(rgb.getDataType().getSize(), std::size_t{1});
    hsize_t dims[4];
    QCOMPARE(rgb.getSpace().getSimpleExtentDims(dims), 4);
    QCOMPARE(dims[0], hsize_t{4});
    QCOMPARE(dims[1], hsize_t{kImageSize});
    QCOMPARE(dims[3], hsize_t{3});
    const H5::DSetCreatPropList props = rgb.getCreatePlist();
    QCOMPARE(props.getLayout(), H5D_CHUNKED);
    QVERIFY(props.getNfilters() >= 1);
    std::vector<std::uint8_t> stored(4 * kImageSize * kImageSize * 3);
    rgb.read(stored.data(), H5::PredType::NATIVE_UINT8);
    cv::Mat frame0(kImageSize, kImageSize, CV_8UC3, stored.data());
    cv::Mat flipped;
    cv::flip(e.agentview_rgb[0], flipped, 0);
    QVERIFY2(td::sameImage(frame0, flipped), "stored images must be upside down (opengl)");

    H5::DataSet actions = h5.openDataSet("data/demo_0/actions");
    QCOMPARE(actions.getDataType().getClass(), H5T_FLOAT);
    QCOMPARE(actions.getDataType().getSize(), std::size_t{8});
    H5::DataSet dones = h5.openDataSet("data/demo_0/dones");
    QCOMPARE(dones.getDataType().getSize(), std::size_t{1});
    H5::Group demo = h5.openGroup("data/demo_0");
    for (const char* attr : {"num_samples", "model_file", "init_state"}) QVERIFY2(demo.attrExists(attr), attr);
    for (const char* obs : {"eye_in_hand_rgb", "agentview_depth", "eye_in_hand_depth", "joint_states",
                            "gripper_states", "ee_states", "ee_pos", "ee_ori"}) {
      QVERIFY2(h5.nameExists(std::string("data/demo_0/obs/") + obs), obs);
    }
    // The only non-demo entries are inside the demo, where LIBERO's loaders never list.
    QCOMPARE(data.getNumObjs(), hsize_t{1});
  }

  // A file built with the raw HDF5 API exactly as LIBERO's scripts/create_dataset.py lays it out
  // through h5py: contiguous numpy arrays, vlen str attributes, images upside down.
  void liberoFileLoadsUpright() {
    const fs::path file = path("libero_written.hdf5");
    const int steps = 5;
    const Episode truth = td::makeEpisode(7, steps, kImageSize, /*depth=*/false);
    {
      H5::H5File h5(file.string(), H5F_ACC_TRUNC);
      H5::Group grp = h5.createGroup("data");
      h5pyStringAttr(grp, "env_name", "Libero_Tabletop_Manipulation");
      h5pyStringAttr(grp, "problem_info",
                     R"({"problem_name": "libero_tabletop_manipulation", "domain_name": "robosuite", "language_instruction": "pick up the black bowl between the plate and the ramekin and place it on the plate"})");
      h5pyStringAttr(grp, "macros_image_convention", "opengl");
      h5pyStringAttr(grp, "env_args", R"({"type": 1, "env_name": "Libero_Tabletop_Manipulation", "problem_name": "libero_tabletop_manipulation", "bddl_file": "x.bddl", "env_kwargs": {}})");
      h5pyStringAttr(grp, "bddl_file_name", "libero/libero/bddl_files/libero_spatial/pick_up_the_black_bowl.bddl");
      h5pyStringAttr(grp, "bddl_file_content", "(define (problem LIBERO_Tabletop_Manipulation)\n ...)");
      H5::Group ep = grp.createGroup("demo_0");
      H5::Group obs = ep.createGroup("obs");
      // robosuite's "opengl" frames are bottom-up: what LIBERO stores.
      std::vector<std::uint8_t> agent, wrist;
      for (int t = 0; t < steps; ++t) {
        for (const auto& [src, dst] : {std::pair{&truth.agentview_rgb, &agent}, std::pair{&truth.eye_in_hand_rgb, &wrist}}) {
          cv::Mat upside_down;
          cv::flip((*src)[static_cast<std::size_t>(t)], upside_down, 0);
          dst->insert(dst->end(), upside_down.data, upside_down.data + upside_down.total() * 3);
        }
      }
      const auto T = static_cast<hsize_t>(steps);
      h5pyDataset(obs, "gripper_states", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, {T, 2}, flat(truth.gripper_states));
      h5pyDataset(obs, "joint_states", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, {T, 7}, flat(truth.joint_states));
      h5pyDataset(obs, "ee_states", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, {T, 6}, flat(truth.ee_states));
      h5pyDataset(obs, "ee_pos", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, {T, 3}, flat(truth.ee_pos));
      h5pyDataset(obs, "ee_ori", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, {T, 3}, flat(truth.ee_ori));
      h5pyDataset(obs, "agentview_rgb", H5::PredType::STD_U8LE, H5::PredType::NATIVE_UINT8, {T, kImageSize, kImageSize, 3}, agent);
      h5pyDataset(obs, "eye_in_hand_rgb", H5::PredType::STD_U8LE, H5::PredType::NATIVE_UINT8, {T, kImageSize, kImageSize, 3}, wrist);
      h5pyDataset(ep, "actions", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, {T, 7}, flat(truth.actions));
      h5pyDataset(ep, "states", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, {T, 9}, flat(truth.states));
      h5pyDataset(ep, "robot_states", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, {T, 9}, flat(truth.states));
      h5pyDataset(ep, "rewards", H5::PredType::STD_U8LE, H5::PredType::NATIVE_UINT8, {T}, truth.rewards);
      h5pyDataset(ep, "dones", H5::PredType::STD_U8LE, H5::PredType::NATIVE_UINT8, {T}, truth.dones);
      h5pyInt64Attr(ep, "num_samples", steps);
      h5pyStringAttr(ep, "model_file", truth.model_file);
      const hsize_t init_dims[1] = {truth.init_state.size()};
      ep.createAttribute("init_state", H5::PredType::IEEE_F64LE, H5::DataSpace(1, init_dims))
          .write(H5::PredType::NATIVE_DOUBLE, truth.init_state.data());
      h5pyInt64Attr(grp, "num_demos", 1);
      h5pyInt64Attr(grp, "total", steps);
    }
    EpisodeReader reader(file);
    QCOMPARE(reader.datasetInfo().languageInstruction(),
             std::string("pick up the black bowl between the plate and the ramekin and place it on the plate"));
    QCOMPARE(reader.datasetInfo().env_name, std::string("Libero_Tabletop_Manipulation"));
    const Episode e = reader.readEpisode("demo_0");
    QVERIFY2(td::sameImages(e.agentview_rgb, truth.agentview_rgb), "agentview_rgb must load upright");
    QVERIFY2(td::sameImages(e.eye_in_hand_rgb, truth.eye_in_hand_rgb), "eye_in_hand_rgb must load upright");
    QVERIFY(td::sameBits(e.actions, truth.actions));
    QVERIFY(td::sameBits(e.joint_states, truth.joint_states));
    QVERIFY(td::sameBits(e.ee_states, truth.ee_states));
    QVERIFY(td::sameBits(e.robot_states, truth.states));
    QVERIFY(e.dones == truth.dones);
    QVERIFY(e.init_state == truth.init_state);
    QCOMPARE(e.model_file, truth.model_file);
    QVERIFY(e.agentview_depth.empty());
    const auto summaries = reader.summaries();
    QCOMPARE(summaries.size(), std::size_t{1});
    QVERIFY(!summaries[0].has_annotations);
    QVERIFY(e.annotations.instruction.empty());
  }

  void annotationsAreEditedInPlace() {
    const fs::path file = path("edit.hdf5");
    createEpisodeFile(file, ourInfo(), CreateMode::kReplace);
    const Episode e0 = annotatedEpisode(0, 6);
    const Episode e1 = annotatedEpisode(1, 7);
    appendEpisode(file, e0);
    appendEpisode(file, e1);
    EpisodeAnnotations edited = e1.annotations;
    edited.success = false;
    edited.notes = "re-labelled";
    edited.keyframes.push_back({4, "contact"});
    edited.intervention.assign(7, 1);
    edited.timestamps_unix_s.clear();  // removes the dataset
    saveAnnotations(file, "demo_1", edited);
    {
      EpisodeReader reader(file);
      compareAnnotations(edited, reader.readAnnotations("demo_1"));
      compareAnnotations(e0.annotations, reader.readAnnotations("demo_0"));
      QCOMPARE(QString::fromStdString(td::firstDifference(e0, reader.readEpisode("demo_0"))), QString());
    }
    // An invalid edit is refused with the object named, and the file stays byte for byte as it was.
    const std::vector<char> before = fileBytes(file);
    EpisodeAnnotations bad = edited;
    bad.keyframes.push_back({99, "beyond the end"});
    try {
      saveAnnotations(file, "demo_1", bad);
      QFAIL("no error");
    } catch (const EpisodeError& err) {
      QVERIFY2(QString(err.what()).contains("data/demo_1/thinkvla"), err.what());
    }
    QVERIFY(fileBytes(file) == before);
    QVERIFY(!fs::exists(journalPath(file)));
    QVERIFY_EXCEPTION_THROWN(saveAnnotations(file, "demo_9", edited), EpisodeError);
  }

  // A reader keeps HDF5's shared lock: a write cannot change the file under it, and fails clearly.
  void writesWaitForOpenReaders() {
    const fs::path file = validFile("reader_open.hdf5");
    const std::vector<char> before = fileBytes(file);
    {
      EpisodeReader reader(file);
      try {
        saveAnnotations(file, "demo_0", EpisodeAnnotations{});
        QFAIL("the write went ahead under an open reader");
      } catch (const EpisodeError& e) {
        QVERIFY2(QString(e.what()).contains("cannot open for writing"), e.what());
      }
      QVERIFY(fileBytes(file) == before);
      QVERIFY(!fs::exists(journalPath(file)));
      QCOMPARE(reader.readEpisode("demo_0").numSamples(), std::int64_t{6});
    }
    saveAnnotations(file, "demo_0", EpisodeAnnotations{});  // once the reader is gone
  }

  void writeErrorsRollBack() {
    const fs::path file = validFile("write_error.hdf5");
    const std::vector<char> before = fileBytes(file);
    Episode bad = td::makeEpisode(1, 4, 16);
    bad.eye_in_hand_rgb.pop_back();
    try {
      appendEpisode(file, bad);
      QFAIL("no error");
    } catch (const EpisodeError& err) {
      QCOMPARE(err.objectPath(), std::string("data/demo_1/obs/eye_in_hand_rgb"));
    }
    QVERIFY(fileBytes(file) == before);
    QVERIFY_EXCEPTION_THROWN(createEpisodeFile(file, ourInfo(), CreateMode::kFailIfExists), EpisodeError);
    DatasetInfo not_json = ourInfo();
    not_json.problem_info_json = "put the bowl on the plate";  // LIBERO's readers json.loads() it
    QVERIFY_EXCEPTION_THROWN(createEpisodeFile(path("not_json.hdf5"), not_json, CreateMode::kReplace), EpisodeError);
    QVERIFY(!fs::exists(path("not_json.hdf5")));
    // Empty JSON attributes are written as JSON objects.
    createEpisodeFile(path("defaults.hdf5"), DatasetInfo{}, CreateMode::kReplace);
    EpisodeReader reader(path("defaults.hdf5"));
    QCOMPARE(reader.datasetInfo().env_args_json, std::string("{}"));
    QCOMPARE(reader.datasetInfo().languageInstruction(), std::string());
    QVERIFY(reader.episodeNames().empty());
  }

  void truncatedFileIsAClearError() {
    const fs::path file = validFile("truncated.hdf5");
    fs::resize_file(file, fs::file_size(file) / 2);
    try {
      EpisodeReader reader(file);
      QFAIL("no error");
    } catch (const EpisodeError& e) {
      const QString message = e.what();
      QVERIFY2(message.contains(QString::fromStdString(file.string())), qPrintable(message));
      QVERIFY2(message.contains("truncated"), qPrintable(message));
    }
  }

  void notHdf5IsAClearError() {
    const fs::path file = path("garbage.hdf5");
    std::ofstream(file) << "this is not an HDF5 file";
    QVERIFY_EXCEPTION_THROWN(EpisodeReader reader(file), EpisodeError);
    QVERIFY_EXCEPTION_THROWN(EpisodeReader reader(path("missing.hdf5")), EpisodeError);
  }

  void missingDatasetIsAClearError() {
    const fs::path file = validFile("missing.hdf5");
    {
      H5::H5File h5(file.string(), H5F_ACC_RDWR);
      h5.unlink("data/demo_0/actions");
    }
    try {
      EpisodeReader reader(file);
      reader.readEpisode("demo_0");
      QFAIL("no error");
    } catch (const EpisodeError& e) {
      QVERIFY2(QString(e.what()).contains(QString::fromStdString(file.string())), e.what());
      QVERIFY2(QString(e.what()).contains("data/demo_0/actions: missing dataset"), e.what());
    }
    const fs::path file2 = validFile("missing_obs.hdf5");
    {
      H5::H5File h5(file2.string(), H5F_ACC_RDWR);
      h5.unlink("data/demo_0/obs/gripper_states");
    }
    expectReadError(file2, "data/demo_0/obs/gripper_states", "missing dataset");
  }

  void wrongShapeIsAClearError() {
    const fs::path file = validFile("shape.hdf5");
    {
      H5::H5File h5(file.string(), H5F_ACC_RDWR);
      h5.unlink("data/demo_0/obs/ee_states");
      H5::Group obs = h5.openGroup("data/demo_0/obs");
      h5pyDataset(obs, "ee_states", H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE, {6, 5},
                  std::vector<double>(30, 0.0));
    }
    expectReadError(file, "data/demo_0/obs/ee_states", "wrong shape: (6, 5), expected (6, 6)");

    const fs::path file2 = validFile("shape_rows.hdf5");
    {
      H5::H5File h5(file2.string(), H5F_ACC_RDWR);
      h5.unlink("data/demo_0/dones");
      H5::Group demo = h5.openGroup("data/demo_0");
      h5pyDataset(demo, "dones", H5::PredType::STD_U8LE, H5::PredType::NATIVE_UINT8, {4}, std::vector<std::uint8_t>(4, 0));
    }
    expectReadError(file2, "data/demo_0/dones", "wrong shape: (4,), expected (6,)");
  }

  void wrongDtypeIsAClearError() {
    const fs::path file = validFile("dtype.hdf5");
    {
      H5::H5File h5(file.string(), H5F_ACC_RDWR);
      h5.unlink("data/demo_0/obs/agentview_rgb");
      H5::Group obs = h5.openGroup("data/demo_0/obs");
      h5pyDataset(obs, "agentview_rgb", H5::PredType::IEEE_F32LE, H5::PredType::NATIVE_FLOAT, {6, 16, 16, 3},
                  std::vector<float>(6 * 16 * 16 * 3, 0.5f));
    }
    expectReadError(file, "data/demo_0/obs/agentview_rgb", "wrong dtype: float32, expected uint8");

    const fs::path file2 = validFile("dtype_actions.hdf5");
    {
      H5::H5File h5(file2.string(), H5F_ACC_RDWR);
      h5.unlink("data/demo_0/actions");
      H5::Group demo = h5.openGroup("data/demo_0");
      h5pyDataset(demo, "actions", H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32, {6, 7}, std::vector<std::int32_t>(42, 1));
    }
    expectReadError(file2, "data/demo_0/actions", "wrong dtype: int32, expected float64");
  }
};

QTEST_GUILESS_MAIN(TestEpisodeFile)
#include "test_episode_file.moc"
