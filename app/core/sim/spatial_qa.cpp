#include "core/sim/spatial_qa.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/sim/scene_catalog.h"

namespace thinkvla::core::sim {

namespace {
std::string metres(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << v;
  return s.str();
}

std::string vec(const Eigen::Vector3d& v) {
  return "(" + metres(v.x()) + ", " + metres(v.y()) + ", " + metres(v.z()) + ")";
}

std::string degrees(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(0) << v;
  return s.str();
}

// Unique phrase for an object among the visible ones ("black bowl" twice gets "left"/"right").
std::string phraseOf(const std::string& name) { return objectInfo(name).phrase; }

bool ambiguous(const std::string& name, const std::vector<std::string>& visible) {
  int n = 0;
  for (const auto& v : visible) n += phraseOf(v) == phraseOf(name) ? 1 : 0;
  return n > 1;
}

Eigen::Vector3d centre(const TabletopEnv& env, const std::string& name) {
  const auto& info = objectInfo(name);
  Eigen::Vector3d p = env.bodyPosition(name);
  p.z() += 0.5 * info.height_m - info.origin_height_m;
  return p;
}

std::string directionWords(const Eigen::Vector3d& d) {
  std::vector<std::string> words;
  if (std::abs(d.x()) > 0.03) words.push_back(d.x() > 0 ? "farther from the robot" : "closer to the robot");
  if (std::abs(d.y()) > 0.03) words.push_back(d.y() > 0 ? "to the robot's left" : "to the robot's right");
  if (std::abs(d.z()) > 0.03) words.push_back(d.z() > 0 ? "above" : "below");
  if (words.empty()) return "at about the same place";
  std::string s = words[0];
  for (std::size_t i = 1; i < words.size(); ++i) s += (i + 1 == words.size() ? " and " : ", ") + words[i];
  return s;
}

struct Blob {
  int pixels = 0;
  double u = 0, v = 0;
};

std::map<int, Blob> blobs(const cv::Mat& segmentation) {
  std::map<int, Blob> out;
  for (int v = 0; v < segmentation.rows; ++v) {
    const int* row = segmentation.ptr<int>(v);
    for (int u = 0; u < segmentation.cols; ++u) {
      auto& b = out[row[u]];
      ++b.pixels;
      b.u += u;
      b.v += v;
    }
  }
  for (auto& [id, b] : out) {
    b.u /= b.pixels;
    b.v /= b.pixels;
  }
  return out;
}
}  // namespace

std::string qaKindName(QaKind kind) {
  switch (kind) {
    case QaKind::kLocation: return "location";
    case QaKind::kDistance: return "distance";
    case QaKind::kGripperDistance: return "gripper_distance";
    case QaKind::kDirection: return "direction";
    case QaKind::kOrientation: return "orientation";
    case QaKind::kAngle: return "angle";
    case QaKind::kColour: return "colour";
    case QaKind::kLeftRight: return "left_right";
    case QaKind::kCount: return "count";
  }
  return "unknown";
}

bool isSpatial(QaKind kind) {
  return kind != QaKind::kColour && kind != QaKind::kLeftRight && kind != QaKind::kCount;
}

std::vector<std::string> visibleObjects(const TabletopEnv& env, const CameraFrame& frame,
                                        int min_pixels) {
  if (frame.segmentation.empty()) return env.objectsOnTable();
  const auto b = blobs(frame.segmentation);
  std::vector<std::string> out;
  for (const auto& name : env.objectsOnTable()) {
    const auto it = b.find(env.segmentId(name));
    if (it != b.end() && it->second.pixels >= min_pixels) out.push_back(name);
  }
  return out;
}

std::vector<QaItem> spatialQa(const TabletopEnv& env, const CameraFrame& frame, int count,
                              std::mt19937_64& rng) {
  std::vector<std::string> visible;
  for (const auto& name : visibleObjects(env, frame)) {
    if (!ambiguous(name, visibleObjects(env, frame))) visible.push_back(name);
  }
  std::vector<QaItem> out;
  if (visible.empty()) return out;
  std::uniform_int_distribution<std::size_t> pick(0, visible.size() - 1);
  std::uniform_int_distribution<int> kind_of(0, 5);
  const Eigen::Vector3d gripper = env.eePosition();
  for (int attempt = 0; attempt < 8 * count && static_cast<int>(out.size()) < count; ++attempt) {
    const auto kind = static_cast<QaKind>(kind_of(rng));
    const std::string a = visible[pick(rng)];
    const std::string b = visible[pick(rng)];
    const bool two = kind == QaKind::kDistance || kind == QaKind::kDirection || kind == QaKind::kAngle;
    if (two && a == b) continue;
    QaItem q;
    q.kind = kind;
    q.camera = frame.name;
    q.objects = two ? std::vector<std::string>{a, b} : std::vector<std::string>{a};
    const Eigen::Vector3d pa = centre(env, a);
    const Eigen::Vector3d pb = centre(env, b);
    switch (kind) {
      case QaKind::kLocation: {
        if (std::uniform_int_distribution<int>(0, 1)(rng) == 0) {
          q.question = "What is the 3D location of the " + phraseOf(a) +
                       " in the robot frame, in metres?";
          q.values = {pa.x(), pa.y(), pa.z()};
          q.answer = vec(pa);
        } else {
          const Eigen::Vector3d pc = frame.T_base_camera.inverse() * pa;
          q.question = "What is the 3D location of the " + phraseOf(a) + " in the " + frame.name +
                       " camera frame (x right, y down, z forward), in metres?";
          q.values = {pc.x(), pc.y(), pc.z()};
          q.answer = vec(pc);
        }
        break;
      }
      case QaKind::kDistance: {
        const double d = (pa - pb).norm();
        q.question = "How far is the " + phraseOf(a) + " from the " + phraseOf(b) + ", in metres?";
        q.values = {d};
        q.answer = metres(d) + " m";
        break;
      }
      case QaKind::kGripperDistance: {
        const double d = (pa - gripper).norm();
        q.question = "How far is the gripper from the " + phraseOf(a) + ", in metres?";
        q.values = {d};
        q.answer = metres(d) + " m";
        break;
      }
      case QaKind::kDirection: {
        const Eigen::Vector3d d = (pb - pa).normalized();
        q.question = "In which direction is the " + phraseOf(b) + " from the " + phraseOf(a) +
                     ", as a unit vector in the robot frame?";
        q.values = {d.x(), d.y(), d.z()};
        q.answer = vec(d) + ": " + directionWords(pb - pa);
        break;
      }
      case QaKind::kOrientation: {
        const Eigen::Vector3d x_axis = env.bodyQuaternion(a) * Eigen::Vector3d::UnitX();
        double yaw = std::atan2(x_axis.y(), x_axis.x()) * 180.0 / M_PI;
        q.question = "What is the yaw of the " + phraseOf(a) +
                     " about the vertical axis in the robot frame, in degrees?";
        q.values = {yaw};
        q.answer = degrees(yaw) + " degrees";
        break;
      }
      case QaKind::kAngle: {
        const Eigen::Vector3d u = (pa - gripper).normalized();
        const Eigen::Vector3d v = (pb - gripper).normalized();
        const double angle = std::acos(std::clamp(u.dot(v), -1.0, 1.0)) * 180.0 / M_PI;
        q.question = "Seen from the gripper, what is the angle between the " + phraseOf(a) +
                     " and the " + phraseOf(b) + ", in degrees?";
        q.values = {angle};
        q.answer = degrees(angle) + " degrees";
        break;
      }
      default: continue;
    }
    out.push_back(std::move(q));
  }
  return out;
}

std::vector<QaItem> imageQa(const TabletopEnv& env, const CameraFrame& frame, int count,
                            std::mt19937_64& rng) {
  if (frame.segmentation.empty()) {
    throw std::invalid_argument("2D QA needs the segmentation of camera '" + frame.name + "'");
  }
  const auto b = blobs(frame.segmentation);
  const auto visible = visibleObjects(env, frame);
  std::vector<QaItem> out;
  if (visible.empty()) return out;
  std::uniform_int_distribution<std::size_t> pick(0, visible.size() - 1);
  std::uniform_int_distribution<int> kind_of(0, 2);
  for (int attempt = 0; attempt < 8 * count && static_cast<int>(out.size()) < count; ++attempt) {
    QaItem q;
    q.camera = frame.name;
    const int k = kind_of(rng);
    const std::string a = visible[pick(rng)];
    if (k == 0) {
      // Colour of an object named by its shape alone, when that shape is unique in view.
      const auto& info = objectInfo(a);
      const auto same_shape = std::count_if(visible.begin(), visible.end(), [&](const auto& v) {
        return objectInfo(v).shape == info.shape;
      });
      if (same_shape != 1) continue;
      q.kind = QaKind::kColour;
      q.question = "What colour is the " + info.shape + " in the image?";
      q.answer = info.colour;
      q.objects = {a};
    } else if (k == 1) {
      const std::string c = visible[pick(rng)];
      if (c == a || ambiguous(a, visible) || ambiguous(c, visible)) continue;
      const double ua = b.at(env.segmentId(a)).u;
      const double uc = b.at(env.segmentId(c)).u;
      if (std::abs(ua - uc) < 3.0) continue;  // too close to call
      q.kind = QaKind::kLeftRight;
      q.question = "In the image, is the " + phraseOf(a) + " to the left or to the right of the " +
                   phraseOf(c) + "?";
      q.answer = ua < uc ? "left" : "right";
      q.objects = {a, c};
    } else {
      const std::string shape = objectInfo(a).shape;
      std::vector<std::string> matching;
      for (const auto& v : visible) {
        if (objectInfo(v).shape == shape) matching.push_back(v);
      }
      q.kind = QaKind::kCount;
      q.question = "How many " + shape + (shape.back() == 'x' ? "es" : "s") + " are in the image?";
      q.values = {static_cast<double>(matching.size())};
      q.answer = std::to_string(matching.size());
      q.objects = matching;
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace thinkvla::core::sim
