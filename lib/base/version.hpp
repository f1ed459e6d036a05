// The ktstr release this code was built from (project(ktstr VERSION ...)).
// A test executable carries the version of the adapter it was linked with
// (--ktstr-list "ktstr_version"); ktstr-vm compares it with its own.
#pragma once

#include <string>
#include <string_view>

namespace ktstr {

// "0.1.0".
std::string_view ktstr_version();

// "" when a test executable built against built_with may be run by a launcher
// of version own; otherwise one line naming both versions and what to do.
std::string version_skew(std::string_view built_with, std::string_view own);

}  // namespace ktstr
