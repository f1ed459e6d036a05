// A validator for Trace Event Format documents, written from the format's
// documented fields per phase ("Trace Event Format", Google; sections
// "JSON Array Format"/"JSON Object Format", "Duration Events", "Complete
// Events", "Instant Events", "Counter Events", "Metadata Events"). ktstr's
// tests run it on every trace the writer produces; it accepts any valid
// document, not only ktstr's.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ktstr::trace {

// The problems found, one line each naming the event index and field
// ("event 12 (X): dur missing"); empty when the document is valid. Checks:
//  - the document is an array of events, or an object whose "traceEvents"
//    is one ("displayTimeUnit", when present, is "ms" or "ns");
//  - every event is an object with a known one-character "ph", a string
//    "name" (optional for E), an integer "pid", a string "cat" and an
//    object "args" when present;
//  - B, E, X, i, I, C, P, O, N, D, b, n, e, s, t, f: a number "ts" >= 0;
//  - B, E, X: an integer "tid"; X: a number "dur" >= 0;
//  - i, I: "s" one of g, p, t when present (t, the default, needs "tid");
//  - C: "args" with at least one member, every value a number;
//  - M: "name" one of process_name, process_labels, process_sort_index,
//    thread_name, thread_sort_index, with args {"name": string},
//    {"labels": string} or {"sort_index": integer}; thread_* need "tid";
//  - duration events of one (pid, tid) nest: "they must be nested", so a
//    complete event either contains or misses every other one (B/E pairs
//    are matched on a stack per thread, E without B is reported).
std::vector<std::string> check_trace(const nlohmann::json& doc);

}  // namespace ktstr::trace
