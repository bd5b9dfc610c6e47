#include "model/train/train_config.h"

#include <cmath>

namespace thinkvla::model::train {

namespace {
constexpr double kPi = 3.14159265358979323846;

// The fields of "augmentation", in JSON and in error messages.
struct AugmentationField {
  const char* name;
  double data::AugmentationOptions::*value;
};
constexpr AugmentationField kAugmentationFields[] = {
    {"crop_area_min", &data::AugmentationOptions::crop_area_min},
    {"crop_area_max", &data::AugmentationOptions::crop_area_max},
    {"crop_aspect_min", &data::AugmentationOptions::crop_aspect_min},
    {"crop_aspect_max", &data::AugmentationOptions::crop_aspect_max},
    {"brightness", &data::AugmentationOptions::brightness},
    {"contrast", &data::AugmentationOptions::contrast},
    {"saturation", &data::AugmentationOptions::saturation},
    {"hue", &data::AugmentationOptions::hue}};

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& what) {
  throw TrainConfigError(source + ": " + field + " " + what);
}

template <typename T>
void read(const nlohmann::json& json, const char* field, T& value, const std::string& source) {
  if (!json.contains(field)) return;
  try {
    value = json.at(field).get<T>();
  } catch (const nlohmann::json::exception&) {
    fail(source, field, "has the wrong type");
  }
}
}  // namespace

void TrainConfig::validate(const std::string& source) const {
  if (steps < 1) fail(source, "steps", "must be at least 1");
  if (batch_size < 1) fail(source, "batch_size", "must be at least 1");
  if (grad_accumulation < 1) fail(source, "grad_accumulation", "must be at least 1");
  if (!(lr > 0.0) || !std::isfinite(lr)) fail(source, "lr", "must be positive");
  if (!(beta1 >= 0.0 && beta1 < 1.0)) fail(source, "beta1", "must be in [0, 1)");
  if (!(beta2 >= 0.0 && beta2 < 1.0)) fail(source, "beta2", "must be in [0, 1)");
  if (!(eps > 0.0)) fail(source, "eps", "must be positive");
  if (!(weight_decay >= 0.0)) fail(source, "weight_decay", "must be >= 0");
  if (warmup_steps < 0) fail(source, "warmup_steps", "must be >= 0");
  if (!(min_lr_ratio >= 0.0 && min_lr_ratio <= 1.0)) fail(source, "min_lr_ratio", "must be in [0, 1]");
  if (!std::isfinite(grad_clip_norm)) fail(source, "grad_clip_norm", "must be finite");
  if (!(ema_decay >= 0.0 && ema_decay < 1.0)) fail(source, "ema_decay", "must be in [0, 1)");
  if (checkpoint_every < 0) fail(source, "checkpoint_every", "must be >= 0");
  if (threads < 0) fail(source, "threads", "must be >= 0");
  if (!(qa_ratio >= 0.0 && qa_ratio <= 1.0)) fail(source, "qa_ratio", "must be in [0, 1]");
  if (loader_workers < 0) fail(source, "loader_workers", "must be >= 0");
  const data::AugmentationOptions& a = augmentation;
  if (!(a.crop_area_min > 0.0 && a.crop_area_min <= 1.0)) {
    fail(source, "augmentation.crop_area_min", "must be in (0, 1]");
  }
  if (!(a.crop_area_max >= a.crop_area_min && a.crop_area_max <= 1.0)) {
    fail(source, "augmentation.crop_area_max", "must be in [crop_area_min, 1]");
  }
  if (!(a.crop_aspect_min > 0.0 && std::isfinite(a.crop_aspect_min))) {
    fail(source, "augmentation.crop_aspect_min", "must be a positive ratio");
  }
  if (!(a.crop_aspect_max >= a.crop_aspect_min && std::isfinite(a.crop_aspect_max))) {
    fail(source, "augmentation.crop_aspect_max", "must be a ratio >= crop_aspect_min");
  }
  for (const auto& [name, value] : {std::pair{"augmentation.brightness", a.brightness},
                                    {"augmentation.contrast", a.contrast},
                                    {"augmentation.saturation", a.saturation}}) {
    if (!(value >= 0.0 && value <= 1.0)) fail(source, name, "must be in [0, 1]");
  }
  if (!(a.hue >= 0.0 && a.hue <= 0.5)) {
    fail(source, "augmentation.hue", "must be in [0, 0.5] turns");
  }
  if (const std::string p = loss.problem(); !p.empty()) throw TrainConfigError(source + ": " + p);
  if (teacher != "point-map" && teacher != "stored" && teacher.rfind("torchscript:", 0) != 0) {
    fail(source, "teacher", "must be point-map, stored or torchscript:PATH (got '" + teacher + "')");
  }
  if (teacher_input_size < 8) fail(source, "teacher_input_size", "must be at least 8");
  if (camera_fovy_deg.empty()) fail(source, "camera_fovy_deg", "must list one angle per view");
  for (double f : camera_fovy_deg) {
    if (!(f > 1.0 && f < 179.0)) fail(source, "camera_fovy_deg", "angles must be in (1, 179) degrees");
  }
  if (norm_stats != "data" && norm_stats != "data_per_task" && norm_stats != "checkpoint") {
    fail(source, "norm_stats",
         "must be 'data', 'data_per_task' or 'checkpoint' (got '" + norm_stats + "')");
  }
  if (!(action_mu_law >= 0.0 && action_mu_law <= 1e6)) {
    fail(source, "action_mu_law", "must be in [0, 1e6] (0: linear)");
  }
}

nlohmann::json TrainConfig::toJson() const {
  nlohmann::json augmentation_json = nlohmann::json::object();
  for (const auto& f : kAugmentationFields) augmentation_json[f.name] = augmentation.*f.value;
  return {{"format", "thinkvla-train"},
          {"version", 1},
          {"steps", steps},
          {"batch_size", batch_size},
          {"grad_accumulation", grad_accumulation},
          {"lr", lr},
          {"beta1", beta1},
          {"beta2", beta2},
          {"eps", eps},
          {"weight_decay", weight_decay},
          {"warmup_steps", warmup_steps},
          {"min_lr_ratio", min_lr_ratio},
          {"grad_clip_norm", grad_clip_norm},
          {"ema_decay", ema_decay},
          {"checkpoint_every", checkpoint_every},
          {"seed", seed},
          {"threads", threads},
          {"qa_ratio", qa_ratio},
          {"augment", augment},
          {"skip_idle_steps", skip_idle_steps},
          {"augmentation", augmentation_json},
          {"loader_workers", loader_workers},
          {"loss_weights", loss.toJson()},
          {"distill_adapter_only", distill_adapter_only},
          {"teacher", teacher},
          {"teacher_input_size", teacher_input_size},
          {"camera_fovy_deg", camera_fovy_deg},
          {"norm_stats", norm_stats},
          {"action_mu_law", action_mu_law}};
}

TrainConfig TrainConfig::fromJson(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) throw TrainConfigError(source + ": a train config must be a JSON object");
  if (json.contains("format") && json["format"] != "thinkvla-train") {
    fail(source, "format", "must be \"thinkvla-train\"");
  }
  // The fields are those this version writes.
  static const nlohmann::json kKnown = TrainConfig{}.toJson();
  for (const auto& item : json.items()) {
    if (!kKnown.contains(item.key())) fail(source, item.key(), "is not a train config field");
  }
  TrainConfig c;
  read(json, "steps", c.steps, source);
  read(json, "batch_size", c.batch_size, source);
  read(json, "grad_accumulation", c.grad_accumulation, source);
  read(json, "lr", c.lr, source);
  read(json, "beta1", c.beta1, source);
  read(json, "beta2", c.beta2, source);
  read(json, "eps", c.eps, source);
  read(json, "weight_decay", c.weight_decay, source);
  read(json, "warmup_steps", c.warmup_steps, source);
  read(json, "min_lr_ratio", c.min_lr_ratio, source);
  read(json, "grad_clip_norm", c.grad_clip_norm, source);
  read(json, "ema_decay", c.ema_decay, source);
  read(json, "checkpoint_every", c.checkpoint_every, source);
  read(json, "seed", c.seed, source);
  read(json, "threads", c.threads, source);
  read(json, "qa_ratio", c.qa_ratio, source);
  read(json, "augment", c.augment, source);
  read(json, "skip_idle_steps", c.skip_idle_steps, source);
  read(json, "loader_workers", c.loader_workers, source);
  read(json, "distill_adapter_only", c.distill_adapter_only, source);
  read(json, "teacher", c.teacher, source);
  read(json, "teacher_input_size", c.teacher_input_size, source);
  read(json, "camera_fovy_deg", c.camera_fovy_deg, source);
  read(json, "norm_stats", c.norm_stats, source);
  read(json, "action_mu_law", c.action_mu_law, source);
  if (json.contains("augmentation")) {
    const auto& a = json["augmentation"];
    if (!a.is_object()) fail(source, "augmentation", "must be an object");
    for (const auto& item : a.items()) {
      const AugmentationField* field = nullptr;
      for (const auto& f : kAugmentationFields) field = item.key() == f.name ? &f : field;
      const std::string name = "augmentation." + item.key();
      if (field == nullptr) fail(source, name, "is not an augmentation field");
      if (!item.value().is_number()) fail(source, name, "must be a number");
      c.augmentation.*field->value = item.value().get<double>();
    }
  }
  if (json.contains("loss_weights")) {
    const std::string problem = c.loss.readJson(json["loss_weights"]);
    if (!problem.empty()) throw TrainConfigError(source + ": " + problem);
  }
  c.validate(source);
  return c;
}

double learningRate(const TrainConfig& c, std::int64_t step) {
  if (step < c.warmup_steps) {
    return c.lr * static_cast<double>(step + 1) / static_cast<double>(c.warmup_steps);
  }
  const std::int64_t decay_steps = c.steps - c.warmup_steps;
  if (decay_steps <= 1) return c.lr;
  const double progress = std::min(
      1.0, static_cast<double>(step - c.warmup_steps) / static_cast<double>(decay_steps - 1));
  const double cosine = 0.5 * (1.0 + std::cos(kPi * progress));
  return c.lr * (c.min_lr_ratio + (1.0 - c.min_lr_ratio) * cosine);
}

}  // namespace thinkvla::model::train
