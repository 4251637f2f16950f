#include "carelake/pgwire/startup.h"

#include "carelake/pgwire/wire.h"

namespace carelake::pgwire {

Result<StartupPacket> ParseStartupPacket(std::string_view body) {
  FieldReader r(body, "startup packet");
  StartupPacket p;
  CARELAKE_ASSIGN_OR_RETURN(int32_t code, r.Int32());
  if (code == kSslRequestCode || code == kGssEncRequestCode) {
    CARELAKE_RETURN_IF_ERROR(r.ExpectEnd());
    p.kind = code == kSslRequestCode ? StartupPacket::Kind::kSslRequest
                                     : StartupPacket::Kind::kGssEncRequest;
    return p;
  }
  if (code == kCancelRequestCode) {
    p.kind = StartupPacket::Kind::kCancelRequest;
    CARELAKE_ASSIGN_OR_RETURN(p.process_id, r.Int32());
    CARELAKE_ASSIGN_OR_RETURN(p.secret_key, r.Int32());
    CARELAKE_RETURN_IF_ERROR(r.ExpectEnd());
    return p;
  }
  const int major = code >> 16;
  const int minor = code & 0xffff;
  if (major != 3) {
    return FailedPrecondition("unsupported frontend protocol " + std::to_string(major) + "." +
                              std::to_string(minor) + ": server supports 3.0 to 3.0");
  }
  p.protocol = code;
  for (;;) {
    CARELAKE_ASSIGN_OR_RETURN(std::string_view name, r.CString());
    if (name.empty()) break;
    CARELAKE_ASSIGN_OR_RETURN(std::string_view value, r.CString());
    if (name.starts_with("_pq_.")) {
      p.unknown_protocol_options.emplace_back(name);
      continue;
    }
    p.parameters[std::string(name)] = std::string(value);
  }
  CARELAKE_RETURN_IF_ERROR(r.ExpectEnd());
  if (!p.parameters.contains("user")) {
    return InvalidArgument("no PostgreSQL user name specified in startup packet");
  }
  return p;
}

}  // namespace carelake::pgwire
