// thinkvla-studio: the desktop application. A thin main over thinkvla_studio_lib.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QFile>
#include <QImage>
#include <QScreen>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSurfaceFormat>
#include <QTimer>
#include <spdlog/spdlog.h>

#include <iostream>
#include <optional>

#include "core/logging.h"
#include "core/pipeline/temporal_ensemble.h"
#include "core/sim/resource_paths.h"
#include "core/system_info.h"
#include "model/torch_runtime.h"
#include "studio/camera_dock.h"
#include "studio/main_window.h"
#include "studio/studio_controller.h"
#include "widgets/log_view.h"
#include "widgets/overlay_controls.h"
#include "widgets/vtk_gl_widget.h"

int main(int argc, char** argv) {
  using namespace thinkvla;
  // VTK needs a 3.2 core context; the 3D views ask for it, and Qt's own contexts get it too.
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
  // One inference thread by default: the policy is small, and the other cores draw the views and
  // render the world (measured on 2 cores: 4.6 ms per inference with 1 thread, 54 ms with 2).
  QCommandLineOption threads("threads", "LibTorch and BLAS threads (0: one per core).", "N", "1");
  QCommandLineOption no_world("no-world", "Do not start the built-in MuJoCo world.");
  QCommandLineOption checkpoint("checkpoint", "Checkpoint directory to load (default: the shipped demo).",
                                "DIR");
  QCommandLineOption source("source",
                            "Start on SPEC: sim:SUITE/TASK[@SEED][?DIM:LEVEL,...] (the default, "
                            "sim:spatial/0), camera:N, file:PATH, folder:PATH or url:ADDRESS.",
                            "SPEC");
  QCommandLineOption overlays("overlays",
                              "Overlays to show: a comma-separated list of attention, "
                              "action-attention, geometry, path, depth-cloud, probe-cloud, "
                              "true-cloud, trail, or all / none.",
                              "LIST");
  QCommandLineOption bench_json("bench-json",
                                "On quit, write the measured GUI fps and camera->pixels latency "
                                "(median, p95) to FILE as JSON.",
                                "FILE");
  QCommandLineOption export_views("export-views",
                                  "With --quit-after-ms: before quitting, save each camera view as "
                                  "composed and the 3D view as PNG files in DIR.",
                                  "DIR");
  QCommandLineOption execute_steps("execute-steps",
                                   "World: actions of each predicted chunk executed before the "
                                   "next (0: all K; as the Model dock).",
                                   "N", "0");
  QCommandLineOption ensemble("ensemble",
                              "World: temporal ensembling of overlapping chunks, re-planning "
                              "every --execute-steps, the i-th oldest weighted exp(-DECAY i).",
                              "DECAY");
  parser.addOptions({screenshot, quit_after, reset_layout, threads, no_world, checkpoint, source,
                     overlays, bench_json, export_views, execute_steps, ensemble});
  parser.process(app);

  bool steps_ok = false;
  const int steps = parser.value(execute_steps).toInt(&steps_ok);
  if (!steps_ok || steps < 0) {
    std::cerr << "thinkvla-studio: --execute-steps expects a non-negative integer, got '"
              << parser.value(execute_steps).toStdString() << "'\n";
    return 2;
  }
  std::optional<double> ensemble_decay;
  if (parser.isSet(ensemble)) {
    bool decay_ok = false;
    ensemble_decay = parser.value(ensemble).toDouble(&decay_ok);
    if (!decay_ok || !core::TemporalEnsemble::validDecay(*ensemble_decay)) {
      std::cerr << "thinkvla-studio: --ensemble expects a decay >= 0, got '"
                << parser.value(ensemble).toStdString() << "'\n";
      return 2;
    }
  }

  widgets::OverlaySettings overlay_settings;
  if (parser.isSet(overlays)) {
    QString error;
    if (!widgets::applyOverlayList(parser.value(overlays), &overlay_settings, &error)) {
      std::cerr << "thinkvla-studio: --overlays: " << error.toStdString() << "\n";
      return 2;
    }
  }

  core::LogOptions log;
  log.app_name = "thinkvla-studio";
  const auto log_file = core::initLogging(log);
  const int torch_threads = model::configureThreads(parser.value(threads).toInt());

  studio::MainWindow window;
  studio::StudioController controller(&window);
  window.finishLayout();
  core::addLogSink(window.logView()->sink());
  spdlog::info("ThinkVLA Studio {} started; log file {}; LibTorch threads {}",
               core::projectVersion(), log_file.empty() ? "(none)" : log_file.string(),
               torch_threads);
  if (parser.isSet(screenshot)) {
    // A screenshot shows the whole screen's worth of window: the docks leave the views room.
    window.resize(window.screen()->availableSize());
  }
  window.show();
  if (parser.isSet(overlays)) controller.cameraDock()->setSettings(overlay_settings);
  if (steps > 0 || ensemble_decay) controller.setExecution(steps, ensemble_decay);
  QString ckpt = parser.value(checkpoint);
  if (ckpt.isEmpty()) {
    try {
      // findResource finds files: the checkpoint is the folder of its config.json.
      ckpt = QString::fromStdString(
          core::sim::findResource("models/demo/config.json").parent_path().string());
    } catch (const std::exception&) {
      spdlog::info("no demo checkpoint found: the world starts under keyboard control");
    }
  }
  if (!ckpt.isEmpty()) controller.loadCheckpoint(ckpt);  // a bad one is reported, the app goes on
  if (parser.isSet(source)) {
    controller.openSource(parser.value(source));
  } else if (!parser.isSet(no_world)) {
    controller.startWorld();
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
      if (parser.isSet(export_views) && controller.exportViews(parser.value(export_views)).isEmpty()) {
        exit_code = 1;
      }
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
  if (parser.isSet(bench_json)) {
    QFile file(parser.value(bench_json));
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
      file.write(QJsonDocument(controller.benchSnapshot()).toJson());
      spdlog::info("bench numbers written to {}", file.fileName().toStdString());
    } else {
      spdlog::error("cannot write the bench numbers to {}", file.fileName().toStdString());
      exit_code = 1;
    }
  }
  core::removeLogSink(window.logView()->sink());
  spdlog::default_logger()->flush();
  return rc != 0 ? rc : exit_code;
}
