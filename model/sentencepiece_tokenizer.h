// The policy's tokenizer: a byte-pair-encoding model in SentencePiece's own file format
// (`tokenizer.model`, a serialized sentencepiece.ModelProto), trained by the project on its task and
// spatial-QA vocabulary and shipped in every checkpoint. Python's sentencepiece loads the file and
// splits text the same way. Our own code reads and writes the protobuf: Debian's libsentencepiece
// embeds a protobuf-lite that crashes beside LibTorch's, so it is never linked.
//
// Text convention (SentencePiece's defaults): extra whitespace removed, a dummy "▁" prefix, every
// space written as "▁" (U+2581). User-defined symbols (`<anchor>`) are matched whole before BPE.
//
// A tokenizer is an immutable value once built; const methods may be called from any thread.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace thinkvla::model {

// Thrown for unreadable or malformed tokenizer files; the message names the file and the field.
struct TokenizerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SentencePieceTokenizer {
 public:
  // sentencepiece.ModelProto.SentencePiece.Type
  enum class PieceType : int {
    kNormal = 1,
    kUnknown = 2,
    kControl = 3,
    kUserDefined = 4,
    kUnused = 5,
    kByte = 6
  };
  struct Piece {
    std::string text;
    float score = 0.0f;
    PieceType type = PieceType::kNormal;
  };

  struct TrainOptions {
    // Upper bound on the number of pieces; training stops earlier when no pair is left to merge.
    int vocab_size = 512;
    std::vector<std::string> user_defined_symbols = {"<anchor>"};
  };

  static constexpr const char* kAnchorPiece = "<anchor>";
  static constexpr int kUnkId = 0;
  static constexpr int kBosId = 1;
  static constexpr int kEosId = 2;
  static constexpr int kPadId = 3;

  // Trains BPE on `corpus` (one sentence per element). Deterministic.
  static SentencePieceTokenizer train(const std::vector<std::string>& corpus,
                                      const TrainOptions& options);
  // Parses a serialized ModelProto; `source` names the file in error messages.
  static SentencePieceTokenizer parse(const std::string& bytes, const std::string& source);
  static SentencePieceTokenizer load(const std::string& path);

  std::string serialize() const;
  void save(const std::string& path) const;

  // Text to ids (no bos/eos added) and back. Unknown characters become <unk> (consecutive ones
  // merged, as SentencePiece does); control pieces decode to nothing.
  std::vector<int64_t> encode(const std::string& text) const;
  std::vector<std::string> encodeAsPieces(const std::string& text) const;
  std::string decode(const std::vector<int64_t>& ids) const;

  int vocabSize() const { return static_cast<int>(pieces_.size()); }
  int pieceToId(const std::string& piece) const;  // -1 when absent
  const Piece& piece(int id) const { return pieces_.at(static_cast<size_t>(id)); }
  int anchorId() const { return anchor_id_; }
  int unkId() const { return unk_id_; }
  int bosId() const { return bos_id_; }
  int eosId() const { return eos_id_; }
  int padId() const { return pad_id_; }

  bool operator==(const SentencePieceTokenizer& other) const;

 private:
  void index(const std::string& source);
  std::vector<std::string> split(const std::string& normalized) const;

  std::vector<Piece> pieces_;
  std::unordered_map<std::string, int> piece_ids_;
  std::vector<std::string> user_defined_;  // longest first
  int unk_id_ = kUnkId;
  int bos_id_ = kBosId;
  int eos_id_ = kEosId;
  int pad_id_ = kPadId;
  int anchor_id_ = -1;
};

// Normalizes like SentencePiece's identity normalizer with its default flags: trims, collapses
// runs of whitespace, adds the dummy prefix and writes spaces as "▁".
std::string normalizeForSentencePiece(const std::string& text);

}  // namespace thinkvla::model
