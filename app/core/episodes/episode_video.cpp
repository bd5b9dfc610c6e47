#include "core/episodes/episode_video.h"

#include "core/episodes/episode_file.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

namespace thinkvla::core {

int exportEpisodeVideo(const std::filesystem::path& file, const std::string& episode,
                       const std::filesystem::path& out, VideoCameras cameras, double fps) {
  Episode e;
  {
    EpisodeReader reader(file);
    e = reader.readEpisode(episode);
  }
  const auto frames = static_cast<std::size_t>(e.numSamples());
  auto compose = [&](std::size_t t) {
    cv::Mat rgb;
    switch (cameras) {
      case VideoCameras::kAgentview: rgb = e.agentview_rgb[t]; break;
      case VideoCameras::kEyeInHand: rgb = e.eye_in_hand_rgb[t]; break;
      case VideoCameras::kSideBySide: {
        cv::Mat wrist = e.eye_in_hand_rgb[t];
        if (wrist.rows != e.agentview_rgb[t].rows) {
          cv::resize(wrist, wrist, cv::Size(wrist.cols * e.agentview_rgb[t].rows / wrist.rows, e.agentview_rgb[t].rows));
        }
        cv::hconcat(e.agentview_rgb[t], wrist, rgb);
        break;
      }
    }
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);  // episodes are RGB, OpenCV's writers take BGR
    return bgr;
  };
  const cv::Mat first = compose(0);
  cv::VideoWriter writer;
  try {
    writer.open(out.string(), cv::VideoWriter::fourcc('m', 'p', '4', 'v'), fps, first.size(), true);
  } catch (const cv::Exception& ex) {
    throw EpisodeError(out, "/", std::string("cannot open the video writer: ") + ex.what());
  }
  if (!writer.isOpened()) throw EpisodeError(out, "/", "no video encoder accepts this output");
  writer.write(first);
  for (std::size_t t = 1; t < frames; ++t) writer.write(compose(t));
  writer.release();
  return static_cast<int>(frames);
}

}  // namespace thinkvla::core
