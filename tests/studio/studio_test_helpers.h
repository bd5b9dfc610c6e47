// Shared by the studio tests: settings kept out of the user's, a studio with the built-in world, keys
// typed over the 3D view, a short episode recorded through the Episodes dock, a tiny checkpoint.
#pragma once

#include <QSettings>
#include <QSurfaceFormat>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <memory>

#include "model/checkpoint.h"
#include "studio/episodes_controller.h"
#include "studio/main_window.h"
#include "studio/studio_controller.h"
#include "studio/world_controller.h"
#include "widgets/episode_browser.h"
#include "widgets/recording_panel.h"
#include "widgets/scene_view.h"
#include "widgets/vtk_gl_widget.h"

namespace thinkvla::testing {

// Call from initTestCase: VTK's GL format, settings in `dir` (not the user's).
inline void setUpStudioTests(const QTemporaryDir& dir, const char* name) {
  QSurfaceFormat::setDefaultFormat(widgets::VtkGlWidget::defaultFormat());
  QCoreApplication::setOrganizationName("ThinkVLA-test");
  QCoreApplication::setApplicationName(name);
  QSettings::setDefaultFormat(QSettings::IniFormat);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
  qputenv("XDG_DATA_HOME", dir.filePath("data").toUtf8());
}

// The main window with the studio's controllers and the world running (sim:spatial/0).
struct Studio {
  studio::MainWindow window;
  std::unique_ptr<studio::StudioController> controller;

  bool start() {
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) return false;
    controller = std::make_unique<studio::StudioController>(&window);
    if (!controller->startWorld()) return false;
    episodes()->setUnsavedEditsPolicy(studio::EpisodesController::UnsavedEdits::kDiscard);
    episodes()->recordingPanel()->setResetSeconds(0);
    // A window another process shows at the same moment can take the focus back: ask again.
    for (int attempt = 0; attempt < 3; ++attempt) {
      window.activateWindow();
      if (QTest::qWaitForWindowActive(&window)) return true;
    }
    return false;
  }
  ~Studio() { controller.reset(); }  // before the window
  studio::EpisodesController* episodes() const { return controller->episodes(); }
  studio::WorldController* world() const { return controller->world(); }
  widgets::SceneView* view() const { return window.sceneView(); }
  std::uint64_t steps() const { return episodes()->tap().steps(); }
  // Presses a window shortcut key. Shortcuts fire only in the active window, and another test
  // sharing the X server (ctest runs two at once) can take the focus, so activate first.
  bool pressShortcut(Qt::Key key) {
    window.activateWindow();
    if (!QTest::qWaitForWindowActive(&window)) return false;
    QTest::keyClick(view(), key);
    return true;
  }
  // Waits until `n` more steps are recorded (the 20 Hz loop: n / 20 s).
  bool waitSteps(std::uint64_t n, int timeout_ms = 20000) const {
    const std::uint64_t target = steps() + n;
    return QTest::qWaitFor([&] { return steps() >= target; }, timeout_ms);
  }
};

// Records `count` short episodes (the arm pushed +x, then +y, ...) into a new file through the
// Episodes dock, and waits until they are committed and listed.
inline void recordEpisodes(Studio& s, const QString& file, int count, int steps = 24) {
  auto* ep = s.episodes();
  QVERIFY(ep->createFile(file));
  ep->recordingPanel()->setSeed(3);
  for (int e = 0; e < count; ++e) {
    QVERIFY(ep->startRecording());
    s.view()->setFocus();
    const auto key = e % 2 == 0 ? Qt::Key_W : Qt::Key_A;
    QTest::keyPress(s.view(), Qt::Key_Space);
    QTest::keyPress(s.view(), key);
    QVERIFY(s.waitSteps(static_cast<std::uint64_t>(steps)));
    QTest::keyRelease(s.view(), key);
    QTest::keyRelease(s.view(), Qt::Key_Space);
    ep->endEpisode();
  }
  ep->discard();  // leave the reset phase
  QTRY_COMPARE_WITH_TIMEOUT(ep->recorder()->stats().episodes_committed,
                            static_cast<std::uint64_t>(count), 20000);
  QTRY_COMPARE_WITH_TIMEOUT(ep->browser()->rowCount(), count, 10000);
}

inline QString makeTinyCheckpoint(const QTemporaryDir& dir, const QString& name = "tiny") {
  const QString path = dir.filePath(name);
  if (!QFileInfo::exists(path + "/config.json")) {
    model::saveCheckpoint(model::initCheckpoint(model::PolicyConfig::fromPreset("tiny"), 1),
                          path.toStdString());
  }
  return path;
}

}  // namespace thinkvla::testing
