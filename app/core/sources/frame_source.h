// FrameSource: where camera images come from. Cameras on the machine (V4L2 through OpenCV's
// videoio), video files, network streams, image folders; the built-in world adds its own. Sources
// are made from a spec string so the CLI and the studio share one syntax:
//   camera:N   file:PATH   folder:PATH   url:rtsp://...  (also http://, https://)
//
// A source is used by one thread at a time (the capture thread); open() and read() block.
// Errors are SourceError with a message naming the source and what failed.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "core/sources/frame.h"

namespace thinkvla::core {

struct SourceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;

  virtual std::string description() const = 0;  // the spec it was made from
  virtual void open() = 0;
  // The next frame set. Returns false at the end of a finite source (a file, a folder); throws
  // SourceError when the source fails (a camera unplugged, a corrupt file).
  virtual bool read(FrameSet& out) = 0;
  // Frames per second the source claims (0 when unknown) and its resolution (after open()).
  virtual double nominalFps() const = 0;
  virtual cv::Size resolution() const = 0;
  // Live sources produce at their own pace; recorded ones (files, folders) are paced by the
  // capture thread to nominalFps() so they play in real time.
  virtual bool isLive() const = 0;
  // Views in each frame set (1 for cameras, files, folders and streams); known before open().
  virtual int viewCount() const { return 1; }
};

// Makes a source from a spec (see above). Throws SourceError for a malformed spec; the source is
// not opened.
std::unique_ptr<FrameSource> makeFrameSource(const std::string& spec);

}  // namespace thinkvla::core
