#include "model/checkpoint.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "model/safetensors.h"
#include "model/task_vocabulary.h"

namespace thinkvla::model {

namespace fs = std::filesystem;

namespace {

torch::Tensor toTensor(const std::vector<float>& v) {
  return torch::tensor(v, torch::kFloat32);
}

std::vector<float> readFloats(const nlohmann::json& json, const std::string& field, size_t n,
                              const std::string& source) {
  if (!json.contains(field) || !json[field].is_array()) {
    throw CheckpointError(source + ": field '" + field + "' is missing or not an array");
  }
  std::vector<float> out;
  for (const auto& x : json[field]) {
    if (!x.is_number()) throw CheckpointError(source + ": field '" + field + "' holds a non-number");
    out.push_back(x.get<float>());
  }
  if (out.size() != n) {
    throw CheckpointError(source + ": field '" + field + "' has " + std::to_string(out.size()) +
                          " values, the config expects " + std::to_string(n));
  }
  return out;
}

nlohmann::json readJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw CheckpointError(path.string() + ": missing or unreadable");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(path.string() + ": not valid JSON: " + e.what());
  }
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw CheckpointError(path.string() + ": cannot write");
}

}  // namespace

NormStats NormStats::identity(int action_dim, int proprio_dim) {
  NormStats s;
  s.action_q01.assign(action_dim, -1.0f);
  s.action_q99.assign(action_dim, 1.0f);
  s.proprio_q01.assign(proprio_dim, -1.0f);
  s.proprio_q99.assign(proprio_dim, 1.0f);
  return s;
}

torch::Tensor NormStats::normalizeProprio(const torch::Tensor& proprio) const {
  auto lo = toTensor(proprio_q01);
  auto hi = toTensor(proprio_q99);
  return ((proprio.to(torch::kFloat32) - lo) / (hi - lo).clamp_min(1e-8) * 2.0 - 1.0).clamp(-1.5, 1.5);
}

torch::Tensor NormStats::normalizeActions(const torch::Tensor& actions) const {
  auto lo = toTensor(action_q01);
  auto hi = toTensor(action_q99);
  auto unit =
      ((actions.to(torch::kFloat32) - lo) / (hi - lo).clamp_min(1e-8) * 2.0 - 1.0).clamp(-1.0, 1.0);
  if (action_mu_law <= 0.0f) return unit;
  const double mu = action_mu_law;
  return unit.sign() * torch::log1p(unit.abs() * mu) / std::log1p(mu);
}

torch::Tensor NormStats::unnormalizeActions(const torch::Tensor& actions) const {
  auto lo = toTensor(action_q01);
  auto hi = toTensor(action_q99);
  auto unit = actions.to(torch::kFloat32).clamp(-1.0, 1.0);
  if (action_mu_law > 0.0f) {
    const double mu = action_mu_law;
    unit = unit.sign() * torch::expm1(unit.abs() * std::log1p(mu)) / mu;
  }
  return (unit + 1.0) * 0.5 * (hi - lo) + lo;
}

nlohmann::json NormStats::toJson() const {
  nlohmann::json json = {{"action", {{"q01", action_q01}, {"q99", action_q99}}},
                         {"proprio", {{"q01", proprio_q01}, {"q99", proprio_q99}}}};
  if (action_mu_law > 0.0f) json["action"]["mu_law"] = action_mu_law;  // absent: linear
  return json;
}

NormStats NormStats::fromJson(const nlohmann::json& json, const std::string& source) {
  // Sizes are checked against the config by the caller through the vectors' lengths.
  NormStats s;
  for (const char* group : {"action", "proprio"}) {
    if (!json.contains(group) || !json[group].is_object()) {
      throw CheckpointError(source + ": field '" + group + "' is missing");
    }
  }
  auto readAny = [&](const char* group, const char* field) {
    const auto& g = json[group];
    const size_t n = g.contains(field) && g[field].is_array() ? g[field].size() : 0;
    return readFloats(g, field, n, source + " (" + group + ")");
  };
  s.action_q01 = readAny("action", "q01");
  s.action_q99 = readAny("action", "q99");
  s.proprio_q01 = readAny("proprio", "q01");
  s.proprio_q99 = readAny("proprio", "q99");
  if (json["action"].contains("mu_law")) {
    const auto& mu = json["action"]["mu_law"];
    if (!mu.is_number() || !std::isfinite(mu.get<double>()) || mu.get<double>() < 0.0 ||
        mu.get<double>() > 1e6) {
      throw CheckpointError(source + ": field 'action.mu_law' must be a number in [0, 1e6]");
    }
    s.action_mu_law = mu.get<float>();
  }
  return s;
}

const NormStats& Checkpoint::normStatsFor(const std::string& task) const {
  const auto it = task_norm_stats.find(task);
  return it == task_norm_stats.end() ? norm_stats : it->second;
}

nlohmann::json normStatsJson(const NormStats& pooled, const TaskNormStats& tasks) {
  nlohmann::json json = pooled.toJson();
  if (!tasks.empty()) {
    nlohmann::json per_task = nlohmann::json::object();
    for (const auto& [task, stats] : tasks) per_task[task] = stats.toJson();
    json["tasks"] = std::move(per_task);
  }
  return json;
}

void readNormStatsJson(const nlohmann::json& json, const std::string& source,
                       const PolicyConfig& config, NormStats& pooled, TaskNormStats& tasks) {
  auto checked = [&](const nlohmann::json& j, const std::string& where) {
    NormStats s = NormStats::fromJson(j, where);
    auto dims = [&](const char* field, size_t q01, size_t q99, int expected, const char* key) {
      if (q01 != static_cast<size_t>(expected) || q99 != static_cast<size_t>(expected)) {
        throw CheckpointError(where + ": field '" + field + "' has " + std::to_string(q01) +
                              " dimensions, config.json says " + key + " = " +
                              std::to_string(expected));
      }
    };
    dims("action", s.action_q01.size(), s.action_q99.size(), config.action_dim, "action_dim");
    dims("proprio", s.proprio_q01.size(), s.proprio_q99.size(), config.proprio_dim, "proprio_dim");
    return s;
  };
  pooled = checked(json, source);
  tasks.clear();
  if (!json.contains("tasks")) return;
  if (!json["tasks"].is_object()) {
    throw CheckpointError(source + ": field 'tasks' must map instructions to statistics");
  }
  for (const auto& [task, stats] : json["tasks"].items()) {
    if (!stats.is_object()) {
      throw CheckpointError(source + ": task '" + task + "' must hold 'action' and 'proprio'");
    }
    tasks.emplace(task, checked(stats, source + " (task '" + task + "')"));
  }
}

Checkpoint initCheckpoint(const PolicyConfig& config_template, uint64_t seed) {
  Checkpoint c;
  c.tokenizer = SentencePieceTokenizer::train(defaultTokenizerCorpus(), {});
  c.config = config_template;
  c.config.vocab_size = c.tokenizer.vocabSize();
  c.config.pad_token_id = c.tokenizer.padId();
  c.config.eos_token_id = c.tokenizer.eosId();
  c.config.anchor_token_id = c.tokenizer.anchorId();
  torch::manual_seed(seed);
  c.net = ThinkVlaNet(c.config);
  c.norm_stats = NormStats::identity(c.config.action_dim, c.config.proprio_dim);
  return c;
}

void saveCheckpoint(const Checkpoint& checkpoint, const std::string& directory) {
  const fs::path dir = fs::absolute(directory);
  if (dir.filename().empty()) throw CheckpointError(directory + ": not a directory name");
  std::random_device rd;
  const fs::path tmp = dir.parent_path() / (dir.filename().string() + ".tmp-" + std::to_string(rd()));
  try {
    fs::create_directories(tmp);
    writeText(tmp / "config.json", checkpoint.config.toJson().dump(2) + "\n");
    NamedTensors tensors;
    for (const auto& p : checkpoint.net->named_parameters()) tensors.emplace_back(p.key(), p.value());
    for (const auto& b : checkpoint.net->named_buffers()) tensors.emplace_back(b.key(), b.value());
    writeSafetensors((tmp / "model.safetensors").string(), tensors,
                     {{"format", "pt"}, {"thinkvla_preset", checkpoint.config.preset}});
    checkpoint.tokenizer.save((tmp / "tokenizer.model").string());
    writeText(tmp / "norm_stats.json",
              normStatsJson(checkpoint.norm_stats, checkpoint.task_norm_stats).dump(2) + "\n");
    // Swap in: the old checkpoint (if any) moves aside first so a crash never leaves a half one.
    fs::path old;
    if (fs::exists(dir)) {
      old = dir.parent_path() / (dir.filename().string() + ".old-" + std::to_string(rd()));
      fs::rename(dir, old);
    }
    fs::rename(tmp, dir);
    if (!old.empty()) fs::remove_all(old);
    spdlog::info("saved checkpoint {} (preset {}{})", dir.string(), checkpoint.config.preset,
                 checkpoint.config.deployed ? ", deployed" : "");
  } catch (const fs::filesystem_error& e) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw CheckpointError(directory + ": cannot save the checkpoint: " + e.what());
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
}

Checkpoint loadCheckpoint(const std::string& directory) {
  const fs::path dir(directory);
  if (!fs::is_directory(dir)) throw CheckpointError(directory + ": not a checkpoint directory");
  Checkpoint c;
  const auto config_path = (dir / "config.json").string();
  try {
    c.config = PolicyConfig::fromJson(readJson(config_path), config_path);
  } catch (const ConfigError& e) {
    throw CheckpointError(e.what());
  }
  const auto tok_path = dir / "tokenizer.model";
  if (!fs::exists(tok_path)) throw CheckpointError(tok_path.string() + ": missing tokenizer");
  try {
    c.tokenizer = SentencePieceTokenizer::load(tok_path.string());
  } catch (const TokenizerError& e) {
    throw CheckpointError(e.what());
  }
  auto mismatch = [&](const char* field, int config_value, int tokenizer_value) {
    if (config_value != tokenizer_value) {
      throw CheckpointError(config_path + ": field '" + field + "' is " +
                            std::to_string(config_value) + " but " + tok_path.string() + " has " +
                            std::to_string(tokenizer_value));
    }
  };
  mismatch("vocab_size", c.config.vocab_size, c.tokenizer.vocabSize());
  mismatch("pad_token_id", c.config.pad_token_id, c.tokenizer.padId());
  mismatch("eos_token_id", c.config.eos_token_id, c.tokenizer.eosId());
  mismatch("anchor_token_id", c.config.anchor_token_id, c.tokenizer.anchorId());

  const auto norm_path = (dir / "norm_stats.json").string();
  readNormStatsJson(readJson(norm_path), norm_path, c.config, c.norm_stats, c.task_norm_stats);

  const auto weights_path = (dir / "model.safetensors").string();
  if (!fs::exists(weights_path)) throw CheckpointError(weights_path + ": missing");
  SafetensorsContents weights;
  try {
    weights = readSafetensors(weights_path);
  } catch (const SafetensorsError& e) {
    throw CheckpointError(e.what());
  }
  c.net = ThinkVlaNet(c.config);
  std::map<std::string, torch::Tensor> by_name(weights.tensors.begin(), weights.tensors.end());
  torch::NoGradGuard no_grad;
  auto assign = [&](const std::string& name, torch::Tensor& target) {
    const auto it = by_name.find(name);
    if (it == by_name.end()) {
      throw CheckpointError(weights_path + ": tensor '" + name + "' is missing (config.json, preset '" +
                            c.config.preset + "', needs it)");
    }
    if (it->second.sizes() != target.sizes()) {
      std::ostringstream msg;
      msg << weights_path << ": tensor '" << name << "' has shape " << it->second.sizes()
          << " but config.json (preset '" << c.config.preset << "') needs " << target.sizes();
      throw CheckpointError(msg.str());
    }
    if (it->second.scalar_type() != target.scalar_type()) {
      throw CheckpointError(weights_path + ": tensor '" + name + "' has dtype " +
                            std::string(c10::toString(it->second.scalar_type())) + ", expected " +
                            std::string(c10::toString(target.scalar_type())));
    }
    target.copy_(it->second);
    by_name.erase(it);
  };
  for (auto& p : c.net->named_parameters()) assign(p.key(), p.value());
  for (auto& b : c.net->named_buffers()) assign(b.key(), b.value());
  if (!by_name.empty()) {
    throw CheckpointError(weights_path + ": tensor '" + by_name.begin()->first +
                          "' is not part of the network config.json describes" +
                          (c.config.deployed ? " (a deployed model)" : ""));
  }
  spdlog::info("loaded checkpoint {} (preset {}, {} tensors)", directory, c.config.preset,
               weights.tensors.size());
  return c;
}

namespace {
// `checkpoint` with another config: a new network of `config`, every tensor of it copied from the
// source. The progress embedding is the one tensor whose shape may differ: the levels both have
// keep their rows, new ones stay at the constructor's zero.
Checkpoint rebuilt(const Checkpoint& checkpoint, const PolicyConfig& config) {
  Checkpoint out;
  out.config = config;
  out.tokenizer = checkpoint.tokenizer;
  out.norm_stats = checkpoint.norm_stats;
  out.task_norm_stats = checkpoint.task_norm_stats;
  out.net = ThinkVlaNet(out.config);
  torch::NoGradGuard no_grad;
  auto source = checkpoint.net->named_parameters();
  for (auto& p : out.net->named_parameters()) {
    const std::string& name = p.key();
    if (name.rfind("progress_embed.", 0) == 0) {
      if (!source.contains(name)) continue;
      const auto rows = std::min(p.value().size(0), source[name].size(0));
      p.value().narrow(0, 0, rows).copy_(source[name].narrow(0, 0, rows));
      continue;
    }
    p.value().copy_(source[name]);
  }
  auto source_buffers = checkpoint.net->named_buffers();
  for (auto& b : out.net->named_buffers()) b.value().copy_(source_buffers[b.key()]);
  return out;
}
}  // namespace

Checkpoint exportCheckpoint(const Checkpoint& checkpoint) {
  PolicyConfig config = checkpoint.config;
  config.deployed = true;
  Checkpoint out = rebuilt(checkpoint, config);
  out.net->eval();
  return out;
}

Checkpoint withProgressLevels(const Checkpoint& checkpoint, int levels) {
  PolicyConfig config = checkpoint.config;
  config.progress_levels = levels;
  config.validate("progress levels");
  Checkpoint out = rebuilt(checkpoint, config);
  out.net->train(checkpoint.net->is_training());
  return out;
}

ParameterCounts countParameters(const ThinkVlaNet& net) {
  ParameterCounts counts;
  for (const auto& p : net->named_parameters()) {
    counts.total += p.value().numel();
    if (!isTrainingOnlyParameter(p.key())) counts.deployed += p.value().numel();
  }
  counts.components = net->componentParameterCounts();
  return counts;
}

}  // namespace thinkvla::model
