#include "core/pipeline/world_policy_episode.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace thinkvla::core {

bool isWorldSpec(const std::string& spec) { return spec.rfind("sim:", 0) == 0; }

WorldSpec parseWorldSpec(const std::string& spec) {
  const std::string form = "expected sim:SUITE/TASK[@SEED], e.g. sim:spatial/0 or sim:goal/3@7";
  if (!isWorldSpec(spec)) throw std::invalid_argument("source '" + spec + "': " + form);
  std::string rest = spec.substr(4);
  WorldSpec out;
  if (const auto at = rest.find('@'); at != std::string::npos) {
    const std::string seed = rest.substr(at + 1);
    if (seed.empty() || seed.size() > 18 ||
        seed.find_first_not_of("0123456789") != std::string::npos) {
      throw std::invalid_argument("source '" + spec + "': seed '" + seed +
                                  "' is not a non-negative integer");
    }
    out.seed = std::stoull(seed);
    rest = rest.substr(0, at);
  }
  const auto slash = rest.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= rest.size()) {
    throw std::invalid_argument("source '" + spec + "': " + form);
  }
  const std::string suite_text = rest.substr(0, slash);
  const std::string task_text = rest.substr(slash + 1);
  const auto suite = sim::parseSuite(suite_text);
  if (!suite) {
    throw std::invalid_argument("source '" + spec + "': unknown suite '" + suite_text +
                                "' (spatial, object, goal, long)");
  }
  out.suite = *suite;
  const auto& tasks = sim::suiteTasks(out.suite);
  const std::string range =
      "(0.." + std::to_string(tasks.size() - 1) + " or a task name; see " + "thinkvla sim list)";
  if (task_text.find_first_not_of("0123456789") == std::string::npos) {
    const long index = task_text.size() > 6 ? -1 : std::stol(task_text);
    if (index < 0 || index >= static_cast<long>(tasks.size())) {
      throw std::invalid_argument("source '" + spec + "': unknown task " + task_text +
                                  " in suite " + sim::suiteName(out.suite) + " " + range);
    }
    out.task_index = static_cast<int>(index);
    return out;
  }
  for (const auto& t : tasks) {
    if (t.name == task_text) {
      out.task_index = t.index;
      return out;
    }
  }
  throw std::invalid_argument("source '" + spec + "': unknown task '" + task_text + "' in suite " +
                              sim::suiteName(out.suite) + " " + range);
}

WorldPolicyEpisode::WorldPolicyEpisode(Options options, model::Policy policy)
    : options_(std::move(options)), frames_(std::make_shared<LatestSlot<FrameSet>>()) {
  checkPolicyFitsWorld(policy.config(), "the checkpoint");
  const auto& tasks = sim::suiteTasks(options_.world.suite);
  if (options_.world.task_index < 0 ||
      options_.world.task_index >= static_cast<int>(tasks.size())) {
    throw std::invalid_argument("unknown task " + std::to_string(options_.world.task_index) +
                                " in suite " + sim::suiteName(options_.world.suite));
  }
  if (options_.image_size < 16 || options_.image_size > 1024) {
    throw std::invalid_argument("image size must be 16..1024");
  }
  const sim::TaskSpec& spec = tasks[static_cast<std::size_t>(options_.world.task_index)];
  step_limit_ = std::min(spec.max_steps, sim::suiteMaxSteps(options_.world.suite));
  if (options_.max_steps > 0) step_limit_ = std::min(step_limit_, options_.max_steps);

  sim::EnvOptions env;
  env.image_width = options_.image_size;
  env.image_height = options_.image_size;
  env.channels = options_.depth ? sim::CameraChannels::kRgbDepth : sim::CameraChannels::kRgb;
  session_ = std::make_unique<WorldSession>(env, frames_);
  safety_ = std::make_unique<SafetyFilter>(worldSafetyLimits(session_->env()));
  loop_ = std::make_unique<ControlLoop>(*session_, *safety_, ControlLoop::Options{});
  runner_ = std::make_unique<WorldPolicyRunner>(std::move(policy), frames_, *loop_,
                                                options_.execute_steps, options_.ensemble_decay);
  runner_->setIntrospection(options_.introspection);
  session_->state().setNotify([this] { onState(); });
  session_->reset(options_.world.suite, options_.world.task_index, options_.world.seed,
                  options_.perturbation);
  if (!options_.instruction.empty()) session_->setInstruction(options_.instruction);
  instruction_ = session_->instruction();
  if (const auto state = session_->state().peek()) cameras_ = state->cameras;
}

WorldPolicyEpisode::~WorldPolicyEpisode() { stop(); }

const sim::TaskSpec& WorldPolicyEpisode::task() const { return session_->env().task(); }

void WorldPolicyEpisode::onState() {
  const auto state = session_->state().peek();
  if (!state) return;
  WorldAtFrame w;
  w.step = state->step;
  w.success = state->success;
  w.ee_position_m = state->ee_position_m;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    by_step_[w.step] = w;
    if (!end_ && (w.success || w.step >= step_limit_)) {
      end_ = w;
      ended_cv_.notify_all();
    }
  }
  // Published before the frames of the same step: the worker sees this step's robot state.
  runner_->syncInputs(*state);
}

void WorldPolicyEpisode::start(ResultFn on_result) {
  on_result_ = std::move(on_result);
  runner_->setResultCallback([this](const InferenceResult& result) {
    // The world's frames carry their time: step * kControlDtS.
    const int step = static_cast<int>(std::lround(result.frames.source_time_s / sim::kControlDtS));
    WorldAtFrame at;
    at.step = step;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (end_ && step > end_->step) return;  // after the episode ended
      if (const auto it = by_step_.find(step); it != by_step_.end()) at = it->second;
      ++passed_on_;
    }
    if (on_result_) on_result_(result, at);
  });
  runner_->start(instruction_);
  loop_->start();
}

WorldPolicyEpisode::Outcome WorldPolicyEpisode::wait(const std::atomic<bool>* stop_flag) {
  Outcome out;
  out.step_limit = step_limit_;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (ended_cv_.wait_for(lock, std::chrono::milliseconds(20),
                             [this] { return end_.has_value(); })) {
        break;
      }
    }
    if (stop_flag != nullptr && stop_flag->load()) {
      out.stopped = true;
      break;
    }
    if (safety_->stopped()) {
      out.error = "the control loop stopped after a failed step (see the log)";
      break;
    }
    if (worker().failures() > 0) {
      out.error = "the policy cannot take the world's frames: " + worker().lastError();
      break;
    }
  }
  out.control_rate_hz = loop_->measuredRateHz();
  loop_->stop();
  if (out.error.empty() && !out.stopped) {
    // No new frames now: let the worker answer for the frames up to the end (bounded wait).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::uint64_t taken = frames_->taken();
      const bool waiting = frames_->published() > frames_->dropped() + taken;
      if (!waiting && worker().inferences() + worker().failures() >= taken) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  runner_->stop();
  std::lock_guard<std::mutex> lock(mutex_);
  if (end_) {
    out.success = end_->success;
    out.steps = end_->step;
  } else if (!by_step_.empty()) {
    out.steps = by_step_.rbegin()->first;
    out.success = by_step_.rbegin()->second.success;
  }
  out.inferences = passed_on_;
  return out;
}

void WorldPolicyEpisode::stop() {
  if (loop_) loop_->stop();
  if (runner_) runner_->stop();
}

}  // namespace thinkvla::core
