// CRC-32 (IEEE 802.3, the polynomial of zlib and PNG) for the framing of our append-only logs and
// journals. Pure function; any thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace thinkvla::core {

// Continues `crc` (0 to start) over `size` bytes.
std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace thinkvla::core
