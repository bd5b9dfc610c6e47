// The HUD's content and placement, computed by Dear ImGui without a GPU: frame statistics, the
// corner it is anchored to, and its text.
#include <QtTest/QtTest>
#include <imgui.h>

#include "viz/frame_stats.h"
#include "viz/hud.h"

namespace {
struct ImGuiFrame {
  ImGuiFrame(float width, float height) {
    context = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(width, height);
    io.DeltaTime = 1.0f / 60.0f;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the font atlas; no GPU needed
    ImGui::NewFrame();
  }
  ~ImGuiFrame() { ImGui::DestroyContext(context); }
  ImGuiContext* context;
};
}  // namespace

class TestHud : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void frameStatsAverageAndOrder() {
    thinkvla::viz::FrameStats stats;
    QCOMPARE(stats.fps(), 0.0);
    for (int i = 0; i < 10; ++i) stats.addFrame(20.0);
    QCOMPARE(stats.count(), std::size_t{10});
    QCOMPARE(stats.meanMs(), 20.0);
    QCOMPARE(stats.fps(), 50.0);
    // The ring keeps the last kCapacity frames, oldest first.
    for (std::size_t i = 0; i < thinkvla::viz::FrameStats::kCapacity + 5; ++i) {
      stats.addFrame(static_cast<double>(i));
    }
    QCOMPARE(stats.count(), thinkvla::viz::FrameStats::kCapacity);
    const float* h = stats.history();
    QCOMPARE(h[0], 5.0f);
    QCOMPARE(h[stats.count() - 1], static_cast<float>(thinkvla::viz::FrameStats::kCapacity + 4));
    QCOMPARE(stats.maxMs(), static_cast<double>(thinkvla::viz::FrameStats::kCapacity + 4));
  }

  void hudSitsInTheRequestedCorner_data() {
    QTest::addColumn<int>("corner");
    QTest::newRow("top-left") << static_cast<int>(thinkvla::viz::HudCorner::kTopLeft);
    QTest::newRow("bottom-right") << static_cast<int>(thinkvla::viz::HudCorner::kBottomRight);
  }

  void hudSitsInTheRequestedCorner() {
    QFETCH(int, corner);
    thinkvla::viz::FrameStats stats;
    for (int i = 0; i < 30; ++i) stats.addFrame(16.0 + i % 3);
    thinkvla::viz::HudContent content;
    content.frames = &stats;
    content.lines = {{"inference", "12.0 ms"}, {"control", "20.0 Hz"}};
    content.corner = static_cast<thinkvla::viz::HudCorner>(corner);
    // Auto-resizing windows take their size on the second frame.
    thinkvla::viz::HudRect rect;
    ImGuiFrame frame(800, 600);
    thinkvla::viz::drawHud(content);
    ImGui::Render();
    ImGui::NewFrame();
    rect = thinkvla::viz::drawHud(content);
    ImGui::Render();
    QVERIFY(rect.width > 150 && rect.height > 60);
    if (content.corner == thinkvla::viz::HudCorner::kTopLeft) {
      QCOMPARE(rect.x, 10.0f);
      QCOMPARE(rect.y, 10.0f);
    } else {
      QCOMPARE(rect.x + rect.width, 790.0f);
      QCOMPARE(rect.y + rect.height, 590.0f);
    }
    const ImDrawData* draw = ImGui::GetDrawData();
    QVERIFY(draw != nullptr && draw->TotalVtxCount > 100);  // text glyphs and the graph
  }
};

QTEST_GUILESS_MAIN(TestHud)
#include "test_hud.moc"
