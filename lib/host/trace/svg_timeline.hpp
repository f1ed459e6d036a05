// The run as one self-contained SVG picture, no viewer needed: vCPUs down,
// time across, each row coloured by the cgroup of the worker seen running
// on that CPU; steps labelled above, scheduler events marked (ejected and
// died in red, with the kernel's reason as a tooltip), each violation
// marked where it happened and numbered, a time axis in seconds, a legend
// and the violations listed below. A pure function of its inputs.
#pragma once

#include <span>
#include <string>

#include "base/telemetry.hpp"
#include "host/trace/model.hpp"

namespace ktstr::trace {

// The SVG document (no XML declaration, so it also embeds in HTML).
std::string render_svg(const RunTelemetry& t, const Title& title, std::span<const Mark> marks);

// One HTML page showing svg, titled `title` (no external resources).
std::string wrap_html(const std::string& svg, const std::string& title);

}  // namespace ktstr::trace
