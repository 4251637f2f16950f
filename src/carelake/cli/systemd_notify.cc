#include "carelake/cli/systemd_notify.h"

#include <systemd/sd-daemon.h>

namespace carelake::cli {

void NotifyReady(const std::string& status) {
  std::string state = "READY=1\nSTATUS=" + status;
  sd_notify(0, state.c_str());
}

void NotifyStopping() { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

}  // namespace carelake::cli
