// The tokenizer: BPE training on the task vocabulary, SentencePiece's text convention, the model
// file's protobuf encoding (checked byte by byte on a hand-built model) and clear errors.
#include <QtTest/QtTest>

#include <fstream>
#include <tuple>

#include "model/sentencepiece_tokenizer.h"
#include "model/task_vocabulary.h"

using thinkvla::model::SentencePieceTokenizer;
using thinkvla::model::TokenizerError;

namespace {
const std::string kSp = "\xE2\x96\x81";

std::string varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string field(int number, int wire) { return varint((uint64_t(number) << 3) | wire); }
std::string bytesField(int number, const std::string& b) { return field(number, 2) + varint(b.size()) + b; }
std::string floatField(int number, float f) {
  std::string s = field(number, 5);
  char raw[4];
  std::memcpy(raw, &f, 4);
  return s + std::string(raw, 4);
}
std::string piece(const std::string& text, float score, int type) {
  return bytesField(1, bytesField(1, text) + floatField(2, score) + field(3, 0) + varint(type));
}
// A model as Python's sentencepiece would write it, written independently of our serializer.
std::string handBuiltModel() {
  std::string m;
  m += piece("<unk>", 0, 2) + piece("<s>", 0, 3) + piece("</s>", 0, 3) + piece("<pad>", 0, 3);
  m += piece("<anchor>", 0, 4);
  m += piece(kSp + "t", -1, 1) + piece("he", -2, 1) + piece(kSp + "the", -3, 1);
  m += piece(kSp, -4, 1) + piece("t", -5, 1) + piece("h", -6, 1) + piece("e", -7, 1) +
       piece("a", -8, 1);
  std::string trainer = field(3, 0) + varint(2) + field(4, 0) + varint(13) + field(40, 0) + varint(0) +
                        field(41, 0) + varint(1) + field(42, 0) + varint(2) + field(43, 0) + varint(3) +
                        bytesField(45, "<unk>") /* an unknown-to-us field, skipped */;
  m += bytesField(2, trainer);
  m += bytesField(3, bytesField(1, "identity"));
  return m;
}
}  // namespace

class TestSentencePieceTokenizer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void normalizesLikeSentencePiece() {
    QCOMPARE(thinkvla::model::normalizeForSentencePiece("  pick   up\tthe bowl "),
             kSp + "pick" + kSp + "up" + kSp + "the" + kSp + "bowl");
    QCOMPARE(thinkvla::model::normalizeForSentencePiece("   "), std::string());
  }

  void parsesAHandBuiltModelAndMergesByScore() {
    const auto tok = SentencePieceTokenizer::parse(handBuiltModel(), "hand.model");
    QCOMPARE(tok.vocabSize(), 13);
    QCOMPARE(tok.anchorId(), 4);
    QCOMPARE(tok.padId(), 3);
    // "▁the": ▁t (-1) merges first, then he (-2), then ▁t+he -> ▁the (-3).
    QCOMPARE(tok.encodeAsPieces("the"), std::vector<std::string>{kSp + "the"});
    QCOMPARE(tok.encode("the"), (std::vector<int64_t>{7}));
    // "ate": no adjacent pair is a piece, so the characters stay apart.
    QCOMPARE(tok.encodeAsPieces("ate"),
             (std::vector<std::string>{kSp, "a", "t", "e"}));
    // Unknown characters become one <unk> per run; <anchor> stays whole.
    QCOMPARE(tok.encode("the<anchor>xyz"), (std::vector<int64_t>{7, 4, 0}));
    QCOMPARE(tok.decode({7, 4, 8, 12}), std::string("the<anchor> a"));
    // Our serializer writes the same information back.
    const auto again = SentencePieceTokenizer::parse(tok.serialize(), "again");
    QVERIFY(again == tok);
  }

  void trainsOnTheTaskVocabulary() {
    const auto corpus = thinkvla::model::defaultTokenizerCorpus();
    SentencePieceTokenizer::TrainOptions options;
    options.vocab_size = 400;
    const auto tok = SentencePieceTokenizer::train(corpus, options);
    QCOMPARE(tok.vocabSize(), 400);
    QCOMPARE(tok.piece(0).type, SentencePieceTokenizer::PieceType::kUnknown);
    QCOMPARE(tok.piece(tok.anchorId()).text, std::string("<anchor>"));
    // Frequent words become single pieces; every sentence of the corpus round-trips.
    QCOMPARE(tok.encodeAsPieces("pick up the bowl"),
             (std::vector<std::string>{kSp + "pick", kSp + "up", kSp + "the", kSp + "bowl"}));
    for (const auto& s : corpus) {
      const auto ids = tok.encode(s);
      QVERIFY(std::find(ids.begin(), ids.end(), tok.unkId()) == ids.end());
      std::string collapsed = s;  // the corpus has no repeated spaces
      QCOMPARE(tok.decode(ids), collapsed);
    }
    // The anchor in a QA line is one token.
    const auto ids = tok.encode("where is the bowl? <anchor> the bowl");
    QCOMPARE(std::count(ids.begin(), ids.end(), static_cast<int64_t>(tok.anchorId())), 1L);
    // Merged pieces are ordered by score (the BPE merge order).
    for (int i = 6; i < tok.vocabSize(); ++i) QVERIFY(tok.piece(i).score < tok.piece(i - 1).score);
    // Deterministic.
    QVERIFY(SentencePieceTokenizer::train(corpus, options) == tok);
  }

  void matchesPythonSentencePiece() {
    // Python's sentencepiece 0.1.97 (Debian's python3-sentencepiece) loaded the tokenizer.model
    // that `thinkvla init` writes (the default training) and gave these ids and decodings.
    const auto tok = SentencePieceTokenizer::train(thinkvla::model::defaultTokenizerCorpus(), {});
    QCOMPARE(tok.vocabSize(), 486);
    const std::vector<std::tuple<std::string, std::vector<int64_t>, std::string>> golden = {
        {"pick up the black bowl next to the ramekin and place it on the plate",
         {74, 69, 7, 154, 47, 242, 67, 7, 105, 28, 75, 25, 51, 7, 45},
         "pick up the black bowl next to the ramekin and place it on the plate"},
        {"how far is the bowl from the plate? <anchor> the distance is 0.20 meters",
         {149, 155, 9, 7, 47, 114, 7, 186, 435, 4, 7, 137, 9, 387, 156},
         "how far is the bowl from the plate? <anchor> the distance is 0.20 meters"},
        {"  Where   is the mug? <anchor>the mug is at x 0.10 y 0.30 z 0.05 m",
         {435, 0, 142, 9, 7, 184, 435, 4, 437, 6, 90, 9, 151, 93, 207, 455, 54, 392, 94, 382, 30},
         " \xE2\x81\x87 here is the mug? <anchor>the mug is at x 0.10 y 0.30 z 0.05 m"},
        {"zebra QUIXOTIC \xC3\xBCn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9 42 \xE2\x81\x87 stack the red cube",
         {94, 436, 446, 37, 435, 0, 435, 0, 443, 0, 447, 0, 450, 0, 354, 466, 435, 0, 430, 7, 206, 104},
         "zebra  \xE2\x81\x87   \xE2\x81\x87 n \xE2\x81\x87 c \xE2\x81\x87 d \xE2\x81\x87  42  \xE2\x81\x87  "
         "stack the red cube"},
    };
    for (const auto& [text, ids, decoded] : golden) {
      QCOMPARE(tok.encode(text), ids);
      QCOMPARE(tok.decode(ids), decoded);
    }
  }

  void savesAndLoadsTheModelFile() {
    const auto tok = SentencePieceTokenizer::train(thinkvla::model::defaultTokenizerCorpus(), {});
    const std::string path = std::string(qgetenv("THINKVLA_TEST_TMP").constData()) + "/tok.model";
    QDir().mkpath(QString::fromStdString(std::string(qgetenv("THINKVLA_TEST_TMP").constData())));
    tok.save(path);
    const auto loaded = SentencePieceTokenizer::load(path);
    QVERIFY(loaded == tok);
    const std::string bytes = tok.serialize();
    QCOMPARE(static_cast<unsigned char>(bytes[0]), static_cast<unsigned char>(0x0A));  // field 1, LEN
  }

  void rejectsBrokenFiles() {
    const std::string good = handBuiltModel();
    auto expectError = [](const std::string& bytes, const char* needle) {
      try {
        SentencePieceTokenizer::parse(bytes, "broken.model");
        QFAIL("no error");
      } catch (const TokenizerError& e) {
        const std::string what = e.what();
        QVERIFY2(what.find("broken.model") != std::string::npos, e.what());
        QVERIFY2(what.find(needle) != std::string::npos, e.what());
      }
    };
    expectError(good.substr(0, good.size() / 2), "past the end");
    std::string unigram = piece("<unk>", 0, 2) + bytesField(2, field(3, 0) + varint(1));
    expectError(unigram, "model_type");
    std::string dup = piece("<unk>", 0, 2) + piece("<s>", 0, 3) + piece("</s>", 0, 3) +
                      piece("<pad>", 0, 3) + piece("a", 0, 1) + piece("a", -1, 1) +
                      bytesField(2, field(3, 0) + varint(2));
    expectError(dup, "duplicate");
    std::string bad_unk = piece("x", 0, 1) + bytesField(2, field(3, 0) + varint(2));
    expectError(bad_unk, "unk_id");
    try {
      SentencePieceTokenizer::load("/nonexistent/tokenizer.model");
      QFAIL("no error");
    } catch (const TokenizerError& e) {
      QVERIFY(std::string(e.what()).find("/nonexistent/tokenizer.model") != std::string::npos);
    }
  }
};

QTEST_GUILESS_MAIN(TestSentencePieceTokenizer)
#include "test_sentencepiece_tokenizer.moc"
