#pragma once
// Writing a file so that readers see the old content or the complete new one, never a part,
// and a secret is never briefly readable by others (keys, the authenticator's state).
#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace twofold::core {

// Writes `content` to a temporary file beside `path` with `mode` already set, syncs it,
// renames it over `path` and syncs the directory. On failure nothing is left behind and
// std::runtime_error says what failed, on which file, and why ("cannot write …: No space …").
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           mode_t mode);

}  // namespace twofold::core
