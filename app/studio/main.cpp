// thinkvla-studio: the desktop application. A thin main over thinkvla_studio_lib.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QImage>
#include <QSurfaceFormat>
#include <QTimer>
#include <spdlog/spdlog.h>

#include <iostream>

#include "core/logging.h"
#include "core/sim/resource_paths.h"
#include "core/system_info.h"
#include "model/torch_runtime.h"
#include "studio/main_window.h"
#include "studio/studio_controller.h"
#include "widgets/log_view.h"
#include "widgets/vtk_gl_widget.h"

int main(int argc, char** argv) {
  using namespace thinkvla;
  // VTK needs a 3.2 core context; every QOpenGLWidget gets it as the default format.
  QSurfaceFormat::setDefaultFormat(widgets::VtkGlWidget::defaultFormat());
  QApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
  QApplication app(argc, argv);
  QApplication::setOrganizationName("ThinkVLA");
  QApplication::setApplicationName("ThinkVLA Studio");
  QApplication::setApplicationVersion(QString::fromStdString(core::projectVersion()));
  QApplication::setWindowIcon(QIcon(":/icons/thinkvla-studio.svg"));

  QCommandLineParser parser;
  parser.setApplicationDescription("Debug, demo and collect data for 3DThinkVLA policies.");
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption screenshot("screenshot", "Save the window to FILE (PNG) and quit.", "FILE");
  QCommandLineOption quit_after("quit-after-ms", "Quit after N milliseconds.", "N");
  QCommandLineOption reset_layout("reset-layout", "Start with the default dock layout.");
  QCommandLineOption threads("threads", "LibTorch intra-op threads (0: one per core).", "N", "0");
  QCommandLineOption no_world("no-world", "Do not start the built-in MuJoCo world.");
  QCommandLineOption checkpoint("checkpoint", "Checkpoint directory to load (default: the shipped demo).",
                                "DIR");
  parser.addOptions({screenshot, quit_after, reset_layout, threads, no_world, checkpoint});
  parser.process(app);

  core::LogOptions log;
  log.app_name = "thinkvla-studio";
  const auto log_file = core::initLogging(log);
  const int torch_threads = model::configureThreads(parser.value(threads).toInt());

  studio::MainWindow window;
  studio::StudioController controller(&window);
  core::addLogSink(window.logView()->sink());
  spdlog::info("ThinkVLA Studio {} started; log file {}; LibTorch threads {}",
               core::projectVersion(), log_file.empty() ? "(none)" : log_file.string(),
               torch_threads);
  window.show();
  if (!parser.isSet(no_world)) {
    QString ckpt = parser.value(checkpoint);
    if (ckpt.isEmpty()) {
      try {
        ckpt = QString::fromStdString(core::sim::findResource("models/demo").string());
      } catch (const std::exception&) {
        spdlog::info("no demo checkpoint shipped yet: the world starts under keyboard control");
      }
    }
    controller.startWorld(ckpt);
  }
  if (parser.isSet(reset_layout)) window.resetLayout();

  int exit_code = 0;
  bool quit_after_ok = true;
  const int quit_ms = parser.isSet(quit_after) ? parser.value(quit_after).toInt(&quit_after_ok)
                                               : (parser.isSet(screenshot) ? 3000 : -1);
  if (!quit_after_ok || (parser.isSet(quit_after) && quit_ms < 0)) {
    std::cerr << "thinkvla-studio: --quit-after-ms expects a non-negative integer, got '"
              << parser.value(quit_after).toStdString() << "'\n";
    return 2;
  }
  if (quit_ms >= 0) {
    QTimer::singleShot(quit_ms, &window, [&] {
      if (parser.isSet(screenshot)) {
        const QString path = parser.value(screenshot);
        const QImage image = window.grab().toImage();
        if (image.save(path, "PNG")) {
          spdlog::info("screenshot saved to {} ({}x{})", path.toStdString(), image.width(),
                       image.height());
        } else {
          spdlog::error("cannot save the screenshot to {}", path.toStdString());
          exit_code = 1;
        }
      }
      window.close();
      QApplication::exit(exit_code);
    });
  }
  const int rc = QApplication::exec();
  core::removeLogSink(window.logView()->sink());
  spdlog::default_logger()->flush();
  return rc != 0 ? rc : exit_code;
}
