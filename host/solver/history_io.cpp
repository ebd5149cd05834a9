#include "host/solver/history_io.h"

#include <cstdio>
#include <sstream>

#include "host/error.h"

namespace convlab {

std::string metric_history_key(const std::string& split, const std::string& metric) {
  return split + "_" + metric + "_history";
}

nlohmann::json history_to_json(const History& h) {
  const std::string& metric = h.metric.name;
  return {{"metric", metric},
          {"loss_history", h.loss_history},
          {metric_history_key("train", metric), h.train_metric},
          {metric_history_key("val", metric), h.val_metric},
          {"check_epoch", h.check_epoch},
          {"epoch_time_s", h.epoch_time_s},
          {"images_per_s", h.images_per_s}};
}

std::string stored_metric_history_key(const nlohmann::json& j, const std::string& split, const std::string& metric) {
  const std::string key = metric_history_key(split, metric);
  const std::string legacy = metric_history_key(split, "acc");
  const bool legacy_layout = metric != "acc" && j.is_object() && !j.contains(metric_history_key("train", metric)) &&
                             !j.contains(metric_history_key("val", metric)) &&
                             j.contains(metric_history_key("train", "acc")) &&
                             j.contains(metric_history_key("val", "acc"));
  return legacy_layout ? legacy : key;
}

History history_from_json(const nlohmann::json& j, const Metric& metric) {
  CONVLAB_CHECK(j.is_object() && j.contains("metric") && j["metric"] == metric.name,
                "history: metric " << (j.is_object() && j.contains("metric") ? j["metric"].dump() : "missing")
                                   << ", the model's metric is \"" << metric.name << "\"");
  auto series = [&](const std::string& key) -> const nlohmann::json& {
    CONVLAB_CHECK(j.contains(key), "history: no \"" << key << "\" (metric \"" << metric.name << "\")");
    return j[key];
  };
  History h;
  h.metric = metric;
  h.loss_history = series("loss_history").get<std::vector<double>>();
  h.train_metric = series(metric_history_key("train", metric.name)).get<std::vector<double>>();
  h.val_metric = series(metric_history_key("val", metric.name)).get<std::vector<double>>();
  h.check_epoch = series("check_epoch").get<std::vector<int64_t>>();
  h.epoch_time_s = series("epoch_time_s").get<std::vector<double>>();
  h.images_per_s = series("images_per_s").get<std::vector<double>>();
  return h;
}

std::string history_to_csv(const History& h, int64_t iterations_per_epoch) {
  const std::string& metric = h.metric.name;
  std::ostringstream os;
  os << "epoch,train_" << metric << ",val_" << metric << ",mean_loss,epoch_time_s,images_per_s\n";
  for (std::size_t i = 0; i < h.check_epoch.size(); ++i) {
    const int64_t e = h.check_epoch[i];
    double mean_loss = 0;
    int64_t n = 0;
    if (e > 0) {
      for (int64_t t = (e - 1) * iterations_per_epoch;
           t < e * iterations_per_epoch && t < static_cast<int64_t>(h.loss_history.size()); ++t, ++n)
        mean_loss += h.loss_history[static_cast<std::size_t>(t)];
    } else if (!h.loss_history.empty()) {
      mean_loss = h.loss_history[0];
      n = 1;
    }
    char buf[256];
    const bool timed = e > 0 && static_cast<std::size_t>(e - 1) < h.epoch_time_s.size();
    std::snprintf(buf, sizeof buf, "%lld,%.6f,%.6f,%.6f,%s,%s\n", static_cast<long long>(e), h.train_metric[i],
                  h.val_metric[i], n ? mean_loss / static_cast<double>(n) : 0.0,
                  timed ? std::to_string(h.epoch_time_s[static_cast<std::size_t>(e - 1)]).c_str() : "",
                  timed ? std::to_string(h.images_per_s[static_cast<std::size_t>(e - 1)]).c_str() : "");
    os << buf;
  }
  return os.str();
}

}  // namespace convlab
