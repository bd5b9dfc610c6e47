#include "core/sources/image_folder_source.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace thinkvla::core {

ImageFolderSource::ImageFolderSource(std::filesystem::path folder, std::string spec, double fps)
    : folder_(std::move(folder)), spec_(std::move(spec)), fps_(fps) {}

void ImageFolderSource::open() {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder_, ec)) throw SourceError(spec_ + ": not a folder");
  files_.clear();
  for (const auto& entry : std::filesystem::directory_iterator(folder_, ec)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp")) {
      files_.push_back(entry.path());
    }
  }
  if (ec) throw SourceError(spec_ + ": cannot list the folder: " + ec.message());
  if (files_.empty()) throw SourceError(spec_ + ": no images (png, jpg, bmp) in the folder");
  std::sort(files_.begin(), files_.end());
  next_ = 0;
  const cv::Mat first = cv::imread(files_.front().string(), cv::IMREAD_COLOR);
  if (first.empty()) throw SourceError(spec_ + ": cannot decode " + files_.front().string());
  size_ = first.size();
}

bool ImageFolderSource::read(FrameSet& out) {
  if (next_ >= files_.size()) return false;
  const auto& path = files_[next_];
  const cv::Mat bgr = cv::imread(path.string(), cv::IMREAD_COLOR);
  if (bgr.empty()) throw SourceError(spec_ + ": cannot decode " + path.string());
  CameraFrame view;
  view.camera = spec_;
  cv::cvtColor(bgr, view.rgb, cv::COLOR_BGR2RGB);
  out.views.clear();
  out.views.push_back(std::move(view));
  out.sequence = next_;
  out.source_time_s = static_cast<double>(next_) / (fps_ > 0 ? fps_ : 10.0);
  ++next_;
  return true;
}

}  // namespace thinkvla::core
