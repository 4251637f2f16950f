// The first packet of a connection (protocol 3.0 "Start-up"): an SSLRequest,
// a GSSENCRequest, a CancelRequest, or a StartupMessage with its parameters.
#ifndef CARELAKE_PGWIRE_STARTUP_H_
#define CARELAKE_PGWIRE_STARTUP_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::pgwire {

inline constexpr int32_t kProtocol30 = 3 << 16;
inline constexpr int32_t kSslRequestCode = 80877103;
inline constexpr int32_t kGssEncRequestCode = 80877104;
inline constexpr int32_t kCancelRequestCode = 80877102;
// PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
inline constexpr size_t kMaxStartupPacket = 10000;

struct StartupPacket {
  enum class Kind { kSslRequest, kGssEncRequest, kCancelRequest, kStartup };
  Kind kind = Kind::kStartup;
  int32_t protocol = kProtocol30;  // kStartup: major << 16 | minor
  // kStartup: user, database, application_name, options, client_encoding...
  std::map<std::string, std::string> parameters;
  // kStartup: `_pq_.` protocol options the server does not know (reported
  // back in NegotiateProtocolVersion).
  std::vector<std::string> unknown_protocol_options;
  // kCancelRequest: the BackendKeyData of the connection to cancel.
  int32_t process_id = 0;
  int32_t secret_key = 0;
};

// Parses the packet's body (after its length). InvalidArgument for a
// malformed packet; FailedPrecondition (SQLSTATE 0A000) for a protocol
// version other than 3.x, worded as PostgreSQL words it.
Result<StartupPacket> ParseStartupPacket(std::string_view body);

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_STARTUP_H_
