#include "host/trace/trace_check.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include <fmt/format.h>

namespace ktstr::trace {
namespace {

using nlohmann::json;

// Phases of the format: duration, complete, instant (i and the older I),
// counter, async (b n e and the older S T p F), flow (s t f), sample (P),
// object (N O D), metadata (M), memory dump (V v), mark (R), context (( )),
// clock sync (c).
const std::set<std::string_view> kPhases = {"B", "E", "X", "i", "I", "C", "b", "n", "e", "S", "T", "p", "F", "s",
                                            "t", "f", "P", "N", "O", "D", "M", "V", "v", "R", "(", ")", "c"};
const std::set<std::string_view> kTimed = {"B", "E", "X", "i", "I", "C", "P", "O", "N", "D",
                                           "b", "n", "e", "s", "t", "f", "S", "T", "p", "F"};

struct Checker {
  std::vector<std::string> problems;
  size_t index = 0;
  std::string ph;

  void bad(std::string_view what) { problems.push_back(fmt::format("event {} ({}): {}", index, ph, what)); }

  void need_number(const json& e, const char* key, bool non_negative) {
    auto it = e.find(key);
    if (it == e.end()) return bad(fmt::format("{} missing", key));
    if (!it->is_number()) return bad(fmt::format("{} is not a number", key));
    if (non_negative && it->get<double>() < 0) bad(fmt::format("{} is negative", key));
  }
  void need_integer(const json& e, const char* key) {
    auto it = e.find(key);
    if (it == e.end()) return bad(fmt::format("{} missing", key));
    if (!it->is_number_integer()) bad(fmt::format("{} is not an integer", key));
  }

  void check_metadata(const json& e) {
    static const std::map<std::string_view, std::pair<const char*, bool>> kArg = {
        {"process_name", {"name", false}},       {"process_labels", {"labels", false}},
        {"process_sort_index", {"sort_index", true}}, {"thread_name", {"name", false}},
        {"thread_sort_index", {"sort_index", true}}};
    const std::string name = e.value("name", "");
    auto it = kArg.find(name);
    if (it == kArg.end()) return bad(fmt::format("unknown metadata name '{}'", name));
    if (name.starts_with("thread_")) need_integer(e, "tid");
    const auto [key, integer] = it->second;
    const json* args = e.contains("args") && e["args"].is_object() ? &e["args"] : nullptr;
    if (!args || !args->contains(key)) return bad(fmt::format("args.{} missing", key));
    if (integer ? !(*args)[key].is_number_integer() : !(*args)[key].is_string())
      bad(fmt::format("args.{} is not {}", key, integer ? "an integer" : "a string"));
  }

  void check_counter(const json& e) {
    if (!e.contains("args") || !e["args"].is_object() || e["args"].empty()) return bad("counter without args values");
    for (const auto& [k, v] : e["args"].items())
      if (!v.is_number()) bad(fmt::format("counter value args.{} is not a number", k));
  }

  void check_instant(const json& e) {
    const std::string scope = e.value("s", "t");
    if (scope != "g" && scope != "p" && scope != "t") bad(fmt::format("scope s '{}' is not g, p or t", scope));
    if (scope == "t") need_integer(e, "tid");
  }

  void check_event(const json& e) {
    ph.assign(1, '?');  // not ph = "?": g++ 12 warns falsely (-Wrestrict) on that
    if (!e.is_object()) return bad("not an object");
    if (!e.contains("ph") || !e["ph"].is_string()) return bad("ph missing");
    ph = e["ph"].get<std::string>();
    if (!kPhases.contains(ph)) return bad("unknown phase");
    if (ph != "E" && (!e.contains("name") || !e["name"].is_string())) bad("name missing");
    need_integer(e, "pid");
    if (e.contains("cat") && !e["cat"].is_string()) bad("cat is not a string");
    if (e.contains("args") && !e["args"].is_object()) bad("args is not an object");
    if (kTimed.contains(ph)) need_number(e, "ts", true);
    if (ph == "B" || ph == "E" || ph == "X") need_integer(e, "tid");
    if (ph == "X") need_number(e, "dur", true);
    if (ph == "i" || ph == "I") check_instant(e);
    if (ph == "C") check_counter(e);
    if (ph == "M") check_metadata(e);
  }
};

// A duration event's span on its thread.
struct Interval {
  double start, end;
  size_t index;
};

using ThreadKey = std::pair<int64_t, int64_t>;  // (pid, tid)

// The duration events of every thread as intervals: complete events as
// given, B/E pairs matched on a stack per thread (an E without B is a problem).
std::map<ThreadKey, std::vector<Interval>> thread_intervals(const json& events, std::vector<std::string>& problems) {
  std::map<ThreadKey, std::vector<Interval>> out;
  std::map<ThreadKey, std::vector<std::pair<double, size_t>>> open;
  for (size_t i = 0; i < events.size(); ++i) {
    const json& e = events[i];
    if (!e.is_object() || !e.contains("ts") || !e["ts"].is_number() || !e.contains("pid") || !e.contains("tid") ||
        !e["pid"].is_number_integer() || !e["tid"].is_number_integer())
      continue;
    const std::string ph = e.value("ph", "");
    const ThreadKey key{e["pid"].get<int64_t>(), e["tid"].get<int64_t>()};
    const double ts = e["ts"].get<double>();
    if (ph == "X" && e.contains("dur") && e["dur"].is_number()) {
      out[key].push_back({ts, ts + e["dur"].get<double>(), i});
    } else if (ph == "B") {
      open[key].push_back({ts, i});
    } else if (ph == "E" && open[key].empty()) {
      problems.push_back(fmt::format("event {} (E): no matching B on pid {} tid {}", i, key.first, key.second));
    } else if (ph == "E") {
      out[key].push_back({open[key].back().first, ts, open[key].back().second});
      open[key].pop_back();
    }
  }
  return out;
}

// Every pair of one thread's intervals nests or is disjoint.
void check_nested(const ThreadKey& key, std::vector<Interval>& iv, std::vector<std::string>& problems) {
  constexpr double kSlack = 1e-3;  // 1 ns: timestamps are microseconds as doubles
  std::sort(iv.begin(), iv.end(), [](const Interval& a, const Interval& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;  // parents before children
  });
  std::vector<const Interval*> stack;
  for (const auto& cur : iv) {
    while (!stack.empty() && stack.back()->end <= cur.start + kSlack) stack.pop_back();
    if (!stack.empty() && cur.end > stack.back()->end + kSlack)
      problems.push_back(fmt::format("event {} overlaps event {} on pid {} tid {} without nesting", cur.index,
                                     stack.back()->index, key.first, key.second));
    stack.push_back(&cur);
  }
}

}  // namespace

std::vector<std::string> check_trace(const json& doc) {
  const json* events = &doc;
  std::vector<std::string> problems;
  if (doc.is_object()) {
    if (!doc.contains("traceEvents") || !doc["traceEvents"].is_array()) return {"object without a traceEvents array"};
    events = &doc["traceEvents"];
    if (doc.contains("displayTimeUnit")) {
      const auto& u = doc["displayTimeUnit"];
      if (!u.is_string() || (u != "ms" && u != "ns")) problems.push_back("displayTimeUnit is not \"ms\" or \"ns\"");
    }
  } else if (!doc.is_array()) {
    return {"neither an array of events nor an object with traceEvents"};
  }
  Checker c;
  for (c.index = 0; c.index < events->size(); ++c.index) c.check_event((*events)[c.index]);
  problems.insert(problems.end(), c.problems.begin(), c.problems.end());
  for (auto& [key, intervals] : thread_intervals(*events, problems)) check_nested(key, intervals, problems);
  return problems;
}

}  // namespace ktstr::trace
