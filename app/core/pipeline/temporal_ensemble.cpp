#include "core/pipeline/temporal_ensemble.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace thinkvla::core {

bool TemporalEnsemble::validDecay(double decay) { return decay >= 0.0 && std::isfinite(decay); }

TemporalEnsemble::TemporalEnsemble(double decay) : decay_(decay) {
  if (!validDecay(decay)) {
    throw std::invalid_argument("temporal ensemble decay must be finite and >= 0, not " +
                                std::to_string(decay));
  }
}

void TemporalEnsemble::reset() {
  chunks_.clear();
  last_step_ = -1;
}

void TemporalEnsemble::add(long step, std::vector<std::vector<float>> chunk) {
  if (chunk.empty() || chunk.front().empty()) {
    throw std::invalid_argument("temporal ensemble: empty action chunk at step " +
                                std::to_string(step));
  }
  const std::size_t dim = chunk.front().size();
  for (const auto& a : chunk) {
    if (a.size() != dim) {
      throw std::invalid_argument("temporal ensemble: the chunk at step " + std::to_string(step) +
                                  " mixes action sizes " + std::to_string(dim) + " and " +
                                  std::to_string(a.size()));
    }
  }
  if (!chunks_.empty() && chunks_.back().actions.front().size() != dim) {
    throw std::invalid_argument("temporal ensemble: the chunk at step " + std::to_string(step) +
                                " has actions of size " + std::to_string(dim) + ", earlier ones " +
                                std::to_string(chunks_.back().actions.front().size()));
  }
  chunks_.push_back({step, std::move(chunk)});
}

std::optional<std::vector<float>> TemporalEnsemble::actionAt(long step) {
  if (step < last_step_) {
    throw std::invalid_argument("temporal ensemble: step " + std::to_string(step) +
                                " is before step " + std::to_string(last_step_) +
                                " asked for already");
  }
  last_step_ = step;
  while (!chunks_.empty() &&
         chunks_.front().start + static_cast<long>(chunks_.front().actions.size()) <= step) {
    chunks_.pop_front();
  }
  std::vector<double> sum;
  double total_weight = 0.0;
  int i = 0;
  for (const auto& c : chunks_) {
    if (c.start > step) continue;  // planned for later steps only
    const auto& a = c.actions[static_cast<std::size_t>(step - c.start)];
    const double w = std::exp(-decay_ * i++);
    if (sum.empty()) sum.assign(a.size(), 0.0);
    for (std::size_t d = 0; d < a.size(); ++d) sum[d] += w * a[d];
    total_weight += w;
  }
  if (total_weight == 0.0) return std::nullopt;
  std::vector<float> out(sum.size());
  for (std::size_t d = 0; d < sum.size(); ++d) out[d] = static_cast<float>(sum[d] / total_weight);
  return out;
}

}  // namespace thinkvla::core
