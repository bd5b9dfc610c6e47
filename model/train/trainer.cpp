#include "model/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "model/data/action_normalization.h"
#include "model/losses.h"
#include "model/safetensors.h"
#include "model/torch_runtime.h"

namespace thinkvla::model::train {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string toString(TrainState state) {
  switch (state) {
    case TrainState::kIdle: return "idle";
    case TrainState::kRunning: return "running";
    case TrainState::kPaused: return "paused";
    case TrainState::kCancelled: return "cancelled";
    case TrainState::kFinished: return "finished";
    case TrainState::kFailed: return "failed";
  }
  return "unknown";
}

namespace {

constexpr int kTerms = 6;  // total, action, alignment, distillation, language, depth_probe
constexpr const char* kStateJson = "trainer_state.json";
constexpr const char* kStateTensors = "trainer_state.safetensors";

void writeTextFile(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw TrainError(file.string() + ": cannot write");
}

std::string readTextFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw TrainError(file.string() + ": cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Flushes a directory's entries (the renames) to disk; best effort.
void syncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Swaps `staging` into `target` atomically: RENAME_EXCHANGE when target exists (then the old
// checkpoint sits at `staging` and is removed), a plain rename otherwise.
void swapIntoPlace(const fs::path& staging, const fs::path& target) {
  std::error_code ec;
  if (fs::exists(target, ec)) {
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
      fs::remove_all(staging, ec);
      return;
    }
    // Filesystems without RENAME_EXCHANGE: move the old one aside first; resume looks there too.
    const fs::path old = target.parent_path() / (target.filename().string() + ".old");
    fs::remove_all(old, ec);
    fs::rename(target, old);
    fs::rename(staging, target);
    fs::remove_all(old, ec);
    return;
  }
  fs::rename(staging, target);
}

bool decays(const std::string& name, const torch::Tensor& p) {
  if (p.dim() < 2) return false;
  for (const char* skip : {"image_pos", "view_embed", "text_pos", "action_queries"}) {
    if (name.find(skip) != std::string::npos) return false;
  }
  return true;
}

double nanIfZero(double sum, double count) {
  return count > 0.0 ? sum / count : std::numeric_limits<double>::quiet_NaN();
}

nlohmann::json lossesJson(const LossValues& l) {
  auto v = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); };
  return {{"total", v(l.total)},         {"action", v(l.action)},
          {"alignment", v(l.alignment)}, {"distillation", v(l.distillation)},
          {"language", v(l.language)},   {"depth_probe", v(l.depth_probe)}};
}

}  // namespace

// Builds batches ahead on worker threads: sequence number q (0, 1, 2, ... of this rank) maps to
// stream batch q * world + rank. Batch contents do not depend on which thread built them.
struct Trainer::Prefetcher {
  Prefetcher(const data::DataLoader& loader, int rank, int world, std::int64_t first, int workers,
             int capacity)
      : loader_(loader), rank_(rank), world_(world), next_claim_(first), next_consume_(first),
        capacity_(std::max(1, capacity)) {
    for (int w = 0; w < workers; ++w) threads_.emplace_back([this] { loop(); });
  }
  ~Prefetcher() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    space_cv_.notify_all();
    ready_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

  std::int64_t streamIndex(std::int64_t q) const { return q * world_ + rank_; }

  data::TrainingBatch get(std::int64_t q) {
    if (threads_.empty()) return loader_.batchAt(streamIndex(q));
    std::unique_lock<std::mutex> lock(mutex_);
    if (q != next_consume_) throw TrainError("internal: batches must be consumed in order");
    ready_cv_.wait(lock, [&] { return ready_.count(q) > 0; });
    auto slot = std::move(ready_[q]);
    ready_.erase(q);
    ++next_consume_;
    lock.unlock();
    space_cv_.notify_all();
    if (slot.error) std::rethrow_exception(slot.error);
    return std::move(slot.batch);
  }

 private:
  struct Slot {
    data::TrainingBatch batch;
    std::exception_ptr error;
  };
  void loop() {
    for (;;) {
      std::int64_t q = 0;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        space_cv_.wait(lock, [&] { return stop_ || next_claim_ - next_consume_ < capacity_; });
        if (stop_) return;
        q = next_claim_++;
      }
      Slot slot;
      try {
        slot.batch = loader_.batchAt(streamIndex(q));
      } catch (...) {
        slot.error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_[q] = std::move(slot);
      }
      ready_cv_.notify_all();
    }
  }

  const data::DataLoader& loader_;
  int rank_, world_;
  std::mutex mutex_;
  std::condition_variable ready_cv_, space_cv_;
  std::map<std::int64_t, Slot> ready_;
  std::int64_t next_claim_, next_consume_;
  std::int64_t capacity_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

int Trainer::rank() const { return options_.process_group ? options_.process_group->rank() : 0; }
int Trainer::worldSize() const {
  return options_.process_group ? options_.process_group->worldSize() : 1;
}

Trainer::Trainer(Checkpoint initial, std::vector<data::WeightedStore> stores, TrainerOptions options)
    : options_(std::move(options)), config_(options_.config), stores_(std::move(stores)) {
  config_.validate("train config");
  if (options_.out_dir.empty()) throw TrainError("the output directory is empty");
  if (stores_.empty()) throw TrainError("no training episodes (no episode store given)");
  const int threads = configureThreads(config_.threads);
  const ComputeEnvironment machine = computeEnvironment();
  spdlog::info("trainer: rank {} of {}, {} LibTorch thread(s){}; {}", rank(), worldSize(), threads,
               config_.threads > 0 ? " (from the config)" : " (the hardware's cores)",
               machine.summary());

  // Where the run starts: a checkpoint to resume, or the given one.
  fs::path resume_dir;
  if (options_.resume) {
    const fs::path dir = checkpointDir();
    const fs::path old = options_.out_dir / "checkpoint.old";
    if (fs::exists(dir / kStateJson)) {
      resume_dir = dir;
    } else if (fs::exists(old / kStateJson)) {
      resume_dir = old;  // a crash between the two renames of the fallback swap
    } else {
      spdlog::warn("trainer: --resume but {} holds no checkpoint: starting from the beginning",
                   options_.out_dir.string());
    }
  }
  if (!resume_dir.empty()) {
    try {
      ckpt_ = loadCheckpoint(resume_dir.string());
    } catch (const std::exception& e) {
      throw TrainError(std::string("cannot resume: ") + e.what());
    }
  } else {
    if (!initial.net) throw TrainError("no initial checkpoint (network) given");
    ckpt_ = std::move(initial);
  }
  if (ckpt_.config.deployed) {
    throw TrainError("the checkpoint is an exported (deployment) model without the training-only "
                     "alignment projector: train from the training checkpoint instead");
  }
  ckpt_.config.loss = config_.loss;
  const auto& pc = ckpt_.config;

  // Normalisation: from the data (a fresh run or fine-tuning on new episodes) unless asked to keep
  // the checkpoint's. A resumed run keeps what its checkpoint saved.
  if (resume_dir.empty() && config_.norm_stats != "checkpoint") {
    std::vector<const data::EpisodeStore*> raw;
    for (const auto& s : stores_) {
      if (!s.store) throw TrainError("an episode store is null");
      raw.push_back(s.store.get());
    }
    const auto mu_law = static_cast<float>(config_.action_mu_law);
    ckpt_.norm_stats = data::computeNormStats(raw);
    ckpt_.norm_stats.action_mu_law = mu_law;
    ckpt_.task_norm_stats.clear();
    if (config_.norm_stats == "data_per_task") {
      ckpt_.task_norm_stats = data::computeTaskNormStats(raw);
      for (auto& [task, stats] : ckpt_.task_norm_stats) stats.action_mu_law = mu_law;
    }
  }

  // The teacher and whether depth is read.
  bool any_depth = false, any_features = false;
  for (const auto& s : stores_) {
    if (!s.store) throw TrainError("an episode store is null");
    for (std::int64_t e = 0; e < s.store->numEpisodes(); ++e) {
      any_depth = any_depth || s.store->episode(e).has_depth;
      any_features = any_features || !s.store->episode(e).teacher_feature_shape.empty();
    }
  }
  const bool wants_alignment = pc.use_geometry_adapter && config_.loss.alignment > 0.0;
  if (config_.teacher == "point-map") {
    teacher_ = std::make_unique<PointMapTeacher>();
  } else if (config_.teacher == "stored") {
    if (!any_features && wants_alignment) {
      throw TrainError("teacher 'stored': the episodes hold no stored teacher features");
    }
    teacher_ = std::make_unique<StoredFeaturesTeacher>(pc.teacher_feature_dim);
  } else {
    const std::string path = config_.teacher.substr(std::string("torchscript:").size());
    teacher_ = std::make_unique<TorchScriptTeacher>(path, config_.teacher_input_size);
  }
  if (wants_alignment && teacher_->featureDim() != pc.teacher_feature_dim) {
    throw TrainError("teacher " + teacher_->name() + " gives " +
                     std::to_string(teacher_->featureDim()) +
                     " feature channels but the network's config.json says teacher_feature_dim " +
                     std::to_string(pc.teacher_feature_dim));
  }
  use_depth_ = any_depth;
  if (!any_depth && config_.teacher == "point-map" && wants_alignment) {
    spdlog::warn("trainer: the episodes hold no depth maps: the point-map alignment and the depth "
                 "probe losses are off");
  }

  // The data stream.
  data::LoaderOptions lo;
  lo.batch_size = config_.batch_size;
  lo.chunk_size = pc.chunk_size;
  lo.image_size = pc.image_size;
  lo.max_text_tokens = pc.max_text_tokens;
  lo.augmentation = config_.augment ? data::Augmentation::kOn : data::Augmentation::kOff;
  lo.augmentation_options = config_.augmentation;
  lo.qa_ratio = pc.cotraining == CoTraining::kNone ? 0.0 : config_.qa_ratio;
  // The QA kinds of each co-training row (the episodes may carry both; see core/sim/spatial_qa).
  if (pc.cotraining == CoTraining::k2D) {
    lo.qa_kinds = {"colour", "left_right", "count"};
  } else if (pc.cotraining == CoTraining::k3D) {
    lo.qa_kinds = {"location", "distance", "gripper_distance", "direction", "orientation", "angle"};
  }
  lo.depth = use_depth_ ? data::DepthMode::kRead : data::DepthMode::kSkip;
  lo.teacher_features = config_.teacher == "stored" && any_features
                            ? data::TeacherFeatureMode::kRead
                            : data::TeacherFeatureMode::kSkip;
  lo.skip_idle_steps = config_.skip_idle_steps;
  lo.seed = config_.seed;
  lo.num_workers = 0;  // the trainer's own prefetcher calls batchAt (it needs a start and stride)
  loader_ = std::make_unique<data::DataLoader>(stores_, ckpt_.norm_stats, ckpt_.tokenizer, lo,
                                               ckpt_.task_norm_stats);

  // Parameters in a fixed order, the optimiser, EMA.
  for (const auto& p : ckpt_.net->named_parameters()) params_.emplace_back(p.key(), p.value());
  setupOptimizer();
  // Identical weights everywhere: rank 0's win (before the EMA copy is taken).
  if (options_.process_group && worldSize() > 1) {
    torch::NoGradGuard no_grad;
    for (auto& [name, p] : params_) {
      auto t = p.detach();
      options_.process_group->broadcast(t, 0);
    }
  }
  if (config_.ema_decay > 0.0) {
    ema_net_ = ThinkVlaNet(pc);
    torch::NoGradGuard no_grad;
    auto src = ckpt_.net->named_parameters();
    for (auto& p : ema_net_->named_parameters()) {
      p.value().copy_(*src.find(p.key()));
      p.value().set_requires_grad(false);
    }
    auto src_b = ckpt_.net->named_buffers();
    for (auto& b : ema_net_->named_buffers()) b.value().copy_(*src_b.find(b.key()));
    ema_net_->eval();
  }
  torch::manual_seed(config_.seed);
  if (!resume_dir.empty()) restoreState(resume_dir);
  first_step_ = step_;

  if (rank() == 0) {
    fs::create_directories(options_.out_dir);
    // Leftovers of a save that was interrupted.
    for (const auto& entry : fs::directory_iterator(options_.out_dir)) {
      const auto name = entry.path().filename().string();
      if (name.rfind(".checkpoint.staging-", 0) == 0 || name.rfind("checkpoint.tmp-", 0) == 0) {
        std::error_code ec;
        fs::remove_all(entry.path(), ec);
      }
    }
    writeTextFile(options_.out_dir / "train_config.json", config_.toJson().dump(2) + "\n");
    // Metrics past the resumed step belong to a run that did not reach its next checkpoint.
    const fs::path metrics = options_.out_dir / "metrics.jsonl";
    if (fs::exists(metrics)) {
      std::ifstream in(metrics);
      std::string line, kept;
      while (std::getline(in, line)) {
        try {
          if (!resume_dir.empty() && nlohmann::json::parse(line).value("step", INT64_MAX) <= step_) {
            kept += line + "\n";
          }
        } catch (const nlohmann::json::exception&) {
        }
      }
      in.close();
      writeTextFile(metrics, kept);
    }
    // One line per sitting: a run resumed on a processor with other kernels does not repeat the
    // uninterrupted run bit for bit (docs/results.md measured it), so the run says where it ran.
    auto sitting = toJson(machine);
    sitting["from_step"] = step_;
    sitting["world_size"] = worldSize();
    std::ofstream machines(options_.out_dir / "machines.jsonl", std::ios::app);
    machines << sitting.dump() << '\n';
    if (!machines.flush())
      throw TrainError((options_.out_dir / "machines.jsonl").string() + ": cannot write");
  }
  prefetcher_ = std::make_unique<Prefetcher>(*loader_, rank(), worldSize(),
                                             step_ * config_.grad_accumulation,
                                             config_.loader_workers, 2 * config_.grad_accumulation);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  progress_.losses = LossValues{nan, nan, nan, nan, nan, nan};  // none before the first step
  progress_.eta_s = nan;
  progress_.total_steps = config_.steps;
  progress_.step = step_;
  progress_.last_checkpoint_step = last_checkpoint_step_;
  spdlog::info("trainer: {} at step {} of {}, global batch {} ({} x {} accumulation x {} ranks), "
               "QA ratio {}", resume_dir.empty() ? "starting" : "resuming", step_, config_.steps,
               config_.batch_size * config_.grad_accumulation * worldSize(), config_.batch_size,
               config_.grad_accumulation, worldSize(), lo.qa_ratio);
}

Trainer::~Trainer() { prefetcher_.reset(); }

void Trainer::setupOptimizer() {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& [name, p] : params_) {
    if (!p.requires_grad()) continue;
    (decays(name, p) ? decay : no_decay).push_back(p);
  }
  auto opts = torch::optim::AdamWOptions(config_.lr)
                  .betas({config_.beta1, config_.beta2})
                  .eps(config_.eps)
                  .weight_decay(config_.weight_decay);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(opts));
  auto nd = opts;
  nd.weight_decay(0.0);
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(nd));
  optimizer_ = std::make_unique<torch::optim::AdamW>(std::move(groups), opts);
}

void Trainer::restoreState(const fs::path& dir) {
  const fs::path json_file = dir / kStateJson;
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(readTextFile(json_file));
  } catch (const nlohmann::json::exception& e) {
    throw TrainError(json_file.string() + ": not valid JSON: " + e.what());
  }
  if (state.value("format", "") != "thinkvla-trainer-state") {
    throw TrainError(json_file.string() + ": format must be \"thinkvla-trainer-state\"");
  }
  try {
    step_ = state.at("step").get<std::int64_t>();
  } catch (const nlohmann::json::exception&) {
    throw TrainError(json_file.string() + ": field 'step' is missing or not an integer");
  }
  if (step_ < 0) throw TrainError(json_file.string() + ": field 'step' is negative");
  last_checkpoint_step_ = step_;
  const bool saved_ema = state.value("ema", false);
  if (state.contains("train_config")) {
    const auto& old = state["train_config"];
    for (const char* f : {"seed", "batch_size", "qa_ratio", "grad_accumulation"}) {
      if (old.contains(f) && old[f] != config_.toJson()[f]) {
        spdlog::warn("trainer: {} was {} when the checkpoint was written, now {}: the loss curve "
                     "will differ from an uninterrupted run", f, old[f].dump(),
                     config_.toJson()[f].dump());
      }
    }
  }
  if (state.value("world_size", 1) != worldSize()) {
    spdlog::warn("trainer: the checkpoint was written by {} rank(s), this run has {}",
                 state.value("world_size", 1), worldSize());
  }

  SafetensorsContents tensors;
  try {
    tensors = readSafetensors((dir / kStateTensors).string());
  } catch (const std::exception& e) {
    throw TrainError(e.what());
  }
  std::map<std::string, torch::Tensor> by_name(tensors.tensors.begin(), tensors.tensors.end());
  auto need = [&](const std::string& name, const torch::Tensor& like) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      throw TrainError((dir / kStateTensors).string() + ": tensor '" + name + "' is missing");
    }
    if (it->second.sizes() != like.sizes()) {
      throw TrainError((dir / kStateTensors).string() + ": tensor '" + name + "' has the wrong shape");
    }
    return it->second;
  };
  torch::NoGradGuard no_grad;
  // With EMA the checkpoint's weights are the EMA ones; the raw weights are in the state.
  if (saved_ema) {
    if (ema_net_) {
      auto loaded = ckpt_.net->named_parameters();
      for (auto& p : ema_net_->named_parameters()) p.value().copy_(*loaded.find(p.key()));
    }
    for (auto& [name, p] : params_) p.copy_(need("param." + name, p));
  }
  const std::int64_t adam_step = state.value("adamw_step", step_);
  for (auto& [name, p] : params_) {
    const auto key = "adamw." + name;
    if (!by_name.count(key + ".exp_avg")) continue;  // a parameter that never had a gradient
    auto s = std::make_unique<torch::optim::AdamWParamState>();
    s->step(adam_step);
    s->exp_avg(need(key + ".exp_avg", p).clone());
    s->exp_avg_sq(need(key + ".exp_avg_sq", p).clone());
    optimizer_->state()[c10::guts::to_string(p.unsafeGetTensorImpl())] = std::move(s);
  }
  auto rng = by_name.find("rng.cpu");
  if (rng != by_name.end()) {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(rng->second);
  }
  spdlog::info("trainer: restored step {} from {}", step_, dir.string());
}

void Trainer::saveNow() {
  if (rank() != 0) return;
  const fs::path target = checkpointDir();
  std::random_device rd;
  const fs::path staging = options_.out_dir / (".checkpoint.staging-" + std::to_string(step_) + "-" +
                                               std::to_string(rd()));
  try {
    fs::create_directories(options_.out_dir);
    Checkpoint out{ckpt_.config, ema_net_ ? ema_net_ : ckpt_.net, ckpt_.tokenizer, ckpt_.norm_stats,
                   ckpt_.task_norm_stats};
    saveCheckpoint(out, staging.string());

    NamedTensors tensors;
    if (ema_net_) {
      for (const auto& [name, p] : params_) tensors.emplace_back("param." + name, p.detach());
    }
    for (const auto& [name, p] : params_) {
      auto it = optimizer_->state().find(c10::guts::to_string(p.unsafeGetTensorImpl()));
      if (it == optimizer_->state().end()) continue;
      auto& s = static_cast<torch::optim::AdamWParamState&>(*it->second);
      tensors.emplace_back("adamw." + name + ".exp_avg", s.exp_avg());
      tensors.emplace_back("adamw." + name + ".exp_avg_sq", s.exp_avg_sq());
    }
    {
      auto gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      tensors.emplace_back("rng.cpu", gen.get_state());
    }
    writeSafetensors((staging / kStateTensors).string(), tensors,
                     {{"format", "thinkvla-trainer-state"}, {"step", std::to_string(step_)}});
    nlohmann::json state = {{"format", "thinkvla-trainer-state"},
                            {"version", 1},
                            {"step", step_},
                            {"total_steps", config_.steps},
                            {"adamw_step", step_},
                            {"next_batch_sequence", step_ * config_.grad_accumulation},
                            {"world_size", worldSize()},
                            {"ema", static_cast<bool>(ema_net_)},
                            {"lr", last_lr_},
                            {"train_config", config_.toJson()}};
    if (!history_.empty()) state["last_losses"] = lossesJson(history_.back());
    writeTextFile(staging / kStateJson, state.dump(2) + "\n");
    syncDirectory(staging);
    swapIntoPlace(staging, target);
    syncDirectory(options_.out_dir);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw TrainError("cannot write the checkpoint " + target.string() + ": " + e.what());
  }
  last_checkpoint_step_ = step_;
  spdlog::info("trainer: checkpoint of step {} in {}", step_, target.string());
  std::lock_guard<std::mutex> lock(mutex_);
  progress_.last_checkpoint_step = step_;
}

torch::Tensor Trainer::teacherFeatures(const data::TrainingBatch& batch) {
  const auto& pc = ckpt_.config;
  TeacherInput in;
  in.images = batch.inputs.images;
  if (config_.teacher == "stored") {
    if (!batch.teacher_features.defined()) return {};
    in.stored_features = batch.teacher_features;
    return teacher_->features(in, pc.patchGrid());
  }
  if (config_.teacher == "point-map") {
    if (!batch.depth_m.defined() || !(batch.depth_m > 0).any().item<bool>()) return {};
    const auto b = batch.depth_m.size(0), v = batch.depth_m.size(1);
    const double side = static_cast<double>(batch.depth_m.size(3));
    auto k = torch::zeros({b, v, 3, 3});
    for (int64_t view = 0; view < v; ++view) {
      const double fovy = config_.camera_fovy_deg[std::min<std::size_t>(
          static_cast<std::size_t>(view), config_.camera_fovy_deg.size() - 1)];
      const double f = 0.5 * side / std::tan(0.5 * fovy * 3.14159265358979323846 / 180.0);
      auto kv = k.select(1, view);
      kv.select(1, 0).select(1, 0).fill_(f);
      kv.select(1, 1).select(1, 1).fill_(f);
      kv.select(1, 0).select(1, 2).fill_(0.5 * side);
      kv.select(1, 1).select(1, 2).fill_(0.5 * side);
      kv.select(1, 2).select(1, 2).fill_(1.0);
    }
    in.depth_m = batch.depth_m;
    in.intrinsics = k;
    return teacher_->features(in, pc.patchGrid());
  }
  return teacher_->features(in, pc.patchGrid());
}

void Trainer::trainStep() {
  auto& net = ckpt_.net;
  const auto& pc = ckpt_.config;
  const int accumulation = config_.grad_accumulation;
  const int world = worldSize();
  const double scale = 1.0 / static_cast<double>(accumulation * world);
  net->train();
  optimizer_->zero_grad();

  std::vector<double> sums(kTerms, 0.0), counts(kTerms, 0.0);
  auto note = [&](int i, const torch::Tensor& t) {
    if (!t.defined()) return;
    sums[static_cast<std::size_t>(i)] += t.item<double>();
    counts[static_cast<std::size_t>(i)] += 1.0;
  };
  for (int a = 0; a < accumulation; ++a) {
    const auto batch = prefetcher_->get(step_ * accumulation + a);
    LossTerms terms;
    if (batch.kind == data::BatchKind::kSpatialQa) {
      terms.language = languageModelLoss(net->textLogits(batch.inputs), batch.inputs.text_ids,
                                         batch.qa_target);
    } else {
      const auto out = net->forward(batch.inputs);
      terms.action = actionL1Loss(out.actions, batch.actions, batch.action_valid);
      if (pc.use_geometry_adapter && out.geometry_latent.defined() && config_.loss.alignment > 0) {
        const auto feats = teacherFeatures(batch);
        if (feats.defined()) terms.alignment = alignmentLoss(net->alignFeatures(out.geometry_latent), feats);
      }
      if (pc.reasoningEnabled() && out.reasoning.defined() && batch.teacher_text_ids.defined()) {
        PolicyInputs teacher_in{torch::Tensor(), batch.inputs.proprio, batch.teacher_text_ids,
                                batch.inputs.progress};
        const auto student = config_.distill_adapter_only ? net->reason(out.anchor_state.detach())
                                                          : out.reasoning;
        terms.distillation =
            distillationLoss(student, net->teacherAnchorState(teacher_in, out.image_tokens));
      }
      if (out.depth.defined() && batch.depth_m.defined() && use_depth_) {
        terms.depth_probe = depthProbeLoss(out.depth, batch.depth_m);
      }
    }
    const auto total = combineLosses(terms, pc);
    if (total.requires_grad()) (total * scale).backward();
    note(0, total);
    note(1, terms.action);
    note(2, terms.alignment);
    note(3, terms.distillation);
    note(4, terms.language);
    note(5, terms.depth_probe);
  }

  // Every parameter has a gradient (zero where no batch reached it), so every rank contributes the
  // same tensors to the all-reduce and AdamW treats all parameters alike in every configuration.
  std::vector<torch::Tensor> grads;
  grads.reserve(params_.size());
  for (auto& [name, p] : params_) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  bool cancel_everywhere = cancel_requested_.load();
  std::vector<double> stats(2 * kTerms + 1);
  for (int i = 0; i < kTerms; ++i) {
    stats[static_cast<std::size_t>(i)] = sums[static_cast<std::size_t>(i)];
    stats[static_cast<std::size_t>(kTerms + i)] = counts[static_cast<std::size_t>(i)];
  }
  stats[2 * kTerms] = cancel_everywhere ? 1.0 : 0.0;
  if (world > 1) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> flat{torch::cat(
        [&] {
          std::vector<torch::Tensor> views;
          for (auto& g : grads) views.push_back(g.reshape({-1}));
          return views;
        }())};
    options_.process_group->allreduceSum(flat);
    int64_t offset = 0;
    for (auto& g : grads) {
      g.copy_(flat[0].narrow(0, offset, g.numel()).view_as(g));
      offset += g.numel();
    }
    // Loss values and cancel requests: a second, tiny all-reduce (one dtype per collective).
    std::vector<torch::Tensor> small{torch::tensor(stats, torch::kFloat64)};
    options_.process_group->allreduceSum(small);
    auto acc = small[0].accessor<double, 1>();
    for (std::size_t i = 0; i < stats.size(); ++i) stats[i] = acc[static_cast<int64_t>(i)];
    cancel_everywhere = stats[2 * kTerms] > 0.0;
  }
  if (config_.grad_clip_norm > 0.0) {
    std::vector<torch::Tensor> ps;
    for (auto& [name, p] : params_) {
      if (p.requires_grad()) ps.push_back(p);
    }
    torch::nn::utils::clip_grad_norm_(ps, config_.grad_clip_norm);
  }
  last_lr_ = learningRate(config_, step_);
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(last_lr_);
  }
  optimizer_->step();
  if (ema_net_) {
    torch::NoGradGuard no_grad;
    const double d = config_.ema_decay;
    auto live = ckpt_.net->named_parameters();
    for (auto& p : ema_net_->named_parameters()) {
      p.value().mul_(d).add_(*live.find(p.key()), 1.0 - d);
    }
  }
  ++step_;

  LossValues l;
  double* fields[kTerms] = {&l.total, &l.action, &l.alignment, &l.distillation, &l.language,
                            &l.depth_probe};
  for (int i = 0; i < kTerms; ++i) {
    *fields[i] = nanIfZero(stats[static_cast<std::size_t>(i)],
                           stats[static_cast<std::size_t>(kTerms + i)]);
  }
  history_.push_back(l);
  agreed_cancel_ = cancel_everywhere;
  if (cancel_everywhere) cancel_requested_ = true;
}

void Trainer::publish(TrainState state, const std::string& message) {
  TrainProgress copy;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    progress_.state = state;
    progress_.step = step_;
    if (!message.empty()) progress_.message = message;
    copy = progress_;
  }
  if (options_.on_progress) options_.on_progress(copy);
}

TrainState Trainer::run() {
  const std::int64_t global_batch =
      static_cast<std::int64_t>(config_.batch_size) * config_.grad_accumulation * worldSize();
  const auto session_start = Clock::now();
  std::deque<double> recent_s;  // durations of the last steps, pauses excluded
  double paused_s = 0.0;
  std::ofstream metrics;
  if (rank() == 0) {
    fs::create_directories(options_.out_dir);
    metrics.open(options_.out_dir / "metrics.jsonl", std::ios::app);
  }
  publish(TrainState::kRunning);
  try {
    while (step_ < config_.steps) {
      if (cancel_requested_ && worldSize() == 1) break;
      if (pause_requested_ && !cancel_requested_) {
        publish(TrainState::kPaused);
        const auto t0 = Clock::now();
        std::unique_lock<std::mutex> lock(mutex_);
        pause_cv_.wait(lock, [&] { return !pause_requested_ || cancel_requested_; });
        lock.unlock();
        paused_s += std::chrono::duration<double>(Clock::now() - t0).count();
        publish(TrainState::kRunning);
        continue;
      }
      const auto t0 = Clock::now();
      trainStep();
      const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
      recent_s.push_back(dt);
      if (recent_s.size() > 20) recent_s.pop_front();
      double mean_s = 0.0;
      for (double d : recent_s) mean_s += d;
      mean_s /= static_cast<double>(recent_s.size());
      {
        std::lock_guard<std::mutex> lock(mutex_);
        progress_.lr = last_lr_;
        progress_.losses = history_.back();
        progress_.samples_per_s = mean_s > 0 ? static_cast<double>(global_batch) / mean_s : 0.0;
        progress_.elapsed_s =
            std::chrono::duration<double>(Clock::now() - session_start).count() - paused_s;
        progress_.eta_s = mean_s * static_cast<double>(config_.steps - step_);
      }
      if (metrics.is_open()) {
        nlohmann::json line = {{"step", step_}, {"lr", last_lr_}, {"losses", lossesJson(history_.back())},
                               {"samples_per_s", global_batch / std::max(dt, 1e-9)}};
        metrics << line.dump() << '\n';
        metrics.flush();
      }
      if (config_.checkpoint_every > 0 && step_ % config_.checkpoint_every == 0) saveNow();
      publish(TrainState::kRunning);
      // One rank alone may stop on its own flag; several must stop on the decision they share.
      if (worldSize() == 1 ? cancel_requested_.load() : agreed_cancel_) break;
    }
    if ((worldSize() == 1 ? cancel_requested_.load() : agreed_cancel_) && step_ < config_.steps) {
      spdlog::info("trainer: cancelled at step {}; the last checkpoint (step {}) is kept", step_,
                   last_checkpoint_step_);
      publish(TrainState::kCancelled);
      return TrainState::kCancelled;
    }
    if (last_checkpoint_step_ != step_) saveNow();
    publish(TrainState::kFinished);
    return TrainState::kFinished;
  } catch (const std::exception& e) {
    publish(TrainState::kFailed, e.what());
    throw;
  }
}

void Trainer::pause() { pause_requested_ = true; }

void Trainer::resume() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pause_requested_ = false;
  }
  pause_cv_.notify_all();
}

void Trainer::cancel() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cancel_requested_ = true;
  }
  pause_cv_.notify_all();
}

TrainProgress Trainer::progress() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return progress_;
}

}  // namespace thinkvla::model::train
