#include "core/sim/perturbation.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <Eigen/Geometry>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/sim/scene_catalog.h"
#include "core/sim/tasks.h"

namespace thinkvla::core::sim {

namespace {
constexpr const char* kNames[kPerturbDimensions] = {"camera", "robot",      "language", "light",
                                                    "background", "noise", "layout"};

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

Eigen::Vector3d randomUnit(std::mt19937_64& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  Eigen::Vector3d v(n(rng), n(rng), n(rng));
  return v.norm() < 1e-9 ? Eigen::Vector3d::UnitX() : v.normalized();
}

template <typename T>
const T& pick(const std::vector<T>& items, std::mt19937_64& rng) {
  return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

void setRgb(float* rgba, double r, double g, double b) {
  rgba[0] = static_cast<float>(r);
  rgba[1] = static_cast<float>(g);
  rgba[2] = static_cast<float>(b);
}
}  // namespace

std::string dimensionName(PerturbDimension dimension) { return kNames[static_cast<int>(dimension)]; }

std::optional<PerturbDimension> parseDimension(const std::string& text) {
  std::string s;
  for (char c : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "robot_init" || s == "robot-init") s = "robot";
  if (s == "lighting") s = "light";
  if (s == "sensor") s = "noise";
  for (int i = 0; i < kPerturbDimensions; ++i) {
    if (s == kNames[i]) return static_cast<PerturbDimension>(i);
  }
  return std::nullopt;
}

const std::array<PerturbDimension, kPerturbDimensions>& allDimensions() {
  using D = PerturbDimension;
  static const std::array<D, kPerturbDimensions> all = {
      D::kCamera, D::kRobotInit, D::kLanguage, D::kLight, D::kBackground, D::kNoise, D::kLayout};
  return all;
}

PerturbationSpec& PerturbationSpec::set(PerturbDimension dimension, int level) {
  if (level < 0 || level > kMaxPerturbLevel) {
    throw std::invalid_argument("perturbation level " + std::to_string(level) + " for " +
                                dimensionName(dimension) + " is outside 0..4");
  }
  levels_[static_cast<int>(dimension)] = level;
  return *this;
}

bool PerturbationSpec::any() const {
  return std::any_of(levels_.begin(), levels_.end(), [](int l) { return l > 0; });
}

PerturbationSpec PerturbationSpec::parse(const std::string& text) {
  PerturbationSpec spec;
  if (text.empty() || text == "none") return spec;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    const auto colon = part.find(':');
    if (colon == std::string::npos) {
      throw std::invalid_argument("perturbation '" + part + "' is not DIMENSION:LEVEL");
    }
    const auto dim = parseDimension(part.substr(0, colon));
    if (!dim) {
      throw std::invalid_argument("unknown perturbation dimension '" + part.substr(0, colon) +
                                  "' (camera, robot, language, light, background, noise, layout)");
    }
    int level = -1;
    try {
      std::size_t used = 0;
      level = std::stoi(part.substr(colon + 1), &used);
      if (used != part.size() - colon - 1) level = -1;
    } catch (const std::exception&) {
      level = -1;
    }
    if (level < 0 || level > kMaxPerturbLevel) {
      throw std::invalid_argument("perturbation level in '" + part + "' must be 0..4");
    }
    spec.set(*dim, level);
  }
  return spec;
}

std::string PerturbationSpec::toString() const {
  std::string s;
  for (int i = 0; i < kPerturbDimensions; ++i) {
    if (levels_[i] == 0) continue;
    if (!s.empty()) s += ",";
    s += std::string(kNames[i]) + ":" + std::to_string(levels_[i]);
  }
  return s.empty() ? "none" : s;
}

std::mt19937_64 perturbRng(std::uint64_t seed, PerturbDimension dimension) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(dimension) + 0x5EEDu};
  return std::mt19937_64(seq);
}

void perturbCamera(mjModel* model, int camera_id, int level, std::mt19937_64& rng) {
  if (level <= 0) return;
  mjtNum* pos = model->cam_pos + 3 * camera_id;
  const Eigen::Vector3d shift = randomUnit(rng) * (0.04 * level * uniform(rng, 0.6, 1.0));
  for (int i = 0; i < 3; ++i) pos[i] += shift[i];
  const double angle = (3.0 * level * uniform(rng, 0.6, 1.0)) * M_PI / 180.0;
  const Eigen::Quaterniond turn(Eigen::AngleAxisd(angle, randomUnit(rng)));
  mjtNum* q = model->cam_quat + 4 * camera_id;
  const Eigen::Quaterniond now(q[0], q[1], q[2], q[3]);
  const Eigen::Quaterniond next = (turn * now).normalized();
  q[0] = next.w();
  q[1] = next.x();
  q[2] = next.y();
  q[3] = next.z();
  const double sign = uniform(rng, 0.0, 1.0) < 0.5 ? -1.0 : 1.0;
  model->cam_fovy[camera_id] += sign * 3.0 * level * uniform(rng, 0.5, 1.0);
}

void perturbLights(mjModel* model, int level, std::mt19937_64& rng) {
  if (level <= 0) return;
  const double span = 0.15 * level;
  const double intensity = uniform(rng, 0.0, 1.0) < 0.5 ? 1.0 - span * uniform(rng, 0.7, 1.0)
                                                         : 1.0 + span * uniform(rng, 0.7, 1.0);
  // Colour temperature: warm (more red) or cool (more blue).
  const double tint = uniform(rng, -1.0, 1.0) * 0.08 * level;
  for (int l = 0; l < model->nlight; ++l) {
    float* d = model->light_diffuse + 3 * l;
    setRgb(d, d[0] * intensity * (1 + tint), d[1] * intensity, d[2] * intensity * (1 - tint));
    mjtNum* dir = model->light_dir + 3 * l;
    Eigen::Vector3d v(dir[0], dir[1], dir[2]);
    const Eigen::Quaterniond turn(
        Eigen::AngleAxisd(8.0 * level * M_PI / 180.0 * uniform(rng, 0.5, 1.0), randomUnit(rng)));
    v = (turn * v).normalized();
    for (int i = 0; i < 3; ++i) dir[i] = v[i];
    if (level >= 2 && l == 0) model->light_castshadow[l] = 1;
  }
  float* head = model->vis.headlight.diffuse;
  setRgb(head, head[0] * intensity, head[1] * intensity, head[2] * intensity);
  float* amb = model->vis.headlight.ambient;
  setRgb(amb, amb[0] * intensity * (1 + tint), amb[1] * intensity, amb[2] * intensity * (1 - tint));
}

void perturbBackground(mjModel* model, int level, std::mt19937_64& rng) {
  if (level <= 0) return;
  const double amount = 0.2 * level;
  for (const char* name : {"table_mat", "floor_mat", "wall_mat"}) {
    const int id = mj_name2id(model, mjOBJ_MATERIAL, name);
    if (id < 0) continue;
    float* rgba = model->mat_rgba + 4 * id;
    for (int c = 0; c < 3; ++c) {
      const double target = uniform(rng, 0.15, 1.0);
      rgba[c] = static_cast<float>((1 - amount) * rgba[c] + amount * target);
    }
  }
  if (level >= 3) {
    const std::vector<std::string> textures = {"wood_tex", "marble_tex", "stripes_tex",
                                               "floor_tex"};
    for (const char* name : {"table_mat", "wall_mat"}) {
      const int id = mj_name2id(model, mjOBJ_MATERIAL, name);
      const int tex = mj_name2id(model, mjOBJ_TEXTURE, pick(textures, rng).c_str());
      if (id >= 0 && tex >= 0) model->mat_texid[id] = tex;
    }
  }
}

std::array<double, 7> perturbRobotInit(const std::array<double, 7>& joints, int level,
                                       std::mt19937_64& rng) {
  std::normal_distribution<double> noise(0.0, 0.03 * level);
  std::array<double, 7> out = joints;
  for (double& q : out) q += noise(rng);
  return out;
}

std::string perturbInstruction(const std::string& instruction, int level, std::mt19937_64& rng) {
  if (level <= 0) return instruction;
  std::string text = instruction;
  auto replaceFirst = [&text](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) return false;
    text.replace(at, from.size(), to);
    return true;
  };
  // Paraphrase the verbs.
  const std::vector<std::pair<std::string, std::vector<std::string>>> verbs = {
      {"pick up the", {"grab the", "take the", "lift the", "get the"}},
      {"place it on", {"put it on", "set it down on", "leave it on"}},
      {"place it in", {"put it in", "drop it into", "leave it in"}},
      {"put the", {"place the", "move the", "set the"}},
      {"open the", {"pull open the", "slide open the"}},
      {"push the", {"shove the", "nudge the", "slide the"}},
  };
  for (const auto& [from, options] : verbs) replaceFirst(from, pick(options, rng));
  if (level >= 2) {
    const std::vector<std::string> prefixes = {"please ", "robot, ", "could you ", "now "};
    const std::vector<std::string> suffixes = {" please", " carefully", " for me", " now"};
    text = pick(prefixes, rng) + text + pick(suffixes, rng);
  }
  if (level >= 3) {
    const std::vector<std::string> distractors = {
        ", ignoring everything else on the table", " while the lights are on",
        ", and do not worry about the other objects", ", as you did before"};
    text += pick(distractors, rng);
  }
  if (level >= 4) {
    // A few typos in filler words; object names stay intact so the task stays defined.
    const std::vector<std::pair<std::string, std::string>> typos = {
        {"please", "pleese"}, {"the robot", "teh robot"}, {"carefully", "carefuly"},
        {"ignoring", "ignorin"}, {"could you", "cud you"}, {"everything", "evrything"}};
    for (const auto& [from, to] : typos) {
      if (uniform(rng, 0.0, 1.0) < 0.7) replaceFirst(from, to);
    }
  }
  return text;
}

void perturbSensor(cv::Mat& rgb, cv::Mat& depth_m, int level, std::mt19937_64& rng) {
  if (level <= 0 || rgb.empty()) return;
  const double sigma = 4.0 * level;
  cv::Mat noise(rgb.size(), CV_32FC3);
  std::normal_distribution<float> n(0.0f, static_cast<float>(sigma));
  for (int y = 0; y < noise.rows; ++y) {
    auto* row = noise.ptr<float>(y);
    for (int x = 0; x < noise.cols * 3; ++x) row[x] = n(rng);
  }
  cv::Mat f;
  rgb.convertTo(f, CV_32FC3);
  f += noise;
  f.convertTo(rgb, CV_8UC3);  // saturates
  if (level >= 2) {
    const int k = level >= 4 ? 5 : 3;
    cv::GaussianBlur(rgb, rgb, cv::Size(k, k), 0.4 * level);
  }
  if (level >= 3) {
    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", rgb, jpeg, {cv::IMWRITE_JPEG_QUALITY, level >= 4 ? 25 : 45});
    cv::imdecode(jpeg, cv::IMREAD_COLOR).copyTo(rgb);  // channel order is kept: both sides BGR
  }
  if (!depth_m.empty()) {
    std::normal_distribution<float> dn(0.0f, 1.0f);
    const float scale = 0.002f * static_cast<float>(level);
    for (int y = 0; y < depth_m.rows; ++y) {
      auto* row = depth_m.ptr<float>(y);
      for (int x = 0; x < depth_m.cols; ++x) row[x] = std::max(0.0f, row[x] * (1.0f + scale * dn(rng)));
    }
  }
}

std::vector<Placement> perturbLayout(const TaskSpec& task, int level, std::mt19937_64& rng) {
  std::vector<Placement> out = task.placements;
  if (level <= 0) return out;
  const double shift = 0.02 * level;
  auto clearance = [](const Placement& a, const Placement& b) {
    const double need = objectInfo(a.object).radius_m + objectInfo(b.object).radius_m + 0.03;
    return std::hypot(a.x_m - b.x_m, a.y_m - b.y_m) - need;
  };
  auto freeOfCabinet = [&task](const Placement& p) {
    if (!task.cabinet) return true;
    const double r = objectInfo(p.object).radius_m;
    // The cabinet and the path of its drawer.
    return !(p.x_m + r > task.cabinet_x_m - 0.35 && std::abs(p.y_m - task.cabinet_y_m) < 0.13 + r);
  };
  // Displace each object, keeping it apart from those already placed.
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      Placement p = task.placements[i];
      p.x_m += uniform(rng, -shift, shift);
      p.y_m += uniform(rng, -shift, shift);
      p.x_m = std::clamp(p.x_m, 0.32, 0.70);
      p.y_m = std::clamp(p.y_m, -0.30, 0.30);
      bool ok = freeOfCabinet(p) || !freeOfCabinet(task.placements[i]);
      for (std::size_t j = 0; j < i && ok; ++j) ok = clearance(p, out[j]) > 0;
      if (ok) {
        out[i] = p;
        break;
      }
    }
  }
  // Confounders: scene objects not in the task, on free spots.
  if (level >= 2) {
    std::vector<std::string> spare;
    for (const auto& o : sceneObjects()) {
      if (o.category == ObjectCategory::kBasket) continue;
      const bool used = std::any_of(out.begin(), out.end(),
                                    [&o](const Placement& p) { return p.object == o.name; });
      if (!used) spare.push_back(o.name);
    }
    for (int c = 0; c < level - 1 && !spare.empty(); ++c) {
      const auto idx = std::uniform_int_distribution<std::size_t>(0, spare.size() - 1)(rng);
      const std::string name = spare[idx];
      spare.erase(spare.begin() + static_cast<std::ptrdiff_t>(idx));
      for (int attempt = 0; attempt < 40; ++attempt) {
        Placement p{name, uniform(rng, 0.32, 0.70), uniform(rng, -0.30, 0.30), 0.0, 0.0};
        bool ok = freeOfCabinet(p);
        for (const auto& q : out) ok = ok && clearance(p, q) > 0.02;
        if (ok) {
          out.push_back(p);
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace thinkvla::core::sim
