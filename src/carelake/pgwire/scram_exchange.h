// The server's side of a SASL SCRAM-SHA-256 login (RFC 5802, RFC 7677) as
// PostgreSQL runs it: AuthenticationSASL lists the mechanisms,
// the client's first message gets the server's (nonce, salt, iterations),
// the client's final message carries its proof, which is checked against
// the stored verifier, and the server's signature goes back.
//
// SCRAM-SHA-256-PLUS binds the exchange to the TLS connection (RFC 5929
// tls-server-end-point): the client's `c=` attribute must carry the hash of
// the server's certificate. A client that says it supports channel binding
// ("y") while the server offered it is refused: someone in the middle took
// the -PLUS mechanism away.
//
// The user name in the SCRAM messages is ignored (PostgreSQL's rule: the
// startup packet's user is the one that logs in). For a user that does not
// exist the exchange runs with a mock verifier whose salt is derived from
// the name, so it looks the same as a wrong password from outside.
#ifndef CARELAKE_PGWIRE_SCRAM_EXCHANGE_H_
#define CARELAKE_PGWIRE_SCRAM_EXCHANGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carelake/auth/scram.h"
#include "carelake/base/result.h"

namespace carelake::pgwire {

inline constexpr char kScramSha256[] = "SCRAM-SHA-256";
inline constexpr char kScramSha256Plus[] = "SCRAM-SHA-256-PLUS";

class ScramExchange {
 public:
  // `verifier`: the user's, or nullopt for a user that does not exist.
  // `mock_secret`: the server's random secret for mock salts.
  // `end_point_hash`: tls-server-end-point data on a TLS connection, else
  // empty (then -PLUS is not offered).
  ScramExchange(std::optional<auth::ScramVerifier> verifier, std::string_view user,
                std::string_view mock_secret, std::string end_point_hash);

  // For AuthenticationSASL, in order of preference.
  std::vector<std::string> Mechanisms() const;

  // SASLInitialResponse → the server-first-message. InvalidArgument for a
  // malformed message or a mechanism/channel-binding mismatch.
  Result<std::string> Start(std::string_view mechanism, std::string_view client_first);
  // SASLResponse → the server-final-message. InvalidArgument for a
  // malformed message; PermissionDenied when the proof is wrong or the user
  // does not exist.
  Result<std::string> Finish(std::string_view client_final);

 private:
  auth::ScramVerifier verifier_;
  bool user_exists_;
  std::string end_point_hash_;
  bool plus_ = false;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;  // client's + server's
};

}  // namespace carelake::pgwire

#endif  // CARELAKE_PGWIRE_SCRAM_EXCHANGE_H_
