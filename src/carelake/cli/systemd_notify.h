// Readiness and stopping notices to systemd (sd_notify, Debian
// libsystemd-dev), for `Type=notify` units (deploy/carelake@.service).
// Does nothing when the process was not started by systemd (no
// NOTIFY_SOCKET in the environment).
#ifndef CARELAKE_CLI_SYSTEMD_NOTIFY_H_
#define CARELAKE_CLI_SYSTEMD_NOTIFY_H_

#include <string>

namespace carelake::cli {

// "READY=1" with a STATUS= line for `systemctl status`.
void NotifyReady(const std::string& status);
// "STOPPING=1".
void NotifyStopping();

}  // namespace carelake::cli

#endif  // CARELAKE_CLI_SYSTEMD_NOTIFY_H_
