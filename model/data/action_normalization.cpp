#include "model/data/action_normalization.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>

namespace thinkvla::model::data {

namespace {

double quantile(std::vector<float>& values, double q) {
  const double position = q * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(position));
  const auto upper = std::min(lower + 1, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lower),
                   values.end());
  const double a = values[lower];
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(upper),
                   values.end());
  const double b = values[upper];
  return a + (b - a) * (position - static_cast<double>(lower));
}

void widen(float& lo, float& hi) {
  if (hi - lo >= kMinNormRange) return;
  const float centre = 0.5f * (lo + hi);
  lo = centre - 0.5f * kMinNormRange;
  hi = centre + 0.5f * kMinNormRange;
}

// Same arithmetic as NormStats' tensor functions (float32, range clamped at 1e-8).
float toUnit(float x, float lo, float hi) {
  return (x - lo) / std::max(hi - lo, 1e-8f) * 2.0f - 1.0f;
}

// NormStats::normalizeActions' companding, in float as the tensor version computes it.
float muLaw(float unit, float mu) {
  const float magnitude = std::log1p(std::fabs(unit) * mu) / std::log1p(mu);
  return unit < 0.0f ? -magnitude : (unit > 0.0f ? magnitude : 0.0f);
}

// Percentiles over every step of `records`.
NormStats statsOver(const std::vector<const EpisodeRecord*>& records, double lower_quantile,
                    double upper_quantile) {
  std::vector<std::vector<float>> actions(kActionDim), proprio(kProprioDim);
  for (const EpisodeRecord* r : records) {
    for (std::int64_t t = 0; t < r->num_steps; ++t) {
      for (int d = 0; d < kActionDim; ++d) {
        actions[d].push_back(r->actions[static_cast<std::size_t>(t * kActionDim + d)]);
      }
      for (int d = 0; d < kProprioDim; ++d) {
        proprio[d].push_back(r->proprio[static_cast<std::size_t>(t * kProprioDim + d)]);
      }
    }
  }
  if (actions[0].empty()) throw DataError("computeNormStats: the episode stores hold no steps");
  NormStats s;
  auto fill = [&](std::vector<std::vector<float>>& columns, std::vector<float>& q01,
                  std::vector<float>& q99) {
    for (auto& column : columns) {
      float lo = static_cast<float>(quantile(column, lower_quantile));
      float hi = static_cast<float>(quantile(column, upper_quantile));
      widen(lo, hi);
      q01.push_back(lo);
      q99.push_back(hi);
    }
  };
  fill(actions, s.action_q01, s.action_q99);
  fill(proprio, s.proprio_q01, s.proprio_q99);
  s.action_q01[kGripperDim] = -1.0f;
  s.action_q99[kGripperDim] = 1.0f;
  return s;
}

void checkQuantiles(double lower_quantile, double upper_quantile) {
  if (!(lower_quantile >= 0.0 && lower_quantile < upper_quantile && upper_quantile <= 1.0)) {
    throw DataError("computeNormStats: quantiles must satisfy 0 <= lower < upper <= 1");
  }
}

}  // namespace

NormStats computeNormStats(const std::vector<const EpisodeStore*>& stores, double lower_quantile,
                           double upper_quantile) {
  checkQuantiles(lower_quantile, upper_quantile);
  std::vector<const EpisodeRecord*> records;
  for (const EpisodeStore* store : stores) {
    for (std::int64_t e = 0; e < store->numEpisodes(); ++e) records.push_back(&store->episode(e));
  }
  return statsOver(records, lower_quantile, upper_quantile);
}

TaskNormStats computeTaskNormStats(const std::vector<const EpisodeStore*>& stores,
                                   double lower_quantile, double upper_quantile) {
  checkQuantiles(lower_quantile, upper_quantile);
  std::map<std::string, std::vector<const EpisodeRecord*>> by_task;
  for (const EpisodeStore* store : stores) {
    for (std::int64_t e = 0; e < store->numEpisodes(); ++e) {
      const EpisodeRecord& r = store->episode(e);
      if (r.num_steps > 0) by_task[r.instruction].push_back(&r);
    }
  }
  if (by_task.empty()) throw DataError("computeTaskNormStats: the episode stores hold no steps");
  TaskNormStats out;
  for (const auto& [task, records] : by_task) {
    out.emplace(task, statsOver(records, lower_quantile, upper_quantile));
  }
  return out;
}

void saveNormStats(const NormStats& stats, const std::filesystem::path& file) {
  std::random_device rd;
  const std::filesystem::path tmp = file.string() + ".tmp-" + std::to_string(rd());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << stats.toJson().dump(2) << '\n';
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw DataError(file.string() + ": cannot write");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw DataError(file.string() + ": cannot move into place: " + ec.message());
  }
}

NormStats loadNormStats(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw DataError(file.string() + ": missing or unreadable");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(file.string() + ": not valid JSON: " + e.what());
  }
  NormStats s;
  try {
    s = NormStats::fromJson(json, file.string());
  } catch (const CheckpointError& e) {
    throw DataError(e.what());
  }
  auto check = [&](const char* group, const std::vector<float>& q01, const std::vector<float>& q99,
                   int dim) {
    if (static_cast<int>(q01.size()) != dim || static_cast<int>(q99.size()) != dim) {
      throw DataError(file.string() + ": field '" + group + "': expected " + std::to_string(dim) +
                      " values in q01 and q99");
    }
    for (int d = 0; d < dim; ++d) {
      if (!std::isfinite(q01[d]) || !std::isfinite(q99[d]) || q01[d] > q99[d]) {
        throw DataError(file.string() + ": field '" + group + "': dimension " + std::to_string(d) +
                        " has q01 > q99 or a non-finite value");
      }
    }
  };
  check("action", s.action_q01, s.action_q99, kActionDim);
  check("proprio", s.proprio_q01, s.proprio_q99, kProprioDim);
  return s;
}

void normalizeAction(const NormStats& stats, const float* raw, float* normalized) {
  for (int d = 0; d < kActionDim; ++d) {
    const float x = d == kGripperDim ? binarizeGripper(raw[d]) : raw[d];
    const float unit = std::clamp(toUnit(x, stats.action_q01[d], stats.action_q99[d]), -1.0f, 1.0f);
    normalized[d] = stats.action_mu_law > 0.0f ? muLaw(unit, stats.action_mu_law) : unit;
  }
}

void normalizeProprio(const NormStats& stats, const float* raw, float* normalized) {
  for (int d = 0; d < kProprioDim; ++d) {
    normalized[d] =
        std::clamp(toUnit(raw[d], stats.proprio_q01[d], stats.proprio_q99[d]), -1.5f, 1.5f);
  }
}

}  // namespace thinkvla::model::data
