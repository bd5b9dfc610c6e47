#include "model/policy_config.h"

#include <cmath>

namespace thinkvla::model {

std::string toString(CoTraining c) {
  switch (c) {
    case CoTraining::kNone: return "none";
    case CoTraining::k2D: return "2d";
    case CoTraining::k3D: return "3d";
  }
  return "3d";
}

PolicyConfig PolicyConfig::fromPreset(const std::string& name) {
  PolicyConfig c;
  c.preset = name;
  if (name == "tiny") {
    return c;  // the defaults
  }
  if (name == "small") {
    c.image_size = 64;
    c.stem_channels = 16;
    c.width = 128;
    c.layers = 3;
    c.heads = 4;
    c.mlp_ratio = 2;
    c.geometry_dim = 64;
    return c;
  }
  if (name == "base") {
    c.image_size = 128;
    c.stem_channels = 64;
    c.token_pool = 2;
    c.width = 512;
    c.layers = 12;
    c.heads = 8;
    c.mlp_ratio = 4;
    c.max_text_tokens = 64;
    c.geometry_dim = 256;
    c.reasoning_tokens = 4;
    c.head_blocks = 4;
    return c;
  }
  throw ConfigError("unknown preset '" + name + "' (tiny, small or base)");
}

namespace {
struct LossTerm {
  const char* name;
  double LossWeights::*weight;
};
constexpr LossTerm kLossTerms[] = {{"action", &LossWeights::action},
                                   {"alignment", &LossWeights::alignment},
                                   {"distillation", &LossWeights::distillation},
                                   {"language", &LossWeights::language},
                                   {"depth_probe", &LossWeights::depth_probe}};
}  // namespace

nlohmann::json LossWeights::toJson() const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& term : kLossTerms) json[term.name] = this->*term.weight;
  return json;
}

std::string LossWeights::readJson(const nlohmann::json& json) {
  if (!json.is_object()) return "loss_weights must be an object";
  for (const auto& item : json.items()) {
    const LossTerm* term = nullptr;
    for (const auto& t : kLossTerms) term = item.key() == t.name ? &t : term;
    const std::string field = "loss_weights." + item.key();
    if (term == nullptr) return field + " is not a loss term";
    if (!item.value().is_number()) return field + " must be a number";
    this->*term->weight = item.value().get<double>();
  }
  return "";
}

std::string LossWeights::problem() const {
  for (const auto& term : kLossTerms) {
    const double w = this->*term.weight;
    if (!(w >= 0.0) || !std::isfinite(w)) {
      return std::string("loss_weights.") + term.name + " must be a finite weight >= 0";
    }
  }
  return "";
}

void PolicyConfig::validate(const std::string& source) const {
  auto check = [&](bool ok, const char* field, const std::string& rule) {
    if (!ok) throw ConfigError(source + ": field '" + field + "' " + rule);
  };
  check(num_views >= 1 && num_views <= 8, "num_views", "must be in 1..8");
  check(image_size >= 16 && image_size % 8 == 0, "image_size", "must be a multiple of 8, >= 16");
  check(token_pool >= 1 && patchGrid() % token_pool == 0, "token_pool",
        "must divide image_size / 8");
  check(proprio_dim >= 1, "proprio_dim", "must be positive");
  check(action_dim >= 1, "action_dim", "must be positive");
  check(chunk_size >= 1, "chunk_size", "must be positive");
  check(progress_levels >= 0 && progress_levels <= 16, "progress_levels", "must be 0..16");
  check(stem_channels >= 1, "stem_channels", "must be positive");
  check(width >= 8, "width", "must be >= 8");
  check(heads >= 1 && width % heads == 0, "heads", "must divide width");
  check(layers >= 1, "layers", "must be positive");
  check(mlp_ratio >= 1, "mlp_ratio", "must be positive");
  check(max_text_tokens >= 4, "max_text_tokens", "must be >= 4");
  check(vocab_size >= 5, "vocab_size", "must be >= 5 (set from the tokenizer)");
  check(pad_token_id >= 0 && pad_token_id < vocab_size, "pad_token_id", "must name a token");
  check(eos_token_id >= 0 && eos_token_id < vocab_size, "eos_token_id", "must name a token");
  check(anchor_token_id >= 0 && anchor_token_id < vocab_size, "anchor_token_id",
        "must name a token");
  check(geometry_dim >= 1, "geometry_dim", "must be positive");
  check(teacher_feature_dim >= 1, "teacher_feature_dim", "must be positive");
  check(reasoning_tokens >= 1, "reasoning_tokens", "must be positive");
  check(head_blocks >= 2, "head_blocks", "must be >= 2 (geometry, then reasoning blocks)");
  check(use_anchor || !use_reasoning_adapter, "use_reasoning_adapter",
        "needs use_anchor (the adapter reads the anchor state)");
  if (const std::string p = loss.problem(); !p.empty()) throw ConfigError(source + ": " + p);
}

nlohmann::json PolicyConfig::toJson() const {
  return {
      {"format", "thinkvla-policy"},
      {"format_version", 1},
      {"preset", preset},
      {"num_views", num_views},
      {"image_size", image_size},
      {"proprio_dim", proprio_dim},
      {"action_dim", action_dim},
      {"chunk_size", chunk_size},
      {"progress_levels", progress_levels},
      {"stem_channels", stem_channels},
      {"token_pool", token_pool},
      {"width", width},
      {"layers", layers},
      {"heads", heads},
      {"mlp_ratio", mlp_ratio},
      {"max_text_tokens", max_text_tokens},
      {"vocab_size", vocab_size},
      {"pad_token_id", pad_token_id},
      {"eos_token_id", eos_token_id},
      {"anchor_token_id", anchor_token_id},
      {"geometry_dim", geometry_dim},
      {"teacher_feature_dim", teacher_feature_dim},
      {"reasoning_tokens", reasoning_tokens},
      {"head_blocks", head_blocks},
      {"cotraining", toString(cotraining)},
      {"use_geometry_adapter", use_geometry_adapter},
      {"use_reasoning_adapter", use_reasoning_adapter},
      {"use_anchor", use_anchor},
      {"deployed", deployed},
      {"loss_weights", loss.toJson()},
  };
}

PolicyConfig PolicyConfig::fromJson(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) throw ConfigError(source + ": not a JSON object");
  PolicyConfig c;
  auto fieldError = [&](const std::string& field, const std::string& what) {
    return ConfigError(source + ": field '" + field + "' " + what);
  };
  auto getInt = [&](const char* field, int& out) {
    if (!json.contains(field)) throw fieldError(field, "is missing");
    if (!json[field].is_number_integer()) throw fieldError(field, "must be an integer");
    out = json[field].get<int>();
  };
  auto getBool = [&](const char* field, bool& out) {
    if (!json.contains(field)) throw fieldError(field, "is missing");
    if (!json[field].is_boolean()) throw fieldError(field, "must be true or false");
    out = json[field].get<bool>();
  };
  if (json.value("format", std::string()) != "thinkvla-policy") {
    throw fieldError("format", "must be \"thinkvla-policy\"");
  }
  if (!json.contains("format_version") || json["format_version"] != 1) {
    throw fieldError("format_version", "must be 1");
  }
  c.preset = json.value("preset", std::string("custom"));
  getInt("num_views", c.num_views);
  getInt("image_size", c.image_size);
  getInt("proprio_dim", c.proprio_dim);
  getInt("action_dim", c.action_dim);
  getInt("chunk_size", c.chunk_size);
  if (json.contains("progress_levels")) getInt("progress_levels", c.progress_levels);
  getInt("stem_channels", c.stem_channels);
  getInt("token_pool", c.token_pool);
  getInt("width", c.width);
  getInt("layers", c.layers);
  getInt("heads", c.heads);
  getInt("mlp_ratio", c.mlp_ratio);
  getInt("max_text_tokens", c.max_text_tokens);
  getInt("vocab_size", c.vocab_size);
  getInt("pad_token_id", c.pad_token_id);
  getInt("eos_token_id", c.eos_token_id);
  getInt("anchor_token_id", c.anchor_token_id);
  getInt("geometry_dim", c.geometry_dim);
  getInt("teacher_feature_dim", c.teacher_feature_dim);
  getInt("reasoning_tokens", c.reasoning_tokens);
  getInt("head_blocks", c.head_blocks);
  getBool("use_geometry_adapter", c.use_geometry_adapter);
  getBool("use_reasoning_adapter", c.use_reasoning_adapter);
  getBool("use_anchor", c.use_anchor);
  getBool("deployed", c.deployed);
  const std::string cot = json.value("cotraining", std::string("3d"));
  if (cot == "none") {
    c.cotraining = CoTraining::kNone;
  } else if (cot == "2d") {
    c.cotraining = CoTraining::k2D;
  } else if (cot == "3d") {
    c.cotraining = CoTraining::k3D;
  } else {
    throw fieldError("cotraining", "must be \"none\", \"2d\" or \"3d\"");
  }
  if (json.contains("loss_weights")) {
    const std::string problem = c.loss.readJson(json["loss_weights"]);
    if (!problem.empty()) throw ConfigError(source + ": " + problem);
  }
  c.validate(source);
  return c;
}

}  // namespace thinkvla::model
