// safetensors: the exact byte layout, round trips of every dtype, files written the way Python's
// safetensors writes them, and clear errors for every kind of damage.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include "model/safetensors.h"

using namespace thinkvla::model;

namespace {
std::string le64(uint64_t n) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  return s;
}
std::string floats(std::initializer_list<float> values) {
  std::string s;
  for (float f : values) s.append(reinterpret_cast<const char*>(&f), 4);
  return s;
}
std::string file(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}
void expectError(const std::string& bytes, const std::vector<std::string>& needles) {
  try {
    parseSafetensors(bytes, "weights.safetensors");
    QFAIL("no error");
  } catch (const SafetensorsError& e) {
    const std::string what = e.what();
    QVERIFY2(what.find("weights.safetensors") != std::string::npos, e.what());
    for (const auto& n : needles) QVERIFY2(what.find(n) != std::string::npos, e.what());
  }
}
}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void writesTheExactLayout() {
    const auto bytes = serializeSafetensors({{"a", torch::tensor({1.0f, 2.0f})}});
    const std::string json = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    std::string padded = json;
    while ((padded.size() + 8) % 8 != 0) padded.push_back(' ');
    QCOMPARE(bytes, file(padded, floats({1.0f, 2.0f})));
  }

  void readsWhatPythonWrites() {
    // Keys in arbitrary order, metadata first, tensors stored in a different order than listed.
    const std::string header =
        R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]},)"
        R"("b":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[24,24]}})";
    std::string data = le64(7) + floats({1, 2, 3, 4});
    const auto c = parseSafetensors(file(header, data), "py.safetensors");
    QCOMPARE(c.metadata.at("format"), std::string("pt"));
    QCOMPARE(c.tensors.size(), size_t(3));
    QCOMPARE(c.tensors[0].first, std::string("b"));
    QCOMPARE(c.tensors[0].second.item<int64_t>(), int64_t(7));
    QCOMPARE(c.tensors[1].first, std::string("w"));
    QVERIFY(torch::equal(c.tensors[1].second, torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}})));
    QCOMPARE(c.tensors[2].second.numel(), int64_t(0));
  }

  void roundTripsEveryDtypeBitForBit() {
    torch::manual_seed(1);
    NamedTensors in = {
        {"f32", torch::randn({3, 5})},
        {"f64", torch::randn({4}, torch::kFloat64)},
        {"f16", torch::randn({2, 3}).to(torch::kFloat16)},
        {"bf16", torch::randn({7}).to(torch::kBFloat16)},
        {"i64", torch::arange(-5, 5, torch::kInt64)},
        {"i32", torch::arange(0, 6, torch::kInt32).view({2, 3})},
        {"u8", torch::arange(0, 255, torch::kInt32).to(torch::kUInt8)},
        {"bool", torch::tensor({true, false, true})},
        {"scalar", torch::tensor(3.5f)},
        {"strided", torch::randn({4, 6}).t()},  // non-contiguous input
    };
    const std::string dir = std::string(qgetenv("THINKVLA_TEST_TMP").constData());
    QDir().mkpath(QString::fromStdString(dir));
    writeSafetensors(dir + "/all.safetensors", in, {{"k", "v"}});
    const auto out = readSafetensors(dir + "/all.safetensors");
    QCOMPARE(out.metadata.at("k"), std::string("v"));
    QCOMPARE(out.tensors.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      QCOMPARE(out.tensors[i].first, in[i].first);
      QCOMPARE(out.tensors[i].second.scalar_type(), in[i].second.scalar_type());
      QCOMPARE(out.tensors[i].second.sizes().vec(), in[i].second.sizes().vec());
      QVERIFY2(torch::equal(out.tensors[i].second, in[i].second), in[i].first.c_str());
    }
  }

  void rejectsDamage() {
    const std::string good_header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    const std::string good = file(good_header, floats({1, 2}));
    QCOMPARE(parseSafetensors(good, "x").tensors.size(), size_t(1));
    expectError(good.substr(0, 5), {"shorter than the 8-byte header length"});
    expectError(good.substr(0, 30), {"header length", "truncated"});
    expectError(good.substr(0, good.size() - 3), {"tensor 'a'", "data_offsets", "truncated"});
    expectError(le64(good_header.size()) + "{\"a\":[" + good.substr(14), {"not valid JSON"});
    // A header that lies: offsets fine, shape wants more bytes.
    expectError(file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", floats({1, 2})),
                {"tensor 'a'", "8 bytes", "need 12"});
    // A header length far larger than the file.
    expectError(le64(uint64_t(1) << 40) + good_header, {"header length"});
    expectError(file(R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", floats({1, 2})),
                {"tensor 'a'", "dtype 'Q4'"});
    expectError(file(R"({"a":{"dtype":"F32","shape":[2]}})", floats({1, 2})),
                {"tensor 'a'", "data_offsets"});
    expectError(file(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", floats({1, 2})),
                {"tensor 'a'", "shape"});
    expectError(file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                     R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                     floats({1, 2})),
                {"overlapping"});
    expectError(file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", floats({1, 2})),
                {"tensor 'a'", "hole"});
    expectError(file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({1, 2})),
                {"cover 4 of the 8"});
    expectError(file(R"({"__metadata__":{"n":3}})", ""), {"__metadata__.n"});
    try {
      readSafetensors("/nonexistent/model.safetensors");
      QFAIL("no error");
    } catch (const SafetensorsError& e) {
      QVERIFY(std::string(e.what()).find("/nonexistent/model.safetensors") != std::string::npos);
    }
  }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
