#include "model/sentencepiece_tokenizer.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace thinkvla::model {

namespace {

const std::string kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's whitespace marker

// --- protobuf wire format, only what ModelProto needs ------------------------------------------

void putVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void putTag(std::string& out, int field, int wire) { putVarint(out, (uint64_t(field) << 3) | wire); }
void putBytes(std::string& out, int field, const std::string& bytes) {
  putTag(out, field, 2);
  putVarint(out, bytes.size());
  out += bytes;
}
void putInt(std::string& out, int field, int64_t v) {
  putTag(out, field, 0);
  putVarint(out, static_cast<uint64_t>(v));  // negative int32 is sign-extended to 10 bytes
}
void putFloat(std::string& out, int field, float v) {
  putTag(out, field, 5);
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

class WireReader {
 public:
  WireReader(const std::string& data, size_t begin, size_t end, std::string context)
      : data_(data), pos_(begin), end_(end), context_(std::move(context)) {}
  bool atEnd() const { return pos_ >= end_; }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= end_) fail("truncated varint");
      const auto byte = static_cast<uint8_t>(data_[pos_++]);
      v |= uint64_t(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    fail("varint longer than 10 bytes");
    return 0;
  }
  // Returns [begin, end) of a length-delimited field.
  std::pair<size_t, size_t> lengthDelimited() {
    const uint64_t n = varint();
    if (n > end_ - pos_) fail("length-delimited field runs past the end of the message");
    const size_t begin = pos_;
    pos_ += n;
    return {begin, pos_};
  }
  float fixed32Float() {
    if (end_ - pos_ < 4) fail("truncated fixed32");
    uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) bits |= uint32_t(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += 4;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  void skip(int wire) {
    switch (wire) {
      case 0: varint(); break;
      case 1:
        if (end_ - pos_ < 8) fail("truncated fixed64");
        pos_ += 8;
        break;
      case 2: lengthDelimited(); break;
      case 5:
        if (end_ - pos_ < 4) fail("truncated fixed32");
        pos_ += 4;
        break;
      default: fail("unsupported wire type " + std::to_string(wire));
    }
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw TokenizerError(context_ + ": " + what + " at byte " + std::to_string(pos_));
  }

 private:
  const std::string& data_;
  size_t pos_;
  size_t end_;
  std::string context_;
};

size_t utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // invalid lead byte: treated as one (unknown) symbol
}

}  // namespace

std::string normalizeForSentencePiece(const std::string& text) {
  std::string collapsed;
  bool pending_space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !collapsed.empty();
      continue;
    }
    if (pending_space) collapsed.push_back(' ');
    pending_space = false;
    collapsed.push_back(c);
  }
  if (collapsed.empty()) return {};
  std::string out = kSpace;
  for (const char c : collapsed) {
    if (c == ' ') {
      out += kSpace;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

SentencePieceTokenizer SentencePieceTokenizer::train(const std::vector<std::string>& corpus,
                                                     const TrainOptions& options) {
  SentencePieceTokenizer tok;
  tok.pieces_ = {{"<unk>", 0.0f, PieceType::kUnknown},
                 {"<s>", 0.0f, PieceType::kControl},
                 {"</s>", 0.0f, PieceType::kControl},
                 {"<pad>", 0.0f, PieceType::kControl}};
  for (const auto& s : options.user_defined_symbols) {
    tok.pieces_.push_back({s, 0.0f, PieceType::kUserDefined});
  }
  tok.index("training");

  // Words (split at the whitespace marker, which starts each word) with their counts; user-defined
  // symbols are cut out first, as the encoder matches them whole.
  std::map<std::vector<std::string>, int64_t> word_counts;
  std::map<std::string, int64_t> char_counts;
  for (const auto& sentence : corpus) {
    std::vector<std::string> word;
    auto flush = [&] {
      if (!word.empty()) ++word_counts[word];
      word.clear();
    };
    for (const auto& symbol : tok.split(normalizeForSentencePiece(sentence))) {
      const int id = tok.pieceToId(symbol);
      if (id >= 0 && tok.pieces_[id].type == PieceType::kUserDefined) {
        flush();
        continue;
      }
      if (symbol == kSpace) flush();
      word.push_back(symbol);
      ++char_counts[symbol];
    }
    flush();
  }

  // Characters by frequency (ties by text) stay at the end of the vocabulary; merges fill the rest.
  std::vector<std::pair<std::string, int64_t>> chars(char_counts.begin(), char_counts.end());
  std::stable_sort(chars.begin(), chars.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  const int merges_wanted =
      options.vocab_size - static_cast<int>(tok.pieces_.size()) - static_cast<int>(chars.size());
  if (merges_wanted < 0) {
    throw TokenizerError("tokenizer training: vocab_size " + std::to_string(options.vocab_size) +
                         " is smaller than the " +
                         std::to_string(tok.pieces_.size() + chars.size()) +
                         " special pieces and characters of the corpus");
  }

  std::vector<std::pair<std::vector<std::string>, int64_t>> words(word_counts.begin(),
                                                                  word_counts.end());
  std::vector<std::string> merged_pieces;
  std::set<std::string> known(options.user_defined_symbols.begin(),
                              options.user_defined_symbols.end());
  for (const auto& c : chars) known.insert(c.first);
  while (static_cast<int>(merged_pieces.size()) < merges_wanted) {
    std::map<std::pair<std::string, std::string>, int64_t> pair_counts;
    for (const auto& [symbols, count] : words) {
      for (size_t i = 0; i + 1 < symbols.size(); ++i) pair_counts[{symbols[i], symbols[i + 1]}] += count;
    }
    const std::pair<std::string, std::string>* best = nullptr;
    int64_t best_count = 0;
    for (const auto& [pair, count] : pair_counts) {
      if (count > best_count && known.count(pair.first + pair.second) == 0) {
        best = &pair;
        best_count = count;
      }
    }
    if (best == nullptr) break;
    const std::string left = best->first;
    const std::string right = best->second;
    const std::string merged = left + right;
    merged_pieces.push_back(merged);
    known.insert(merged);
    for (auto& [symbols, count] : words) {
      std::vector<std::string> next;
      for (size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
          next.push_back(merged);
          ++i;
        } else {
          next.push_back(symbols[i]);
        }
      }
      symbols = std::move(next);
    }
  }
  // Scores order the merges: the encoder merges the pair whose result scores highest first.
  float score = 0.0f;
  for (const auto& p : merged_pieces) tok.pieces_.push_back({p, score -= 1.0f, PieceType::kNormal});
  for (const auto& c : chars) tok.pieces_.push_back({c.first, score -= 1.0f, PieceType::kNormal});
  tok.index("training");
  return tok;
}

void SentencePieceTokenizer::index(const std::string& source) {
  piece_ids_.clear();
  user_defined_.clear();
  anchor_id_ = -1;
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const auto& p = pieces_[i];
    if (p.text.empty()) {
      throw TokenizerError(source + ": pieces[" + std::to_string(i) + "].piece is empty");
    }
    if (!piece_ids_.emplace(p.text, static_cast<int>(i)).second) {
      throw TokenizerError(source + ": pieces[" + std::to_string(i) + "].piece '" + p.text +
                           "' is a duplicate");
    }
    if (p.type == PieceType::kUserDefined) user_defined_.push_back(p.text);
    if (p.text == kAnchorPiece) anchor_id_ = static_cast<int>(i);
  }
  std::sort(user_defined_.begin(), user_defined_.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  auto check = [&](int id, PieceType type, const char* field) {
    if (id >= 0 && (id >= static_cast<int>(pieces_.size()) || pieces_[id].type != type)) {
      throw TokenizerError(source + ": trainer_spec." + field + " " + std::to_string(id) +
                           " does not name a piece of the right type");
    }
  };
  check(unk_id_, PieceType::kUnknown, "unk_id");
  check(bos_id_, PieceType::kControl, "bos_id");
  check(eos_id_, PieceType::kControl, "eos_id");
  check(pad_id_, PieceType::kControl, "pad_id");
  if (unk_id_ < 0) throw TokenizerError(source + ": trainer_spec.unk_id must name a piece");
}

std::string SentencePieceTokenizer::serialize() const {
  std::string model;
  for (const auto& p : pieces_) {
    std::string piece;
    putBytes(piece, 1, p.text);
    putFloat(piece, 2, p.score);
    putInt(piece, 3, static_cast<int>(p.type));
    putBytes(model, 1, piece);
  }
  std::string trainer;
  putInt(trainer, 3, 2);  // model_type: BPE
  putInt(trainer, 4, vocabSize());
  putFloat(trainer, 10, 1.0f);  // character_coverage
  for (const auto& s : user_defined_) putBytes(trainer, 31, s);
  putInt(trainer, 40, unk_id_);
  putInt(trainer, 41, bos_id_);
  putInt(trainer, 42, eos_id_);
  putInt(trainer, 43, pad_id_);
  putBytes(model, 2, trainer);
  std::string normalizer;
  putBytes(normalizer, 1, "identity");
  putInt(normalizer, 3, 1);  // add_dummy_prefix
  putInt(normalizer, 4, 1);  // remove_extra_whitespaces
  putInt(normalizer, 5, 1);  // escape_whitespaces
  putBytes(model, 3, normalizer);
  return model;
}

SentencePieceTokenizer SentencePieceTokenizer::parse(const std::string& bytes,
                                                     const std::string& source) {
  SentencePieceTokenizer tok;
  int model_type = 1;  // proto default: UNIGRAM
  WireReader model(bytes, 0, bytes.size(), source);
  while (!model.atEnd()) {
    const uint64_t tag = model.varint();
    const int field = static_cast<int>(tag >> 3);
    const int wire = static_cast<int>(tag & 7);
    if (field == 1 && wire == 2) {
      const auto [b, e] = model.lengthDelimited();
      const std::string ctx = source + ": pieces[" + std::to_string(tok.pieces_.size()) + "]";
      WireReader pr(bytes, b, e, ctx);
      Piece p;
      while (!pr.atEnd()) {
        const uint64_t t = pr.varint();
        const int f = static_cast<int>(t >> 3);
        const int w = static_cast<int>(t & 7);
        if (f == 1 && w == 2) {
          const auto [pb, pe] = pr.lengthDelimited();
          p.text = bytes.substr(pb, pe - pb);
        } else if (f == 2 && w == 5) {
          p.score = pr.fixed32Float();
        } else if (f == 3 && w == 0) {
          const auto type = static_cast<int64_t>(pr.varint());
          if (type < 1 || type > 6) pr.fail("type " + std::to_string(type) + " is not a known piece type");
          p.type = static_cast<PieceType>(type);
        } else {
          pr.skip(w);
        }
      }
      tok.pieces_.push_back(std::move(p));
    } else if (field == 2 && wire == 2) {
      const auto [b, e] = model.lengthDelimited();
      WireReader tr(bytes, b, e, source + ": trainer_spec");
      while (!tr.atEnd()) {
        const uint64_t t = tr.varint();
        const int f = static_cast<int>(t >> 3);
        const int w = static_cast<int>(t & 7);
        if (w == 0 && (f == 3 || (f >= 40 && f <= 43))) {
          const auto v = static_cast<int32_t>(tr.varint());
          if (f == 3) model_type = v;
          if (f == 40) tok.unk_id_ = v;
          if (f == 41) tok.bos_id_ = v;
          if (f == 42) tok.eos_id_ = v;
          if (f == 43) tok.pad_id_ = v;
        } else {
          tr.skip(w);
        }
      }
    } else {
      model.skip(wire);
    }
  }
  if (model_type != 2) {
    throw TokenizerError(source + ": trainer_spec.model_type is " + std::to_string(model_type) +
                         "; only BPE (2) models are supported");
  }
  if (tok.pieces_.empty()) throw TokenizerError(source + ": pieces is empty");
  tok.index(source);
  return tok;
}

SentencePieceTokenizer SentencePieceTokenizer::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError(path + ": cannot open the tokenizer model");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

void SentencePieceTokenizer::save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::string bytes = serialize();
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw TokenizerError(path + ": cannot write the tokenizer model");
}

int SentencePieceTokenizer::pieceToId(const std::string& piece) const {
  const auto it = piece_ids_.find(piece);
  return it == piece_ids_.end() ? -1 : it->second;
}

std::vector<std::string> SentencePieceTokenizer::split(const std::string& normalized) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < normalized.size();) {
    bool matched = false;
    for (const auto& u : user_defined_) {
      if (normalized.compare(i, u.size(), u) == 0) {
        out.push_back(u);
        i += u.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const size_t n =
        std::min(utf8Length(static_cast<unsigned char>(normalized[i])), normalized.size() - i);
    out.push_back(normalized.substr(i, n));
    i += n;
  }
  return out;
}

std::vector<std::string> SentencePieceTokenizer::encodeAsPieces(const std::string& text) const {
  std::vector<std::string> symbols = split(normalizeForSentencePiece(text));
  std::vector<bool> atomic(symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i) {
    const int id = pieceToId(symbols[i]);
    atomic[i] = id >= 0 && pieces_[id].type == PieceType::kUserDefined;
  }
  // Greedy BPE as SentencePiece's bpe_model: merge the adjacent pair whose union is the
  // best-scoring normal piece, leftmost on ties, until none is left.
  while (true) {
    int best = -1;
    float best_score = 0.0f;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      if (atomic[i] || atomic[i + 1]) continue;
      const int id = pieceToId(symbols[i] + symbols[i + 1]);
      if (id < 0 || pieces_[id].type != PieceType::kNormal) continue;
      if (best < 0 || pieces_[id].score > best_score) {
        best = static_cast<int>(i);
        best_score = pieces_[id].score;
      }
    }
    if (best < 0) break;
    symbols[best] += symbols[best + 1];
    symbols.erase(symbols.begin() + best + 1);
    atomic.erase(atomic.begin() + best + 1);
  }
  return symbols;
}

std::vector<int64_t> SentencePieceTokenizer::encode(const std::string& text) const {
  std::vector<int64_t> ids;
  for (const auto& s : encodeAsPieces(text)) {
    const int id = pieceToId(s);
    const bool usable = id >= 0 && (pieces_[id].type == PieceType::kNormal ||
                                    pieces_[id].type == PieceType::kUserDefined);
    if (!usable) {
      if (!ids.empty() && ids.back() == unk_id_) continue;  // consecutive unknowns merge
      ids.push_back(unk_id_);
    } else {
      ids.push_back(id);
    }
  }
  return ids;
}

std::string SentencePieceTokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string text;
  for (const auto id : ids) {
    if (id < 0 || id >= vocabSize()) {
      text += " \xE2\x81\x87 ";
      continue;
    }
    const auto& p = pieces_[static_cast<size_t>(id)];
    if (p.type == PieceType::kControl) continue;
    if (p.type == PieceType::kUnknown) {
      text += " \xE2\x81\x87 ";  // SentencePiece's unk_surface
      continue;
    }
    text += p.text;
  }
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, kSpace.size(), kSpace) == 0) {
      out.push_back(' ');
      i += kSpace.size();
    } else {
      out.push_back(text[i++]);
    }
  }
  if (!out.empty() && out.front() == ' ') out.erase(out.begin());  // the dummy prefix
  return out;
}

bool SentencePieceTokenizer::operator==(const SentencePieceTokenizer& other) const {
  if (pieces_.size() != other.pieces_.size()) return false;
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const auto& a = pieces_[i];
    const auto& b = other.pieces_[i];
    if (a.text != b.text || a.type != b.type || a.score != b.score) return false;
  }
  return unk_id_ == other.unk_id_ && bos_id_ == other.bos_id_ && eos_id_ == other.eos_id_ &&
         pad_id_ == other.pad_id_;
}

}  // namespace thinkvla::model
