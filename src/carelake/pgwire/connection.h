// Connection: one client socket from accept to close — the start-up phase
// (SSLRequest → TLS, GSSENCRequest declined, CancelRequest, the
// StartupMessage and its parameters), SCRAM authentication against the
// project's users (auth/user_store.h), the database check, then the
// session's messages handed to a Backend until Terminate or an error.
//
// Start-up state machine (each step reads exactly one packet or message):
//   kNegotiating  → SSLRequest: 'S' + handshake (or 'N') → kNegotiating
//                 → GSSENCRequest: 'N' → kNegotiating
//                 → CancelRequest: cancel, close
//                 → StartupMessage → kAuthenticating
//   kAuthenticating → SASLInitialResponse → SASLResponse → kServing
//   kServing      → Backend::Handle per message
// An error before kServing is a FATAL ErrorResponse (where the protocol
// allows one) and the connection closes; the server goes on.
#ifndef CARELAKE_PGWIRE_CONNECTION_H_
#define CARELAKE_PGWIRE_CONNECTION_H_

#include <string>

namespace carelake::pgwire {

class Server;

// Runs the connection on `fd` (which the caller closes afterwards); `peer`
// names the client in logs and the login throttle.
void RunConnection(Server& server, int fd, const std::string& peer);

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_CONNECTION_H_
