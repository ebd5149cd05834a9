// Parameter groups (config "solver.param_groups"): per-parameter multipliers
// of the learning rate and the weight decay, and frozen parameters.
//
// A group matches parameters by their layer kind, role and cs231n name
// (Model::param_info(); every criterion given must match, none given matches
// all); the first group that matches a parameter applies, and a parameter no
// group matches gets multipliers 1. A group that matches no parameter of the
// model is an error naming it. A frozen parameter is never updated; one with
// train_epochs n only in iterations [0, n * iterations_per_epoch). A
// parameter that is not updated keeps its optimiser state untouched.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/config/json_reader.h"
#include "models/model.h"

namespace convlab {

struct ParamGroup {
  std::string where;  // its JSON path, for errors: solver.param_groups[1]
  // Match criteria; empty: any.
  std::string layer;  // layer kind: conv, affine, spatial_batchnorm, ...
  std::string role;   // weight or bias
  std::string name;   // glob on the name (* any run of characters, ? one character)
  double lr_mult = 1.0, wd_mult = 1.0;
  bool frozen = false;
  int64_t train_epochs = -1;  // >= 0: updated only while the epoch is below it
};

// What one parameter gets.
struct ParamSettings {
  double lr_mult = 1.0, wd_mult = 1.0;
  int64_t train_until = -1;  // updated in iterations [0, train_until); < 0: always
  bool updated_at(int64_t iteration) const { return train_until < 0 || iteration < train_until; }
};

// Settings by parameter name; a name that is absent gets the defaults.
using ParamPlan = std::map<std::string, ParamSettings>;

// Glob match of the whole string: * matches any run of characters, ? one.
bool glob_match(const std::string& pattern, const std::string& text);
bool group_matches(const ParamGroup& g, const std::string& name, const ParamInfo& info);

// The plan of `groups` for a model's parameters (Model::param_info()).
// Throws convlab::Error naming the group (its JSON path) when a group matches
// no parameter, listing the parameters.
ParamPlan resolve_param_groups(const std::vector<ParamGroup>& groups, const std::map<std::string, ParamInfo>& params,
                               int64_t iterations_per_epoch);

// One line for the training log, e.g. "param_groups: W1 lr x2 wd x0.5,
// b1 frozen after epoch 1, gamma1 frozen" (parameters in name order; those
// with the defaults left out); "" for an empty plan.
std::string describe_param_plan(const ParamPlan& plan, int64_t iterations_per_epoch);

// Reads the list at r's key "param_groups" (absent or null: none); errors
// name the JSON path.
std::vector<ParamGroup> parse_param_groups(config::JsonReader& r);
// The groups as the config writes them, every value filled in.
nlohmann::json param_groups_json(const std::vector<ParamGroup>& groups);

}  // namespace convlab
