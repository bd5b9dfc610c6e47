#include "core/sources/frame_source.h"

#include "core/sources/image_folder_source.h"
#include "core/sources/video_capture_source.h"

namespace thinkvla::core {

std::unique_ptr<FrameSource> makeFrameSource(const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos || colon + 1 >= spec.size()) {
    throw SourceError("source '" + spec +
                      "': expected camera:N, file:PATH, folder:PATH or url:ADDRESS");
  }
  const std::string kind = spec.substr(0, colon);
  const std::string target = spec.substr(colon + 1);
  if (kind == "camera") {
    if (target.find_first_not_of("0123456789") != std::string::npos) {
      throw SourceError("source '" + spec + "': camera index must be a number, e.g. camera:0");
    }
    return std::make_unique<VideoCaptureSource>(VideoCaptureSource::Kind::kCamera, target, spec);
  }
  if (kind == "file") {
    return std::make_unique<VideoCaptureSource>(VideoCaptureSource::Kind::kFile, target, spec);
  }
  if (kind == "folder") return std::make_unique<ImageFolderSource>(target, spec);
  if (kind == "url") {
    return std::make_unique<VideoCaptureSource>(VideoCaptureSource::Kind::kStream, target, spec);
  }
  if (kind == "rtsp" || kind == "http" || kind == "https") {
    return std::make_unique<VideoCaptureSource>(VideoCaptureSource::Kind::kStream, spec, spec);
  }
  throw SourceError("source '" + spec + "': unknown kind '" + kind +
                    "' (camera, file, folder, url)");
}

}  // namespace thinkvla::core
