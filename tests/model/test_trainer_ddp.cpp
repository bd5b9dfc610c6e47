// Data-parallel training over c10d (TCPStore + ProcessGroupGloo) on loopback: this test binary
// starts two copies of itself as ranks 0 and 1 (THINKVLA_DDP_RANK set), each trains a tiny policy
// for a few steps and writes its weights. The weights are bit-identical on both ranks, equal (to
// float tolerance) to one process accumulating the same global batch, and only rank 0 wrote a
// checkpoint. A cancel that reaches one rank between steps stops both after the same step.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "model/checkpoint.h"
#include "model/safetensors.h"
#include "model/train/trainer.h"
#include "train_test_data.h"

using namespace thinkvla::model;
using namespace thinkvla::model::train;
namespace fs = std::filesystem;

namespace {

constexpr int kSteps = 4;

TrainConfig ddpConfig(int accumulation) {
  TrainConfig c;
  c.steps = kSteps;
  c.batch_size = 2;
  c.grad_accumulation = accumulation;
  c.lr = 1e-3;
  c.warmup_steps = 1;
  c.checkpoint_every = 2;
  c.seed = 3;
  c.threads = 1;
  c.qa_ratio = 0.5;
  c.loader_workers = 0;
  c.ema_decay = 0.5;
  return c;
}

void writeWeights(const ThinkVlaNet& net, const fs::path& file) {
  NamedTensors t;
  for (const auto& p : net->named_parameters()) t.emplace_back(p.key(), p.value().detach());
  writeSafetensors(file.string(), t);
}

// The step after which rank 0 cancels in the "cancel" mode, from its progress callback: that is
// after the step's all-reduce, so only the next step's all-reduce can carry the request.
constexpr std::int64_t kCancelAt = 2;

// The child: one rank of the group. In the "cancel" mode rank 0 cancels itself after step
// kCancelAt of a longer run; every rank must then stop cancelled after step kCancelAt + 1.
int runRank(int rank, int world, int port, const fs::path& dir, bool cancel_mode) {
  try {
    DistributedOptions d;
    d.rank = rank;
    d.world_size = world;
    d.master_port = port;
    d.timeout = std::chrono::seconds(60);
    auto group = std::make_shared<ProcessGroup>(d);
    TrainerOptions o;
    o.config = ddpConfig(1);
    if (cancel_mode) o.config.steps = 3 * kCancelAt;
    o.out_dir = dir / ("rank" + std::to_string(rank));
    o.process_group = group;
    Trainer* self = nullptr;
    if (cancel_mode && rank == 0) {
      o.on_progress = [&self](const TrainProgress& p) {
        if (p.step == kCancelAt && self) self->cancel();
      };
    }
    // Every rank initialises differently on purpose: rank 0's weights must win.
    Trainer trainer(initCheckpoint(PolicyConfig::fromPreset("tiny"), 1 + rank),
                    {{train_test::makeStore(), 1.0}}, o);
    self = &trainer;
    const TrainState end = trainer.run();
    if (cancel_mode) {
      if (end == TrainState::kCancelled && trainer.step() == kCancelAt + 1) return 0;
      std::cerr << "rank " << rank << ": ended " << toString(end) << " at step " << trainer.step()
                << ", expected cancelled at step " << kCancelAt + 1 << '\n';
      return 4;
    }
    if (end != TrainState::kFinished) return 3;
    writeWeights(trainer.checkpoint().net, dir / ("weights" + std::to_string(rank) + ".safetensors"));
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "rank " << rank << ": " << e.what() << '\n';
    return 1;
  }
}

std::map<std::string, torch::Tensor> readWeights(const fs::path& file) {
  auto c = readSafetensors(file.string());
  return {c.tensors.begin(), c.tensors.end()};
}

// Runs this binary as ranks 0 and 1 in `dir` and checks that both exit 0.
void runTwoRanks(QObject* parent, const fs::path& dir, const char* mode) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  const int port = findFreeLoopbackPort();
  QList<QProcess*> ranks;
  for (int r = 0; r < 2; ++r) {
    auto* p = new QProcess(parent);
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("THINKVLA_DDP_RANK", QString::number(r));
    env.insert("THINKVLA_DDP_PORT", QString::number(port));
    env.insert("THINKVLA_DDP_DIR", QString::fromStdString(dir.string()));
    env.insert("THINKVLA_DDP_MODE", mode);
    p->setProcessEnvironment(env);
    p->setProcessChannelMode(QProcess::ForwardedChannels);
    p->start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(p->waitForStarted());
    ranks.append(p);
  }
  bool all_finished = true;
  for (auto* p : ranks) all_finished = p->waitForFinished(120000) && all_finished;
  QVERIFY2(all_finished, "a rank did not finish");
  for (int r = 0; r < 2; ++r) {
    QCOMPARE(ranks[r]->exitStatus(), QProcess::NormalExit);
    QCOMPARE(ranks[r]->exitCode(), 0);
  }
}

fs::path testDir(const char* name) {
  const fs::path base = qEnvironmentVariableIsSet("THINKVLA_TEST_TMP")
                            ? fs::path(qEnvironmentVariable("THINKVLA_TEST_TMP").toStdString())
                            : fs::temp_directory_path();
  return base / name;
}

}  // namespace

class TestTrainerDdp : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void twoRanksKeepIdenticalWeights() {
    const fs::path dir = testDir("test_trainer_ddp");
    runTwoRanks(this, dir, "train");
    if (QTest::currentTestFailed()) return;

    const auto w0 = readWeights(dir / "weights0.safetensors");
    const auto w1 = readWeights(dir / "weights1.safetensors");
    QCOMPARE(w0.size(), w1.size());
    for (const auto& [name, t] : w0) QVERIFY2(torch::equal(t, w1.at(name)), name.c_str());

    // Rank 0 alone wrote checkpoints.
    QVERIFY(fs::exists(dir / "rank0" / "checkpoint" / "trainer_state.json"));
    QVERIFY(!fs::exists(dir / "rank1" / "checkpoint"));
    const auto ckpt = loadCheckpoint((dir / "rank0" / "checkpoint").string());
    QVERIFY(ckpt.net);

    // One process over the same global batch: 2 accumulated batches per step, stream indices
    // 2s and 2s + 1, as ranks 0 and 1 drew them.
    TrainerOptions o;
    o.config = ddpConfig(2);
    o.out_dir = dir / "single";
    Trainer single(initCheckpoint(PolicyConfig::fromPreset("tiny"), 1), {{train_test::makeStore(), 1.0}}, o);
    QVERIFY(single.run() == TrainState::kFinished);
    double worst = 0.0;
    bool moved = false;
    const auto initial = initCheckpoint(PolicyConfig::fromPreset("tiny"), 1);
    auto init_params = initial.net->named_parameters();
    for (const auto& p : single.checkpoint().net->named_parameters()) {
      worst = std::max(worst, (p.value() - w0.at(p.key())).abs().max().item<double>());
      moved = moved || !torch::equal(p.value(), *init_params.find(p.key()));
    }
    qInfo("largest difference, 2 ranks vs 1 process with accumulation: %.3g", worst);
    QVERIFY(moved);
    QVERIFY2(worst < 1e-4, std::to_string(worst).c_str());
  }

  // Rank 0 cancels itself right after a step's all-reduce (from its progress callback), the
  // moment a rank that stopped on its own flag would leave rank 1 alone in the next all-reduce.
  // Both must carry on one step, agree, and stop cancelled after the same step (runRank checks it).
  void aCancelOnOneRankStopsBothAfterTheSameStep() {
    const fs::path dir = testDir("test_trainer_ddp_cancel");
    runTwoRanks(this, dir, "cancel");
    if (QTest::currentTestFailed()) return;
    // Nothing is written at a cancel: rank 0's last checkpoint is the periodic one at step 2.
    const auto ckpt = loadCheckpoint((dir / "rank0" / "checkpoint").string());
    QVERIFY(ckpt.net);
    QFile state(QString::fromStdString((dir / "rank0" / "checkpoint" / "trainer_state.json").string()));
    QVERIFY(state.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(state.readAll()).object().value("step").toInt(), int(kCancelAt));
    QVERIFY(!fs::exists(dir / "rank1" / "checkpoint"));
  }

  void badDistributedOptionsAreNamed() {
    DistributedOptions d;
    d.world_size = 2;
    d.rank = 2;
    QVERIFY_THROWS_EXCEPTION(DistributedError, d.validate());
    DistributedOptions m;
    parseMasterAddress("10.0.0.2:29511", m);
    QCOMPARE(m.master_addr, std::string("10.0.0.2"));
    QCOMPARE(m.master_port, 29511);
    QVERIFY_THROWS_EXCEPTION(DistributedError, parseMasterAddress("10.0.0.2", m));
    QVERIFY_THROWS_EXCEPTION(DistributedError, parseMasterAddress("host:port", m));
    QVERIFY_THROWS_EXCEPTION(DistributedError, parseMasterAddress("host:70000", m));
  }
};

int main(int argc, char** argv) {
  if (const char* rank = std::getenv("THINKVLA_DDP_RANK")) {
    const char* mode = std::getenv("THINKVLA_DDP_MODE");
    return runRank(std::atoi(rank), 2, std::atoi(std::getenv("THINKVLA_DDP_PORT")),
                   std::getenv("THINKVLA_DDP_DIR"), mode && std::string(mode) == "cancel");
  }
  QCoreApplication app(argc, argv);
  TestTrainerDdp test;
  return QTest::qExec(&test, argc, argv);
}
#include "test_trainer_ddp.moc"
