// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL stores and checks it:
// a password becomes a salted verifier that cannot be turned back into the
// password, and a login is checked against the verifier with the client's
// proof. carelake stores only verifiers (users of `carelake serve --pg`).
//
// The verifier's text is PostgreSQL's (pg_authid.rolpassword):
//   SCRAM-SHA-256$<iterations>:<salt base64>$<StoredKey base64>:<ServerKey base64>
// Passwords are used as given (UTF-8 bytes); SASLprep normalisation of
// non-ASCII passwords is not applied.
#ifndef CARELAKE_AUTH_SCRAM_H_
#define CARELAKE_AUTH_SCRAM_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "carelake/base/result.h"

namespace carelake::auth {

inline constexpr int kScramIterations = 4096;  // PostgreSQL's default; the minimum accepted

struct ScramVerifier {
  int iterations = kScramIterations;
  std::string salt;        // raw bytes
  std::string stored_key;  // H(ClientKey), 32 bytes
  std::string server_key;  // HMAC(SaltedPassword, "Server Key"), 32 bytes

  std::string ToString() const;
  // InvalidArgument for text that is not a verifier (says what is wrong,
  // never echoes the text: it is a secret).
  static Result<ScramVerifier> Parse(std::string_view text);
};

// A verifier for `password` with a random 16-byte salt.
Result<ScramVerifier> MakeVerifier(std::string_view password, int iterations = kScramIterations);
// The verifier for `password` with the given salt (tests, other tools).
ScramVerifier VerifierWithSalt(std::string_view password, std::string_view salt, int iterations);

// The server's side of a login: the client's proof checked against the
// verifier for the exchange's AuthMessage (RFC 5802 section 3), and the
// server's signature the client checks in turn.
bool VerifyClientProof(const ScramVerifier& verifier, std::string_view auth_message,
                       std::string_view client_proof);
std::string ServerSignature(const ScramVerifier& verifier, std::string_view auth_message);

// HMAC-SHA-256 of `data` under `key` (32 bytes).
std::string HmacSha256(std::string_view key, std::string_view data);

// Base64 (RFC 4648, with padding).
std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace carelake::auth

#endif  // CARELAKE_AUTH_SCRAM_H_
