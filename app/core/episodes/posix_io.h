// Small POSIX helpers shared by the journal and the step log of core/episodes (internal). They
// retry on EINTR and short transfers and return false with errno set on failure. Any thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>

namespace thinkvla::core::posix {

bool writeAll(int fd, const void* data, std::size_t size);
bool pwriteAll(int fd, const void* data, std::size_t size, off_t offset);
// Reads up to `size` bytes at `offset`; returns the count read (short at end of file), -1 on error.
ssize_t preadFull(int fd, void* data, std::size_t size, off_t offset);
// Makes a rename, creation or deletion inside `directory` durable.
bool fsyncDirectory(const std::filesystem::path& directory);
// strerror(errno) as a string.
std::string lastErrorText();

}  // namespace thinkvla::core::posix
