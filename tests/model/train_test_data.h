// Small in-memory episodes for the trainer tests: two cameras with images and depth that change
// with the step, smooth actions that are a function of the step (learnable), an instruction, QA
// pairs and a teacher prompt. Deterministic.
#pragma once

#include <opencv2/core.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "model/data/episode_store.h"
#include "model/task_vocabulary.h"

namespace train_test {

using thinkvla::model::data::EpisodeRecord;
using thinkvla::model::data::InMemoryEpisodeStore;
using thinkvla::model::data::QaExample;

inline std::shared_ptr<InMemoryEpisodeStore> makeStore(int episodes = 3, int steps = 12,
                                                       int image_size = 32) {
  auto store = std::make_shared<InMemoryEpisodeStore>("test episodes", 2);
  const std::vector<std::string> instructions = {
      "pick up the black bowl next to the ramekin and place it on the plate",
      "put the bowl on the stove", "open the top drawer of the cabinet"};
  for (int e = 0; e < episodes; ++e) {
    EpisodeRecord r;
    r.name = "demo_" + std::to_string(e);
    r.num_steps = steps;
    r.instruction = instructions[static_cast<std::size_t>(e) % instructions.size()];
    r.has_depth = true;
    r.teacher_prompts = {r.instruction + " " + thinkvla::model::reasoningPrompt()};
    r.qa_pairs = {QaExample{"distance", "how far is the bowl from the plate?",
                            "the distance is 0." + std::to_string(e + 1) + "0 meters"},
                  QaExample{"location", "where is the mug?",
                            "the mug is at x 0.10 y 0.30 z 0.05 m"}};
    std::vector<InMemoryEpisodeStore::Step> frames;
    for (int t = 0; t < steps; ++t) {
      const double phase = static_cast<double>(t) / steps;
      for (int d = 0; d < 7; ++d) {
        r.actions.push_back(d == 6 ? (t < steps / 2 ? -1.0f : 1.0f)
                                   : static_cast<float>(0.5 * std::sin(6.28 * phase + d + e)));
      }
      for (int d = 0; d < 8; ++d) {
        r.proprio.push_back(static_cast<float>(0.3 * std::cos(6.28 * phase + d) + 0.1 * e));
      }
      InMemoryEpisodeStore::Step s;
      for (int v = 0; v < 2; ++v) {
        cv::Mat rgb(image_size, image_size, CV_8UC3);
        cv::Mat depth(image_size, image_size, CV_32FC1);
        for (int y = 0; y < image_size; ++y) {
          for (int x = 0; x < image_size; ++x) {
            rgb.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>((x * 8 + t * 20 + e * 60) % 256),
                                                static_cast<uchar>((y * 8 + v * 90) % 256),
                                                static_cast<uchar>((x + y + t * 10) % 256));
            depth.at<float>(y, x) = 0.6f + 0.02f * static_cast<float>(x) + 0.05f * static_cast<float>(t % 4) +
                                    0.1f * static_cast<float>(v);
          }
        }
        s.rgb.push_back(rgb);
        s.depth_m.push_back(depth);
      }
      frames.push_back(std::move(s));
    }
    store->addEpisode(std::move(r), std::move(frames));
  }
  return store;
}

}  // namespace train_test
