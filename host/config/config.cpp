#include "host/config/config.h"

#include <cmath>
#include <regex>

#include "host/config/json_reader.h"
#include "host/error.h"

namespace convlab::config {

json load_json_file(const std::string& path) { return read_json_file(path, "config file", kMaxConfigBytes); }

namespace {
// A list, an object, a quoted string or a JSON number (e.g. 1e999).
bool looks_like_json(const std::string& text) {
  static const std::regex number(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  return !text.empty() && (text[0] == '[' || text[0] == '{' || text[0] == '"' || std::regex_match(text, number));
}
}  // namespace

void apply_override(json& j, const std::string& assignment) {
  const auto eq = assignment.find('=');
  CONVLAB_CHECK(eq != std::string::npos && eq > 0,
                "--set " << assignment << ": expected KEY=VALUE, e.g. --set solver.num_epochs=2");
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  // Keys and bare words become JSON strings, which must be UTF-8 (the config
  // is written back as JSON): refuse other bytes here, naming the key.
  try {
    (void)json(assignment).dump();
  } catch (const json::type_error&) {
    throw Error("--set " + json_brief(json(key)) + ": not valid UTF-8 text");
  }
  // JSON where the text is JSON, else a bare word such as adam or cpu. Text
  // that is meant as JSON but is not valid (a number out of range such as
  // 1e999, "[1, 2" or an unterminated string) is an error, not a string.
  json value = text;
  if (json::accept(text) || looks_like_json(text)) value = parse_json(text, "--set " + key);
  json* node = &j;
  std::string walked;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    CONVLAB_CHECK(!part.empty(), "--set " << assignment << ": empty component in key '" << key << "'");
    walked += (walked.empty() ? "" : ".") + part;
    json* next = nullptr;
    if (node->is_array()) {
      std::size_t idx = 0;
      try {
        idx = static_cast<std::size_t>(std::stoul(part));
      } catch (const std::exception&) {
        throw Error("--set " + assignment + ": " + walked + ": expected a list index");
      }
      CONVLAB_CHECK(idx < node->size(), "--set " << assignment << ": " << walked << ": index out of range (list has "
                                                 << node->size() << " elements)");
      next = &(*node)[idx];
    } else {
      if (node->is_null()) *node = json::object();
      CONVLAB_CHECK(node->is_object(),
                    "--set " << assignment << ": " << walked << ": cannot set a key inside " << json_brief(*node));
      next = &(*node)[part];
    }
    if (dot == std::string::npos) {
      *next = value;
      return;
    }
    node = next;
    start = dot + 1;
  }
}

namespace {

DataConfig parse_data(JsonReader r, const json& spec) {
  DataConfig d;
  d.dataset = r.string("dataset", d.dataset, {"cifar10", "libsvm"});
  if (d.dataset == "libsvm") {  // checked by the regression pipeline
    for (const auto& kv : spec.items()) r.allow(kv.key());
    d.spec = spec;
    return d;
  }
  d.path = r.string("path", std::string());
  d.num_training = r.integer("num_training", d.num_training, 1, 50000);
  d.num_validation = r.integer("num_validation", d.num_validation, 0, 50000);
  d.validation = r.string("validation", d.validation, {"held_out", "from_training"});
  if (d.validation == "held_out")
    CONVLAB_CHECK(d.num_training + d.num_validation <= 50000,
                  r.path_of("num_validation") << ": num_training + num_validation must be <= 50000 (the CIFAR-10 "
                                              << "training images), got " << d.num_training << " + " << d.num_validation
                                              << " (or take them from the training images: \"validation\": "
                                                 "\"from_training\")");
  else
    CONVLAB_CHECK(d.num_validation <= d.num_training,
                  r.path_of("num_validation") << ": with \"validation\": \"from_training\" at most num_training ("
                                              << d.num_training << "), got " << d.num_validation);
  d.num_test = r.integer("num_test", d.num_test, 0, 10000);
  d.num_train = r.integer("num_train", d.num_train, -1, 50000);
  CONVLAB_CHECK(d.num_train != 0, r.path_of("num_train") << ": expected -1 (all) or an integer >= 1, got 0");
  CONVLAB_CHECK(d.num_train <= d.num_training, r.path_of("num_train") << ": expected at most data.num_training ("
                                                                      << d.num_training << "), got " << d.num_train);
  // normalize and the older subtract_mean: subtract_mean false means "none",
  // true any mean; a contradiction is an error.
  const bool has_subtract = r.has("subtract_mean");
  d.subtract_mean = r.boolean("subtract_mean", d.subtract_mean);
  d.normalize = r.string("normalize", std::string(d.subtract_mean ? "mean" : "none"), {"mean", "mean_std", "none"});
  if (has_subtract && r.has("normalize") && d.subtract_mean != (d.normalize != "none"))
    r.fail("normalize", "\"" + d.normalize +
                            "\" contradicts data.subtract_mean = " + (d.subtract_mean ? "true" : "false") +
                            " (subtract_mean false means normalize \"none\"; "
                            "keep one of the two keys)");
  d.subtract_mean = d.normalize != "none";
  {
    JsonReader a = r.object("augment");
    d.augment.translate = static_cast<int>(a.integer("translate", 0, 0, 16));
    d.augment.pad_mode = parse_pad_mode(a.string("pad_mode", std::string("reflect"), {"reflect", "zero"}));
    d.augment.flip = parse_flip_mode(a.string("flip", std::string("none"), {"none", "random", "alternating"}));
    d.augment.cutout = static_cast<int>(a.integer("cutout", 0, 0, 32));
    a.finish();
  }
  d.prefetch = r.boolean("prefetch", d.prefetch);
  r.finish();
  return d;
}

// A sample count where null (Python None) or -1 means "all".
int64_t count_or_all(JsonReader& r, const std::string& key, int64_t def) {
  if (r.contains(key) && !r.has(key)) {
    r.allow(key);
    return -1;
  }
  return r.integer(key, def, -1, 1LL << 40);
}

SolverConfig parse_solver(JsonReader r) {
  SolverConfig s;
  const std::string rule =
      r.string("update_rule", std::string("sgd"), {"sgd", "sgd_momentum", "rmsprop", "adam", "adamw"});
  s.optim.rule = parse_update_rule(rule);
  const bool adam = is_adam(s.optim.rule);
  JsonReader oc = r.object("optim_config");
  s.optim.learning_rate = oc.number("learning_rate", s.optim.lr(), 0.0, 1e3, true);
  if (s.optim.rule == UpdateRule::sgd_momentum) {
    s.optim.momentum = oc.number("momentum", s.optim.momentum, 0.0, 1.0);
    s.optim.nesterov = oc.boolean("nesterov", s.optim.nesterov);
    // As torch.optim.SGD: Nesterov's look-ahead needs a momentum.
    if (s.optim.nesterov && s.optim.momentum == 0.0)
      oc.fail("nesterov", "needs a momentum above 0 (optim_config.momentum is 0)");
  }
  if (s.optim.rule == UpdateRule::rmsprop) s.optim.decay_rate = oc.number("decay_rate", s.optim.decay_rate, 0.0, 1.0);
  if (adam) {
    s.optim.beta1 = oc.number("beta1", s.optim.beta1, 0.0, 1.0);
    s.optim.beta2 = oc.number("beta2", s.optim.beta2, 0.0, 1.0);
  }
  if (s.optim.rule == UpdateRule::rmsprop || adam)
    s.optim.epsilon = oc.number("epsilon", s.optim.epsilon, 0.0, 1.0, true);
  s.optim.weight_decay = oc.number("weight_decay", s.optim.wd(), 0.0, 1e3);
  const std::string wd_mode = oc.string(
      "weight_decay_mode", std::string(weight_decay_mode_name(s.optim.weight_decay_mode)), {"coupled", "decoupled"});
  s.optim.weight_decay_mode = wd_mode == "decoupled" ? WeightDecayMode::decoupled : WeightDecayMode::coupled;
  if (s.optim.rule == UpdateRule::adamw) {
    if (oc.has("weight_decay_mode") && wd_mode != "decoupled")
      oc.fail("weight_decay_mode", "adamw's weight decay is decoupled (for coupled weight decay use update_rule adam)");
    s.optim.weight_decay_mode = WeightDecayMode::decoupled;
  }
  // Keys of the other rules: say why they are rejected.
  const std::vector<std::pair<const char*, const char*>> other = {
      {"momentum", "sgd_momentum"}, {"nesterov", "sgd_momentum"}, {"decay_rate", "rmsprop"},
      {"beta1", "adam and adamw"},  {"beta2", "adam and adamw"},  {"epsilon", "rmsprop, adam and adamw"}};
  for (const auto& kv : other)
    if (r.value("optim_config").is_object() && r.value("optim_config").contains(kv.first) && !oc.is_known(kv.first))
      oc.fail(kv.first, std::string("not used by update_rule \"") + rule + "\" (only by " + kv.second + ")");
  oc.finish();
  const bool lr_decay_given = r.has("lr_decay");
  s.param_groups = parse_param_groups(r);
  s.lr_decay = r.number("lr_decay", s.lr_decay, 0.0, 1.0, true);
  s.lr_schedule = parse_lr_schedule(r.object("lr_schedule"), s.lr_decay, lr_decay_given);
  s.batch_size = r.integer("batch_size", s.batch_size, 1, 1 << 20);
  s.num_epochs = r.number("num_epochs", s.num_epochs, 0.0, 100000, true);
  s.num_train_samples = count_or_all(r, "num_train_samples", s.num_train_samples);
  s.num_val_samples = count_or_all(r, "num_val_samples", s.num_val_samples);
  CONVLAB_CHECK(s.num_train_samples != 0, r.path_of("num_train_samples")
                                              << ": expected null or -1 (all) or >= 1, got 0");
  CONVLAB_CHECK(s.num_val_samples != 0, r.path_of("num_val_samples") << ": expected null or -1 (all) or >= 1, got 0");
  s.print_every = r.integer("print_every", s.print_every, 1, std::numeric_limits<int64_t>::max());
  s.verbose = r.boolean("verbose", s.verbose);
  s.seed = static_cast<uint32_t>(r.integer("seed", s.seed, 0, 4294967295LL));
  s.progress = r.string("progress", s.progress, {"auto", "on", "off"});
  s.averaging = parse_weight_averaging(r.object("weight_averaging"));
  s.sampling = r.string("sampling", s.sampling, {"random", "epoch"});
  s.keep = r.string("keep", s.keep, {"best", "last"});
  r.finish();
  return s;
}

OutputConfig parse_output(JsonReader r) {
  OutputConfig o;
  o.dir = r.string("dir", o.dir);
  CONVLAB_CHECK(!o.dir.empty(), r.path_of("dir") << ": expected a non-empty folder name");
  o.name = r.string("name", o.name);
  o.save_checkpoint = r.boolean("save_checkpoint", o.save_checkpoint);
  r.finish();
  return o;
}

json optim_json(const OptimConfig& o) {
  json j = {{"learning_rate", o.lr()}};
  switch (o.rule) {
    case UpdateRule::sgd:
      break;
    case UpdateRule::sgd_momentum:
      j["momentum"] = o.momentum;
      j["nesterov"] = o.nesterov;
      break;
    case UpdateRule::rmsprop:
      j["decay_rate"] = o.decay_rate;
      j["epsilon"] = o.epsilon;
      break;
    case UpdateRule::adam:
    case UpdateRule::adamw:
      j["beta1"] = o.beta1;
      j["beta2"] = o.beta2;
      j["epsilon"] = o.epsilon;
      break;
  }
  j["weight_decay"] = o.wd();
  j["weight_decay_mode"] =
      weight_decay_mode_name(o.decoupled() ? WeightDecayMode::decoupled : WeightDecayMode::coupled);
  return j;
}

}  // namespace

RunConfig parse_run_config(const json& j) {
  JsonReader root(j, "");
  RunConfig c;
  c.data = parse_data(root.object("data"), j.contains("data") ? j["data"] : json::object());
  {
    const json& m = root.value("model");
    CONVLAB_CHECK(!m.is_null(), "model: missing (expected a JSON object with a \"type\")");
    JsonReader mr(m, "model");
    c.model.type = mr.string("type", std::nullopt);
    c.model.spec = m;
  }
  c.solver = parse_solver(root.object("solver"));
  c.device = root.string("device", c.device, {"auto", "cpu", "cuda"});
  c.precision = parse_math_precision(root.string("precision", "fp32", {"fp32", "tf32", "bf16"}));
  c.output = parse_output(root.object("output"));
  {
    JsonReader er = root.object("evaluation");
    c.evaluation.tta =
        parse_tta(er.string("tta", std::string("none"), {"none", "mirror", "mirror_translate"}), er.path_of("tta"));
    er.finish();
    CONVLAB_CHECK(c.evaluation.tta == TtaLevel::none || c.data.dataset == "cifar10",
                  er.path_of("tta") << ": test-time augmentation needs pictures (data.dataset \"cifar10\"), got "
                                    << "data.dataset \"" << c.data.dataset << "\"");
  }
  root.allow("sweep");        // expanded before parsing (host/config/sweep.h)
  root.allow("description");  // free text
  root.finish();

  const auto& d = c.data;
  const auto& s = c.solver;
  c.resolved = j;
  c.resolved.erase("sweep");
  c.resolved["data"] = {{"dataset", d.dataset},
                        {"num_training", d.num_training},
                        {"num_validation", d.num_validation},
                        {"validation", d.validation},
                        {"num_test", d.num_test},
                        {"num_train", d.num_train},
                        {"subtract_mean", d.subtract_mean},
                        {"normalize", d.normalize},
                        {"augment",
                         {{"translate", d.augment.translate},
                          {"pad_mode", pad_mode_name(d.augment.pad_mode)},
                          {"flip", flip_mode_name(d.augment.flip)},
                          {"cutout", d.augment.cutout}}},
                        {"prefetch", d.prefetch}};
  if (!d.path.empty()) c.resolved["data"]["path"] = d.path;
  if (d.dataset == "libsvm") c.resolved["data"] = d.spec;
  c.resolved["solver"] = {{"update_rule", update_rule_name(s.optim.rule)},
                          {"optim_config", optim_json(s.optim)},
                          {"lr_decay", s.lr_decay},
                          {"lr_schedule", lr_schedule_json(s.lr_schedule)},
                          {"batch_size", s.batch_size},
                          {"num_epochs", s.num_epochs},
                          {"num_train_samples", s.num_train_samples < 0 ? json(nullptr) : json(s.num_train_samples)},
                          {"num_val_samples", s.num_val_samples < 0 ? json(nullptr) : json(s.num_val_samples)},
                          {"print_every", s.print_every},
                          {"verbose", s.verbose},
                          {"seed", s.seed},
                          {"progress", s.progress},
                          {"sampling", s.sampling},
                          {"keep", s.keep},
                          {"weight_averaging", weight_averaging_json(s.averaging)}};
  // An integer num_epochs stays an integer in the resolved config.
  if (s.num_epochs == std::floor(s.num_epochs)) c.resolved["solver"]["num_epochs"] = static_cast<int64_t>(s.num_epochs);
  if (!s.param_groups.empty()) c.resolved["solver"]["param_groups"] = param_groups_json(s.param_groups);
  c.resolved["device"] = c.device;
  c.resolved["precision"] = math_precision_name(c.precision);
  c.resolved["evaluation"] = {{"tta", tta_name(c.evaluation.tta)}};
  c.resolved["output"] = {
      {"dir", c.output.dir}, {"name", c.output.name}, {"save_checkpoint", c.output.save_checkpoint}};
  return c;
}

}  // namespace convlab::config
