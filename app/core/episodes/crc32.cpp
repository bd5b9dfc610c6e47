#include "core/episodes/crc32.h"

#include <array>

namespace thinkvla::core {
namespace {

// Slicing-by-4 tables: a step record is ~230 KB and is checksummed on the writer thread.
struct Crc32Tables {
  std::array<std::array<std::uint32_t, 256>, 4> t{};
  Crc32Tables() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1U) ? (0xEDB88320U ^ (c >> 1)) : (c >> 1);
      t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 4; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFU];
    }
  }
};

const Crc32Tables& tables() {
  static const Crc32Tables instance;
  return instance;
}

}  // namespace

std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc) {
  const auto& t = tables().t;
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  while (size >= 4) {
    crc ^= static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    crc = t[3][crc & 0xFFU] ^ t[2][(crc >> 8) & 0xFFU] ^ t[1][(crc >> 16) & 0xFFU] ^
          t[0][crc >> 24];
    p += 4;
    size -= 4;
  }
  while (size-- > 0) crc = t[0][(crc ^ *p++) & 0xFFU] ^ (crc >> 8);
  return ~crc;
}

}  // namespace thinkvla::core
