// ImageFolderSource: the images of a folder (png, jpg, jpeg, bmp), in name order, as frames at a
// set rate (default 10 fps). One thread at a time (see FrameSource).
#pragma once

#include <filesystem>
#include <vector>

#include "core/sources/frame_source.h"

namespace thinkvla::core {

class ImageFolderSource : public FrameSource {
 public:
  ImageFolderSource(std::filesystem::path folder, std::string spec, double fps = 10.0);

  std::string description() const override { return spec_; }
  void open() override;
  bool read(FrameSet& out) override;
  double nominalFps() const override { return fps_; }
  cv::Size resolution() const override { return size_; }
  bool isLive() const override { return false; }
  std::size_t imageCount() const { return files_.size(); }

 private:
  std::filesystem::path folder_;
  std::string spec_;
  double fps_;
  std::vector<std::filesystem::path> files_;
  std::size_t next_ = 0;
  cv::Size size_;
};

}  // namespace thinkvla::core
