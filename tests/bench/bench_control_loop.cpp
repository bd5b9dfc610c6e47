// bench_control_loop: does the studio's control loop hold 20 Hz while an episode is recorded and
// every view is on? It runs the whole studio (main window, built-in world, both camera views
// composed in the Camera views dock, the 3D view with its HUD, the Episodes and Annotation docks)
// and records one episode through the Episodes dock (RecordingTap -> crash-safe EpisodeRecorder)
// for the given time, with the arm driven by the keyboard teleop (dead-man held) or, with a
// checkpoint, by the policy. It reports the control loop's measured rate and the jitter of its
// tick period (p50 / p95 / p99 / max, from the ticks' own time stamps), the recorder's queue and
// producer stalls, and the views' frame rates. Not a test: run by hand under xvfb-run.
//   xvfb-run -a -s "-screen 0 1280x1024x24" build/tests/bin/bench_control_loop [seconds]
//   [checkpoint]
#include <QApplication>
#include <QKeyEvent>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest/QtTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/episodes/episode_file.h"
#include "model/torch_runtime.h"
#include "studio/camera_dock.h"
#include "studio/episodes_controller.h"
#include "studio/main_window.h"
#include "studio/studio_controller.h"
#include "studio/world_controller.h"
#include "widgets/recording_panel.h"
#include "widgets/scene_view.h"
#include "widgets/vtk_gl_widget.h"

using namespace thinkvla;

namespace {
double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(v.size() - 1, lo + 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

void sendKey(QWidget* w, QEvent::Type type, int key) {
  QKeyEvent e(type, key, Qt::NoModifier);
  QApplication::sendEvent(w, &e);
}
}  // namespace

int main(int argc, char** argv) {
  QSurfaceFormat::setDefaultFormat(widgets::VtkGlWidget::defaultFormat());
  QApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
  QApplication app(argc, argv);
  const double seconds = argc > 1 ? std::atof(argv[1]) : 30.0;
  const QString checkpoint = argc > 2 ? QString(argv[2]) : QString();
  QTemporaryDir dir;
  QCoreApplication::setOrganizationName("ThinkVLA-bench");
  QSettings::setDefaultFormat(QSettings::IniFormat);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
  const int torch_threads = model::configureThreads(0);

  studio::MainWindow window;
  window.resize(1280, 800);
  window.show();
  if (!QTest::qWaitForWindowExposed(&window)) return 1;
  studio::StudioController studio(&window);
  if (!studio.startWorld(checkpoint)) {
    std::fprintf(stderr, "bench_control_loop: the world did not start\n");
    return 1;
  }
  studio::EpisodesController* episodes = studio.episodes();
  episodes->recordingPanel()->setResetSeconds(0);
  episodes->recordingPanel()->setEndOnDone(false);  // one long episode, past the task's step limit
  const QString file = dir.filePath("bench.hdf5");
  if (!episodes->createFile(file) || !episodes->startRecording()) return 1;
  if (checkpoint.isEmpty()) {
    // The operator pushes the arm around in a square, dead-man held.
    sendKey(window.sceneView(), QEvent::KeyPress, Qt::Key_Space);
  }
  const int keys[4] = {Qt::Key_W, Qt::Key_A, Qt::Key_S, Qt::Key_D};
  int phase = 0;
  QTimer square;
  square.setInterval(1500);
  QObject::connect(&square, &QTimer::timeout, [&] {
    if (!checkpoint.isEmpty()) return;
    sendKey(window.sceneView(), QEvent::KeyRelease, keys[phase % 4]);
    ++phase;
    sendKey(window.sceneView(), QEvent::KeyPress, keys[phase % 4]);
  });
  if (checkpoint.isEmpty()) sendKey(window.sceneView(), QEvent::KeyPress, keys[0]);
  square.start();
  const auto frames0 = studio.world()->framesShown();
  const auto presented0 = studio.cameraDock()->framesPresented();
  QTest::qWait(static_cast<int>(seconds * 1000));
  const auto frames1 = studio.world()->framesShown();
  const auto presented1 = studio.cameraDock()->framesPresented();
  const double scene_fps = window.sceneView()->frameStats().fps();
  const double rate_hz = studio.world()->controlLoop()->measuredRateHz();
  square.stop();
  const auto ticks = episodes->tap().ticks();
  episodes->endEpisode();
  episodes->discard();
  if (!episodes->recorder()->waitUntilIdle(60)) std::fprintf(stderr, "the commit did not finish\n");
  const core::RecorderStats stats = episodes->recorder()->stats();

  std::vector<double> periods_ms;
  for (std::size_t i = 1; i < ticks.size(); ++i) {
    periods_ms.push_back(
        std::chrono::duration<double, std::milli>(ticks[i].time - ticks[i - 1].time).count());
  }
  const double span_s =
      ticks.size() > 1
          ? std::chrono::duration<double>(ticks.back().time - ticks.front().time).count()
          : 0.0;
  double mean = 0, var = 0;
  for (double p : periods_ms) mean += p;
  mean /= std::max<std::size_t>(1, periods_ms.size());
  for (double p : periods_ms) var += (p - mean) * (p - mean);
  const double sd = std::sqrt(var / std::max<std::size_t>(1, periods_ms.size()));
  const long late =
      std::count_if(periods_ms.begin(), periods_ms.end(), [](double p) { return p > 55.0; });
  std::int64_t in_file = 0;
  try {
    core::EpisodeReader reader(file.toStdString());
    for (const auto& s : reader.summaries()) in_file += s.num_samples;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot read back %s: %s\n", file.toStdString().c_str(), e.what());
  }

  std::printf(
      "bench_control_loop: %.0f s, %s, recording on, both camera views and the 3D view on, "
      "LibTorch threads %d\n",
      seconds, checkpoint.isEmpty() ? "keyboard teleop" : "policy drives", torch_threads);
  std::printf("  control ticks        %zu in %.2f s: %.2f Hz (loop's own estimate %.2f Hz)\n",
              ticks.size(), span_s,
              span_s > 0 ? static_cast<double>(ticks.size() - 1) / span_s : 0.0, rate_hz);
  std::printf(
      "  tick period (ms)     p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  mean %.2f  sd %.2f\n",
      percentile(periods_ms, 0.5), percentile(periods_ms, 0.95), percentile(periods_ms, 0.99),
      periods_ms.empty() ? 0.0 : *std::max_element(periods_ms.begin(), periods_ms.end()), mean, sd);
  std::printf("  periods over 55 ms   %ld of %zu\n", late, periods_ms.size());
  std::printf(
      "  recorder             %llu steps written, %lld in the file, queue max %zu, producer "
      "blocked max %.2f ms, commit %.2f s%s%s\n",
      static_cast<unsigned long long>(stats.steps_written), static_cast<long long>(in_file),
      stats.queue_depth_max, stats.producer_blocked_max_ms, stats.last_commit_s,
      stats.last_error.empty() ? "" : ", error: ", stats.last_error.c_str());
  std::printf(
      "  views                world frames shown %.1f/s, camera dock %.1f/s, 3D view %.1f fps\n",
      static_cast<double>(frames1 - frames0) / seconds,
      static_cast<double>(presented1 - presented0) / seconds, scene_fps);
  return 0;
}
