#include "host/solver/history_io.h"

#include <cstdio>
#include <sstream>

namespace convlab {

nlohmann::json history_to_json(const History& h, const std::string& metric) {
  return {{"metric", metric},
          {"loss_history", h.loss_history},
          {"train_acc_history", h.train_acc_history},
          {"val_acc_history", h.val_acc_history},
          {"check_epoch", h.check_epoch},
          {"epoch_time_s", h.epoch_time_s},
          {"images_per_s", h.images_per_s}};
}

History history_from_json(const nlohmann::json& j) {
  History h;
  h.loss_history = j.at("loss_history").get<std::vector<double>>();
  h.train_acc_history = j.at("train_acc_history").get<std::vector<double>>();
  h.val_acc_history = j.at("val_acc_history").get<std::vector<double>>();
  h.check_epoch = j.at("check_epoch").get<std::vector<int64_t>>();
  h.epoch_time_s = j.at("epoch_time_s").get<std::vector<double>>();
  h.images_per_s = j.at("images_per_s").get<std::vector<double>>();
  return h;
}

std::string history_to_csv(const History& h, const std::string& metric, int64_t iterations_per_epoch) {
  std::ostringstream os;
  os << "epoch,train_" << metric << ",val_" << metric << ",mean_loss,epoch_time_s,images_per_s\n";
  for (std::size_t i = 0; i < h.check_epoch.size(); ++i) {
    const int64_t e = h.check_epoch[i];
    double mean_loss = 0;
    int64_t n = 0;
    if (e > 0) {
      for (int64_t t = (e - 1) * iterations_per_epoch; t < e * iterations_per_epoch &&
                                                         t < static_cast<int64_t>(h.loss_history.size());
           ++t, ++n)
        mean_loss += h.loss_history[static_cast<std::size_t>(t)];
    } else if (!h.loss_history.empty()) {
      mean_loss = h.loss_history[0];
      n = 1;
    }
    char buf[256];
    const bool timed = e > 0 && static_cast<std::size_t>(e - 1) < h.epoch_time_s.size();
    std::snprintf(buf, sizeof buf, "%lld,%.6f,%.6f,%.6f,%s,%s\n", static_cast<long long>(e), h.train_acc_history[i],
                  h.val_acc_history[i], n ? mean_loss / static_cast<double>(n) : 0.0,
                  timed ? std::to_string(h.epoch_time_s[static_cast<std::size_t>(e - 1)]).c_str() : "",
                  timed ? std::to_string(h.images_per_s[static_cast<std::size_t>(e - 1)]).c_str() : "");
    os << buf;
  }
  return os.str();
}

}  // namespace convlab
