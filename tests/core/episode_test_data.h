// Deterministic episodes and steps for the episode tests and the recorder benchmark: every value is
// a function of (episode, step), so a child process and its parent agree on them without talking.
#pragma once

#include "core/episodes/episode_types.h"
#include "core/episodes/step_log.h"

#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <string>

namespace thinkvla::testdata {

using namespace ::thinkvla::core;

inline std::uint32_t mix(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// A frame with structure (gradients, a moving square) and some noise, so compression and flips are
// exercised on realistic-ish content; no two (episode, step, camera) frames are equal.
inline cv::Mat colourFrame(int episode, int step, int camera, int size) {
  cv::Mat m(size, size, CV_8UC3);
  for (int r = 0; r < size; ++r) {
    for (int c = 0; c < size; ++c) {
      const std::uint32_t h = mix(static_cast<std::uint32_t>((episode * 1000 + step) * 4 + camera) * 65536U +
                                  static_cast<std::uint32_t>(r * size + c));
      const bool square = std::abs(r - (step * 3) % size) < 8 && std::abs(c - size / 2) < 8;
      auto* px = m.ptr<cv::Vec3b>(r) + c;
      (*px)[0] = static_cast<std::uint8_t>(square ? 250 : (r * 2 + episode * 17) & 0xFF);
      (*px)[1] = static_cast<std::uint8_t>((c * 2 + step + camera * 60) & 0xFF);
      (*px)[2] = static_cast<std::uint8_t>(((r + c) + (h & 0x7)) & 0xFF);
    }
  }
  return m;
}

inline cv::Mat depthFrame(int episode, int step, int camera, int size) {
  cv::Mat m(size, size, CV_32FC1);
  for (int r = 0; r < size; ++r) {
    for (int c = 0; c < size; ++c) {
      m.at<float>(r, c) = 0.5f + 0.001f * static_cast<float>(r + c) + 0.01f * static_cast<float>(step % 7) +
                          0.1f * static_cast<float>(camera) + 1e-5f * static_cast<float>(episode);
    }
  }
  return m;
}

inline double value(int episode, int step, int index) {
  return static_cast<double>(static_cast<std::int32_t>(mix(static_cast<std::uint32_t>(episode * 7919 + step * 131 + index)))) *
         1e-9;
}

inline RecordedStep makeStep(int episode, int step, int image_size, bool depth = true) {
  RecordedStep s;
  s.agentview_rgb = colourFrame(episode, step, 0, image_size);
  s.eye_in_hand_rgb = colourFrame(episode, step, 1, image_size);
  if (depth) {
    s.agentview_depth = depthFrame(episode, step, 0, image_size);
    s.eye_in_hand_depth = depthFrame(episode, step, 1, image_size);
  }
  s.joint_states.resize(7);
  for (int i = 0; i < 7; ++i) s.joint_states[i] = value(episode, step, i);
  for (int i = 0; i < 2; ++i) s.gripper_states[i] = value(episode, step, 10 + i);
  for (int i = 0; i < 6; ++i) s.ee_states[i] = value(episode, step, 20 + i);
  for (int i = 0; i < 7; ++i) s.action[i] = value(episode, step, 30 + i);
  s.action[6] = ((step + episode) / 4) % 2 ? 1.0 : -1.0;  // gripper: -1 open, +1 close
  s.state.resize(9);
  for (int i = 0; i < 9; ++i) s.state[i] = value(episode, step, 40 + i);
  s.intervention = (step % 5) == 2;
  s.timestamp_unix_s = 1.7e9 + episode * 100.0 + step * 0.05;
  return s;
}

// The LIBERO-layout episode those steps make.
inline Episode makeEpisode(int episode, int steps, int image_size, bool depth = true) {
  Episode e;
  e.joint_states.resize(steps, 7);
  e.gripper_states.resize(steps, 2);
  e.ee_states.resize(steps, 6);
  e.actions.resize(steps, 7);
  e.states.resize(steps, 9);
  for (int t = 0; t < steps; ++t) {
    RecordedStep s = makeStep(episode, t, image_size, depth);
    e.agentview_rgb.push_back(s.agentview_rgb);
    e.eye_in_hand_rgb.push_back(s.eye_in_hand_rgb);
    if (depth) {
      e.agentview_depth.push_back(s.agentview_depth);
      e.eye_in_hand_depth.push_back(s.eye_in_hand_depth);
    }
    e.joint_states.row(t) = s.joint_states.transpose();
    e.gripper_states.row(t) = s.gripper_states.transpose();
    e.ee_states.row(t) = s.ee_states.transpose();
    e.actions.row(t) = s.action.transpose();
    e.states.row(t) = s.state.transpose();
    e.annotations.intervention.push_back(s.intervention ? 1 : 0);
    e.annotations.timestamps_unix_s.push_back(s.timestamp_unix_s);
  }
  e.ee_pos = e.ee_states.leftCols(3);
  e.ee_ori = e.ee_states.rightCols(3);
  e.rewards.assign(static_cast<std::size_t>(steps), 0);
  e.dones.assign(static_cast<std::size_t>(steps), 0);
  e.rewards.back() = 1;
  e.dones.back() = 1;
  e.model_file = "<mujoco model=\"tabletop " + std::to_string(episode) + "\"/>";
  e.init_state = {value(episode, 0, 90), value(episode, 0, 91), value(episode, 0, 92)};
  e.annotations.instruction = "put the bowl on the plate (episode " + std::to_string(episode) + ")";
  e.annotations.success = true;
  return e;
}

// Byte-exact comparison of two images (size, type and every byte).
inline bool sameImage(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return false;
  const std::size_t row_bytes = a.cols * a.elemSize();
  for (int r = 0; r < a.rows; ++r) {
    if (std::memcmp(a.ptr(r), b.ptr(r), row_bytes) != 0) return false;
  }
  return true;
}

inline bool sameImages(const std::vector<cv::Mat>& a, const std::vector<cv::Mat>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!sameImage(a[i], b[i])) return false;
  }
  return true;
}

// Bit-for-bit equality of matrices (NaN-safe: compares bytes).
inline bool sameBits(const RowMatrixXd& a, const RowMatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0;
}

// Returns "" when equal, else the first field that differs. Annotations: only the fields the
// recorder and the writer both produce (the caller compares the rest).
inline std::string firstDifference(const Episode& a, const Episode& b, int steps_limit = -1) {
  const int n = steps_limit < 0 ? static_cast<int>(a.actions.rows()) : steps_limit;
  auto top = [n](const RowMatrixXd& m) -> RowMatrixXd { return m.topRows(std::min<Eigen::Index>(n, m.rows())); };
  auto head = [n](const std::vector<cv::Mat>& v) {
    return std::vector<cv::Mat>(v.begin(), v.begin() + std::min<std::size_t>(static_cast<std::size_t>(n), v.size()));
  };
  if (b.actions.rows() != n) return "steps " + std::to_string(b.actions.rows()) + " != " + std::to_string(n);
  if (!sameImages(head(a.agentview_rgb), b.agentview_rgb)) return "agentview_rgb";
  if (!sameImages(head(a.eye_in_hand_rgb), b.eye_in_hand_rgb)) return "eye_in_hand_rgb";
  if (!sameImages(head(a.agentview_depth), b.agentview_depth)) return "agentview_depth";
  if (!sameImages(head(a.eye_in_hand_depth), b.eye_in_hand_depth)) return "eye_in_hand_depth";
  if (!sameBits(top(a.joint_states), b.joint_states)) return "joint_states";
  if (!sameBits(top(a.gripper_states), b.gripper_states)) return "gripper_states";
  if (!sameBits(top(a.ee_states), b.ee_states)) return "ee_states";
  if (!sameBits(top(a.ee_pos), b.ee_pos)) return "ee_pos";
  if (!sameBits(top(a.ee_ori), b.ee_ori)) return "ee_ori";
  if (!sameBits(top(a.actions), b.actions)) return "actions";
  if (!sameBits(top(a.states), b.states)) return "states";
  auto firstN = [n](const auto& v) { return std::vector<typename std::decay_t<decltype(v)>::value_type>(v.begin(), v.begin() + std::min<std::size_t>(static_cast<std::size_t>(n), v.size())); };
  if (firstN(a.annotations.intervention) != b.annotations.intervention) return "intervention";
  if (firstN(a.annotations.timestamps_unix_s) != b.annotations.timestamps_unix_s) return "timestamps";
  return {};
}

}  // namespace thinkvla::testdata
