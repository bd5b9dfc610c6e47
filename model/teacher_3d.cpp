#include "model/teacher_3d.h"

#include <cmath>
#include <stdexcept>

namespace thinkvla::model {

namespace F = torch::nn::functional;

torch::Tensor resampleToGrid(const torch::Tensor& maps, int grid) {
  TORCH_CHECK(maps.dim() == 4, "feature maps must be [N, C, h, w], got ", maps.sizes());
  torch::Tensor r;
  if (maps.size(2) == grid && maps.size(3) == grid) {
    r = maps;
  } else if (maps.size(2) >= grid && maps.size(3) >= grid) {
    r = F::adaptive_avg_pool2d(maps, F::AdaptiveAvgPool2dFuncOptions({grid, grid}));
  } else {
    r = F::interpolate(maps, F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{grid, grid})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
  }
  return r.flatten(2).transpose(1, 2).contiguous();
}

torch::Tensor PointMapTeacher::backProject(const torch::Tensor& depth_m,
                                           const torch::Tensor& intrinsics) {
  TORCH_CHECK(depth_m.dim() == 4, "depth must be [B, V, H, W], got ", depth_m.sizes());
  TORCH_CHECK(intrinsics.dim() == 4 && intrinsics.size(2) == 3 && intrinsics.size(3) == 3,
              "intrinsics must be [B, V, 3, 3], got ", intrinsics.sizes());
  const auto h = depth_m.size(2);
  const auto w = depth_m.size(3);
  auto z = depth_m.to(torch::kFloat32);
  auto k = intrinsics.to(torch::kFloat32);
  auto fx = k.select(2, 0).select(2, 0).view({k.size(0), k.size(1), 1, 1});
  auto fy = k.select(2, 1).select(2, 1).view({k.size(0), k.size(1), 1, 1});
  auto cx = k.select(2, 0).select(2, 2).view({k.size(0), k.size(1), 1, 1});
  auto cy = k.select(2, 1).select(2, 2).view({k.size(0), k.size(1), 1, 1});
  // Pixel centres at (u + 0.5, v + 0.5), OpenCV's convention for the principal point.
  auto u = torch::arange(w, torch::kFloat32).add(0.5).view({1, 1, 1, w});
  auto v = torch::arange(h, torch::kFloat32).add(0.5).view({1, 1, h, 1});
  auto x = (u - cx) / fx * z;
  auto y = (v - cy) / fy * z;
  return torch::stack({x, y, z}, 2);  // [B, V, 3, H, W]
}

torch::Tensor PointMapTeacher::features(const TeacherInput& input, int grid) {
  torch::NoGradGuard no_grad;
  TORCH_CHECK(input.depth_m.defined() && input.intrinsics.defined(),
              "the point-map teacher needs depth_m and intrinsics");
  const auto b = input.depth_m.size(0);
  const auto nv = input.depth_m.size(1);
  auto depth = input.depth_m.to(torch::kFloat32);
  auto intrinsics = input.intrinsics.to(torch::kFloat32);
  // Work at kWorkCells pixels per patch side at most: the statistics stay per patch and the cost
  // drops with the square of the factor. Depth is averaged over valid pixels only and the
  // intrinsics scaled with the image (pixel centres at +0.5 keep cx' = cx * scale exact).
  const int64_t work = static_cast<int64_t>(grid) * kWorkCells;
  if (depth.size(2) > work && depth.size(3) > work) {
    const double sy = static_cast<double>(work) / depth.size(2);
    const double sx = static_cast<double>(work) / depth.size(3);
    auto d = depth.reshape({b * nv, 1, depth.size(2), depth.size(3)});
    auto ok = (d > 0).to(torch::kFloat32);
    auto opts = F::AdaptiveAvgPool2dFuncOptions({work, work});
    auto frac = F::adaptive_avg_pool2d(ok, opts);
    d = F::adaptive_avg_pool2d(d * ok, opts) / frac.clamp_min(1e-6);
    depth = (d * (frac > 0.5).to(torch::kFloat32)).reshape({b, nv, work, work});
    auto scale = torch::tensor({{sx, 0.0, sx}, {0.0, sy, sy}, {0.0, 0.0, 1.0}}, torch::kFloat32);
    intrinsics = intrinsics * scale;
  }
  const auto h = depth.size(2);
  const auto w = depth.size(3);
  auto pts = backProject(depth, intrinsics).reshape({b * nv, 3, h, w});
  auto valid = (depth > 0).to(torch::kFloat32).reshape({b * nv, 1, h, w});
  pts = pts * valid;
  auto pool = [&](const torch::Tensor& t) {
    return F::adaptive_avg_pool2d(t, F::AdaptiveAvgPool2dFuncOptions({grid, grid}));
  };
  auto frac = pool(valid);                              // [N, 1, g, g]
  auto denom = frac.clamp_min(1e-6);
  auto mean = pool(pts) / denom;                        // mean over valid pixels
  auto var = (pool(pts * pts) / denom - mean * mean).clamp_min(0.0);
  auto stdev = var.add(1e-12).sqrt();
  // Normals from the cross product of the point map's image-space derivatives.
  auto dx = torch::zeros_like(pts);
  auto dy = torch::zeros_like(pts);
  using torch::indexing::Slice;
  dx.index_put_({Slice(), Slice(), Slice(), Slice(1, w)},
                pts.index({Slice(), Slice(), Slice(), Slice(1, w)}) -
                    pts.index({Slice(), Slice(), Slice(), Slice(0, w - 1)}));
  dy.index_put_({Slice(), Slice(), Slice(1, h), Slice()},
                pts.index({Slice(), Slice(), Slice(1, h), Slice()}) -
                    pts.index({Slice(), Slice(), Slice(0, h - 1), Slice()}));
  auto normal = torch::cross(dx, dy, 1);
  normal = F::normalize(pool(normal), F::NormalizeFuncOptions().dim(1).eps(1e-8));
  // Depth edges: mean absolute depth gradient, relative to depth.
  auto z = pts.narrow(1, 2, 1);
  auto edges = pool((dx.narrow(1, 2, 1).abs() + dy.narrow(1, 2, 1).abs()) /
                    z.abs().clamp_min(1e-3)) /
               denom;
  std::vector<torch::Tensor> parts = {mean, stdev, normal, edges, frac};
  for (int f = 0; f < kFourierFrequencies; ++f) {
    const double scale = M_PI * std::pow(2.0, f);
    parts.push_back(torch::sin(mean * scale));
    parts.push_back(torch::cos(mean * scale));
  }
  auto feats = torch::cat(parts, 1);  // [N, D, g, g]
  return feats.flatten(2).transpose(1, 2).reshape({b, nv, grid * grid, kFeatureDim}).contiguous();
}

TorchScriptTeacher::TorchScriptTeacher(const std::string& path, int input_size)
    : path_(path), input_size_(input_size) {
  try {
    module_ = torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot load the TorchScript teacher: " +
                             e.what_without_backtrace());
  }
  module_.eval();
  for (auto p : module_.parameters()) p.set_requires_grad(false);
  // Probe once to learn the feature width.
  auto probe = run(torch::zeros({1, 3, input_size_, input_size_}));
  feature_dim_ = static_cast<int>(probe.size(1));
}

torch::Tensor TorchScriptTeacher::run(const torch::Tensor& images_nchw) {
  torch::NoGradGuard no_grad;
  torch::jit::IValue out;
  try {
    out = module_.forward({images_nchw});
  } catch (const c10::Error& e) {
    throw std::runtime_error(path_ + ": the TorchScript teacher failed: " +
                             e.what_without_backtrace());
  }
  if (!out.isTensor()) throw std::runtime_error(path_ + ": forward must return a tensor");
  auto t = out.toTensor().to(torch::kFloat32);
  if (t.dim() == 3) {  // [N, h*w, C] tokens on a square grid
    const auto side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(t.size(1)))));
    if (side * side != t.size(1)) {
      throw std::runtime_error(path_ + ": output tokens " + std::to_string(t.size(1)) +
                               " do not form a square grid");
    }
    t = t.transpose(1, 2).reshape({t.size(0), t.size(2), side, side});
  }
  if (t.dim() != 4 || t.size(0) != images_nchw.size(0)) {
    throw std::runtime_error(path_ + ": output must be [N, C, h, w] or [N, h*w, C]");
  }
  return t.detach();
}

torch::Tensor TorchScriptTeacher::features(const TeacherInput& input, int grid) {
  torch::NoGradGuard no_grad;
  const auto& im = input.images;
  TORCH_CHECK(im.defined() && im.dim() == 5 && im.size(4) == 3,
              "the TorchScript teacher needs images [B, V, H, W, 3]");
  const auto b = im.size(0);
  const auto nv = im.size(1);
  auto x = im.scalar_type() == torch::kUInt8 ? im.to(torch::kFloat32).div(255.0)
                                             : im.to(torch::kFloat32);
  x = x.reshape({b * nv, im.size(2), im.size(3), 3}).permute({0, 3, 1, 2}).contiguous();
  if (x.size(2) != input_size_ || x.size(3) != input_size_) {
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{input_size_, input_size_})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  }
  auto maps = run(x);
  return resampleToGrid(maps, grid).view({b, nv, grid * grid, maps.size(1)});
}

torch::Tensor StoredFeaturesTeacher::features(const TeacherInput& input, int grid) {
  const auto& f = input.stored_features;
  TORCH_CHECK(f.defined() && f.dim() == 5, "stored teacher features must be [B, V, C, h, w]");
  TORCH_CHECK(f.size(2) == feature_dim_, "stored teacher features have ", f.size(2),
              " channels, the config expects teacher_feature_dim = ", feature_dim_);
  const auto b = f.size(0);
  const auto nv = f.size(1);
  auto maps = f.detach().to(torch::kFloat32).reshape({b * nv, f.size(2), f.size(3), f.size(4)});
  return resampleToGrid(maps, grid).view({b, nv, grid * grid, feature_dim_});
}

}  // namespace thinkvla::model
