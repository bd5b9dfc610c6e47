#include "core/eval/evaluator.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <deque>
#include <exception>
#include <iomanip>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/eval/policy_io.h"
#include "core/eval/rollout_video.h"
#include "core/pipeline/temporal_ensemble.h"
#include "core/sim/scripted_expert.h"
#include "core/sim/tabletop_env.h"
#include "model/gripper_progress.h"
#include "model/policy.h"
#include "model/torch_runtime.h"

namespace thinkvla::core::eval {

namespace sim = core::sim;

std::string actorName(ActorKind actor) {
  switch (actor) {
    case ActorKind::kPolicy:
      return "policy";
    case ActorKind::kRandom:
      return "random";
    case ActorKind::kExpert:
      return "expert";
  }
  return "?";
}

std::vector<EvalCondition> parseConditions(const std::string& text) {
  if (text.empty() || text == "none") return {EvalCondition{"none", {}}};
  if (text == "all" || text.rfind("all:", 0) == 0) {
    int level = 2;
    if (text.size() > 4) {
      const std::string l = text.substr(4);
      if (l.size() != 1 || l[0] < '0' || l[0] > '0' + sim::kMaxPerturbLevel) {
        throw std::invalid_argument("perturbation level '" + l + "' in '" + text + "' is not 0.." +
                                    std::to_string(sim::kMaxPerturbLevel));
      }
      level = l[0] - '0';
    }
    std::vector<EvalCondition> out;
    for (auto d : sim::allDimensions()) {
      EvalCondition c;
      c.perturbation.set(d, level);
      c.name = c.perturbation.toString();
      if (!c.perturbation.any()) c.name = sim::dimensionName(d) + ":0";
      out.push_back(std::move(c));
    }
    return out;
  }
  EvalCondition c;
  c.perturbation = sim::PerturbationSpec::parse(text);  // throws naming the bad part
  c.name = c.perturbation.any() ? c.perturbation.toString() : "none";
  return {c};
}

double EvalReport::averageSuccess(const std::string& condition) const {
  double sum = 0;
  int n = 0;
  for (const auto& s : suites) {
    if (s.condition != condition) continue;
    sum += s.success_rate;
    ++n;
  }
  return n == 0 ? -1.0 : sum / n;
}

namespace {

struct Job {
  std::size_t condition = 0;
  sim::Suite suite = sim::Suite::kSpatial;
  int task_index = 0;
  int episode = 0;
};

std::string fileSafe(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return s;
}

// One worker's state: its environment and, for kPolicy, its own policy.
struct Worker {
  std::unique_ptr<sim::TabletopEnv> env;
  std::optional<model::Policy> policy;
};

EpisodeOutcome runEpisode(const EvalOptions& o, const EvalCondition& condition, const Job& job,
                          Worker& w) {
  const sim::TaskSpec& task = sim::task(job.suite, job.task_index);
  EpisodeOutcome out;
  out.condition = condition.name;
  out.suite = job.suite;
  out.task_index = job.task_index;
  out.episode = job.episode;
  out.seed = o.seed + static_cast<std::uint64_t>(job.episode);
  sim::TabletopEnv& env = *w.env;
  env.reset(task, out.seed, condition.perturbation);
  int max_steps = std::min(task.max_steps, sim::suiteMaxSteps(job.suite));
  if (o.max_steps > 0) max_steps = std::min(max_steps, o.max_steps);

  std::unique_ptr<RolloutVideo> video;
  if (!o.video_dir.empty() && job.episode < o.video_episodes) {
    const std::string name = fileSafe(condition.name) + "_" + sim::suiteName(job.suite) + "_" +
                             std::to_string(job.task_index) + "_" + fileSafe(task.name) + "_ep" +
                             std::to_string(job.episode) + videoExtension(o.video_format);
    video = std::make_unique<RolloutVideo>(o.video_dir / name, o.video_format);
    out.video_file = (o.video_dir / name).string();
  }
  const bool needs_images = o.actor == ActorKind::kPolicy || video != nullptr;

  std::optional<sim::ScriptedExpert> expert;
  if (o.actor == ActorKind::kExpert) expert.emplace(task, out.seed);
  std::mt19937_64 rng(out.seed * 0x9E3779B97F4A7C15ULL + 0xA5A5A5A5ULL);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::deque<sim::Action> queue;
  // The policy's subtask progress input, fed with every executed action.
  model::GripperReleaseCounter releases;
  std::optional<TemporalEnsemble> ensemble;
  if (o.ensemble_decay) ensemble.emplace(*o.ensemble_decay);
  if (w.policy) {
    w.policy->reset();
    // A paraphrased instruction (language perturbation) is normalised with this task's statistics.
    w.policy->setNormStatsTask(task.instruction);
  }
  const int execute = o.execute_steps;
  // Whether the policy plans at the current step (and so needs an image of it).
  auto plansNow = [&] {
    return ensemble ? env.stepCount() % execute == 0 : queue.empty();
  };

  out.goal_first_step.assign(task.goals.size(), -1);
  // Which goals hold after the step just taken: the partial progress of the episode.
  auto noteGoals = [&] {
    int held = 0;
    for (std::size_t g = 0; g < task.goals.size(); ++g) {
      if (!sim::goalSatisfied(env, task.goals[g])) continue;
      ++held;
      if (out.goal_first_step[g] < 0) out.goal_first_step[g] = static_cast<int>(env.stepCount());
    }
    out.goals_reached = std::max(out.goals_reached, held);
  };

  std::optional<sim::Observation> obs;
  if (needs_images) {
    obs = env.observe();
    if (video) video->write(obs->cameras);
  }
  sim::StepResult r;
  while (!r.done && env.stepCount() < max_steps) {
    sim::Action action{};
    switch (o.actor) {
      case ActorKind::kExpert:
        action = expert->act(env);
        break;
      case ActorKind::kRandom:
        for (auto& v : action) v = uniform(rng);
        break;
      case ActorKind::kPolicy:
        if (ensemble) {
          const long now = env.stepCount();
          if (plansNow()) {
            auto step = w.policy->step(toPolicyObservation(*obs, releases), env.instruction());
            ++out.policy_calls;
            ensemble->add(now, std::move(step.actions));
          }
          const auto mean = ensemble->actionAt(now);
          if (!mean) throw std::runtime_error("the policy returned an empty action chunk");
          action = clampAction(*mean);
          break;
        }
        if (queue.empty()) {
          const auto step = w.policy->step(toPolicyObservation(*obs, releases), env.instruction());
          ++out.policy_calls;
          const int n = std::min<int>(execute, static_cast<int>(step.actions.size()));
          for (int i = 0; i < n; ++i)
            queue.push_back(clampAction(step.actions[static_cast<std::size_t>(i)]));
          if (queue.empty()) throw std::runtime_error("the policy returned an empty action chunk");
        }
        action = queue.front();
        queue.pop_front();
        break;
    }
    releases.observe(action[sim::kGripperIndex], env.gripperOpening_m());
    r = env.step(action);
    if (!r.physics_warnings.empty()) ++out.physics_warnings;
    if (r.status == sim::StepStatus::kRefused) {
      out.refused = true;
      break;
    }
    noteGoals();
    // Observe when the next action needs an image (a new chunk) or the video wants the frame.
    if (video || (o.actor == ActorKind::kPolicy && !r.done && plansNow())) {
      obs = env.observe();
      if (video) video->write(obs->cameras);
    }
  }
  out.steps = env.stepCount();
  out.success = !out.refused && env.success();
  if (video) video->close();
  return out;
}

}  // namespace

Evaluator::Evaluator(EvalOptions options) : options_(std::move(options)) {}

EvalReport Evaluator::run(const ProgressFn& progress) {
  EvalOptions o = options_;
  if (o.suites.empty()) throw std::invalid_argument("no suite to evaluate");
  if (o.episodes_per_task < 1) throw std::invalid_argument("episodes per task must be at least 1");
  if (o.workers < 1 || o.workers > 64) throw std::invalid_argument("workers must be 1..64");
  if (o.conditions.empty()) throw std::invalid_argument("no perturbation condition");
  if (o.image_size < 16 || o.image_size > 1024)
    throw std::invalid_argument("image size must be 16..1024");
  if (o.execute_steps < 0) throw std::invalid_argument("execute steps must be >= 0");
  if (o.max_steps < 0) throw std::invalid_argument("max steps must be >= 0");
  for (auto suite : o.suites) {
    for (int t : o.tasks) {
      if (t < 0 || t >= static_cast<int>(sim::suiteTasks(suite).size())) {
        throw std::invalid_argument("task " + std::to_string(t) + " is not in suite " +
                                    sim::suiteName(suite) + " (0.." +
                                    std::to_string(sim::suiteTasks(suite).size() - 1) + ")");
      }
    }
  }

  EvalReport report;
  report.actor = o.actor;
  report.chunk_size = 1;
  std::vector<Worker> workers(static_cast<std::size_t>(o.workers));
  if (o.actor == ActorKind::kPolicy) {
    if (o.checkpoint.empty()) throw std::invalid_argument("a policy evaluation needs a checkpoint");
    // Loaded once per worker: every worker steps its own network.
    for (auto& w : workers) {
      w.policy.emplace(model::Policy::load(o.checkpoint.string()));
      w.policy->setGripperOutput(o.gripper_output);
    }
    const auto& cfg = workers.front().policy->config();
    if (cfg.num_views != 2) {
      throw std::invalid_argument(o.checkpoint.string() + ": the policy takes " +
                                  std::to_string(cfg.num_views) +
                                  " camera views; the built-in world has 2 (agent view, wrist)");
    }
    if (cfg.action_dim != sim::kActionDim || cfg.proprio_dim != 8) {
      throw std::invalid_argument(
          o.checkpoint.string() + ": action_dim " + std::to_string(cfg.action_dim) +
          " / proprio_dim " + std::to_string(cfg.proprio_dim) + " do not fit the world (7 / 8)");
    }
    report.checkpoint = o.checkpoint.string();
    report.preset = cfg.preset;
    report.chunk_size = cfg.chunk_size;
    if (o.execute_steps == 0) o.execute_steps = cfg.chunk_size;
    if (o.execute_steps > cfg.chunk_size) {
      throw std::invalid_argument("execute steps " + std::to_string(o.execute_steps) +
                                  " exceed the checkpoint's chunk size " +
                                  std::to_string(cfg.chunk_size));
    }
    if (o.ensemble_decay) TemporalEnsemble{*o.ensemble_decay};  // throws for a bad decay
  } else {
    o.execute_steps = 1;
    o.ensemble_decay.reset();
  }
  const int threads =
      model::configureThreads(o.torch_threads > 0 ? o.torch_threads : (o.workers > 1 ? 1 : 0));

  sim::EnvOptions env_options;
  env_options.image_width = o.image_size;
  env_options.image_height = o.image_size;
  const bool render = o.actor == ActorKind::kPolicy || !o.video_dir.empty();
  env_options.channels = render ? sim::CameraChannels::kRgb : sim::CameraChannels::kNone;
  for (auto& w : workers) w.env = std::make_unique<sim::TabletopEnv>(env_options);

  // The fixed job order: condition, suite, task, episode.
  std::vector<Job> jobs;
  for (std::size_t c = 0; c < o.conditions.size(); ++c) {
    for (auto suite : o.suites) {
      std::vector<int> indices = o.tasks;
      if (indices.empty()) {
        for (const auto& t : sim::suiteTasks(suite)) indices.push_back(t.index);
      }
      for (int t : indices) {
        for (int e = 0; e < o.episodes_per_task; ++e) jobs.push_back({c, suite, t, e});
      }
    }
  }

  std::vector<EpisodeOutcome> outcomes(jobs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::exception_ptr error;
  int done = 0;
  const auto start = std::chrono::steady_clock::now();
  auto work = [&](Worker& w) {
    while (!stop.load()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= jobs.size()) return;
      try {
        outcomes[i] = runEpisode(o, o.conditions[jobs[i].condition], jobs[i], w);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        stop.store(true);
        return;
      }
      std::lock_guard<std::mutex> lock(mutex);
      ++done;
      if (progress) progress(outcomes[i], done, static_cast<int>(jobs.size()));
    }
  };
  if (workers.size() == 1) {
    work(workers.front());
  } else {
    std::vector<std::thread> pool;
    for (auto& w : workers) pool.emplace_back(work, std::ref(w));
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
  report.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  report.execute_steps = o.execute_steps;
  report.ensemble_decay = o.ensemble_decay;
  report.gripper_output = o.gripper_output;
  report.episodes_per_task = o.episodes_per_task;
  report.max_steps = o.max_steps;
  report.seed = o.seed;
  report.workers = o.workers;
  report.torch_threads = threads;
  report.machine = model::computeEnvironment();
  for (const auto& c : o.conditions) report.conditions.push_back(c.name);
  // Aggregate in job order (independent of which worker ran what).
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Job& j = jobs[i];
    const auto& name = o.conditions[j.condition].name;
    if (report.tasks.empty() || report.tasks.back().condition != name ||
        report.tasks.back().suite != j.suite || report.tasks.back().task_index != j.task_index) {
      TaskResult t;
      t.condition = name;
      t.suite = j.suite;
      t.task_index = j.task_index;
      const auto& spec = sim::task(j.suite, j.task_index);
      t.task_name = spec.name;
      t.instruction = spec.instruction;
      report.tasks.push_back(std::move(t));
    }
    TaskResult& t = report.tasks.back();
    t.outcomes.push_back(outcomes[i]);
    report.total_steps += outcomes[i].steps;
  }
  for (auto& t : report.tasks) {
    t.episodes = static_cast<int>(t.outcomes.size());
    double length = 0;
    double progress = 0;  // sum over episodes of goals_reached / goals
    t.goals = static_cast<int>(sim::task(t.suite, t.task_index).goals.size());
    t.goal_rates.assign(static_cast<std::size_t>(t.goals), 0.0);
    for (const auto& e : t.outcomes) {
      t.successes += e.success ? 1 : 0;
      length += e.steps;
      progress += t.goals > 0 ? static_cast<double>(e.goals_reached) / t.goals : 0.0;
      for (std::size_t g = 0; g < e.goal_first_step.size() && g < t.goal_rates.size(); ++g) {
        if (e.goal_first_step[g] >= 0) t.goal_rates[g] += 1.0;
      }
    }
    t.success_rate = static_cast<double>(t.successes) / t.episodes;
    t.mean_length_steps = length / t.episodes;
    t.goal_progress = progress / t.episodes;
    for (auto& rate : t.goal_rates) rate /= t.episodes;
    if (report.suites.empty() || report.suites.back().condition != t.condition ||
        report.suites.back().suite != t.suite) {
      SuiteResult s;
      s.condition = t.condition;
      s.suite = t.suite;
      report.suites.push_back(s);
    }
    SuiteResult& s = report.suites.back();
    s.mean_length_steps = (s.mean_length_steps * s.episodes + length) / (s.episodes + t.episodes);
    s.goal_progress = (s.goal_progress * s.episodes + progress) / (s.episodes + t.episodes);
    s.episodes += t.episodes;
    s.successes += t.successes;
    s.success_rate = static_cast<double>(s.successes) / s.episodes;
  }
  report.episodes_per_s = report.elapsed_s > 0 ? jobs.size() / report.elapsed_s : 0.0;
  return report;
}

// ----- reports ---------------------------------------------------------------------------------

std::string reportToJson(const EvalReport& r) {
  using nlohmann::json;
  json j;
  j["format"] = "thinkvla-eval";
  j["version"] = 1;
  j["actor"] = actorName(r.actor);
  if (r.actor == ActorKind::kPolicy) {
    j["checkpoint"] = r.checkpoint;
    j["preset"] = r.preset;
    j["gripper_output"] = model::gripperOutputName(r.gripper_output);
  }
  j["chunk_size"] = r.chunk_size;
  j["execute_steps"] = r.execute_steps;
  j["ensemble_decay"] = r.ensemble_decay ? json(*r.ensemble_decay) : json(nullptr);
  j["episodes_per_task"] = r.episodes_per_task;
  j["max_steps"] = r.max_steps;
  j["seed"] = r.seed;
  j["workers"] = r.workers;
  j["torch_threads"] = r.torch_threads;
  j["machine"] = model::toJson(r.machine);
  j["conditions"] = r.conditions;
  j["elapsed_s"] = r.elapsed_s;
  j["episodes_per_s"] = r.episodes_per_s;
  j["total_steps"] = r.total_steps;
  json suites = json::array();
  for (const auto& s : r.suites) {
    suites.push_back({{"condition", s.condition},
                      {"suite", sim::suiteName(s.suite)},
                      {"episodes", s.episodes},
                      {"successes", s.successes},
                      {"success_rate", s.success_rate},
                      {"mean_length_steps", s.mean_length_steps},
                      {"goal_progress", s.goal_progress}});
  }
  j["suites"] = suites;
  json averages = json::object();
  for (const auto& c : r.conditions) averages[c] = r.averageSuccess(c);
  j["average_success_rate"] = averages;
  json tasks = json::array();
  for (const auto& t : r.tasks) {
    json episodes = json::array();
    for (const auto& e : t.outcomes) {
      json ej = {{"episode", e.episode},
                 {"seed", e.seed},
                 {"success", e.success},
                 {"steps", e.steps},
                 {"refused", e.refused},
                 {"goal_first_step", e.goal_first_step},
                 {"goals_reached", e.goals_reached},
                 {"physics_warnings", e.physics_warnings}};
      if (r.actor == ActorKind::kPolicy) ej["policy_calls"] = e.policy_calls;
      if (!e.video_file.empty()) ej["video"] = e.video_file;
      episodes.push_back(ej);
    }
    tasks.push_back({{"condition", t.condition},
                     {"suite", sim::suiteName(t.suite)},
                     {"task", t.task_index},
                     {"name", t.task_name},
                     {"instruction", t.instruction},
                     {"episodes", t.episodes},
                     {"successes", t.successes},
                     {"success_rate", t.success_rate},
                     {"mean_length_steps", t.mean_length_steps},
                     {"goals", t.goals},
                     {"goal_progress", t.goal_progress},
                     {"goal_rates", t.goal_rates},
                     {"outcomes", episodes}});
  }
  j["tasks"] = tasks;
  return j.dump(2) + "\n";
}

namespace {
std::string percent(double rate) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << 100.0 * rate;
  return s.str();
}
std::string titleCase(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}
}  // namespace

std::string reportToMarkdown(const EvalReport& r) {
  std::ostringstream md;
  std::vector<sim::Suite> suites;
  for (const auto& s : r.suites) {
    if (std::find(suites.begin(), suites.end(), s.suite) == suites.end()) suites.push_back(s.suite);
  }
  md << "## Closed-loop evaluation (" << actorName(r.actor);
  if (r.actor == ActorKind::kPolicy) md << ": " << r.checkpoint << ", preset " << r.preset;
  md << ")\n\n"
     << r.episodes_per_task << " episodes per task, seeds " << r.seed << ".."
     << r.seed + static_cast<std::uint64_t>(std::max(0, r.episodes_per_task - 1));
  if (r.actor == ActorKind::kPolicy) {
    if (r.ensemble_decay) {
      md << ", chunks of " << r.chunk_size << " planned every " << r.execute_steps
         << " steps and temporally ensembled (decay " << *r.ensemble_decay << ")";
    } else {
      md << ", chunks of " << r.chunk_size << " executed " << r.execute_steps
         << " steps open loop";
    }
    md << ", gripper commands " << model::gripperOutputName(r.gripper_output);
  }
  if (r.max_steps > 0) md << ", episodes capped at " << r.max_steps << " steps";
  // A table with conditions as rows and suites as columns; `value` picks the suite's number.
  // The success table adds the average over the suites.
  auto suiteTable = [&](double SuiteResult::*value, bool with_average) {
    md << "| Condition |";
    for (auto s : suites) md << ' ' << titleCase(sim::suiteName(s)) << " |";
    md << (with_average ? " Average |" : "") << "\n|---|";
    for (std::size_t i = 0; i < suites.size(); ++i) md << "---:|";
    md << (with_average ? "---:|\n" : "\n");
    for (const auto& c : r.conditions) {
      md << "| " << c << " |";
      for (auto s : suites) {
        const auto it = std::find_if(r.suites.begin(), r.suites.end(), [&](const SuiteResult& x) {
          return x.condition == c && x.suite == s;
        });
        md << ' ' << (it == r.suites.end() ? std::string("-") : percent((*it).*value)) << " |";
      }
      if (with_average) md << ' ' << percent(r.averageSuccess(c)) << " |";
      md << "\n";
    }
  };
  md << ". Success rate (%) per suite.\n\n";
  suiteTable(&SuiteResult::success_rate, true);
  md << "\nGoals reached (%): the mean fraction of each task's goals that held together at some "
        "step (Long's tasks have two).\n\n";
  suiteTable(&SuiteResult::goal_progress, false);
  md << "\n### Per task\n\n| Condition | Suite | Task | Instruction | Success (%) | Mean length "
        "(steps) | Each goal held (% of episodes) |\n"
        "|---|---|---:|---|---:|---:|---:|\n";
  for (const auto& t : r.tasks) {
    md << "| " << t.condition << " | " << sim::suiteName(t.suite) << " | " << t.task_index << " | "
       << t.instruction << " | " << percent(t.success_rate) << " | " << std::fixed
       << std::setprecision(1) << t.mean_length_steps << " |";
    for (std::size_t g = 0; g < t.goal_rates.size(); ++g) {
      md << (g == 0 ? " " : " / ") << percent(t.goal_rates[g]);
    }
    md << " |\n";
  }
  md << "\n"
     << r.tasks.size() << " tasks, " << r.total_steps << " control steps in " << std::fixed
     << std::setprecision(1) << r.elapsed_s << " s (" << std::setprecision(2) << r.episodes_per_s
     << " episodes/s, " << r.workers << " worker(s), " << r.torch_threads
     << " LibTorch thread(s)) on " << r.machine.summary() << ".\n";
  return md.str();
}

}  // namespace thinkvla::core::eval
