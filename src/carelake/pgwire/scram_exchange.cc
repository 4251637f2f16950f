#include "carelake/pgwire/scram_exchange.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace carelake::pgwire {
namespace {

Status Malformed(std::string_view what) {
  return InvalidArgument("malformed SCRAM message: " + std::string(what));
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

// The attribute `name=` at the front of `*rest`; advances past it and its
// comma.
Result<std::string_view> Attribute(std::string_view* rest, char name) {
  if (rest->size() < 2 || (*rest)[0] != name || (*rest)[1] != '=') {
    return Malformed(std::string("expected attribute \"") + name + "\"");
  }
  const size_t comma = rest->find(',');
  std::string_view value =
      rest->substr(2, comma == std::string_view::npos ? std::string_view::npos : comma - 2);
  rest->remove_prefix(comma == std::string_view::npos ? rest->size() : comma + 1);
  return value;
}

}  // namespace

ScramExchange::ScramExchange(std::optional<auth::ScramVerifier> verifier, std::string_view user,
                             std::string_view mock_secret, std::string end_point_hash)
    : user_exists_(verifier.has_value()), end_point_hash_(std::move(end_point_hash)) {
  if (verifier) {
    verifier_ = *verifier;
  } else {
    verifier_.iterations = auth::kScramIterations;
    verifier_.salt = auth::HmacSha256(mock_secret, user).substr(0, 16);
    verifier_.stored_key = RandomBytes(32);
    verifier_.server_key = RandomBytes(32);
  }
}

std::vector<std::string> ScramExchange::Mechanisms() const {
  if (end_point_hash_.empty()) return {kScramSha256};
  return {kScramSha256Plus, kScramSha256};
}

Result<std::string> ScramExchange::Start(std::string_view mechanism,
                                         std::string_view client_first) {
  if (mechanism == kScramSha256Plus && !end_point_hash_.empty()) {
    plus_ = true;
  } else if (mechanism != kScramSha256) {
    return InvalidArgument("client selected an invalid SASL authentication mechanism");
  }
  // gs2-header: cbind-flag "," [authzid] ","
  std::string_view rest = client_first;
  if (rest.starts_with("p=tls-server-end-point,")) {
    if (!plus_) {
      return Malformed("the client requires channel binding, which " + std::string(mechanism) +
                       " does not do");
    }
    rest.remove_prefix(23);
  } else if (rest.starts_with("y,") || rest.starts_with("n,")) {
    if (plus_) return Malformed("SCRAM-SHA-256-PLUS needs channel binding data");
    if (rest[0] == 'y' && !end_point_hash_.empty()) {
      return InvalidArgument(
          "SCRAM channel binding negotiation error: the client supports channel binding, "
          "and the server offered it, yet the client did not use it");
    }
    rest.remove_prefix(2);
  } else if (rest.starts_with("p=")) {
    return Malformed("unsupported SCRAM channel-binding type");
  } else {
    return Malformed("unexpected channel-binding flag");
  }
  if (!rest.starts_with(",")) {
    return InvalidArgument("client uses authorization identity, but it is not supported");
  }
  rest.remove_prefix(1);
  gs2_header_ = std::string(client_first.substr(0, client_first.size() - rest.size()));
  client_first_bare_ = std::string(rest);
  if (rest.starts_with("m=")) return Malformed("mandatory SCRAM extensions are not supported");
  CARELAKE_ASSIGN_OR_RETURN(std::string_view user, Attribute(&rest, 'n'));
  (void)user;  // the startup packet's user logs in
  CARELAKE_ASSIGN_OR_RETURN(std::string_view client_nonce, Attribute(&rest, 'r'));
  if (client_nonce.empty()) return Malformed("empty client nonce");
  for (char c : client_nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return Malformed("invalid character in the nonce");
  }
  nonce_ = std::string(client_nonce) + auth::Base64Encode(RandomBytes(18));
  server_first_ = "r=" + nonce_ + ",s=" + auth::Base64Encode(verifier_.salt) +
                  ",i=" + std::to_string(verifier_.iterations);
  return server_first_;
}

Result<std::string> ScramExchange::Finish(std::string_view client_final) {
  if (server_first_.empty()) return Malformed("final message before the first");
  std::string_view rest = client_final;
  CARELAKE_ASSIGN_OR_RETURN(std::string_view cbind_b64, Attribute(&rest, 'c'));
  CARELAKE_ASSIGN_OR_RETURN(std::string cbind, auth::Base64Decode(cbind_b64));
  const std::string expected = gs2_header_ + (plus_ ? end_point_hash_ : "");
  if (cbind.size() != expected.size() ||
      CRYPTO_memcmp(cbind.data(), expected.data(), expected.size()) != 0) {
    return InvalidArgument(
        plus_ ? "SCRAM channel binding check failed"
              : "unexpected SCRAM channel-binding attribute in client-final-message");
  }
  CARELAKE_ASSIGN_OR_RETURN(std::string_view nonce, Attribute(&rest, 'r'));
  if (nonce != nonce_) return Malformed("nonce does not match");
  // Extensions until the proof, which comes last.
  const size_t proof_at = client_final.rfind(",p=");
  if (proof_at == std::string_view::npos) return Malformed("could not find proof");
  const std::string_view without_proof = client_final.substr(0, proof_at);
  CARELAKE_ASSIGN_OR_RETURN(std::string proof,
                            auth::Base64Decode(client_final.substr(proof_at + 3)));
  if (proof.size() != 32) return Malformed("invalid proof length");
  const std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  if (!user_exists_ || !auth::VerifyClientProof(verifier_, auth_message, proof)) {
    return PermissionDenied("password authentication failed");
  }
  return "v=" + auth::Base64Encode(auth::ServerSignature(verifier_, auth_message));
}

}  // namespace carelake::pgwire
