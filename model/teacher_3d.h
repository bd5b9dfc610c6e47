// Frozen 3D teachers for the geometry alignment loss: one interface, three sources.
//
//  - PointMapTeacher: built in, parameter-free and deterministic. Back-projects depth through the
//    camera intrinsics and describes each patch by camera-frame XYZ statistics, surface normals,
//    depth edges and Fourier features of its centre.
//  - TorchScriptTeacher: a user's scripted 3D foundation model (e.g. an exported VGGT aggregator),
//    loaded with torch::jit::load, frozen; its output grid is resampled to the patch grid.
//  - StoredFeaturesTeacher: features computed offline and read from the episode file.
//
// Every teacher returns [B, V, grid*grid, featureDim()] with no autograd history: the teacher
// never receives gradient. Threads: a teacher is used by one training thread at a time.
#pragma once

#include <torch/script.h>
#include <torch/torch.h>

#include <memory>
#include <string>

namespace thinkvla::model {

struct TeacherInput {
  torch::Tensor images;           // [B, V, H, W, 3] uint8 or float (0..1)
  torch::Tensor depth_m;          // [B, V, H, W] metres, 0 where unknown
  torch::Tensor intrinsics;       // [B, V, 3, 3] pinhole, in the depth image's pixels
  torch::Tensor stored_features;  // [B, V, C, h, w] precomputed teacher features
};

class Teacher3D {
 public:
  virtual ~Teacher3D() = default;
  virtual std::string name() const = 0;
  virtual int featureDim() const = 0;
  // Per-patch features on a grid x grid patch grid, [B, V, grid*grid, featureDim()], no grad.
  virtual torch::Tensor features(const TeacherInput& input, int grid) = 0;
};

class PointMapTeacher : public Teacher3D {
 public:
  static constexpr int kFourierFrequencies = 3;
  static constexpr int kWorkCells = 4;  // depth is reduced to 4 x 4 pixels per patch first
  // 3 mean XYZ + 3 std XYZ + 3 normal + 1 depth edge + 1 valid fraction + 3*2*F Fourier.
  static constexpr int kFeatureDim = 11 + 6 * kFourierFrequencies;
  std::string name() const override { return "point-map"; }
  int featureDim() const override { return kFeatureDim; }
  torch::Tensor features(const TeacherInput& input, int grid) override;

  // Camera-frame points [B, V, 3, H, W] from depth and intrinsics.
  static torch::Tensor backProject(const torch::Tensor& depth_m, const torch::Tensor& intrinsics);
};

class TorchScriptTeacher : public Teacher3D {
 public:
  // Loads `path`. The module's forward takes images [N, 3, H, W] float in 0..1 (N = B*V) resized to
  // `input_size` and returns [N, C, h, w] (or [N, h*w, C] for a square h = w). Throws
  // std::runtime_error naming the file when it cannot be loaded or its output has another shape.
  TorchScriptTeacher(const std::string& path, int input_size);
  std::string name() const override { return "torchscript:" + path_; }
  int featureDim() const override { return feature_dim_; }
  torch::Tensor features(const TeacherInput& input, int grid) override;

 private:
  torch::Tensor run(const torch::Tensor& images_nchw);
  std::string path_;
  int input_size_;
  int feature_dim_ = 0;
  torch::jit::script::Module module_;
};

class StoredFeaturesTeacher : public Teacher3D {
 public:
  explicit StoredFeaturesTeacher(int feature_dim) : feature_dim_(feature_dim) {}
  std::string name() const override { return "stored"; }
  int featureDim() const override { return feature_dim_; }
  torch::Tensor features(const TeacherInput& input, int grid) override;

 private:
  int feature_dim_;
};

// Resamples feature maps [N, C, h, w] to [N, grid*grid, C] (area average when shrinking, bilinear
// otherwise).
torch::Tensor resampleToGrid(const torch::Tensor& maps, int grid);

}  // namespace thinkvla::model
