#include "host/solver/param_groups.h"

#include <algorithm>
#include <sstream>

#include "host/error.h"

namespace convlab {

bool glob_match(const std::string& pattern, const std::string& text) {
  // Iterative matcher with one backtrack point (the last '*'): linear in
  // practice, and no recursion on untrusted patterns.
  std::size_t p = 0, s = 0, star = std::string::npos, mark = 0;
  while (s < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[s])) {
      ++p;
      ++s;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = s;
    } else if (star != std::string::npos) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool group_matches(const ParamGroup& g, const std::string& name, const ParamInfo& info) {
  return (g.layer.empty() || g.layer == info.layer) && (g.role.empty() || g.role == info.role) &&
         (g.name.empty() || glob_match(g.name, name));
}

ParamPlan resolve_param_groups(const std::vector<ParamGroup>& groups, const std::map<std::string, ParamInfo>& params,
                               int64_t iterations_per_epoch) {
  ParamPlan plan;
  std::vector<bool> used(groups.size(), false);
  for (const auto& kv : params) {
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const ParamGroup& g = groups[i];
      if (!group_matches(g, kv.first, kv.second)) continue;
      used[i] = true;
      ParamSettings s;
      s.lr_mult = g.lr_mult;
      s.wd_mult = g.wd_mult;
      if (g.frozen) s.train_until = 0;
      if (g.train_epochs >= 0) s.train_until = g.train_epochs * iterations_per_epoch;
      plan[kv.first] = s;
      break;
    }
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    // A group that only matches parameters an earlier group took is unused
    // too: it has no effect, which is as surely a mistake.
    if (used[i]) continue;
    bool shadowed = false;
    std::ostringstream list;
    for (const auto& kv : params) {
      list << (list.tellp() > 0 ? ", " : "") << kv.first << " (" << kv.second.layer << " " << kv.second.role << ")";
      shadowed = shadowed || group_matches(groups[i], kv.first, kv.second);
    }
    throw Error(groups[i].where + ": " +
                (shadowed ? std::string("matches only parameters that an earlier group already matches")
                          : std::string("matches no parameter of the model")) +
                " (parameters: " + list.str() + ")");
  }
  return plan;
}

std::string describe_param_plan(const ParamPlan& plan, int64_t iterations_per_epoch) {
  std::ostringstream line;
  for (const auto& kv : plan) {
    const ParamSettings& s = kv.second;
    std::ostringstream what;
    if (s.train_until == 0) {
      what << " frozen";
    } else {
      if (s.lr_mult != 1.0) what << " lr x" << s.lr_mult;
      if (s.wd_mult != 1.0) what << " wd x" << s.wd_mult;
      if (s.train_until > 0)
        what << " frozen after epoch " << s.train_until / std::max<int64_t>(iterations_per_epoch, 1);
    }
    if (what.tellp() > 0) line << (line.tellp() > 0 ? "," : "param_groups:") << " " << kv.first << what.str();
  }
  return line.str();
}

std::vector<ParamGroup> parse_param_groups(config::JsonReader& r) {
  std::vector<ParamGroup> groups;
  const nlohmann::json& list = r.value("param_groups");
  if (list.is_null()) return groups;
  if (!list.is_array()) r.fail("param_groups", "expected a list of groups, got " + config::json_brief(list));
  for (std::size_t i = 0; i < list.size(); ++i) {
    ParamGroup g;
    g.where = r.path_of("param_groups") + "[" + std::to_string(i) + "]";
    config::JsonReader gr(list[i], g.where);
    {
      config::JsonReader m = gr.object("match", true);
      auto text = [&](const std::string& key, const std::vector<std::string>& choices) {
        if (!m.has(key)) return m.string(key, std::string());  // absent: any
        const std::string v = m.string(key, std::nullopt, choices);
        if (v.empty()) m.fail(key, "expected a non-empty string (leave the key out to match any)");
        return v;
      };
      g.layer = text("layer", {});
      g.role = text("role", {"weight", "bias"});
      g.name = text("name", {});
      m.finish();
    }
    g.lr_mult = gr.number("lr_mult", g.lr_mult, 0.0, 1e6);
    g.wd_mult = gr.number("wd_mult", g.wd_mult, 0.0, 1e6);
    g.frozen = gr.boolean("frozen", g.frozen);
    if (gr.has("train_epochs")) {
      g.train_epochs = gr.integer("train_epochs", std::nullopt, 0, 100000);
      if (g.frozen) gr.fail("train_epochs", "a frozen group is never trained; give frozen or train_epochs, not both");
    } else {
      gr.allow("train_epochs");
    }
    gr.finish();
    groups.push_back(g);
  }
  return groups;
}

nlohmann::json param_groups_json(const std::vector<ParamGroup>& groups) {
  nlohmann::json out = nlohmann::json::array();
  for (const ParamGroup& g : groups) {
    nlohmann::json match = nlohmann::json::object();
    if (!g.layer.empty()) match["layer"] = g.layer;
    if (!g.role.empty()) match["role"] = g.role;
    if (!g.name.empty()) match["name"] = g.name;
    nlohmann::json j = {{"match", match}, {"lr_mult", g.lr_mult}, {"wd_mult", g.wd_mult}, {"frozen", g.frozen}};
    if (g.train_epochs >= 0) j["train_epochs"] = g.train_epochs;
    out.push_back(j);
  }
  return out;
}

}  // namespace convlab
