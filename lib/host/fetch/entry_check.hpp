// Lexical safety checks for archive entry names and link targets: the rules
// that keep an extracted archive inside its destination directory.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace ktstr::fetch {

// Normalises an entry name to a relative path without "." or empty
// components ("./linux/./a//b" -> "linux/a/b"); "" for the archive root
// itself ("./"). Fails for absolute names and for any ".." component.
Result<std::string> safe_relative_path(std::string_view name);

// Checks that a symlink stored at relative path `entry` (already normalised)
// with target `target` resolves, lexically, inside the destination. Fails for
// absolute targets and for targets that climb above the destination root.
Result<void> check_symlink_target(std::string_view entry, std::string_view target);

// First component of a normalised relative path ("linux/a/b" -> "linux").
std::string_view top_component(std::string_view rel);

}  // namespace ktstr::fetch
