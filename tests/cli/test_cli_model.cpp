// `thinkvla init`, `info` and `export` as a user runs them: a fresh checkpoint with the four
// files, its description, a smaller deployed copy, and clear errors for bad checkpoints.
#include <QtTest/QtTest>

#include "cli_runner.h"

using thinkvla::test::Run;
using thinkvla::test::runCli;

class TestCliModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initInfoExport() {
    QTemporaryDir dir;
    const QString ckpt = dir.filePath("tiny");
    const auto init = runCli({"init", "--preset", "tiny", "--out", ckpt, "--seed", "2"});
    QVERIFY2(init.code == 0, qPrintable(init.out + init.err));
    for (const char* file : {"config.json", "model.safetensors", "tokenizer.model", "norm_stats.json"}) {
      QVERIFY2(QFileInfo::exists(ckpt + "/" + file), file);
    }
    const auto info = runCli({"info", ckpt});
    QVERIFY2(info.code == 0, qPrintable(info.err));
    QVERIFY(info.out.contains("tiny"));
    QVERIFY(info.out.contains("parameters"));
    QVERIFY2(info.out.contains("statistics  pooled\n"), qPrintable(info.out));  // none per task

    const QString deployed = dir.filePath("deployed");
    const auto exported = runCli({"export", ckpt, "--out", deployed});
    QVERIFY2(exported.code == 0, qPrintable(exported.out + exported.err));
    QVERIFY(QFileInfo(deployed + "/model.safetensors").size() <
            QFileInfo(ckpt + "/model.safetensors").size());
    const auto info2 = runCli({"info", deployed, "--json"});
    QCOMPARE(info2.code, 0);
    QVERIFY(info2.out.contains("\"deployed\": true") || info2.out.contains("\"deployed\":true"));
  }

  void initWithAnotherImageSize() {
    QTemporaryDir dir;
    const QString ckpt = dir.filePath("tiny64");
    const auto init = runCli(
        {"init", "--preset", "tiny", "--image-size", "64", "--token-pool", "4", "--out", ckpt});
    QVERIFY2(init.code == 0, qPrintable(init.out + init.err));
    const auto info = runCli({"info", ckpt});
    QVERIFY2(info.code == 0, qPrintable(info.err));
    QVERIFY2(info.out.contains("resized to 64x64"), qPrintable(info.out));
    // 64 / 8 = 8 patches a side, pooled 4 x 4: 2 x 2 tokens per view, two views.
    QVERIFY2(info.out.contains("8 image tokens (patch grid 8x8"), qPrintable(info.out));

    const auto pool = runCli({"init", "--preset", "tiny", "--image-size", "64", "--token-pool", "3",
                              "--out", dir.filePath("bad")});
    QCOMPARE(pool.code, 2);
    QVERIFY2(pool.err.contains("token_pool"), qPrintable(pool.err));
    const auto size =
        runCli({"init", "--preset", "tiny", "--image-size", "60", "--out", dir.filePath("bad")});
    QCOMPARE(size.code, 2);
    QVERIFY2(size.err.contains("image_size"), qPrintable(size.err));
    QVERIFY(!QFileInfo::exists(dir.filePath("bad")));
  }

  void initWithTheProgressInput() {
    QTemporaryDir dir;
    const QString ckpt = dir.filePath("progress");
    const auto init =
        runCli({"init", "--preset", "tiny", "--progress-levels", "3", "--out", ckpt});
    QVERIFY2(init.code == 0, qPrintable(init.out + init.err));
    const auto info = runCli({"info", ckpt});
    QVERIFY2(info.code == 0, qPrintable(info.err));
    QVERIFY2(info.out.contains("gripper releases so far (3 levels)"), qPrintable(info.out));
    const auto plain = runCli({"init", "--preset", "tiny", "--out", dir.filePath("plain")});
    QCOMPARE(plain.code, 0);
    QVERIFY(!runCli({"info", dir.filePath("plain")}).out.contains("gripper releases"));
    const auto bad = runCli(
        {"init", "--preset", "tiny", "--progress-levels", "40", "--out", dir.filePath("bad")});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("progress_levels"), qPrintable(bad.err));
    QVERIFY(!QFileInfo::exists(dir.filePath("bad")));
  }

  void badCheckpointsGiveClearErrors() {
    QTemporaryDir dir;
    const auto missing = runCli({"info", dir.filePath("nothing")});
    QVERIFY(missing.code == 1 || missing.code == 2);
    QVERIFY(missing.err.contains("nothing"));
    const QString ckpt = dir.filePath("tiny");
    QCOMPARE(runCli({"init", "--preset", "tiny", "--out", ckpt}).code, 0);
    QFile weights(ckpt + "/model.safetensors");
    QVERIFY(weights.resize(weights.size() / 2));  // truncated
    const auto truncated = runCli({"info", ckpt});
    QCOMPARE(truncated.code, 1);
    QVERIFY2(truncated.err.contains("model.safetensors"), qPrintable(truncated.err));
    const auto preset = runCli({"init", "--preset", "huge", "--out", dir.filePath("x")});
    QVERIFY(preset.code != 0);
    QVERIFY(preset.err.contains("huge"));
  }
};

QTEST_GUILESS_MAIN(TestCliModel)
#include "test_cli_model.moc"
