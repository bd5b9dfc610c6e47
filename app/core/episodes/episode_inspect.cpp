#include "core/episodes/episode_inspect.h"

#include "core/episodes/episode_file.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace thinkvla::core {
namespace {

double quantile(std::vector<double>& values, double q) {
  // Linear interpolation between order statistics (numpy's default).
  const double position = q * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(position));
  const auto upper = std::min(lower + 1, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lower), values.end());
  const double a = values[lower];
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(upper), values.end());
  const double b = values[upper];
  return a + (b - a) * (position - static_cast<double>(lower));
}

void addInstruction(std::vector<std::string>& list, const std::string& instruction) {
  if (!instruction.empty() && std::find(list.begin(), list.end(), instruction) == list.end()) {
    list.push_back(instruction);
  }
}

}  // namespace

EpisodeFileReport inspectEpisodeFile(const std::filesystem::path& file, InspectDepth depth) {
  EpisodeFileReport report;
  report.file = file;
  std::unique_ptr<EpisodeReader> reader;
  try {
    reader = std::make_unique<EpisodeReader>(file);
    report.info = reader->datasetInfo();
    report.readable = true;
  } catch (const EpisodeError& e) {
    report.problems.push_back(e.what());
    return report;
  }
  addInstruction(report.instructions, report.info.languageInstruction());

  std::vector<std::string> names;
  try {
    names = reader->episodeNames();
  } catch (const EpisodeError& e) {
    report.problems.push_back(e.what());
    return report;
  }
  std::array<std::vector<double>, 7> columns;
  cv::Size image_size;
  for (const std::string& name : names) {
    const std::string where = file.string() + ": data/" + name + ": ";
    try {
      EpisodeSummary summary;
      summary.name = name;
      summary.annotations = reader->readAnnotations(name);
      summary.has_annotations = !summary.annotations.recording_id.empty() || !summary.annotations.instruction.empty();
      const RowMatrixXd actions = reader->readActions(name);
      summary.num_samples = actions.rows();
      if (depth == InspectDepth::kFull) {
        const Episode e = reader->readEpisode(name);
        const auto last = e.dones.size() - 1;
        if (e.dones.empty() || e.dones[last] != 1) report.problems.push_back(where + "dones is not 1 at the last step");
        if (std::count(e.dones.begin(), e.dones.end(), 1) > 1) report.problems.push_back(where + "dones is 1 before the last step");
        const cv::Size size = e.agentview_rgb.empty() ? cv::Size() : e.agentview_rgb.front().size();
        if (image_size.empty()) image_size = size;
        if (size != image_size) {
          report.problems.push_back(where + "agentview_rgb is " + std::to_string(size.width) + "x" +
                                    std::to_string(size.height) + ", other episodes " +
                                    std::to_string(image_size.width) + "x" + std::to_string(image_size.height));
        }
      }
      if (!actions.allFinite()) report.problems.push_back(where + "actions contain NaN or infinity");
      if ((actions.col(6).array().abs() > 1.0 + 1e-6).any()) {
        report.problems.push_back(where + "gripper action outside [-1, 1]");
      }
      for (int d = 0; d < 7; ++d) {
        for (Eigen::Index t = 0; t < actions.rows(); ++t) {
          if (std::isfinite(actions(t, d))) columns[static_cast<std::size_t>(d)].push_back(actions(t, d));
        }
      }
      report.total_steps += summary.num_samples;
      report.recovered_episodes += summary.annotations.recovered ? 1 : 0;
      report.successful_episodes += summary.annotations.success ? 1 : 0;
      addInstruction(report.instructions, summary.annotations.instruction);
      report.episodes.push_back(std::move(summary));
    } catch (const EpisodeError& e) {
      report.problems.push_back(e.what());
    }
  }
  try {
    const std::int64_t num_demos = reader->storedNumDemos();
    const std::int64_t total = reader->storedTotal();
    if (num_demos != static_cast<std::int64_t>(names.size())) {
      report.problems.push_back(file.string() + ": data@num_demos: says " + std::to_string(num_demos) + ", the file has " +
                                std::to_string(names.size()) + " demos");
    }
    if (report.episodes.size() == names.size() && total != report.total_steps) {
      report.problems.push_back(file.string() + ": data@total: says " + std::to_string(total) + ", the demos have " +
                                std::to_string(report.total_steps) + " steps");
    }
  } catch (const EpisodeError& e) {
    report.problems.push_back(e.what());
  }

  auto& s = report.actions;
  s.count = static_cast<std::int64_t>(columns[0].size());
  for (std::size_t d = 0; d < 7 && s.count > 0; ++d) {
    auto& v = columns[d];
    double sum = 0.0, sum_sq = 0.0;
    for (double x : v) {
      sum += x;
      sum_sq += x * x;
    }
    const double n = static_cast<double>(v.size());
    s.mean[d] = sum / n;
    s.std[d] = std::sqrt(std::max(0.0, sum_sq / n - s.mean[d] * s.mean[d]));
    s.min[d] = *std::min_element(v.begin(), v.end());
    s.max[d] = *std::max_element(v.begin(), v.end());
    s.q01[d] = quantile(v, 0.01);
    s.q99[d] = quantile(v, 0.99);
  }
  return report;
}

}  // namespace thinkvla::core
