#include "core/eval/demo_collector.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/eval/policy_io.h"
#include "core/sim/scripted_expert.h"
#include "core/sim/spatial_qa.h"
#include "core/sim/tabletop_env.h"

namespace thinkvla::core::eval {

namespace {

namespace sim = core::sim;

double unixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string readText(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json cameraJson(const sim::CameraFrame& f) {
  nlohmann::json T = nlohmann::json::array();
  const Eigen::Matrix4d m = f.T_base_camera.matrix();
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) T.push_back(m(r, c));
  }
  return {{"width", f.intrinsics.width},
          {"height", f.intrinsics.height},
          {"fx", f.intrinsics.fx},
          {"fy", f.intrinsics.fy},
          {"cx", f.intrinsics.cx},
          {"cy", f.intrinsics.cy},
          {"fovy_deg", f.intrinsics.fovy_deg},
          {"T_base_camera", T},
          {"convention", "OpenCV axes, row-major 4x4"}};
}

// The expert's primitive ("pick red_cube" of "pick red_cube: descend").
std::string primitiveOf(const std::string& stage) {
  const auto colon = stage.find(':');
  return colon == std::string::npos ? stage : stage.substr(0, colon);
}

struct Recording {
  Episode episode;
  std::vector<std::string> stages;
  std::vector<float> point_maps;
  int steps = 0;
};

void appendRow(RowMatrixXd& m, const double* values, int cols) {
  m.conservativeResize(m.rows() + 1, cols);
  for (int c = 0; c < cols; ++c) m(m.rows() - 1, c) = values[c];
}

void recordObservation(Recording& rec, const sim::Observation& obs, PointMaps point_maps) {
  Episode& e = rec.episode;
  if (obs.cameras.size() < 2)
    throw std::runtime_error("the environment rendered fewer than 2 cameras");
  e.agentview_rgb.push_back(obs.cameras[0].rgb.clone());
  e.eye_in_hand_rgb.push_back(obs.cameras[1].rgb.clone());
  e.agentview_depth.push_back(obs.cameras[0].depth_m.clone());
  e.eye_in_hand_depth.push_back(obs.cameras[1].depth_m.clone());
  appendRow(e.joint_states, obs.joint_pos_rad.data(), 7);
  appendRow(e.gripper_states, obs.gripper_qpos_m.data(), 2);
  const double ee[6] = {obs.ee_pos_m.x(),      obs.ee_pos_m.y(),      obs.ee_pos_m.z(),
                        obs.ee_axis_angle.x(), obs.ee_axis_angle.y(), obs.ee_axis_angle.z()};
  appendRow(e.ee_states, ee, 6);
  appendRow(e.ee_pos, ee, 3);
  appendRow(e.ee_ori, ee + 3, 3);
  if (point_maps == PointMaps::kStore) {
    for (int c = 0; c < 2; ++c) {
      cv::Mat pm = sim::pointMap(obs.cameras[static_cast<std::size_t>(c)]);
      if (!pm.isContinuous()) pm = pm.clone();
      const auto* p = pm.ptr<float>();
      rec.point_maps.insert(rec.point_maps.end(), p, p + pm.total() * 3);
    }
  }
}

// Lets the policy drive the world from its reset for `steps` control steps, chunks of K executed
// open loop (as the evaluator does by default). Returns false when the episode ended first (the
// task done, the step limit, or an action the world refused).
bool drivePolicy(model::Policy& policy, sim::TabletopEnv& env, const sim::TaskSpec& task,
                 int steps) {
  policy.reset();
  policy.setNormStatsTask(task.instruction);
  model::GripperReleaseCounter releases;
  std::deque<sim::Action> queue;
  while (env.stepCount() < steps) {
    if (queue.empty()) {
      const auto chunk =
          policy.step(toPolicyObservation(env.observe(), releases), env.instruction()).actions;
      for (const auto& a : chunk) queue.push_back(clampAction(a));
      if (queue.empty()) throw std::runtime_error("the policy returned an empty action chunk");
    }
    const sim::Action action = queue.front();
    queue.pop_front();
    releases.observe(action[sim::kGripperIndex], env.gripperOpening_m());
    const sim::StepResult r = env.step(action);
    if (r.done || r.status == sim::StepStatus::kRefused) return false;
  }
  return true;
}

}  // namespace

CollectSummary collectDemonstrations(const CollectOptions& o, const std::filesystem::path& out,
                                     const CollectProgressFn& progress) {
  if (o.episodes_per_task < 1) throw std::invalid_argument("episodes per task must be at least 1");
  if (o.image_size < 16 || o.image_size > 512)
    throw std::invalid_argument("image size must be 16..512");
  if (o.qa_per_episode < 0) throw std::invalid_argument("QA pairs per episode must be >= 0");
  if (!(o.action_noise >= 0.0 && o.action_noise <= 1.0))
    throw std::invalid_argument("action noise must be in [0, 1] (normalised action units)");
  if (o.qa_2d_per_episode < 0) {
    throw std::invalid_argument("2D QA pairs per episode must be >= 0");
  }
  if (o.handover_max_steps < 0) throw std::invalid_argument("handover steps must be >= 0");
  std::optional<model::Policy> policy;
  if (!o.policy_checkpoint.empty()) {
    policy.emplace(model::Policy::load(o.policy_checkpoint));  // CheckpointError names the file
    if (policy->config().num_views != 2) {
      throw std::invalid_argument("the policy " + o.policy_checkpoint + " takes " +
                                  std::to_string(policy->config().num_views) +
                                  " views; the world renders 2");
    }
  }
  const auto& suite_tasks = sim::suiteTasks(o.suite);
  std::vector<int> tasks = o.tasks;
  if (tasks.empty()) {
    for (const auto& t : suite_tasks) tasks.push_back(t.index);
  }
  for (int t : tasks) {
    if (t < 0 || t >= static_cast<int>(suite_tasks.size())) {
      throw std::invalid_argument("task " + std::to_string(t) + " is not in suite " +
                                  sim::suiteName(o.suite) + " (0.." +
                                  std::to_string(suite_tasks.size() - 1) + ")");
    }
  }
  const int max_attempts =
      o.max_attempts_per_task > 0 ? o.max_attempts_per_task : 3 * o.episodes_per_task;

  sim::EnvOptions env_options;
  env_options.image_width = o.image_size;
  env_options.image_height = o.image_size;
  env_options.channels = sim::CameraChannels::kRgbDepthSegmentation;
  sim::TabletopEnv env(env_options);
  const std::string model_xml = readText(env.options().scene_file);

  DatasetInfo info;
  info.env_name = "thinkvla_tabletop";
  {
    nlohmann::json args;
    args["type"] = 1;
    args["env_name"] = "thinkvla_tabletop";
    args["suite"] = sim::suiteName(o.suite);
    args["perturbation"] = o.perturbation.toString();
    args["seed"] = o.seed;
    args["action_noise"] = o.action_noise;
    args["control_freq"] = 20;
    args["image_size"] = o.image_size;
    args["depth_units"] = "metres along the optical axis";
    args["point_maps"] =
        o.point_maps == PointMaps::kStore ? "thinkvla/teacher_features" : "from depth";
    args["camera_names"] = {"agentview", "robot0_eye_in_hand"};
    // Camera geometry at the first demo's reset (the cameras do not depend on the task; a camera
    // perturbation moves the agent view per demo: each demo's own geometry is in its notes).
    env.reset(sim::task(o.suite, tasks.front()), o.seed, o.perturbation);
    args["cameras"] = {{"agentview", cameraJson(env.cameraGeometry("agentview"))},
                       {"wrist", cameraJson(env.cameraGeometry("wrist"))}};
    info.env_args_json = args.dump();
    nlohmann::json problem;
    problem["problem_name"] = "thinkvla_" + sim::suiteName(o.suite);
    problem["domain_name"] = "thinkvla_tabletop";
    problem["language_instruction"] = tasks.size() == 1
                                          ? sim::task(o.suite, tasks.front()).instruction
                                          : std::string("multiple tasks: see each demo");
    info.problem_info_json = problem.dump();
  }
  info.bddl_file_name = "thinkvla/" + sim::suiteName(o.suite);
  if (o.output == OutputMode::kAppend && std::filesystem::exists(out)) {
    EpisodeReader check(out);  // throws EpisodeError naming the file when it is not an episode file
  } else {
    createEpisodeFile(out, info, CreateMode::kReplace);
  }

  CollectSummary summary;
  const auto start = std::chrono::steady_clock::now();
  for (int t : tasks) {
    const sim::TaskSpec& task = sim::task(o.suite, t);
    int kept = 0;
    for (int a = 0; a < max_attempts && kept < o.episodes_per_task; ++a) {
      const std::uint64_t seed = o.seed + static_cast<std::uint64_t>(a);
      env.reset(task, seed, o.perturbation);
      int handover = 0;
      if (policy) {
        std::mt19937_64 handover_rng(seed ^ 0x4A9D0FE2ULL);
        handover = std::uniform_int_distribution<int>(0, o.handover_max_steps)(handover_rng);
        if (!drivePolicy(*policy, env, task, handover)) {
          ++summary.policy_finished;
          CollectedDemo demo;
          demo.suite = o.suite;
          demo.task_index = t;
          demo.seed = seed;
          demo.handover_step = static_cast<int>(env.stepCount());
          if (progress) progress(demo, false);
          continue;
        }
      }
      sim::ScriptedExpert expert(task, seed);
      if (policy) expert.takeOver(task, env);
      // Its own stream: the expert, the QA pairs and the noise-free demos stay what they were.
      std::mt19937_64 noise_rng(seed ^ 0xDA27ULL);
      std::normal_distribution<double> noise(0.0, o.action_noise > 0.0 ? o.action_noise : 1.0);
      Recording rec;
      Episode& e = rec.episode;
      e.init_state = env.physicsState();
      e.model_file = model_xml;
      e.annotations.start_time_unix_s = unixNow();
      sim::Observation obs = env.observe();
      std::mt19937_64 qa_rng(seed ^ 0x51A7A1ULL);
      for (const auto& q : sim::spatialQa(env, obs.cameras.front(), o.qa_per_episode, qa_rng)) {
        e.annotations.qa_pairs.push_back({sim::qaKindName(q.kind), q.question, q.answer});
      }
      // The 2D questions draw from their own stream: the spatial ones stay what they were.
      std::mt19937_64 qa_2d_rng(seed ^ 0x2D0A2DULL);
      for (const auto& q : sim::imageQa(env, obs.cameras.front(), o.qa_2d_per_episode, qa_2d_rng)) {
        e.annotations.qa_pairs.push_back({sim::qaKindName(q.kind), q.question, q.answer});
      }
      sim::StepResult r;
      bool unstable = false;  // MuJoCo reset or warned: the recorded states would jump
      while (!r.done) {
        recordObservation(rec, obs, o.point_maps);
        const std::vector<double> state = env.physicsState();
        appendRow(e.states, state.data(), static_cast<int>(state.size()));
        const sim::Action action = expert.act(env);
        rec.stages.push_back(primitiveOf(expert.stage()));
        appendRow(e.actions, action.data(), sim::kActionDim);
        sim::Action executed = action;
        if (o.action_noise > 0.0) {
          // Position only: the tasks hold the gripper's orientation nearly still, so the
          // normalisation's range of the rotation components is narrow, and corrections of
          // noise there would dominate the action loss (tried: the policy then spun the hand).
          constexpr int kPositionComponents = 3;  // dx, dy, dz lead the action
          for (int i = 0; i < kPositionComponents; ++i)
            executed[i] = std::clamp(executed[i] + noise(noise_rng), -1.0, 1.0);
        }
        r = env.step(executed);
        if (r.status == sim::StepStatus::kRefused)
          throw std::runtime_error("the expert's action was refused: " + r.error);
        unstable = unstable || !r.physics_warnings.empty();
        if (!r.done) obs = env.observe();
      }
      const int steps = static_cast<int>(e.actions.rows());
      e.rewards.assign(static_cast<std::size_t>(steps), 0);
      e.dones.assign(static_cast<std::size_t>(steps), 0);
      e.rewards.back() = r.success ? 1 : 0;
      e.dones.back() = 1;
      e.annotations.end_time_unix_s = unixNow();
      e.annotations.instruction = env.instruction();
      e.annotations.success = r.success;
      e.annotations.operator_name = "scripted_expert";
      e.annotations.source = {"sim", sim::suiteName(o.suite) + "/" + task.name,
                              static_cast<std::int64_t>(seed), ""};
      e.annotations.teacher_prompts = {sim::teacherPrompt(task)};
      if (o.perturbation.any()) e.annotations.notes = "perturbation " + o.perturbation.toString();
      if (policy) {
        if (!e.annotations.notes.empty()) e.annotations.notes += "; ";
        e.annotations.notes += "recovery: the expert took over after " + std::to_string(handover) +
                               " steps of the policy " + o.policy_checkpoint;
      }
      if (o.action_noise > 0.0) {
        if (!e.annotations.notes.empty()) e.annotations.notes += "; ";
        std::ostringstream note;
        note << "action noise " << o.action_noise
             << " (executed: the recorded action + Gaussian noise on dx, dy, dz)";
        e.annotations.notes += note.str();
      }
      if (o.perturbation.level(sim::PerturbDimension::kCamera) > 0) {
        const nlohmann::json cameras = {{"agentview", cameraJson(env.cameraGeometry("agentview"))}};
        e.annotations.notes += "; cameras " + cameras.dump();
      }
      for (int s = 0; s < steps;) {
        int end = s;
        while (end < steps &&
               rec.stages[static_cast<std::size_t>(end)] == rec.stages[static_cast<std::size_t>(s)])
          ++end;
        e.annotations.subtasks.push_back({s, end, rec.stages[static_cast<std::size_t>(s)]});
        s = end;
      }
      if (o.point_maps == PointMaps::kStore) {
        e.teacher_features.shape = {static_cast<std::size_t>(steps), 2,
                                    static_cast<std::size_t>(o.image_size),
                                    static_cast<std::size_t>(o.image_size), 3};
        e.teacher_features.values = std::move(rec.point_maps);
        e.teacher_features.description =
            "camera-frame point maps (agentview, wrist), metres, OpenCV axes, (T, 2, H, W, 3)";
      }

      CollectedDemo demo;
      demo.suite = o.suite;
      demo.task_index = t;
      demo.seed = seed;
      demo.success = r.success;
      demo.steps = steps;
      demo.qa_pairs = static_cast<int>(e.annotations.qa_pairs.size());
      demo.handover_step = handover;
      ++summary.attempts;
      summary.successes += r.success ? 1 : 0;
      if (unstable) {
        ++summary.unstable;
        spdlog::warn("collect: {} seed {} dropped: the physics warned during the episode",
                     task.name, seed);
      }
      const bool keep = !unstable && (r.success || o.keep == KeepEpisodes::kAll);
      if (keep) {
        demo.name = appendEpisode(out, e);
        summary.demos.push_back(demo);
        summary.total_steps += steps;
        ++kept;
      }
      if (progress) progress(demo, keep);
    }
    if (kept < o.episodes_per_task) summary.short_tasks.push_back(t);
  }
  summary.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace thinkvla::core::eval
